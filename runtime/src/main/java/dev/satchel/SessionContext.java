package dev.satchel;

import java.time.Clock;
import java.time.Duration;

/** What every request session of one {@link Satchel} shares: the store and the settings. */
record SessionContext(
    SessionStore store,
    String cookieName,
    String cookiePath,
    String cookieDomain,
    Duration cookieMaxAge,
    boolean secure,
    SameSite sameSite,
    boolean rollingCookie,
    Duration defaultTtl,
    Duration idleTimeout,
    Duration maxLifetime,
    UndecodableValuePolicy undecodableValues,
    int maxCommitAttempts,
    String instanceName,
    Clock clock) {

  SessionCookie cookie(String id) {
    return new SessionCookie(
        cookieName, id, cookiePath, cookieDomain, cookieMaxAge, secure, sameSite, false);
  }

  SessionCookie deletionCookie() {
    return new SessionCookie(
        cookieName, "deleted", cookiePath, cookieDomain, null, secure, sameSite, true);
  }
}
