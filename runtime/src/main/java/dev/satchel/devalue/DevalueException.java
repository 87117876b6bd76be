package dev.satchel.devalue;

/**
 * Thrown when a value cannot be written in devalue's format, or when text is not valid devalue.
 * {@link #reason()} is devalue's own wording where devalue has one; {@link #getMessage()} adds
 * where the problem is: the path inside the value ({@code .cart[3].price}) when writing, the entry
 * or character offset when reading.
 */
public final class DevalueException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final String path;
  private final boolean beyondLimits;

  private DevalueException(
      String reason, String location, String path, Throwable cause, boolean beyondLimits) {
    super(location.isEmpty() ? reason : reason + " (" + location + ")", cause);
    this.reason = reason;
    this.path = path;
    this.beyondLimits = beyondLimits;
  }

  private DevalueException(String reason, String location, String path, Throwable cause) {
    this(reason, location, path, cause, false);
  }

  /** Text that may well be valid devalue, but longer or deeper than this reader's limits. */
  static DevalueException beyondLimits(String reason, String location) {
    return new DevalueException(reason, location, null, null, true);
  }

  static DevalueException writing(String reason, String path) {
    return new DevalueException(reason, "at " + (path.isEmpty() ? "the root" : path), path, null);
  }

  static DevalueException reading(String reason, String location) {
    return new DevalueException(reason, location, null, null);
  }

  static DevalueException reading(String reason, String location, Throwable cause) {
    return new DevalueException(reason, location, null, cause);
  }

  /**
   * Whether the text was refused for passing a limit ({@code maxInputLength}, {@code maxDepth})
   * rather than for being malformed: the JavaScript library, which has no such limits, may read it.
   */
  public boolean isBeyondLimits() {
    return beyondLimits;
  }

  /** The problem in devalue's words, such as {@code "Invalid input"}. */
  public String reason() {
    return reason;
  }

  /**
   * Where inside the value a write failed, formatted as devalue formats it ({@code ""} for the
   * root, {@code .foo["a b"][0].get("k")}); {@code null} for a read failure.
   */
  public String path() {
    return path;
  }
}
