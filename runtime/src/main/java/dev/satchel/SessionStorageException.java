package dev.satchel;

/**
 * Thrown when the session store fails: it cannot be reached, refuses a write, holds data that
 * cannot be read, or kept changing under a commit. Messages follow Astro's: "Error when
 * initializing session storage with driver `x`. `…`" for reads and start-up, "Error when saving
 * session data with driver `x`. `…`" for writes.
 */
public class SessionStorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  SessionStorageException(String message, Throwable cause) {
    super(message, cause);
  }

  static SessionStorageException initializing(String driver, String problem, Throwable cause) {
    return new SessionStorageException(
        "Error when initializing session storage with driver `" + driver + "`. `" + problem + "`",
        cause);
  }

  static SessionStorageException saving(String driver, String problem, Throwable cause) {
    return new SessionStorageException(
        "Error when saving session data with driver `" + driver + "`. `" + problem + "`", cause);
  }
}
