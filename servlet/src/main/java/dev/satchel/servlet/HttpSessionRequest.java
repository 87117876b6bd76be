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
  private final Sessions sessions;
  private final Session session;
  private final String requestedId;
  private final boolean requestedInCookie;

  /**
   * The {@code HttpSession} of one request, shared by the wrappers of its dispatches (a forward, an
   * include, an error page), so that each sees the same session object.
   */
  static final class Sessions {
    private final Session session;
    private final SessionAttributes attributes;
    private final String requestedId;
    private final boolean requestedInCookie;
    private final long accessedAt = System.currentTimeMillis();
    private final int maxInactiveSeconds;
    private SatchelHttpSession current;

    Sessions(
        Session session,
        SessionAttributes attributes,
        String requestedId,
        boolean requestedInCookie,
        int maxInactiveSeconds) {
      this.session = session;
      this.attributes = attributes;
      this.requestedId = requestedId;
      this.requestedInCookie = requestedInCookie;
      this.maxInactiveSeconds = maxInactiveSeconds;
    }

    synchronized HttpSession get(boolean create, HttpServletRequest request) {
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
              session, attributes, request.getServletContext(), accessedAt, maxInactiveSeconds);
      return current;
    }

    synchronized String changeId(HttpServletRequest request) {
      if (get(false, request) == null) {
        throw new IllegalStateException("changeSessionId: the request has no session");
      }
      session.regenerate();
      return current.getId();
    }
  }

  HttpSessionRequest(HttpServletRequest request, Sessions sessions) {
    super(request);
    this.sessions = sessions;
    this.session = sessions.session;
    this.requestedId = sessions.requestedId;
    this.requestedInCookie = sessions.requestedInCookie;
  }

  @Override
  public HttpSession getSession() {
    return getSession(true);
  }

  @Override
  public HttpSession getSession(boolean create) {
    return sessions.get(create, this);
  }

  @Override
  public String changeSessionId() {
    return sessions.changeId(this);
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
