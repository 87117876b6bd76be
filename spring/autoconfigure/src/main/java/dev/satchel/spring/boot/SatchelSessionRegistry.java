package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import dev.satchel.SessionEvent;
import dev.satchel.SessionInfo;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.springframework.security.core.AuthenticatedPrincipal;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * Spring Security's {@link SessionRegistry} on Satchel's index of sessions by principal, shared by
 * every instance on the store: {@code maximumSessions(n)} counts a user's sessions everywhere, and
 * {@link SessionInformation#expireNow()} ends a session at once in the store, so its next request
 * on any instance is a new visitor's. Listeners are told such a session ended for {@link
 * SessionEvent.Reason#LIMIT}, as Spring Security calls it when a user has more sessions than {@code
 * maximumSessions} allows.
 *
 * <p>Satchel keeps the index itself (the security context's attribute names the principal), so
 * {@link #registerNewSession}, {@link #refreshLastRequest} and {@link #removeSessionInformation}
 * have nothing to do. Satchel has no list of every principal: {@link #getAllPrincipals()} is empty,
 * and {@link #getSessionInformation} answers {@code null}, since an ended session never reaches the
 * application again.
 */
public final class SatchelSessionRegistry implements SessionRegistry {
  private final Satchel satchel;

  /** A registry over {@code satchel}'s index. */
  public SatchelSessionRegistry(Satchel satchel) {
    this.satchel = satchel;
  }

  @Override
  public List<Object> getAllPrincipals() {
    return List.of();
  }

  @Override
  public List<SessionInformation> getAllSessions(Object principal, boolean includeExpiredSessions) {
    String name = nameOf(principal);
    List<SessionInformation> sessions = new ArrayList<>();
    if (name == null) {
      return sessions;
    }
    for (SessionInfo session : satchel.sessionsOf(name)) {
      Date lastRequest =
          Date.from(
              session.lastAccessedAt() == null ? session.createdAt() : session.lastAccessedAt());
      sessions.add(new EndingSession(principal, session.id(), lastRequest, satchel));
    }
    return sessions;
  }

  @Override
  public SessionInformation getSessionInformation(String sessionId) {
    return null;
  }

  @Override
  public void refreshLastRequest(String sessionId) {}

  @Override
  public void registerNewSession(String sessionId, Object principal) {}

  @Override
  public void removeSessionInformation(String sessionId) {}

  /** The name Satchel indexes {@code principal} under, as Spring Security names it. */
  static String nameOf(Object principal) {
    if (principal instanceof UserDetails user) {
      return user.getUsername();
    }
    if (principal instanceof AuthenticatedPrincipal authenticated) {
      return authenticated.getName();
    }
    if (principal instanceof Authentication authentication) {
      return authentication.getName();
    }
    if (principal instanceof Principal named) {
      return named.getName();
    }
    return principal == null ? null : principal.toString();
  }

  /** A listed session that {@link #expireNow()} ends in the store, not only in this object. */
  private static final class EndingSession extends SessionInformation {
    private static final long serialVersionUID = 1L;
    private final transient Satchel satchel;

    EndingSession(Object principal, String sessionId, Date lastRequest, Satchel satchel) {
      super(principal, sessionId, lastRequest);
      this.satchel = satchel;
    }

    @Override
    public void expireNow() {
      satchel.endSession(getSessionId(), SessionEvent.Reason.LIMIT);
      super.expireNow();
    }
  }
}
