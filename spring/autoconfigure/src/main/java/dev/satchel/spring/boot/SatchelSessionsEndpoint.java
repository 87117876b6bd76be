package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import dev.satchel.SessionEvent;
import dev.satchel.SessionInfo;
import dev.satchel.spi.SessionIds;
import java.time.Instant;
import java.util.List;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The Actuator endpoint {@code satchelsessions}: a user's live sessions, and ending them, for
 * operators. Sessions are named by {@link SessionIds#fingerprint fingerprint}, never by ID, which
 * is a credential.
 *
 * <ul>
 *   <li>{@code GET /actuator/satchelsessions/{principal}}: the user's sessions, each with its
 *       {@code fingerprint}, {@code createdAt}, {@code lastAccessedAt} and {@code expiresAt};
 *   <li>{@code DELETE /actuator/satchelsessions/{principal}}: ends them all, on every instance
 *       sharing the store ({@code {"ended": n}});
 *   <li>{@code DELETE /actuator/satchelsessions/{principal}/{fingerprint}}: ends the one session of
 *       that user with that fingerprint ({@code {"ended": 1}}, or {@code {"ended": 0}} when the
 *       user has none such); another user's session is never ended.
 * </ul>
 *
 * <p>Like every endpoint but {@code health}, it is not exposed over HTTP by default. To expose it,
 * add it to {@code management.endpoints.web.exposure.include} (such as {@code
 * health,satchelsessions}) and restrict {@code /actuator/satchelsessions/**} to operators, with
 * Spring Security's {@code EndpointRequest.to("satchelsessions")} or a path matcher: whoever can
 * call it can log any user out. {@code management.endpoint.satchelsessions.access=read-only} allows
 * the listing only; {@code none} turns it off.
 */
@Endpoint(id = SatchelSessionsEndpoint.ID)
public final class SatchelSessionsEndpoint {
  /** The endpoint's ID, as in its path and its {@code management.endpoint.*} properties. */
  public static final String ID = "satchelsessions";

  private final Satchel satchel;

  /** An endpoint over {@code satchel}'s index of sessions by principal. */
  public SatchelSessionsEndpoint(Satchel satchel) {
    this.satchel = satchel;
  }

  /** The live sessions of {@code principal}, in the order they were indexed. */
  @ReadOperation
  public UserSessions sessions(@Selector String principal) {
    return new UserSessions(
        principal, satchel.sessionsOf(principal).stream().map(SessionDescriptor::of).toList());
  }

  /** Ends every live session of {@code principal}. */
  @DeleteOperation
  public EndedSessions endSessions(@Selector String principal) {
    return new EndedSessions(satchel.endSessionsOf(principal));
  }

  /** Ends the session of {@code principal} that has {@code fingerprint}, if there is one. */
  @DeleteOperation
  public EndedSessions endSession(@Selector String principal, @Selector String fingerprint) {
    int ended = 0;
    // Only this user's sessions are looked at, so a fingerprint never reaches another's.
    for (SessionInfo session : satchel.sessionsOf(principal)) {
      if (SessionIds.fingerprint(session.id()).equals(fingerprint)) {
        satchel.endSession(session.id(), SessionEvent.Reason.ENDED);
        ended++;
      }
    }
    return new EndedSessions(ended);
  }

  /**
   * A user's sessions.
   *
   * @param principal the user's name
   * @param sessions the live sessions
   */
  public record UserSessions(String principal, List<SessionDescriptor> sessions)
      implements OperationResponseBody {}

  /**
   * One session, without its ID.
   *
   * @param fingerprint the session's {@link SessionIds#fingerprint fingerprint}
   * @param createdAt when it began
   * @param lastAccessedAt the start of its last request, or {@code null} when the store cannot tell
   * @param expiresAt when it expires unless used again, or {@code null} for never
   * @param instance the instance that last stored a change to it ({@code satchel.instance-name}),
   *     or {@code null} when instances are not named
   */
  public record SessionDescriptor(
      String fingerprint,
      Instant createdAt,
      Instant lastAccessedAt,
      Instant expiresAt,
      String instance) {
    static SessionDescriptor of(SessionInfo session) {
      return new SessionDescriptor(
          SessionIds.fingerprint(session.id()),
          session.createdAt(),
          session.lastAccessedAt(),
          session.expiresAt(),
          session.instance());
    }
  }

  /**
   * What a delete ended.
   *
   * @param ended how many sessions
   */
  public record EndedSessions(int ended) implements OperationResponseBody {}
}
