package dev.satchel;

/**
 * Thrown when a change would make a stored session larger than the configured maximum ({@link
 * Satchel.Builder#maxSessionSize}). Nothing is stored: the session keeps its previous data and ID.
 */
public final class SessionSizeException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final long size;
  private final long limit;

  SessionSizeException(long size, long limit) {
    super(
        "The session would take at least "
            + size
            + " characters when stored, more than the maximum of "
            + limit
            + " (max-session-size); the change was not saved.");
    this.size = size;
    this.limit = limit;
  }

  /**
   * How large, in characters, the change would have made the stored session at least: more than
   * {@link #limit()}. A lower bound, as writing stops once the limit is passed.
   */
  public long size() {
    return size;
  }

  /** The configured maximum, in characters. */
  public long limit() {
    return limit;
  }
}
