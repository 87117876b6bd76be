package dev.satchel.it.httpsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.redis.RedisServer;
import dev.satchel.servlet.SatchelFilter;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.NoSessionIdsInLogs;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code HttpSessionListener} and {@code HttpSessionIdListener} registered with the filter, over
 * real HTTP on Jetty: told when a session is first stored, when {@code changeSessionId()} moves it,
 * when {@code invalidate()}, {@code endSessionsOf} or expiry ends it; given a read-only view of the
 * request's session during a request, and a detached one otherwise.
 */
@ExtendWith(NoSessionIdsInLogs.class)
final class HttpSessionListenerTest {
  private static final Pattern SESSION_COOKIE = Pattern.compile("satchel-session=([^;]*)");
  @RegisterExtension static final RedisServer redis = new RedisServer();

  /** What a listener saw of one event, read inside the listener call. */
  record Seen(
      String kind,
      String id,
      String oldId,
      boolean sameContext,
      String user,
      String readFailure,
      String writeFailure,
      String thread) {}

  /** Records every event with what the session it was given answered. */
  static final class Recorder implements HttpSessionListener, HttpSessionIdListener {
    final BlockingQueue<Seen> seen = new LinkedBlockingQueue<>();
    volatile ServletContext expectedContext;

    @Override
    public void sessionCreated(HttpSessionEvent event) {
      seen.add(see("created", event.getSession(), null));
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
      seen.add(see("id-changed", event.getSession(), oldSessionId));
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent event) {
      seen.add(see("destroyed", event.getSession(), null));
    }

    private Seen see(String kind, HttpSession session, String oldId) {
      String user = null;
      String readFailure = null;
      try {
        user = (String) session.getAttribute("user");
      } catch (IllegalStateException e) {
        readFailure = e.getMessage();
      }
      String writeFailure = null;
      try {
        session.setAttribute("seenBy", "listener");
      } catch (IllegalStateException e) {
        writeFailure = e.getMessage();
      }
      return new Seen(
          kind,
          session.getId(),
          oldId,
          session.getServletContext() != null && session.getServletContext() == expectedContext,
          user,
          readFailure,
          writeFailure,
          Thread.currentThread().getName());
    }

    Seen next() throws InterruptedException {
      Seen next = seen.poll(30, TimeUnit.SECONDS);
      assertNotNull(next, "no event within 30 s");
      return next;
    }
  }

  /** Fails on every call. */
  static final class Failing implements HttpSessionListener {
    @Override
    public void sessionCreated(HttpSessionEvent event) {
      throw new IllegalStateException("the listener's own bug");
    }
  }

  private static final class App implements AutoCloseable {
    final Satchel satchel;
    final Server server;
    final ServletContextHandler context;

    App(Satchel satchel, SatchelFilter filter) throws Exception {
      this.satchel = satchel;
      server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      context = new ServletContextHandler();
      context.setContextPath("/");
      context.addFilter(new FilterHolder(filter), "/*", EnumSet.allOf(DispatcherType.class));
      Map.<String, Handler>of(
              "/write",
              req -> {
                req.getSession().setAttribute("user", req.getParameter("user"));
                return "written";
              },
              "/change",
              req -> {
                String before = req.getSession(false).getId();
                return before + " -> " + req.changeSessionId();
              },
              "/invalidate",
              req -> {
                req.getSession(false).invalidate();
                return "invalidated";
              },
              "/user",
              req -> {
                HttpSession session = req.getSession(false);
                return session == null ? "none" : String.valueOf(session.getAttribute("user"));
              })
          .forEach(
              (path, handler) -> context.addServlet(new ServletHolder(servlet(handler)), path));
      server.setHandler(context);
      server.start();
    }

    ServletContext servletContext() {
      return context.getServletContext();
    }

    URI uri(String path) {
      return URI.create(
          "http://127.0.0.1:"
              + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
              + path);
    }

    @Override
    public void close() throws Exception {
      server.stop();
      satchel.close();
    }
  }

  @FunctionalInterface
  private interface Handler {
    String handle(HttpServletRequest request) throws IOException;
  }

  private static HttpServlet servlet(Handler handler) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String body = handler.handle(req);
        res.setContentType("text/plain;charset=utf-8");
        res.getWriter().write(body);
      }
    };
  }

  /** Keeps the session cookie it is given. */
  private static final class Browser {
    private static final HttpClient CLIENT = HttpClient.newHttpClient();
    String cookie;

    String get(App app, String path) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(app.uri(path));
      if (cookie != null) {
        request.header("Cookie", "satchel-session=" + cookie);
      }
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      for (String header : response.headers().allValues("Set-Cookie")) {
        Matcher m = SESSION_COOKIE.matcher(header);
        if (m.find()) {
          cookie =
              header.contains("Max-Age=0") || header.contains("Expires=Thu, 01 Jan 1970")
                  ? null
                  : m.group(1);
        }
      }
      return response.body();
    }
  }

  private static Satchel satchel(String driver, MutableClock clock) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver(driver)
            .secure(false)
            .clock(clock)
            .idleTimeout(Duration.ofMinutes(1))
            // Only the test's own calls look for expired sessions.
            .expiryCheckInterval(Duration.ofDays(1));
    if (driver.equals("redis")) {
      builder.driverOption("url", redis.url());
    }
    return builder.build();
  }

  private static App app(Satchel satchel, Recorder recorder, Object... more) throws Exception {
    SatchelFilter filter = new SatchelFilter(satchel);
    for (Object listener : more) {
      filter.sessionListener((java.util.EventListener) listener);
    }
    filter.sessionListener(recorder).principalAttribute("user", value -> (String) value);
    App app = new App(satchel, filter);
    recorder.expectedContext = app.servletContext();
    return app;
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void createdOnFirstWrite_idChangedOnChangeSessionId_destroyedOnInvalidate(String driver)
      throws Exception {
    Recorder recorder = new Recorder();
    try (App app = app(satchel(driver, new MutableClock()), recorder)) {
      Browser browser = new Browser();
      assertEquals("none", browser.get(app, "/user"));
      assertTrue(recorder.seen.isEmpty(), "reading no session creates none: " + recorder.seen);

      browser.get(app, "/write?user=alice");
      Seen created = recorder.next();
      assertEquals("created", created.kind());
      assertEquals(browser.cookie, created.id());
      assertTrue(created.sameContext(), "the web app's ServletContext");
      assertEquals("alice", created.user(), "during the request it reads the request's session");
      assertNull(created.readFailure());
      assertTrue(
          created.writeFailure().contains("listeners are told after the change is stored"),
          created.writeFailure());
      assertTrue(created.thread().contains("qtp"), "told on the request's thread");

      String before = browser.cookie;
      String body = browser.get(app, "/change");
      Seen changed = recorder.next();
      assertEquals("id-changed", changed.kind());
      assertEquals(before, changed.oldId());
      assertEquals(browser.cookie, changed.id());
      assertNotEquals(before, changed.id());
      assertEquals(before + " -> " + browser.cookie, body);
      assertEquals("alice", changed.user());
      assertNotNull(changed.writeFailure());

      String last = browser.cookie;
      browser.get(app, "/invalidate");
      Seen destroyed = recorder.next();
      assertEquals("destroyed", destroyed.kind());
      assertEquals(last, destroyed.id());
      assertTrue(destroyed.sameContext());
      assertNull(destroyed.user());
      assertTrue(destroyed.readFailure().contains("known to the listener by its ID only"));
      assertNotNull(destroyed.writeFailure());
      assertNull(browser.cookie);
      assertEquals("none", browser.get(app, "/user"));
      assertNull(recorder.seen.poll(), "nothing more: " + recorder.seen);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void endSessionsOf_tellsADetachedSessionDestroyed(String driver) throws Exception {
    Recorder recorder = new Recorder();
    try (App app = app(satchel(driver, new MutableClock()), recorder)) {
      Browser laptop = new Browser();
      Browser phone = new Browser();
      laptop.get(app, "/write?user=bob");
      phone.get(app, "/write?user=bob");
      assertEquals("created", recorder.next().kind());
      assertEquals("created", recorder.next().kind());

      // As an operator, or another instance, would: outside any request.
      assertEquals(2, app.satchel.endSessionsOf("bob"));
      List<Seen> destroyed = List.of(recorder.next(), recorder.next());
      assertEquals(
          java.util.Set.of(laptop.cookie, phone.cookie),
          java.util.Set.of(destroyed.get(0).id(), destroyed.get(1).id()));
      for (Seen seen : destroyed) {
        assertEquals("destroyed", seen.kind());
        assertTrue(seen.sameContext());
        assertNotNull(seen.readFailure(), "a detached session's attributes cannot be read");
        assertNotNull(seen.writeFailure());
        assertEquals(Thread.currentThread().getName(), seen.thread());
      }
      assertEquals("none", laptop.get(app, "/user"));
    }
  }

  @Test
  void anExpiredSession_isToldDestroyed_detached() throws Exception {
    Recorder recorder = new Recorder();
    MutableClock clock = new MutableClock();
    try (App app = app(satchel("memory", clock), recorder)) {
      Browser browser = new Browser();
      browser.get(app, "/write?user=carol");
      assertEquals("created", recorder.next().kind());
      assertEquals(0, app.satchel.checkExpiredSessions(), "not expired yet");

      clock.advance(Duration.ofMinutes(2));
      assertEquals(1, app.satchel.checkExpiredSessions());
      Seen expired = recorder.next();
      assertEquals("destroyed", expired.kind());
      assertEquals(browser.cookie, expired.id());
      assertTrue(expired.sameContext());
      assertNotNull(expired.readFailure());
      assertNotNull(expired.writeFailure());
      assertEquals("none", browser.get(app, "/user"));
    }
  }

  @Test
  void aListenerThatThrows_failsNoRequest_andTheOthersAreStillTold() throws Exception {
    Recorder recorder = new Recorder();
    Logger satchelLog = Logger.getLogger("dev.satchel");
    List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    java.util.logging.Handler capture =
        new java.util.logging.Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    satchelLog.addHandler(capture);
    try (App app = app(satchel("memory", new MutableClock()), recorder, new Failing())) {
      Browser browser = new Browser();
      assertEquals("written", browser.get(app, "/write?user=dave"));
      assertEquals("dave", browser.get(app, "/user"), "the session was stored");
      assertEquals("created", recorder.next().kind());
      assertTrue(
          warnings.stream()
              .anyMatch(
                  record ->
                      record.getThrown() != null
                          && String.valueOf(record.getThrown().getMessage())
                              .contains(Failing.class.getName() + ".sessionCreated failed")),
          "the failure is logged, naming the listener: " + warnings);
    } finally {
      satchelLog.removeHandler(capture);
    }
  }

  @Test
  void onlySessionListenersAreAccepted() {
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      SatchelFilter filter = new SatchelFilter(satchel);
      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class,
              () -> filter.sessionListener(new HttpSessionAttributeListener() {}));
      assertTrue(refused.getMessage().contains("HttpSessionListener"), refused.getMessage());
      assertTrue(refused.getMessage().contains("is neither"), refused.getMessage());
      assertThrows(NullPointerException.class, () -> filter.sessionListener(null));
    }
  }
}
