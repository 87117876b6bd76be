package dev.satchel.servlet;

import dev.satchel.Session;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;

/**
 * Answers the request's session methods from Satchel, so that no container session, and no {@code
 * JSESSIONID}, is ever created: {@code getSession} gives the {@link SatchelHttpSession}, {@code
 * changeSessionId} regenerates, and the requested ID is the one the client sent to Satchel.
 */
final class HttpSessionRequest extends HttpServletRequestWrapper {
  private final Session session;
  private final SessionAttributes attributes;
  private final String requestedId;
  private final boolean requestedInCookie;
  private final long accessedAt = System.currentTimeMillis();
  private final int maxInactiveSeconds;
  private SatchelHttpSession current;

  HttpSessionRequest(
      HttpServletRequest request,
      Session session,
      SessionAttributes attributes,
      String requestedId,
      boolean requestedInCookie,
      int maxInactiveSeconds) {
    super(request);
    this.session = session;
    this.attributes = attributes;
    this.requestedId = requestedId;
    this.requestedInCookie = requestedInCookie;
    this.maxInactiveSeconds = maxInactiveSeconds;
  }

  @Override
  public HttpSession getSession() {
    return getSession(true);
  }

  @Override
  public synchronized HttpSession getSession(boolean create) {
    if (current != null && current.isValid() && session.exists()) {
      return current;
    }
    if (create) {
      session.start();
    } else if (!session.exists()) {
      return null;
    }
    current =
        new SatchelHttpSession(
            session, attributes, getServletContext(), accessedAt, maxInactiveSeconds);
    return current;
  }

  @Override
  public synchronized String changeSessionId() {
    if (getSession(false) == null) {
      throw new IllegalStateException("changeSessionId: the request has no session");
    }
    session.regenerate();
    return current.getId();
  }

  @Override
  public String getRequestedSessionId() {
    return requestedId;
  }

  @Override
  public boolean isRequestedSessionIdValid() {
    return requestedId != null && requestedId.equals(session.id().orElse(null)) && session.exists();
  }

  @Override
  public boolean isRequestedSessionIdFromCookie() {
    return requestedId != null && requestedInCookie;
  }

  @Override
  public boolean isRequestedSessionIdFromURL() {
    return false;
  }
}
