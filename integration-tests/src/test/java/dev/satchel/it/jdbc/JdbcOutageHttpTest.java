package dev.satchel.it.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.it.jdbc.Http.Reply;
import dev.satchel.jdbc.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The jdbc driver behind the servlet filter on a real Jetty, with a real PostgreSQL that crashes,
 * shuts down, drops connections, runs out of pooled connections and holds locks, while clients keep
 * adding to their carts. A request the store fails is a 503 (never a hang, never a success), the
 * application recovers without a restart, and every addition answered 2xx is in the cart, over HTTP
 * and in the table.
 */
final class JdbcOutageHttpTest {
  private static final String UNAVAILABLE = "The session store is unavailable; try again shortly.";
  private static final int SHOPPERS = 6;
  private static final Duration OUTAGE = Duration.ofSeconds(2);

  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  /** A table per test, so that none sees another's rows. */
  private final String tableName =
      "outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  private SessionTable table() {
    return new SessionTable(postgres.process(), tableName);
  }

  private Satchel.Builder satchel(String... options) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver("jdbc")
            .driverOption("url", postgres.jdbcUrl())
            .driverOption("username", postgres.user())
            .driverOption("password", postgres.password())
            .driverOption("table", tableName)
            .secure(false);
    for (int i = 0; i < options.length; i += 2) {
      builder.driverOption(options[i], options[i + 1]);
    }
    return builder;
  }

  /** A client with a cart of its own, adding a new item with each request. */
  private static final class Shopper {
    final int number;
    final CartApp app;
    final Queue<Reply> replies = new ConcurrentLinkedQueue<>();
    final List<String> acknowledged = new CopyOnWriteArrayList<>();
    final List<String> refused = new CopyOnWriteArrayList<>();
    volatile String cookie;
    volatile int cookieChanges;
    private int sequence;

    Shopper(int number, CartApp app) {
      this.number = number;
      this.app = app;
    }

    Reply add() throws Exception {
      String item = "item-" + number + "-" + sequence++;
      Reply reply = Http.send("POST", app.uri("/add?item=" + item), cookie);
      if (reply.setCookie() != null && !reply.setCookie().equals(cookie)) {
        if (cookie != null) {
          cookieChanges++;
        }
        cookie = reply.setCookie();
      }
      if (reply.ok()) {
        acknowledged.add(item);
      } else {
        refused.add(item);
        assertEquals(UNAVAILABLE, reply.body(), "the body of a " + reply.status());
      }
      replies.add(reply);
      return reply;
    }

    long succeededSince(long nanos) {
      return replies.stream().filter(r -> r.ok() && r.sentNanos() - nanos >= 0).count();
    }

    long failedSince(long nanos) {
      return replies.stream().filter(r -> !r.ok() && r.sentNanos() - nanos >= 0).count();
    }
  }

  /** A fault to run while the shoppers shop; returns when the database answers again. */
  @FunctionalInterface
  private interface Fault {
    long inject(List<Shopper> shoppers) throws Exception;
  }

  /**
   * Shoppers add to their carts, {@code fault} strikes, and they go on until each has had 20 more
   * additions succeed since the database came back; then every acknowledged item must be there.
   */
  private void underLoad(String scenario, Fault fault) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(SHOPPERS);
    AtomicBoolean stop = new AtomicBoolean();
    try (Satchel satchel = satchel().build();
        CartApp app = new CartApp(satchel)) {
      List<Shopper> shoppers = new ArrayList<>();
      for (int i = 0; i < SHOPPERS; i++) {
        Shopper shopper = new Shopper(i, app);
        assertEquals(200, shopper.add().status(), "the first addition, before any fault");
        shoppers.add(shopper);
      }
      List<Future<?>> running = new ArrayList<>();
      for (Shopper shopper : shoppers) {
        running.add(
            threads.submit(
                () -> {
                  while (!stop.get()) {
                    shopper.add();
                  }
                  return null;
                }));
      }
      Http.await(
          "20 additions of every shopper before the fault",
          Duration.ofSeconds(60),
          () -> shoppers.stream().allMatch(s -> s.acknowledged.size() >= 20));
      long faultAt = System.nanoTime();
      long backAt = fault.inject(shoppers);
      Http.await(
          "20 additions of every shopper since the database answers again",
          Duration.ofSeconds(60),
          () -> shoppers.stream().allMatch(s -> s.succeededSince(backAt) >= 20));
      stop.set(true);
      for (Future<?> shopping : running) {
        shopping.get(90, TimeUnit.SECONDS);
      }

      List<Reply> replies = shoppers.stream().flatMap(s -> s.replies.stream()).toList();
      List<Reply> failed = replies.stream().filter(r -> !r.ok()).toList();
      Map<Integer, Long> failedByStatus =
          failed.stream()
              .collect(Collectors.groupingBy(Reply::status, TreeMap::new, Collectors.counting()));
      assertTrue(
          failedByStatus.isEmpty() || failedByStatus.keySet().equals(Set.of(503)),
          "requests the store failed must be 503s: " + failedByStatus);
      long[] okMillis =
          replies.stream().filter(Reply::ok).mapToLong(Reply::millis).sorted().toArray();
      long worstFailedMillis = failed.stream().mapToLong(Reply::millis).max().orElse(0);
      long recoveredMillis =
          (replies.stream()
                      .filter(r -> r.ok() && r.sentNanos() - backAt >= 0)
                      .mapToLong(Reply::answeredNanos)
                      .min()
                      .orElseThrow()
                  - backAt)
              / 1_000_000;
      long failedBeforeBack =
          failed.stream()
              .filter(r -> r.sentNanos() - faultAt >= 0 && r.sentNanos() < backAt)
              .count();

      SessionTable rows = table();
      int acknowledged = 0;
      int storedThoughFailed = 0;
      for (Shopper shopper : shoppers) {
        assertEquals(0, shopper.cookieChanges, "shopper " + shopper.number + " lost its session");
        Reply cart = Http.send("GET", app.uri("/cart"), shopper.cookie);
        assertEquals(200, cart.status());
        Set<String> inCart = Set.of(cart.body().split(","));
        String stored = rows.value(shopper.cookie);
        assertNotNull(stored, "shopper " + shopper.number + "'s row");
        List<String> lost =
            shopper.acknowledged.stream().filter(item -> !inCart.contains(item)).toList();
        assertEquals(List.of(), lost, "acknowledged, not in the cart read over HTTP");
        List<String> lostInTable =
            shopper.acknowledged.stream()
                .filter(item -> !SessionTable.holds(stored, item))
                .toList();
        assertEquals(List.of(), lostInTable, "acknowledged, not in the table");
        acknowledged += shopper.acknowledged.size();
        storedThoughFailed += (int) shopper.refused.stream().filter(inCart::contains).count();
      }
      System.out.printf(
          "[jdbc %s] %d requests, %d acknowledged and all found; failed: %s (%d before the"
              + " database was back, %d stored all the same); worst failed request %d ms;"
              + " first success %d ms after the database answered again; successes took %d ms at"
              + " the median, %d ms at the 99th percentile%n",
          scenario,
          replies.size(),
          acknowledged,
          failedByStatus,
          failedBeforeBack,
          storedThoughFailed,
          worstFailedMillis,
          recoveredMillis,
          okMillis[okMillis.length / 2],
          okMillis[okMillis.length * 99 / 100]);
    } finally {
      stop.set(true);
      threads.shutdownNow();
      if (!postgres.process().isRunning()) {
        postgres.process().startAgain();
      }
    }
  }

  /** Waits out the outage: at least {@link #OUTAGE}, and until requests fail because of it. */
  private static void outageOf(List<Shopper> shoppers, long since) {
    Http.await(
        "failed requests during the outage",
        Duration.ofSeconds(30),
        () ->
            System.nanoTime() - since >= OUTAGE.toNanos()
                && shoppers.stream().mapToLong(s -> s.failedSince(since)).sum() > 0);
  }

  @Test
  void databaseCrashesUnderLoad_requestsFailWith503_andNothingAcknowledgedIsLost()
      throws Exception {
    underLoad(
        "kill",
        shoppers -> {
          long killedAt = System.nanoTime();
          postgres.process().kill();
          outageOf(shoppers, killedAt);
          postgres.process().startAgain();
          return System.nanoTime();
        });
  }

  @Test
  void databaseShutsDownCleanlyUnderLoad_requestsFailWith503_andNothingAcknowledgedIsLost()
      throws Exception {
    underLoad(
        "clean shutdown",
        shoppers -> {
          long stoppedAt = System.nanoTime();
          postgres.process().stop();
          outageOf(shoppers, stoppedAt);
          postgres.process().startAgain();
          return System.nanoTime();
        });
  }

  @Test
  void connectionsTerminatedUnderLoad_requestsFailWith503_andNothingAcknowledgedIsLost()
      throws Exception {
    int[] terminated = {0};
    underLoad(
        "pg_terminate_backend",
        shoppers -> {
          for (int round = 0; round < 5; round++) {
            terminated[0] += terminateConnections();
            long busy = shoppers.stream().mapToLong(s -> s.replies.size()).sum();
            Http.await(
                "requests after the connections were terminated",
                Duration.ofSeconds(30),
                () -> shoppers.stream().mapToLong(s -> s.replies.size()).sum() >= busy + 30);
          }
          return System.nanoTime();
        });
    assertTrue(terminated[0] >= 5, "connections terminated: " + terminated[0]);
    System.out.printf("[jdbc pg_terminate_backend] %d connections terminated%n", terminated[0]);
  }

  /** Terminates every connection of the satchel user but this one; returns how many. */
  private int terminateConnections() throws SQLException {
    try (Connection connection = table().connect();
        Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE usename = 'satchel' AND pid <> pg_backend_pid()")) {
      int count = 0;
      while (rows.next()) {
        if (rows.getBoolean(1)) {
          count++;
        }
      }
      return count;
    }
  }

  /** How many of the driver's connections wait for a lock. */
  private long waitingForALock() throws SQLException {
    try (Connection connection = table().connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'satchel'"
                    + " AND wait_event_type = 'Lock'");
        ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  private static long waiting(Http.Probe<Long> count) {
    try {
      return count.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void poolExhausted_requestsFailWith503SayingNoConnectionWasFree_thenRecover() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (LogCapture logs = new LogCapture();
        Satchel satchel =
            satchel(
                    "pool-size", "2",
                    "pool-timeout", "500ms",
                    // The two requests that hold the pool wait on the lock, not on this.
                    "statement-timeout", "60s",
                    "cleanup-interval", "1d")
                .expiryCheckInterval(null)
                .build();
        CartApp app = new CartApp(satchel)) {
      Shopper first = new Shopper(1, app);
      Shopper second = new Shopper(2, app);
      Shopper third = new Shopper(3, app);
      for (Shopper shopper : List.of(first, second, third)) {
        assertEquals(200, shopper.add().status());
      }
      List<Reply> failed = new ArrayList<>();
      List<Future<Reply>> holding;
      try (Connection locker = table().connect()) {
        locker.setAutoCommit(false);
        try (Statement lock = locker.createStatement()) {
          lock.execute("LOCK TABLE " + tableName + " IN ACCESS EXCLUSIVE MODE");
        }
        holding = List.of(threads.submit(first::add), threads.submit(second::add));
        Http.await(
            "both pooled connections waiting on the table lock",
            Duration.ofSeconds(30),
            () -> waiting(this::waitingForALock) == 2);
        for (int i = 0; i < 3; i++) {
          failed.add(third.add());
          failed.add(Http.send("GET", app.uri("/cart"), third.cookie));
        }
        assertFalse(holding.get(0).isDone() || holding.get(1).isDone(), "still held");
        locker.rollback();
      }
      for (Reply reply : failed) {
        assertEquals(503, reply.status(), "a request with no connection free");
        assertEquals(UNAVAILABLE, reply.body());
      }
      assertTrue(
          logs.mentions("no database connection was free in time"),
          () -> "the logged failure says that the pool had no free connection:\n" + logs.summary());
      for (Future<Reply> held : holding) {
        assertEquals(200, held.get(60, TimeUnit.SECONDS).status(), "held while the lock was");
      }
      Reply recovered = third.add();
      assertEquals(200, recovered.status(), "after the lock is released");
      for (Shopper shopper : List.of(first, second, third)) {
        Reply cart = Http.send("GET", app.uri("/cart"), shopper.cookie);
        assertEquals(String.join(",", shopper.acknowledged), cart.body());
      }
      System.out.printf(
          "[jdbc pool exhausted] %d requests failed with 503, worst %d ms (pool-timeout 500 ms);"
              + " the two held requests finished with 200 once the lock went%n",
          failed.size(), failed.stream().mapToLong(Reply::millis).max().orElseThrow());
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void statementTimeout_failsTheRequestSayingSo_andLeavesNothingHalfWritten() throws Exception {
    try (LogCapture logs = new LogCapture();
        Satchel satchel =
            satchel("statement-timeout", "1s", "cleanup-interval", "1d")
                .expiryCheckInterval(null)
                .build();
        CartApp app = new CartApp(satchel)) {
      SessionTable rows = table();
      Shopper shopper = new Shopper(1, app);
      assertEquals(200, shopper.add().status());
      assertEquals(200, shopper.add().status());
      Shopper user = new Shopper(2, app);
      assertEquals(200, user.add().status());
      String cartBefore = rows.value(shopper.cookie);
      String userBefore = rows.value(user.cookie);
      long rowsBefore = rows.count("true");

      Reply add;
      Reply login;
      try (Connection locker = rows.connect()) {
        locker.setAutoCommit(false);
        try (PreparedStatement lock =
            locker.prepareStatement(
                "SELECT \"key\" FROM " + tableName + " WHERE \"key\" IN (?, ?) FOR UPDATE")) {
          lock.setString(1, shopper.cookie);
          lock.setString(2, user.cookie);
          try (ResultSet locked = lock.executeQuery()) {
            int count = 0;
            while (locked.next()) {
              count++;
            }
            assertEquals(2, count);
          }
        }
        add = shopper.add();
        login = Http.send("POST", app.uri("/login?user=alice"), user.cookie);
        locker.rollback();
      }
      assertEquals(503, add.status(), "an update inside the handler the statement timeout ended");
      assertEquals(UNAVAILABLE, add.body());
      // The log-in is stored by the filter after the handler: a save that failed is a 500.
      assertEquals(500, login.status(), "a log-in whose save the statement timeout ended");
      assertEquals(null, login.setCookie(), "no new session ID for a log-in that failed");
      assertTrue(
          logs.mentions("a statement was cancelled after the statement-timeout"),
          () -> "the logged failure names the statement timeout:\n" + logs.summary());

      // Nothing of either request reached the table.
      assertEquals(cartBefore, rows.value(shopper.cookie));
      assertEquals(userBefore, rows.value(user.cookie));
      assertFalse(rows.isMarker(user.cookie), "the log-in that failed retired nothing");
      assertEquals(rowsBefore, rows.count("true"), "the log-in that failed added no session");

      assertEquals(200, shopper.add().status(), "once the lock is gone");
      assertEquals(
          String.join(",", shopper.acknowledged),
          Http.send("GET", app.uri("/cart"), shopper.cookie).body());
      assertEquals(1, shopper.refused.size());
      Reply loggedIn = Http.send("POST", app.uri("/login?user=alice"), user.cookie);
      assertEquals(200, loggedIn.status());
      assertNotNull(loggedIn.setCookie());
      assertNotEquals(user.cookie, loggedIn.setCookie());
      assertEquals(
          String.join(",", user.acknowledged),
          Http.send("GET", app.uri("/cart"), loggedIn.setCookie()).body());
      assertTrue(rows.isMarker(user.cookie), "the old ID is retired by the log-in that held");
      System.out.printf(
          "[jdbc statement timeout] the update failed with 503 after %d ms, the log-in with 500"
              + " after %d ms (statement-timeout 1 s); nothing written%n",
          add.millis(), login.millis());
    }
  }
}
