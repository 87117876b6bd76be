package dev.satchel.servlet;

import static java.util.Objects.requireNonNull;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.lang.System.Logger.Level;

/**
 * Gives every request its {@link Session}: reads the session cookie, sends {@code Set-Cookie} the
 * moment the session changes it, and stores the session before the response is committed, so a
 * client that follows a redirect, or sends its next request as soon as the body arrives, always
 * sees the write. A store failure before the response is committed becomes a 500; it is never
 * reported as success.
 *
 * <pre>{@code
 * context.addFilter(new FilterHolder(new SatchelFilter(satchel)), "/*", EnumSet.of(DispatcherType.REQUEST));
 * ...
 * Session session = SatchelFilter.session(request);
 * }</pre>
 *
 * <p>Declared in {@code web.xml} instead (no-argument constructor), it configures itself with
 * {@link Satchel#fromEnvironment()}.
 */
public final class SatchelFilter implements Filter {
  private static final System.Logger LOG = System.getLogger("dev.satchel.servlet");
  private static final String ATTRIBUTE = SatchelFilter.class.getName() + ".session";

  private Satchel satchel;
  private final String sessionHeader;
  private boolean ownsSatchel;

  /** A filter over {@code satchel}, reading the session ID from the cookie only. */
  public SatchelFilter(Satchel satchel) {
    this(satchel, null);
  }

  /**
   * A filter over {@code satchel} that also accepts the session ID in a request header, for clients
   * without cookies, and answers in the same header when the ID changes.
   *
   * @param sessionHeader the header name, such as {@code X-Session-Token}; {@code null} for none
   */
  public SatchelFilter(Satchel satchel, String sessionHeader) {
    this.satchel = requireNonNull(satchel, "satchel");
    this.sessionHeader = sessionHeader;
  }

  /** For {@code web.xml}: configured from {@code satchel.properties} and the environment. */
  public SatchelFilter() {
    this.sessionHeader = null;
  }

  @Override
  public void init(FilterConfig config) {
    if (satchel == null) {
      satchel = Satchel.fromEnvironment();
      ownsSatchel = true;
    }
  }

  @Override
  public void destroy() {
    if (ownsSatchel) {
      satchel.close();
    }
  }

  /**
   * The request's session.
   *
   * @throws IllegalStateException if the request did not pass through a {@code SatchelFilter}
   */
  public static Session session(ServletRequest request) {
    Object session = request.getAttribute(ATTRIBUTE);
    if (!(session instanceof Session)) {
      throw new IllegalStateException(
          "No session on this request: map a SatchelFilter in front of this path");
    }
    return (Session) session;
  }

  @Override
  public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
      throws IOException, ServletException {
    if (!(req instanceof HttpServletRequest) || !(res instanceof HttpServletResponse)) {
      chain.doFilter(req, res);
      return;
    }
    HttpServletRequest request = (HttpServletRequest) req;
    HttpServletResponse response = (HttpServletResponse) res;
    if (request.getAttribute(ATTRIBUTE) != null) {
      chain.doFilter(req, res); // a forward or include inside a request that already has one
      return;
    }
    CommittingResponse committing = new CommittingResponse(response);
    Session session = satchel.open(incomingId(request), cookie -> send(committing, cookie));
    committing.bind(session::commit);
    request.setAttribute(ATTRIBUTE, session);
    try {
      chain.doFilter(request, committing);
    } finally {
      if (request.isAsyncStarted()) {
        request.getAsyncContext().addListener(new PersistOnComplete(committing));
      } else {
        committing.persistNow();
      }
    }
  }

  private String incomingId(HttpServletRequest request) {
    if (sessionHeader != null) {
      String header = request.getHeader(sessionHeader);
      if (header != null && !header.isBlank()) {
        return header.trim();
      }
    }
    Cookie[] cookies = request.getCookies();
    if (cookies != null) {
      for (Cookie cookie : cookies) {
        if (cookie.getName().equals(satchel.cookieName())) {
          return cookie.getValue();
        }
      }
    }
    return null;
  }

  private void send(CommittingResponse response, SessionCookie cookie) {
    if (response.isCommitted()) {
      LOG.log(
          Level.WARNING,
          "The session cookie changed after the response was committed; the client keeps the old one");
      return;
    }
    response.addHeaderToWrapped("Set-Cookie", cookie.toHeaderValue());
    if (sessionHeader != null) {
      response.setHeaderOnWrapped(sessionHeader, cookie.isDeletion() ? "" : cookie.value());
    }
  }

  /** Persists an async request when it completes, however it completes. */
  private static final class PersistOnComplete implements AsyncListener {
    private final CommittingResponse response;

    PersistOnComplete(CommittingResponse response) {
      this.response = response;
    }

    @Override
    public void onComplete(AsyncEvent event) throws IOException {
      response.persistNow();
    }

    @Override
    public void onTimeout(AsyncEvent event) throws IOException {
      response.persistNow();
    }

    @Override
    public void onError(AsyncEvent event) throws IOException {
      response.persistNow();
    }

    @Override
    public void onStartAsync(AsyncEvent event) {
      event.getAsyncContext().addListener(this);
    }
  }
}
