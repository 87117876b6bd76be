package dev.satchel.devalue;

/**
 * A missing element of a JavaScript array ({@code [1, , 3]}), written as devalue's {@code -2}. Only
 * meaningful as an element of a {@link java.util.List}.
 */
public enum Hole {
  INSTANCE;

  @Override
  public String toString() {
    return "<hole>";
  }
}
