package dev.satchel.devalue;

/**
 * Thrown by {@link Devalue#stringify(Object, int)} when a value's text would be longer than the
 * maximum given. Writing stopped once that was known, so the length is known only as a lower bound.
 */
public final class DevalueTooLongException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long minimumLength;
  private final int maxLength;

  DevalueTooLongException(long minimumLength, int maxLength) {
    super(
        "The text would be at least "
            + minimumLength
            + " characters long, more than the maximum of "
            + maxLength);
    this.minimumLength = minimumLength;
    this.maxLength = maxLength;
  }

  /** How long the text would be at least, in characters: more than {@link #maxLength()}. */
  public long minimumLength() {
    return minimumLength;
  }

  /** The maximum that was given, in characters. */
  public int maxLength() {
    return maxLength;
  }
}
