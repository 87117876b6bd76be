package dev.satchel.it.races;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.it.JdbcStores;
import dev.satchel.jdbc.PostgresServer;
import dev.satchel.redis.RedisServerProcess;
import dev.satchel.servlet.SatchelFilter;
import dev.satchel.spi.Retirement;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Requests of one session racing over real HTTP, on each driver: parallel add-to-carts, log-in and
 * log-out against an add-to-cart, and parallel commits of different keys. What is checked
 * afterwards is read from the store itself (the file, the Redis key, the table's row) where the
 * store can be seen from outside. The jdbc driver runs on PostgreSQL and on H2, each test on a
 * table of its own, with its clean-up running every second beside the races, on rows left for it.
 */
final class HttpRacesTest {
  private static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());
  private static final Pattern SESSION_COOKIE = Pattern.compile("satchel-session=([^;]*)");
  private static final int TRIALS = 100;

  private static RedisServerProcess redis;
  private static RedisClient redisClient;
  private static StatefulRedisConnection<String, String> redisConnection;

  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  @TempDir Path folder;
  private Satchel satchel;
  private Server server;
  private String driver;
  private JdbcStores jdbc;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startRedis() {
    redis = RedisServerProcess.start(false);
    redisClient = RedisClient.create(redis.url());
    redisConnection = redisClient.connect();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redisConnection.close();
    redisClient.shutdown();
    redis.close();
  }

  @AfterEach
  void stop() throws Exception {
    long leftovers = 0;
    try {
      if (jdbc != null) {
        leftovers = jdbc.awaitLeftoversRemoved(Duration.ofSeconds(60));
      }
      if (server != null) {
        server.stop();
      }
    } finally {
      try {
        if (satchel != null) {
          satchel.close();
        }
      } finally {
        if (jdbc != null) {
          jdbc.close();
        }
      }
    }
    if (jdbc != null) {
      assertEquals(List.of(), jdbc.warnings(), "the clean-up ran beside the races without a fault");
      assertEquals(0, leftovers, "the clean-up removed what it had to");
    }
  }

  private void start(String driver) throws Exception {
    this.driver = driver;
    Satchel.Builder builder = Satchel.builder().driver(driver).secure(false);
    if (driver.equals("fs")) {
      builder.driverOption("base", folder.toString());
    } else if (driver.equals("redis")) {
      builder.driverOption("url", redis.url());
    } else if (JdbcStores.isJdbc(driver)) {
      jdbc = JdbcStores.create(driver, postgres);
      jdbc.configure(builder);
    }
    satchel = builder.build();
    if (jdbc != null) {
      jdbc.leaveLeftovers("ann");
    }
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(
        new FilterHolder(new SatchelFilter(satchel)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new Add()), "/add");
    context.addServlet(new ServletHolder(new LogIn()), "/login");
    context.addServlet(new ServletHolder(new LogOut()), "/logout");
    context.addServlet(new ServletHolder(new SetKey()), "/set");
    server.setHandler(context);
    server.start();
  }

  /** A short random pause, so that the two racing requests overlap in every order. */
  private static void jitter() {
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(3));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads the session first, as a page or middleware would, then adds the item atomically. */
  static final class Add extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Session session = SatchelFilter.session(request);
      session.get("user");
      jitter();
      String item = request.getParameter("item");
      List<String> cart =
          session.update(
              "cart",
              CART,
              current -> {
                List<String> next = current == null ? new ArrayList<>() : new ArrayList<>(current);
                next.add(item);
                return next;
              });
      response.setContentType("text/plain");
      response.getWriter().write(cart == null ? "ended" : String.join(",", cart));
    }
  }

  /**
   * A log-in: a new ID and the user; with {@code ?user=}, the principal named too, as an
   * authentication library does it.
   */
  static final class LogIn extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Session session = SatchelFilter.session(request);
      session.get("cart", CART);
      jitter();
      session.regenerate();
      String principal = request.getParameter("user");
      if (principal != null) {
        session.setPrincipal(principal);
      }
      session.set("user", principal == null ? "ann" : principal);
      response.getWriter().write("in");
    }
  }

  static final class LogOut extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Session session = SatchelFilter.session(request);
      session.get("cart", CART);
      jitter();
      session.destroy();
      response.getWriter().write("out");
    }
  }

  static final class SetKey extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      Session session = SatchelFilter.session(request);
      session.get("cart", CART);
      session.set(request.getParameter("key"), "set");
      response.getWriter().write("ok");
    }
  }

  // ------------------------------------------------------------------------------ HTTP

  private URI uri(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
  }

  private CompletableFuture<HttpResponse<String>> post(String path, String cookie) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      request.header("Cookie", "satchel-session=" + cookie);
    }
    return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The session cookie a response sets: its value, "" for a deletion, or empty for none. */
  private static Optional<String> cookieSet(HttpResponse<String> response) {
    List<String> values = new ArrayList<>();
    for (String header : response.headers().allValues("Set-Cookie")) {
      Matcher matcher = SESSION_COOKIE.matcher(header);
      if (matcher.find()) {
        values.add(header.contains("Expires=Thu, 01 Jan 1970") ? "" : matcher.group(1));
      }
    }
    assertTrue(values.size() <= 1, "at most one session cookie per response: " + values);
    return values.stream().findFirst();
  }

  private String newSession() throws Exception {
    HttpResponse<String> first = post("/add?item=first", null).get();
    assertEquals(200, first.statusCode());
    return cookieSet(first).orElseThrow();
  }

  // ------------------------------------------------------------------------------ the store

  /** Whether the store holds a live session under {@code id}, asked of the store itself. */
  private boolean stored(String id) throws Exception {
    switch (driver) {
      case "fs":
        return Files.exists(folder.resolve(id));
      case "redis":
        return redisConnection.sync().exists(id) == 1;
      case "jdbc-postgresql":
      case "jdbc-h2":
        return jdbc.isLive(id);
      default:
        // The memory store lives in this JVM: a new request never follows a move it did not see,
        // so it finds keys only under a live ID.
        Session session = satchel.open(id, cookie -> {});
        return !session.keys().isEmpty();
    }
  }

  /** The cart of session {@code id}, through Satchel; for jdbc also checked against the row. */
  private List<String> cartOf(String id) throws Exception {
    List<String> cart = satchel.open(id, cookie -> {}).get("cart", CART).orElse(List.of());
    if (jdbc != null) {
      assertEquals(cart, jdbc.cart(id), "the row under the ID holds the cart Satchel reads");
    }
    return cart;
  }

  /**
   * For jdbc: the row under {@code old} is a marker, no longer a session, saying what became of it.
   */
  private void assertRetired(String old, String successor, int trial) throws Exception {
    if (jdbc == null) {
      return;
    }
    JdbcStores.Row row = jdbc.row(old);
    assertNotNull(row, "trial " + trial + ": the retired ID's row stays, as its marker");
    assertNull(row.value(), "trial " + trial + ": the marker holds no session");
    assertNotNull(row.retired(), "trial " + trial + ": the row is a marker");
    Retirement retirement = row.retirement();
    assertEquals(successor, retirement.successor(), "trial " + trial + ": " + retirement);
  }

  // ------------------------------------------------------------------------------ tests

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "jdbc-postgresql", "jdbc-h2"})
  void parallelAddToCarts_keepEveryItem(String driver) throws Exception {
    start(driver);
    String id = newSession();
    List<CompletableFuture<HttpResponse<String>>> adds = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      adds.add(post("/add?item=item-" + i, id));
    }
    for (int i = 0; i < 32; i++) {
      HttpResponse<String> response = adds.get(i).get();
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(List.of(response.body().split(",")).contains("item-" + i), response.body());
    }
    List<String> cart = cartOf(id);
    assertEquals(33, cart.size(), cart.toString());
    for (int i = 0; i < 32; i++) {
      assertTrue(cart.contains("item-" + i), "item-" + i);
    }
    if (jdbc != null) {
      // One write for the new session, then one compare-and-set per add: a lost update or a
      // write that went through twice would show in the counter.
      assertEquals(33, jdbc.row(id).version(), "the row was written once per add");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "jdbc-postgresql", "jdbc-h2"})
  void logInRacingAnAddToCart_retiresTheOldIdAndKeepsTheAdd(String driver) throws Exception {
    start(driver);
    int acknowledged = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      String old = newSession();
      CompletableFuture<HttpResponse<String>> login = post("/login", old);
      CompletableFuture<HttpResponse<String>> add = post("/add?item=during-" + trial, old);
      HttpResponse<String> loggedIn = login.get();
      HttpResponse<String> added = add.get();
      assertEquals(200, loggedIn.statusCode());
      String fresh = cookieSet(loggedIn).orElseThrow();
      assertNotEquals(old, fresh);
      assertFalse(stored(old), "trial " + trial + ": the pre-login ID is gone from the store");
      assertRetired(old, fresh, trial);
      List<String> cart = cartOf(fresh);
      if (added.statusCode() == 200) {
        acknowledged++;
        assertTrue(
            cart.contains("during-" + trial),
            "trial " + trial + ": the acknowledged add is in the logged-in session: " + cart);
      } else {
        // The add first asked for the session after the log-in had replaced its ID: refused
        // (409 from update inside the handler; the client has the new ID and may retry).
        assertEquals(409, added.statusCode(), added.body());
        assertFalse(cart.contains("during-" + trial), "trial " + trial);
      }
      assertEquals(
          Optional.of("ann"), satchel.open(fresh, cookie -> {}).get("user"), "trial " + trial);
      // An add that committed after the log-in withdrew its cookie; one that committed before
      // may carry the old ID, and its response then left before the log-in's.
      Optional<String> addCookie = cookieSet(added);
      if (addCookie.isPresent() && !addCookie.get().equals(old)) {
        assertEquals(fresh, addCookie.get(), "trial " + trial);
      }
    }
    System.out.println(
        driver + ": " + acknowledged + " of " + TRIALS + " racing adds acknowledged");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "jdbc-postgresql", "jdbc-h2"})
  void theSameUserLoggingInTwiceRacingAnAdd_endsInOneSessionHoldingTheAdd(String driver)
      throws Exception {
    start(driver);
    int acknowledged = 0;
    for (int trial = 0; trial < TRIALS; trial++) {
      String old = newSession();
      CompletableFuture<HttpResponse<String>> first = post("/login?user=ann", old);
      CompletableFuture<HttpResponse<String>> add = post("/add?item=during-" + trial, old);
      CompletableFuture<HttpResponse<String>> second = post("/login?user=ann", old);
      Set<String> named = new HashSet<>();
      for (HttpResponse<String> login : List.of(first.get(), second.get())) {
        if (login.statusCode() == 200) {
          cookieSet(login).ifPresent(named::add);
        } else {
          // It first asked for the session after the other log-in had replaced its ID.
          assertEquals(409, login.statusCode(), login.body());
        }
      }
      assertEquals(1, named.size(), "trial " + trial + ": the log-ins named one session " + named);
      String fresh = named.iterator().next();
      assertNotEquals(old, fresh);
      assertFalse(stored(old), "trial " + trial + ": the pre-login ID is gone from the store");
      assertRetired(old, fresh, trial);
      Session session = satchel.open(fresh, cookie -> {});
      assertEquals(Optional.of("ann"), session.principal(), "trial " + trial);
      assertEquals(Optional.of("ann"), session.get("user"), "trial " + trial);
      HttpResponse<String> added = add.get();
      List<String> cart = cartOf(fresh);
      if (added.statusCode() == 200) {
        acknowledged++;
        assertTrue(
            cart.contains("during-" + trial),
            "trial " + trial + ": the acknowledged add is in the logged-in session: " + cart);
      } else {
        assertEquals(409, added.statusCode(), added.body());
      }
    }
    System.out.println(
        driver + ": " + acknowledged + " of " + TRIALS + " adds racing two log-ins acknowledged");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "jdbc-postgresql", "jdbc-h2"})
  void logOutRacingAnAddToCart_bringsNothingBack(String driver) throws Exception {
    start(driver);
    for (int trial = 0; trial < TRIALS; trial++) {
      String old = newSession();
      CompletableFuture<HttpResponse<String>> logout = post("/logout", old);
      CompletableFuture<HttpResponse<String>> add = post("/add?item=during-" + trial, old);
      HttpResponse<String> loggedOut = logout.get();
      HttpResponse<String> added = add.get();
      assertEquals(200, loggedOut.statusCode());
      assertEquals(Optional.of(""), cookieSet(loggedOut), "log-out deletes the cookie");
      assertEquals(200, added.statusCode(), added.body());
      assertFalse(stored(old), "trial " + trial + ": the logged-out ID is gone from the store");
      assertRetired(old, null, trial);
      // An add that committed before the log-out may carry the old ID (its response left first).
      // One that first asked after the log-out is a new visitor: a new session holding only its
      // own item, nothing of the logged-out one.
      Optional<String> addCookie = cookieSet(added);
      if (addCookie.isPresent() && !addCookie.get().equals(old)) {
        assertEquals(List.of("during-" + trial), cartOf(addCookie.get()), "trial " + trial);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "jdbc-postgresql", "jdbc-h2"})
  void parallelCommitsOfDifferentKeys_allSucceedWithTheDefaults(String driver) throws Exception {
    start(driver);
    String id = newSession();
    List<CompletableFuture<HttpResponse<String>>> sets = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      sets.add(post("/set?key=key-" + i, id));
    }
    for (CompletableFuture<HttpResponse<String>> set : sets) {
      assertEquals(200, set.get().statusCode(), set.get().body());
    }
    Session session = satchel.open(id, cookie -> {});
    for (int i = 0; i < 64; i++) {
      assertNotNull(session.get("key-" + i).orElse(null), "key-" + i);
    }
    if (jdbc != null) {
      Map<String, Object> row = jdbc.row(id).data();
      for (int i = 0; i < 64; i++) {
        assertEquals("set", row.get("key-" + i), "the row holds key-" + i);
      }
      assertEquals(List.of("first"), row.get("cart"));
      assertEquals(65, jdbc.row(id).version(), "the row was written once per commit");
    }
  }
}
