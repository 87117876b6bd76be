package dev.satchel;

/**
 * Thrown when a request's changes cannot be saved because its session ID was replaced by a log-in
 * in another request: the request holds an ID that must never be written again, and the client
 * already has the new one. Not a failure of the store: a retry with the client's current cookie
 * succeeds. The servlet filter answers it with {@code 409 Conflict}.
 */
public final class SessionReplacedException extends SessionStorageException {
  private static final long serialVersionUID = 1L;

  SessionReplacedException(String driver) {
    super(
        "Error when saving session data with driver `"
            + driver
            + "`. `The session ID this request carried had been replaced by a log-in in another"
            + " request; the changes were not saved. The client has the new ID: retry with it.`",
        null);
  }
}
