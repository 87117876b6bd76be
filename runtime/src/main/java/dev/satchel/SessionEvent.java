package dev.satchel;

import static java.util.Objects.requireNonNull;

import dev.satchel.spi.SessionIds;
import java.time.Instant;

/**
 * Something that happened to a session, told to {@link SessionListener}s once it is stored. A
 * record's {@code toString} names sessions by {@link SessionIds#fingerprint fingerprint}, never by
 * ID, so that logging an event does not leak a credential.
 */
public sealed interface SessionEvent
    permits SessionEvent.Created,
        SessionEvent.IdChanged,
        SessionEvent.Destroyed,
        SessionEvent.Expired {

  /** The session's ID (after the change, for {@link IdChanged}). */
  String sessionId();

  /** When the change was stored, or found for {@link Expired}. */
  Instant at();

  /**
   * A session was stored for the first time.
   *
   * @param principal the user it belongs to, when the request that stored it recorded one
   */
  record Created(String sessionId, String principal, Instant at) implements SessionEvent {
    public Created {
      requireNonNull(sessionId, "sessionId");
      requireNonNull(at, "at");
    }

    @Override
    public String toString() {
      return "Created[" + SessionIds.fingerprint(sessionId) + principalPart(principal) + "]";
    }
  }

  /**
   * A session moved to a new ID ({@link Session#regenerate}, as at log-in); the old ID can never be
   * used again.
   *
   * @param previousId the ID the session had
   * @param sessionId the ID it has now
   * @param principal the user it belongs to after the change, if recorded
   */
  record IdChanged(String previousId, String sessionId, String principal, Instant at)
      implements SessionEvent {
    public IdChanged {
      requireNonNull(previousId, "previousId");
      requireNonNull(sessionId, "sessionId");
      requireNonNull(at, "at");
    }

    @Override
    public String toString() {
      return "IdChanged["
          + SessionIds.fingerprint(previousId)
          + " -> "
          + SessionIds.fingerprint(sessionId)
          + principalPart(principal)
          + "]";
    }
  }

  /**
   * A live session was ended before it expired.
   *
   * @param principal the user it belonged to, when known
   * @param reason who ended it
   */
  record Destroyed(String sessionId, String principal, Reason reason, Instant at)
      implements SessionEvent {
    public Destroyed {
      requireNonNull(sessionId, "sessionId");
      requireNonNull(reason, "reason");
      requireNonNull(at, "at");
    }

    @Override
    public String toString() {
      return "Destroyed["
          + SessionIds.fingerprint(sessionId)
          + principalPart(principal)
          + ", "
          + reason
          + "]";
    }
  }

  /**
   * A session expired: its idle timeout, its keys' TTLs or its maximum lifetime ran out without a
   * request ending it. Found by a periodic check of the store rather than as it happens, so told
   * within the check's interval after the expiry, at least once. Its data is gone; the principal is
   * not known.
   */
  record Expired(String sessionId, Instant at) implements SessionEvent {
    public Expired {
      requireNonNull(sessionId, "sessionId");
      requireNonNull(at, "at");
    }

    @Override
    public String toString() {
      return "Expired[" + SessionIds.fingerprint(sessionId) + "]";
    }
  }

  /** Who ended a session. */
  enum Reason {
    /** The request's own {@link Session#destroy()}: a log-out. */
    LOG_OUT,
    /** {@link Satchel#endSession}: the application or an operator ended this one session. */
    ENDED,
    /**
     * {@link Satchel#endSessionsOf}: all of a user's sessions were ended ("log out everywhere").
     */
    ENDED_ALL,
    /** A limit on a user's concurrent sessions ended the oldest. */
    LIMIT,
    /** The session reached the maximum lifetime and was ended by the request that found it so. */
    LIFETIME
  }

  private static String principalPart(String principal) {
    return principal == null ? "" : ", principal";
  }
}
