package dev.satchel;

/**
 * Receives the session cookie whenever a session changes it: on the first write of a request, on
 * {@code regenerate}, {@code load} and {@code destroy}. The adapter turns it into a {@code
 * Set-Cookie} header; a later call for the same cookie name replaces an earlier one.
 */
@FunctionalInterface
public interface CookieSink {

  /** Called at the moment the cookie changes, on the thread that changed it. */
  void setCookie(SessionCookie cookie);

  /**
   * Called when the session no longer needs the cookie it last set, because another request moved
   * the session to an ID that client already has: an adapter that has not sent the cookie yet drops
   * it, so the response does not overwrite the client's newer cookie. The default does nothing.
   */
  default void withdraw() {}
}
