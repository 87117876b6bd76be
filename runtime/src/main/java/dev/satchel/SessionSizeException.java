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
        "The session would take "
            + size
            + " characters when stored, more than the maximum of "
            + limit
            + " (max-session-size); the change was not saved.");
    this.size = size;
    this.limit = limit;
  }

  /** The stored size, in characters, that the change would have given the session. */
  public long size() {
    return size;
  }

  /** The configured maximum, in characters. */
  public long limit() {
    return limit;
  }
}
