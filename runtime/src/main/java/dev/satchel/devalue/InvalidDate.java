package dev.satchel.devalue;

/**
 * A JavaScript {@code Date} whose time is {@code NaN}; valid dates read as {@link
 * java.time.Instant}.
 */
public enum InvalidDate {
  INSTANCE;

  @Override
  public String toString() {
    return "Invalid Date";
  }
}
