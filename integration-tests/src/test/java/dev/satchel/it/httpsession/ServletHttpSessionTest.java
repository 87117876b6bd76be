package dev.satchel.it.httpsession;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.devalue.PlainObject;
import dev.satchel.redis.RedisServer;
import dev.satchel.servlet.AttributeCodec;
import dev.satchel.servlet.SatchelFilter;
import dev.satchel.testing.MutableClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A plain servlet application, written against {@code HttpSession} only, on Jetty behind the
 * filter: its log-in, attributes and log-out live in Satchel's store, never in a container session,
 * on two instances sharing the store and across a restart.
 */
final class ServletHttpSessionTest {
  private static final Pattern SESSION_COOKIE = Pattern.compile("satchel-session=([^;]*)");
  private static final AtomicInteger BOUND = new AtomicInteger();
  private static final AtomicInteger UNBOUND = new AtomicInteger();
  private static CountDownLatch SLOW_READ = new CountDownLatch(1);
  private static CountDownLatch SLOW_RELEASE = new CountDownLatch(1);
  @RegisterExtension static final RedisServer redis = new RedisServer();

  /** An application type with no stored form of its own: stored through a registered codec. */
  record Profile(String displayName, int age) {}

  /** Counts the binding calls the container would make. */
  static final class Watched implements HttpSessionBindingListener {
    @Override
    public void valueBound(HttpSessionBindingEvent event) {
      BOUND.incrementAndGet();
    }

    @Override
    public void valueUnbound(HttpSessionBindingEvent event) {
      UNBOUND.incrementAndGet();
    }
  }

  private static final AttributeCodec<Profile> PROFILE =
      AttributeCodec.of(
          "profile",
          Profile.class,
          profile -> profile.displayName() + "|" + profile.age(),
          stored -> {
            String[] parts = ((String) stored).split("\\|");
            return new Profile(parts[0], Integer.parseInt(parts[1]));
          });

  /** Where the store lives, so that a second instance or a restart shares it. */
  private record Store(String driver, String location) {
    Satchel open() {
      return open(Clock.systemUTC());
    }

    Satchel open(Clock clock) {
      Satchel.Builder builder = Satchel.builder().driver(driver).secure(false).clock(clock);
      switch (driver) {
        case "fs" -> builder.driverOption("base", location).driverOption("fsync", "false");
        case "redis" -> builder.driverOption("url", location);
        default -> {}
      }
      return builder.build();
    }
  }

  private static Store store(String driver) throws IOException {
    return switch (driver) {
      case "fs" -> new Store("fs", Files.createTempDirectory("satchel-httpsession").toString());
      case "redis" -> new Store("redis", redis.url());
      default -> new Store("memory", null);
    };
  }

  /** The application: servlets that know only the servlet API, and the Satchel under them. */
  private static final class App implements AutoCloseable {
    final Satchel satchel;
    final Server server;

    App(Satchel satchel) throws Exception {
      this.satchel = satchel;
      server = new Server();
      ServerConnector connector = new ServerConnector(server);
      connector.setHost("127.0.0.1");
      connector.setPort(0);
      server.addConnector(connector);
      ServletContextHandler context = new ServletContextHandler();
      context.setContextPath("/");
      SatchelFilter filter =
          new SatchelFilter(satchel)
              .attributeCodec(PROFILE)
              .attributeCodec(
                  AttributeCodec.of(
                      "watched", Watched.class, watched -> "", stored -> new Watched()))
              .principalAttribute("user", value -> (String) value);
      context.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST));
      Map.<String, Handler>of(
              "/visit",
              (req, res) -> {
                HttpSession session = req.getSession();
                Object visits = session.getAttribute("visits");
                session.setAttribute(
                    "visits", visits == null ? 1 : ((Number) visits).intValue() + 1);
                return "new=" + session.isNew() + " visits=" + session.getAttribute("visits");
              },
              "/login",
              (req, res) -> {
                req.getSession();
                req.changeSessionId();
                HttpSession session = req.getSession();
                session.setAttribute("user", req.getParameter("user"));
                session.setAttribute("profile", new Profile(req.getParameter("user"), 42));
                session.setAttribute("watched", new Watched());
                return "logged in";
              },
              "/me",
              (req, res) -> {
                HttpSession session = req.getSession(false);
                if (session == null) {
                  return "anonymous";
                }
                Profile profile = (Profile) session.getAttribute("profile");
                return session.getAttribute("user")
                    + " "
                    + (profile == null ? "-" : profile.displayName() + ":" + profile.age())
                    + " names="
                    + Collections.list(session.getAttributeNames());
              },
              "/logout",
              (req, res) -> {
                HttpSession session = req.getSession(false);
                if (session != null) {
                  session.invalidate();
                }
                return req.getSession(false) == null ? "logged out" : "still in";
              },
              "/store-object",
              (req, res) -> {
                try {
                  req.getSession().setAttribute("socket", new Object());
                  return "stored";
                } catch (IllegalArgumentException e) {
                  return "refused: " + e.getMessage();
                }
              },
              "/everywhere",
              (req, res) -> {
                HttpSession session = req.getSession(false);
                String user = (String) session.getAttribute("user");
                return "ended " + this.satchel.endSessionsOf(user, session.getId()) + " of " + user;
              },
              "/count",
              (req, res) ->
                  String.valueOf(this.satchel.sessionsOf(req.getParameter("user")).size()),
              "/attribute",
              (req, res) -> String.valueOf(req.getSession().getAttribute(req.getParameter("name"))),
              "/inactive",
              (req, res) -> {
                HttpSession session = req.getSession();
                String set = req.getParameter("set");
                if (set != null) {
                  session.setMaxInactiveInterval(Integer.parseInt(set));
                }
                return session.getMaxInactiveInterval() + " new=" + session.isNew();
              },
              "/slow-write",
              (req, res) -> {
                HttpSession session = req.getSession();
                session.getAttribute("visits");
                SLOW_READ.countDown();
                try {
                  SLOW_RELEASE.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                session.setAttribute("payoutAccount", "ATTACKER-IBAN");
                res.flushBuffer();
                return "id-now=" + session.getId();
              })
          .forEach(
              (path, handler) -> context.addServlet(new ServletHolder(servlet(handler)), path));
      server.setHandler(context);
      server.start();
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
    String handle(HttpServletRequest request, HttpServletResponse response) throws IOException;
  }

  private static HttpServlet servlet(Handler handler) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String body = handler.handle(req, res);
        res.setContentType("text/plain;charset=utf-8");
        res.getWriter().write(body);
      }
    };
  }

  /** A browser: keeps the session cookie it is given, and checks every answer's cookies. */
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
        assertFalse(header.toUpperCase().contains("JSESSIONID"), header);
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

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void getSession_createsASatchelSession_andAttributesLiveInTheStore(String driver)
      throws Exception {
    try (App app = new App(store(driver).open())) {
      Browser browser = new Browser();
      assertEquals("anonymous", browser.get(app, "/me"));
      assertNull(browser.cookie, "getSession(false) creates nothing");
      assertEquals("new=true visits=1", browser.get(app, "/visit"));
      String id = browser.cookie;
      assertNotNull(id);
      assertEquals("new=false visits=2", browser.get(app, "/visit"));
      assertEquals(id, browser.cookie);
      // What an Astro app sharing the store reads: the attribute as a plain number.
      assertEquals(2.0, app.satchel.open(id, cookie -> {}).get("visits").orElseThrow());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void logIn_rotatesTheId_keepsCodecAttributes_andLogOutEndsIt(String driver) throws Exception {
    try (App app = new App(store(driver).open())) {
      Browser browser = new Browser();
      browser.get(app, "/visit");
      String before = browser.cookie;
      int bound = BOUND.get();
      assertEquals("logged in", browser.get(app, "/login?user=alice"));
      assertEquals(bound + 1, BOUND.get());
      String after = browser.cookie;
      assertNotEquals(before, after, "the ID changes at log-in");
      assertEquals(
          "alice alice:42 names=[visits, user, profile, watched]", browser.get(app, "/me"));
      assertEquals("1", browser.get(app, "/count?user=alice"));

      Browser attacker = new Browser();
      attacker.cookie = before;
      assertEquals("anonymous", attacker.get(app, "/me"), "the pre-log-in ID is dead");

      int unbound = UNBOUND.get();
      assertEquals("logged out", browser.get(app, "/logout"));
      assertEquals(unbound + 1, UNBOUND.get());
      assertNull(browser.cookie);
      Browser replay = new Browser();
      replay.cookie = after;
      assertEquals("anonymous", replay.get(app, "/me"), "a logged-out ID is dead");
      assertEquals("0", browser.get(app, "/count?user=alice"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void aPlantedIdHeldOpenAcrossTheLogIn_getsNothingOfTheLoggedInSession(String driver)
      throws Exception {
    SLOW_READ = new CountDownLatch(1);
    SLOW_RELEASE = new CountDownLatch(1);
    try (App app = new App(store(driver).open())) {
      Browser victim = new Browser();
      victim.get(app, "/visit");
      String planted = victim.cookie;
      // Whoever planted the ID holds a request open on it...
      CompletableFuture<HttpResponse<String>> attack =
          HttpClient.newHttpClient()
              .sendAsync(
                  HttpRequest.newBuilder(app.uri("/slow-write"))
                      .header("Cookie", "satchel-session=" + planted)
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertTrue(SLOW_READ.await(30, TimeUnit.SECONDS));
      // ...across the victim's log-in.
      victim.get(app, "/login?user=alice");
      String loggedIn = victim.cookie;
      SLOW_RELEASE.countDown();
      HttpResponse<String> answer = attack.get(30, TimeUnit.SECONDS);

      assertEquals(409, answer.statusCode(), answer.body());
      assertFalse(answer.body().contains(loggedIn), "the logged-in ID is not revealed");
      for (String header : answer.headers().allValues("Set-Cookie")) {
        assertFalse(header.contains(loggedIn), header);
      }
      assertEquals(
          "alice alice:42 names=[visits, user, profile, watched]",
          victim.get(app, "/me"),
          "nothing of the planted ID's holder is in the logged-in session");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void aForgedCodecName_readsAsAbsent_andForgesNoLogLine(String driver) throws Exception {
    try (App app = new App(store(driver).open())) {
      Browser browser = new Browser();
      browser.get(app, "/login?user=dave");
      // What an app sharing the store might keep: a visitor's object naming a codec.
      Session shared = app.satchel.open(browser.cookie, cookie -> {});
      PlainObject forged = new PlainObject();
      forged.put("satchel:codec", "nope\n23:59:59 SEVERE forged line");
      forged.put("value", "x");
      shared.set("prefs", forged);
      shared.commit();

      List<LogRecord> logged = new ArrayList<>();
      java.util.logging.Handler capture =
          new java.util.logging.Handler() {
            @Override
            public void publish(LogRecord record) {
              logged.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
          };
      Logger servletLog = Logger.getLogger("dev.satchel.servlet");
      servletLog.addHandler(capture);
      try {
        assertEquals("null", browser.get(app, "/attribute?name=prefs"));
      } finally {
        servletLog.removeHandler(capture);
      }
      assertEquals(1, logged.size(), logged.toString());
      assertFalse(logged.get(0).getMessage().contains("\n"), logged.get(0).getMessage());
      assertTrue(logged.get(0).getMessage().contains("\\u000a"), logged.get(0).getMessage());

      assertEquals(
          "null",
          browser.get(app, "/attribute?name=satchel:principal"),
          "Satchel's own keys are not attributes");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void anObjectWithoutACodec_isRefusedAtSetAttribute_naming(String driver) throws Exception {
    try (App app = new App(store(driver).open())) {
      String answer = new Browser().get(app, "/store-object");
      assertTrue(answer.startsWith("refused: "), answer);
      assertTrue(answer.contains("\"socket\""), answer);
      assertTrue(answer.contains("java.lang.Object"), answer);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fs", "redis"})
  void twoInstancesAndARestart_shareTheLogIn(String driver) throws Exception {
    Store store = store(driver);
    Browser browser = new Browser();
    try (App first = new App(store.open());
        App second = new App(store.open())) {
      browser.get(first, "/login?user=bob");
      assertTrue(browser.get(second, "/me").startsWith("bob bob:42"));
    }
    try (App restarted = new App(store.open())) {
      assertTrue(browser.get(restarted, "/me").startsWith("bob bob:42"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fs", "redis"})
  void logOutEverywhere_endsTheUsersOtherSessions_onEveryInstance(String driver) throws Exception {
    Store store = store(driver);
    try (App first = new App(store.open());
        App second = new App(store.open())) {
      Browser laptop = new Browser();
      Browser phone = new Browser();
      Browser tablet = new Browser();
      laptop.get(first, "/login?user=carol");
      phone.get(second, "/login?user=carol");
      tablet.get(first, "/login?user=carol");
      assertEquals("3", laptop.get(second, "/count?user=carol"));
      assertEquals("ended 2 of carol", laptop.get(second, "/everywhere"));
      assertEquals("anonymous", phone.get(first, "/me"));
      assertEquals("anonymous", tablet.get(second, "/me"));
      assertTrue(laptop.get(first, "/me").startsWith("carol"));
      assertEquals("1", laptop.get(first, "/count?user=carol"));
    }
  }

  // ---------------------------------------------------------------------------- max inactive

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void setMaxInactiveInterval_isStoredWithTheSession_andReadInTheNextRequest(String driver)
      throws Exception {
    Store store = store(driver);
    try (App app = new App(store.open())) {
      Browser browser = new Browser();
      assertEquals("1800 new=true", browser.get(app, "/inactive"), "Satchel's idle-timeout");
      assertEquals("7200 new=false", browser.get(app, "/inactive?set=7200"));
      assertEquals("7200 new=false", browser.get(app, "/inactive"), "the next request");
      if (!driver.equals("memory")) {
        try (App other = new App(store.open())) {
          assertEquals("7200 new=false", browser.get(other, "/inactive"), "another instance");
        }
      }
      assertEquals("-1 new=false", browser.get(app, "/inactive?set=-1"));
      assertEquals("-1 new=false", browser.get(app, "/inactive"), "never, as set");
      assertEquals("0 new=false", browser.get(app, "/inactive?set=0"));
      assertEquals("0 new=false", browser.get(app, "/inactive"), "never, as set");
      assertEquals("[]", browser.get(app, "/me").replaceAll(".* names=", ""), "not an attribute");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void aSessionWithAMaxInactiveIntervalOf2Hours_survives90IdleMinutes(String driver)
      throws Exception {
    MutableClock clock = new MutableClock();
    try (App app = new App(store(driver).open(clock))) {
      Browser own = new Browser();
      Browser configured = new Browser();
      own.get(app, "/visit");
      own.get(app, "/inactive?set=7200");
      configured.get(app, "/visit");
      clock.advance(Duration.ofMinutes(90));
      assertEquals("new=false visits=2", own.get(app, "/visit"));
      assertEquals("new=true visits=1", configured.get(app, "/visit"), "past the 30 minutes");
      clock.advance(Duration.ofMinutes(119));
      assertEquals("new=false visits=3", own.get(app, "/visit"), "the read pushed it by 2 h");
      clock.advance(Duration.ofMinutes(121));
      assertEquals("new=true visits=1", own.get(app, "/visit"), "past its own 2 h");
    }
  }

  @Test
  void onRedis_aReadKeepsTheKeyFor2Hours_andNeverForAVeryLongTime() throws Exception {
    RedisClient client = RedisClient.create(redis.url());
    try (App app = new App(store("redis").open());
        StatefulRedisConnection<String, String> connection = client.connect()) {
      Browser configured = new Browser();
      configured.get(app, "/visit");
      configured.get(app, "/visit");
      assertAbout(Duration.ofMinutes(30), connection.sync().pttl(configured.cookie));

      Browser own = new Browser();
      own.get(app, "/visit");
      own.get(app, "/inactive?set=7200");
      assertAbout(Duration.ofHours(2), connection.sync().pttl(own.cookie));
      connection.sync().pexpire(own.cookie, Duration.ofMinutes(5).toMillis());
      own.get(app, "/attribute?name=visits"); // a read, and no write
      assertAbout(Duration.ofHours(2), connection.sync().pttl(own.cookie));

      own.get(app, "/inactive?set=-1");
      assertEquals(-1, connection.sync().pttl(own.cookie), "written without an expiry");
      own.get(app, "/attribute?name=visits");
      assertTrue(
          connection.sync().pttl(own.cookie) > Duration.ofDays(365 * 99L).toMillis(),
          "a read pushes it a century, undoing the push by the configured 30 minutes");
    } finally {
      client.shutdown();
    }
  }

  private static void assertAbout(Duration expected, long pttl) {
    assertTrue(
        pttl <= expected.toMillis() && pttl > expected.minusMinutes(1).toMillis(),
        "PTTL " + pttl + " ms, expected about " + expected);
  }
}
