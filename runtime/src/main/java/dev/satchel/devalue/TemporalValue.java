package dev.satchel.devalue;

import static java.util.Objects.requireNonNull;

/**
 * A value of JavaScript's {@code Temporal} API, carried as its type and ISO text.
 *
 * @param type the class, such as {@code "Temporal.PlainDate"}
 * @param text the value's {@code toString()}
 */
public record TemporalValue(String type, String text) {

  /** Checks that the type is one of Temporal's classes. */
  public TemporalValue {
    requireNonNull(type, "type");
    requireNonNull(text, "text");
    if (!isTemporalType(type)) {
      throw new IllegalArgumentException("not a Temporal type: " + type);
    }
  }

  static boolean isTemporalType(String type) {
    switch (type) {
      case "Temporal.Duration":
      case "Temporal.Instant":
      case "Temporal.PlainDate":
      case "Temporal.PlainTime":
      case "Temporal.PlainDateTime":
      case "Temporal.PlainMonthDay":
      case "Temporal.PlainYearMonth":
      case "Temporal.ZonedDateTime":
        return true;
      default:
        return false;
    }
  }
}
