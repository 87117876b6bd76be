package dev.satchel.servlet;

import static java.util.Objects.requireNonNull;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionReplacedException;
import dev.satchel.SessionSizeException;
import dev.satchel.SessionStorageException;
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
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EventListener;
import java.util.List;
import java.util.Properties;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Gives every request its {@link Session}. It reads the session cookie, stores the session before
 * the response is committed (before the first byte of the body, a flush, a redirect or an error,
 * and before an async request completes), and sends the session cookie right after: so a client
 * that follows a redirect, or sends its next request as soon as the body arrives, always sees the
 * write.
 *
 * <p>A response carries one {@code Set-Cookie} header for the session cookie, the latest, however
 * often the request changed it (a write, then {@code regenerate} at log-in; a write, then {@code
 * destroy} at log-out); the application's other cookies are left as they are. A change after the
 * response is committed cannot reach the client and is logged. When a request carries several
 * session cookies (a stale one on a parent path beside the current one), the first the store knows
 * is used.
 *
 * <p>A store failure is never reported as success, and never shows the store's error to the client.
 * Satchel logs an outage of the store once when it starts, in a summary at most every 30 s and once
 * when it ends; each request it fails is logged here at {@code DEBUG}, with its stack trace. Any
 * other failure to save (a commit that kept losing to concurrent writers, unreadable data) is
 * logged at {@code ERROR}, at most once every 30 s when it repeats. If the store fails while the
 * request runs, typically on a read, the answer is a {@code 503} with {@code Retry-After: 1} and a
 * plain-text body; if the session cannot be saved, a {@code 500}. Once the response is committed,
 * the failure is rethrown instead, so that the container aborts the response.
 *
 * <pre>{@code
 * context.addFilter(new FilterHolder(new SatchelFilter(satchel)), "/*", EnumSet.allOf(DispatcherType.class));
 * ...
 * Session session = SatchelFilter.session(request);
 * }</pre>
 *
 * <p>Declared in {@code web.xml} instead, with the no-argument constructor, it configures itself
 * with {@link Satchel#fromEnvironment()} and takes two optional {@code init-param}s: {@value
 * #SESSION_HEADER_PARAMETER} for header mode and {@value #COOKIE_NAME_PARAMETER}.
 *
 * <pre>{@code
 * <filter>
 *   <filter-name>satchel</filter-name>
 *   <filter-class>dev.satchel.servlet.SatchelFilter</filter-class>
 *   <init-param>
 *     <param-name>session-header</param-name>
 *     <param-value>X-Session-Token</param-value>
 *   </init-param>
 * </filter>
 * }</pre>
 */
public final class SatchelFilter implements Filter {
  /** The {@code init-param} that names the session header, for header mode. */
  public static final String SESSION_HEADER_PARAMETER = "session-header";

  /** The {@code init-param} that names the session cookie. */
  public static final String COOKIE_NAME_PARAMETER = "cookie-name";

  private static final System.Logger LOG = System.getLogger("dev.satchel.servlet");
  private static final String ATTRIBUTE = SatchelFilter.class.getName() + ".session";
  private static final String HTTP_SESSIONS = SatchelFilter.class.getName() + ".httpSessions";
  private static final String UNAVAILABLE_MESSAGE =
      "The session store is unavailable; try again shortly.";
  private static final byte[] UNAVAILABLE = UNAVAILABLE_MESSAGE.getBytes(StandardCharsets.UTF_8);
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private Satchel satchel;
  private String sessionHeader;
  private boolean ownsSatchel;
  private boolean httpSessions = true;
  private final SessionAttributes attributes = new SessionAttributes();
  private final HttpSessionListeners listeners = new HttpSessionListeners();
  private final FailureLog.Kinds failures = FailureLog.Kinds.create();

  /** A filter over {@code satchel}, reading the session ID from the cookie only. */
  public SatchelFilter(Satchel satchel) {
    this(satchel, null);
  }

  /**
   * A filter over {@code satchel} that also accepts the session ID in a request header, for clients
   * without cookies, and answers in the same header when the ID changes.
   *
   * @param sessionHeader the header name, such as {@code X-Session-Token}; {@code null} for none
   * @throws IllegalArgumentException if {@code sessionHeader} is not a header name
   */
  public SatchelFilter(Satchel satchel, String sessionHeader) {
    this.satchel = requireNonNull(satchel, "satchel");
    this.sessionHeader = sessionHeader == null ? null : checkHeaderName(sessionHeader);
  }

  /**
   * For {@code web.xml}: configured in {@link #init} from {@code satchel.properties}, the filter's
   * {@code init-param}s ({@value #SESSION_HEADER_PARAMETER}, {@value #COOKIE_NAME_PARAMETER}) and
   * the environment.
   */
  public SatchelFilter() {}

  /**
   * Configures a filter made with the no-argument constructor: {@link Satchel#fromEnvironment()},
   * with the cookie name from the {@value #COOKIE_NAME_PARAMETER} {@code init-param} when there is
   * one ({@code SATCHEL_COOKIE_NAME} still wins over it, as over {@code satchel.properties}), and
   * header mode when {@value #SESSION_HEADER_PARAMETER} names a header.
   *
   * @throws ServletException if an {@code init-param} is unknown or invalid, or given to a filter
   *     made with a {@link Satchel}, which these cannot change
   */
  @Override
  public void init(FilterConfig config) throws ServletException {
    String header = null;
    String cookieName = null;
    for (String name : Collections.list(config.getInitParameterNames())) {
      switch (name) {
        case SESSION_HEADER_PARAMETER -> header = config.getInitParameter(name).trim();
        case COOKIE_NAME_PARAMETER -> cookieName = config.getInitParameter(name).trim();
        default ->
            throw new ServletException(
                "Unknown init-param "
                    + name
                    + " of SatchelFilter; it takes "
                    + SESSION_HEADER_PARAMETER
                    + " and "
                    + COOKIE_NAME_PARAMETER);
      }
    }
    if (satchel != null) {
      if (header != null || cookieName != null) {
        throw new ServletException(
            "The init-params of SatchelFilter apply only to a filter made with the no-argument"
                + " constructor; this one was given its Satchel");
      }
    } else {
      try {
        sessionHeader = header == null ? null : checkHeaderName(header);
        satchel = cookieName == null ? Satchel.fromEnvironment() : fromEnvironment(cookieName);
      } catch (IllegalArgumentException e) {
        throw new ServletException(e.getMessage(), e);
      }
      ownsSatchel = true;
    }
    listeners.start(satchel, config.getServletContext(), maxInactiveSeconds());
  }

  /**
   * What {@link Satchel#fromEnvironment()} builds, with the cookie name between {@code
   * satchel.properties} and the environment.
   */
  private static Satchel fromEnvironment(String cookieName) {
    Satchel.Builder builder = Satchel.builder();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    try (InputStream in =
        loader == null ? null : loader.getResourceAsStream("satchel.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        builder.properties(properties);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("satchel.properties could not be read", e);
    }
    return builder.cookieName(cookieName).environment(System.getenv()).build();
  }

  /**
   * Whether {@code request.getSession()} gives an {@code HttpSession} backed by Satchel; on by
   * default. Off, the container's own sessions (and its {@code JSESSIONID}) answer it. Configure
   * the filter before it serves requests.
   */
  public SatchelFilter httpSessions(boolean enabled) {
    this.httpSessions = enabled;
    return this;
  }

  /**
   * Stores {@code HttpSession} attributes of the codec's type through it. Codecs are tried in the
   * order registered; the first whose type the value is an instance of stores it.
   *
   * @throws IllegalArgumentException if another codec has the same name
   */
  public SatchelFilter attributeCodec(AttributeCodec<?> codec) {
    attributes.add(requireNonNull(codec, "codec"));
    return this;
  }

  /**
   * Makes {@code attribute} say who the session belongs to: setting it records the principal {@code
   * principalName} gives for its value ({@code null} for none) with {@link Session#setPrincipal},
   * and removing it removes the principal. Spring Security's integration uses this for its security
   * context.
   */
  public SatchelFilter principalAttribute(
      String attribute, Function<Object, String> principalName) {
    attributes.principalFrom(
        requireNonNull(attribute, "attribute"), requireNonNull(principalName, "principalName"));
    return this;
  }

  /**
   * Tells {@code listener}, an {@link HttpSessionListener}, an {@link HttpSessionIdListener} or
   * both (as Spring Security's {@code HttpSessionEventPublisher}), of Satchel's sessions, as a
   * container tells those registered with it of its own: {@code sessionCreated} when a session is
   * first stored, {@code sessionIdChanged} when {@code changeSessionId()} (or {@link
   * Session#regenerate()}) gave it a new ID, and {@code sessionDestroyed} when it was invalidated,
   * ended by {@link Satchel#endSession} or {@link Satchel#endSessionsOf}, or found expired. Each
   * change is told on the instance that made it, and an expiry on the instance whose check found
   * it. Listeners registered with the container are not told: it never sees these sessions.
   *
   * <p>They are told once the change is stored, on the thread that stored it (a request's, or the
   * expiry check's); the {@code HttpSession} they get is read-only, and for a destroyed or expired
   * session, or one changed outside a request through this filter, knows its ID and servlet context
   * only (its attributes throw {@link IllegalStateException}, as an invalidated session's do). A
   * listener that throws is logged and fails nothing: the request goes on, the others are told.
   * They are registered with the filter's {@link Satchel} when the container initializes the
   * filter, and told nothing more once it is destroyed.
   *
   * @throws IllegalArgumentException if {@code listener} is neither
   */
  public SatchelFilter sessionListener(EventListener listener) {
    listeners.add(listener);
    return this;
  }

  private static String checkHeaderName(String name) {
    if (!HEADER_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("Invalid session header name \"" + name + "\"");
    }
    return name;
  }

  @Override
  public void destroy() {
    listeners.stop();
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
      // A forward, include or error page inside a request that has its session already: the
      // container hands it the unwrapped request, whose getSession would make a container session.
      Object sessions = request.getAttribute(HTTP_SESSIONS);
      chain.doFilter(
          sessions instanceof HttpSessionRequest.Sessions shared
              ? new HttpSessionRequest(request, shared)
              : request,
          res);
      return;
    }
    CommittingResponse committing = new CommittingResponse(response, sessionHeader, failures);
    Requested requested = requested(request);
    Session session =
        requested.inHeader()
            ? satchel.open(requested.ids().get(0), committing.cookieSink())
            : satchel.openFromCookies(requested.ids(), committing.cookieSink());
    HttpSessionListeners.Scope scope =
        listeners.any()
            ? new HttpSessionListeners.Scope(
                session,
                attributes,
                request.getServletContext(),
                System.currentTimeMillis(),
                maxInactiveSeconds())
            : null;
    committing.bind(
        scope == null ? session::commit : () -> listeners.within(scope, session::commit));
    request.setAttribute(ATTRIBUTE, session);
    HttpServletRequest wrapped = request;
    if (httpSessions) {
      HttpSessionRequest.Sessions sessions =
          new HttpSessionRequest.Sessions(
              session, attributes, requested.first(), !requested.inHeader(), maxInactiveSeconds());
      request.setAttribute(HTTP_SESSIONS, sessions);
      wrapped = new HttpSessionRequest(request, sessions);
    }
    try {
      runChain(chain, new CompletingRequest(wrapped, committing), committing, scope);
    } catch (IOException | ServletException | RuntimeException e) {
      if (cause(e, SessionSizeException.class) && !response.isCommitted()) {
        // An update inside the handler would have made the session too large: nothing was
        // stored, and the client is told so without the exception's details.
        failures.refused().logRepeating("A change was refused; answering 413", e);
        committing.abandon();
        response.resetBuffer();
        response.sendError(
            HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, CommittingResponse.TOO_LARGE);
        return;
      }
      if (cause(e, SessionReplacedException.class) && !response.isCommitted()) {
        // An update inside the handler on an ID a log-in had replaced: nothing was stored, and
        // the client, which has the new ID, may retry.
        LOG.log(Level.DEBUG, "The session was replaced by a log-in; answering 409");
        committing.abandon();
        response.resetBuffer();
        response.sendError(HttpServletResponse.SC_CONFLICT, CommittingResponse.REPLACED);
        return;
      }
      boolean storeFailed = cause(e, SessionStorageException.class);
      if (storeFailed && committing.finished()) {
        // The failed save already answered 500; the handler then failed on the store too.
        failures
            .storeFailed()
            .log("The session store failed after the session could not be saved", e);
        return;
      }
      if (storeFailed && !response.isCommitted() && !request.isAsyncStarted()) {
        committing.abandon();
        failures.storeFailed().log("The session store failed; answering 503", e);
        answerUnavailable(response);
        return;
      }
      try {
        finish(request, committing);
      } catch (IOException | RuntimeException finishing) {
        e.addSuppressed(finishing);
      }
      throw e;
    }
    finish(request, committing);
  }

  /** The rest of the chain, with the request's session current for the session listeners. */
  private void runChain(
      FilterChain chain,
      HttpServletRequest request,
      HttpServletResponse response,
      HttpSessionListeners.Scope scope)
      throws IOException, ServletException {
    if (scope == null) {
      chain.doFilter(request, response);
      return;
    }
    HttpSessionListeners.Scope previous = listeners.enter(scope);
    try {
      chain.doFilter(request, response);
    } finally {
      listeners.exit(previous);
    }
  }

  private static void finish(HttpServletRequest request, CommittingResponse committing)
      throws IOException {
    if (request.isAsyncStarted()) {
      request.getAsyncContext().addListener(new PersistOnComplete(committing));
    } else {
      committing.persistNow();
    }
  }

  /** The session IDs a request carries: in the session header, or in its session cookies. */
  private record Requested(List<String> ids, boolean inHeader) {
    /** The ID the request asks for, for {@code getRequestedSessionId}: the first it sent. */
    String first() {
      return ids.isEmpty() || ids.get(0) == null || ids.get(0).isEmpty() ? null : ids.get(0);
    }
  }

  private Requested requested(HttpServletRequest request) {
    if (sessionHeader != null) {
      String header = request.getHeader(sessionHeader);
      if (header != null && !header.isBlank()) {
        return new Requested(List.of(header.trim()), true);
      }
    }
    return new Requested(sessionCookieValues(request), false);
  }

  /** The idle timeout in seconds, as {@code getMaxInactiveInterval} gives it; -1 for none. */
  private int maxInactiveSeconds() {
    Duration idle = satchel.idleTimeout();
    return idle == null ? -1 : (int) Math.min(Integer.MAX_VALUE, idle.toSeconds());
  }

  /** Every value of the session cookie, in the request's order: stale copies may come first. */
  private List<String> sessionCookieValues(HttpServletRequest request) {
    Cookie[] cookies = request.getCookies();
    if (cookies == null) {
      return List.of();
    }
    List<String> values = new ArrayList<>(1);
    for (Cookie cookie : cookies) {
      if (cookie.getName().equals(satchel.cookieName())) {
        values.add(cookie.getValue());
      }
    }
    return values;
  }

  /** Whether {@code thrown} is, or was caused by, a {@code type}, possibly wrapped by a servlet. */
  private static boolean cause(Throwable thrown, Class<? extends Throwable> type) {
    Throwable cause = thrown;
    // Bounded: a cause chain may loop.
    for (int depth = 0; cause != null && depth < 16; depth++) {
      if (type.isInstance(cause)) {
        return true;
      }
      cause = cause.getCause();
    }
    return false;
  }

  /**
   * A 503 the client may retry, with a body that says nothing of the store: the exception's message
   * names the driver and the store's own error, which the log keeps.
   */
  private static void answerUnavailable(HttpServletResponse response) throws IOException {
    response.resetBuffer();
    response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
    response.setHeader("Retry-After", "1");
    response.setContentType("text/plain;charset=utf-8");
    response.setContentLength(UNAVAILABLE.length);
    try {
      response.getOutputStream().write(UNAVAILABLE);
    } catch (IllegalStateException writerInUse) {
      // The handler took the writer; the message is ASCII, so any charset it chose carries it.
      response.getWriter().write(UNAVAILABLE_MESSAGE);
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
