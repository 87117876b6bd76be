package dev.satchel.devalue;

/** JavaScript's {@code undefined}: distinct from {@code null}, which devalue keeps apart. */
public enum Undefined {
  INSTANCE;

  @Override
  public String toString() {
    return "undefined";
  }
}
