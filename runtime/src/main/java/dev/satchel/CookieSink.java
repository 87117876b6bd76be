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
}
