package dev.satchel;

import java.time.Clock;
import java.time.Duration;

/** Everything a request's session needs from the application's configuration. */
record SessionSettings(
    GuardedDriver driver,
    String cookieName,
    String cookiePath,
    String cookieDomain,
    Duration cookieMaxAge,
    boolean secure,
    SameSite sameSite,
    Duration defaultTtl,
    Duration idleTimeout,
    CorruptDataPolicy corruptData,
    UndecodableValuePolicy undecodableValues,
    int maxCommitAttempts,
    Clock clock,
    DecodedSessions decoded) {

  SessionCookie cookie(String id) {
    return new SessionCookie(
        cookieName, id, cookiePath, cookieDomain, cookieMaxAge, secure, sameSite, false);
  }

  SessionCookie deletionCookie() {
    return new SessionCookie(
        cookieName, "deleted", cookiePath, cookieDomain, null, secure, sameSite, true);
  }
}
