package dev.satchel.devalue;

/**
 * A JavaScript {@code Date} whose time is {@code NaN}; valid dates read as {@link java.util.Date}.
 * Like JavaScript dates, each is its own object: two invalid dates are two entries when written.
 */
public final class InvalidDate {

  /** Creates an invalid date. */
  public InvalidDate() {}

  @Override
  public String toString() {
    return "Invalid Date";
  }
}
