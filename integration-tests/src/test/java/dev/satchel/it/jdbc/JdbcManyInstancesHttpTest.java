package dev.satchel.it.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.SessionEvent;
import dev.satchel.it.jdbc.Http.Reply;
import dev.satchel.jdbc.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two applications, each with its own jdbc driver and connection pool, on one PostgreSQL table,
 * under load: clients send the requests of the same sessions to either, adding to carts, logging in
 * (a new ID) and out, and leaving short-lived sessions behind that expire all the time. Both
 * instances claim expired sessions every 250 ms and clean up every second, all the while. No item a
 * client was told was added is lost, PostgreSQL reports no deadlock and no duplicate key, and the
 * clean-up does remove what it should.
 */
final class JdbcManyInstancesHttpTest {
  private static final int CLIENTS = 8;
  private static final int USERS = 12;
  private static final String TABLE = "shared_sessions";

  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  /**
   * The clock both instances read, moved forward once in the middle of the run so that the
   * retirement markers of log-ins and log-outs (kept 10 minutes) expire and the clean-up removes
   * them under load.
   */
  private static final class MovableClock extends Clock {
    final AtomicLong offsetMillis = new AtomicLong();

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public long millis() {
      return System.currentTimeMillis() + offsetMillis.get();
    }

    @Override
    public Instant instant() {
      return Instant.now().plusMillis(offsetMillis.get());
    }
  }

  /** A user whose session every client may use, on either instance. */
  private static final class User {
    final String name;
    final List<String> acknowledged = new CopyOnWriteArrayList<>();
    final List<String> formerIds = new CopyOnWriteArrayList<>();

    /** One log-in or log-out at a time: two at once would each keep a session of their own. */
    final ReentrantLock loggingInOrOut = new ReentrantLock();

    volatile String cookie;
    volatile boolean loggedOut;

    User(String name) {
      this.name = name;
    }
  }

  private final MovableClock clock = new MovableClock();
  private final AtomicInteger items = new AtomicInteger();
  private final Map<String, Map<Integer, AtomicInteger>> statuses = new ConcurrentHashMap<>();

  /** An addition answered 2xx that set a session cookie other than the one sent. */
  private record Fork(User user, String sent, String item, String stored) {}

  private final List<Fork> forks = new CopyOnWriteArrayList<>();

  private final List<String> visits = new CopyOnWriteArrayList<>();
  private final List<User> ended = new CopyOnWriteArrayList<>();

  /** Every request holds it to read; moving the clock takes it to write. */
  private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();

  private Satchel instance(String name, List<String> expired) {
    return Satchel.builder()
        .driver("jdbc")
        .driverOption("url", postgres.jdbcUrl())
        .driverOption("username", postgres.user())
        .driverOption("password", postgres.password())
        .driverOption("table", TABLE)
        .driverOption("pool-size", "5")
        .driverOption("cleanup-interval", "1s")
        .expiryCheckInterval(Duration.ofMillis(250))
        .instanceName(name)
        .clock(clock)
        .listener(
            event -> {
              if (event instanceof SessionEvent.Expired e) {
                expired.add(e.sessionId());
              }
            })
        .secure(false)
        .build();
  }

  private void count(String action, int status) {
    statuses
        .computeIfAbsent(action, a -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, s -> new AtomicInteger())
        .incrementAndGet();
  }

  private User newUser(CartApp app) throws Exception {
    User user = new User("user-" + items.incrementAndGet());
    String item = "item-" + items.incrementAndGet();
    Reply reply = Http.send("POST", app.uri("/add?item=" + item), null);
    assertEquals(200, reply.status(), "a new user's first addition");
    assertNotNull(reply.setCookie());
    user.cookie = reply.setCookie();
    user.acknowledged.add(item);
    return user;
  }

  private void add(User user, CartApp app) throws Exception {
    String cookie = user.cookie;
    String item = "item-" + items.incrementAndGet();
    Reply reply = Http.send("POST", app.uri("/add?item=" + item), cookie);
    count("add", reply.status());
    if (!reply.ok()) {
      return;
    }
    if (reply.setCookie() != null && !reply.setCookie().equals(cookie)) {
      forks.add(new Fork(user, cookie, item, reply.setCookie()));
      return;
    }
    user.acknowledged.add(item);
  }

  private void logIn(User user, CartApp app) throws Exception {
    if (!user.loggingInOrOut.tryLock()) {
      return;
    }
    try {
      if (user.loggedOut) {
        return;
      }
      String cookie = user.cookie;
      Reply reply = Http.send("POST", app.uri("/login?user=" + user.name), cookie);
      count("login", reply.status());
      if (reply.ok()) {
        assertNotNull(reply.setCookie(), "a log-in sends the new ID");
        user.cookie = reply.setCookie();
        user.formerIds.add(cookie);
      }
    } finally {
      user.loggingInOrOut.unlock();
    }
  }

  private void logOut(AtomicReferenceArray<User> users, int slot, CartApp app) throws Exception {
    User user = users.get(slot);
    if (!user.loggingInOrOut.tryLock()) {
      return;
    }
    try {
      if (user.loggedOut) {
        return;
      }
      Reply reply = Http.send("POST", app.uri("/logout"), user.cookie);
      count("logout", reply.status());
      if (reply.ok()) {
        user.loggedOut = true;
        ended.add(user);
        users.set(slot, newUser(app));
      }
    } finally {
      user.loggingInOrOut.unlock();
    }
  }

  private void visit(CartApp app) throws Exception {
    Reply reply = Http.send("POST", app.uri("/visit?page=" + items.incrementAndGet()), null);
    count("visit", reply.status());
    if (reply.ok()) {
      visits.add(reply.setCookie());
    }
  }

  private long total(String action, int status) {
    Map<Integer, AtomicInteger> byStatus = statuses.get(action);
    AtomicInteger n = byStatus == null ? null : byStatus.get(status);
    return n == null ? 0 : n.get();
  }

  /** The markers in the table, by key. */
  private static List<String> markers(SessionTable table) throws SQLException {
    List<String> keys = new ArrayList<>();
    try (Connection connection = table.connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT \"key\" FROM " + TABLE + " WHERE \"retired\" IS NOT NULL");
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        keys.add(rows.getString(1));
      }
    }
    return keys;
  }

  private static <T> T unchecked(Http.Probe<T> probe) {
    try {
      return probe.get();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void twoInstancesOnOneTable_underLoad_loseNothing_neverDeadlock_andCleanUp() throws Exception {
    List<String> expiredA = new CopyOnWriteArrayList<>();
    List<String> expiredB = new CopyOnWriteArrayList<>();
    SessionTable table = new SessionTable(postgres.process(), TABLE);
    ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    AtomicBoolean stop = new AtomicBoolean();
    try (Satchel a = instance("a", expiredA);
        Satchel b = instance("b", expiredB);
        CartApp appA = new CartApp(a);
        CartApp appB = new CartApp(b)) {
      List<CartApp> apps = List.of(appA, appB);
      AtomicReferenceArray<User> users = new AtomicReferenceArray<>(USERS);
      for (int i = 0; i < USERS; i++) {
        users.set(i, newUser(apps.get(i % 2)));
      }
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        running.add(
            threads.submit(
                () -> {
                  ThreadLocalRandom random = ThreadLocalRandom.current();
                  while (!stop.get()) {
                    CartApp app = apps.get(random.nextInt(2));
                    int slot = random.nextInt(USERS);
                    double roll = random.nextDouble();
                    gate.readLock().lock();
                    try {
                      if (roll < 0.10) {
                        visit(app);
                      } else if (roll < 0.15) {
                        logIn(users.get(slot), app);
                      } else if (roll < 0.17) {
                        logOut(users, slot, app);
                      } else {
                        add(users.get(slot), app);
                      }
                    } finally {
                      gate.readLock().unlock();
                    }
                  }
                  return null;
                }));
      }

      Http.await(
          "log-ins, log-outs, visits and additions on both instances",
          Duration.ofSeconds(60),
          () ->
              total("login", 200) >= 20
                  && total("logout", 200) >= 6
                  && total("visit", 200) >= 60
                  && total("add", 200) >= 800);
      // The retirement markers so far expire when the clock moves 11 minutes on; index entries
      // left behind pass their 5 minutes' grace.
      List<String> markersBefore = unchecked(() -> markers(table));
      long staleIndexBefore =
          unchecked(
              () ->
                  table.countIndex(
                      "\"session_key\" NOT IN (SELECT \"key\" FROM "
                          + TABLE
                          + " WHERE \"retired\" IS NULL AND \"value\" IS NOT NULL)"));
      long acknowledgedBefore = total("add", 200);
      gate.writeLock().lock();
      try {
        clock.offsetMillis.addAndGet(Duration.ofMinutes(11).toMillis());
      } finally {
        gate.writeLock().unlock();
      }
      long movedAt = System.nanoTime();
      Http.await(
          "the clean-up to remove the markers that expired",
          Duration.ofSeconds(30),
          () -> unchecked(() -> table.present(markersBefore)).isEmpty());
      long markersGoneMillis = (System.nanoTime() - movedAt) / 1_000_000;
      Http.await(
          "more additions after the clock moved",
          Duration.ofSeconds(60),
          () -> total("add", 200) >= acknowledgedBefore + 300 && total("login", 200) >= 28);
      stop.set(true);
      for (Future<?> client : running) {
        client.get(90, TimeUnit.SECONDS);
      }
      long staleIndexAfter =
          table.countIndex(
              "\"indexed_at\" <= "
                  + (clock.millis() - Duration.ofMinutes(5).toMillis())
                  + " AND \"session_key\" NOT IN (SELECT \"key\" FROM "
                  + TABLE
                  + " WHERE \"retired\" IS NULL AND \"value\" IS NOT NULL)");

      Map<String, Map<Integer, AtomicInteger>> answered = new TreeMap<>(statuses);
      for (var action : answered.entrySet()) {
        for (int status : action.getValue().keySet()) {
          assertTrue(
              status == 200 || (action.getKey().equals("add") && status == 409),
              action.getKey() + " answered " + status + ": " + answered);
        }
      }

      // Every acknowledged item of a user still logged in is in the session, on both instances
      // and in the table.
      int checked = 0;
      for (int i = 0; i < USERS; i++) {
        User user = users.get(i);
        String stored = table.value(user.cookie);
        assertNotNull(stored, user.name + "'s session");
        for (CartApp app : apps) {
          Reply cart = Http.send("GET", app.uri("/cart"), user.cookie);
          assertEquals(200, cart.status());
          Set<String> inCart = Set.of(cart.body().split(","));
          assertEquals(
              List.of(),
              user.acknowledged.stream().filter(item -> !inCart.contains(item)).toList(),
              user.name + ": acknowledged, not in the cart");
        }
        assertEquals(
            List.of(),
            user.acknowledged.stream().filter(item -> !SessionTable.holds(stored, item)).toList(),
            user.name + ": acknowledged, not in the table");
        checked += user.acknowledged.size();
        for (String former : user.formerIds) {
          assertNull(table.value(former), "an ID a log-in replaced holds no session");
        }
      }
      for (User user : ended) {
        assertNull(table.value(user.cookie), "a session logged out");
        assertEquals("", Http.send("GET", appA.uri("/cart"), user.cookie).body());
      }
      // A request with the ID of a session logged out is a new visitor's: its addition starts a
      // session of its own. Any other addition must have gone into the user's session.
      int afterLogOut = 0;
      List<String> unexpectedForks = new ArrayList<>();
      for (Fork fork : forks) {
        assertTrue(
            SessionTable.holds(table.value(fork.stored()), fork.item()),
            "an addition that started a session of its own is in it");
        if (ended.contains(fork.user()) && fork.sent().equals(fork.user().cookie)) {
          afterLogOut++;
        } else {
          unexpectedForks.add(
              fork.item()
                  + (fork.user().formerIds.contains(fork.sent())
                      ? " sent with an ID a log-in replaced"
                      : " sent with the user's ID"));
        }
      }
      assertEquals(List.of(), unexpectedForks, "additions that started a session of their own");

      // The short-lived sessions expired, were reported and removed.
      Http.await(
          "every short-lived session to be reported and removed",
          Duration.ofSeconds(30),
          () -> unchecked(() -> table.present(visits)).isEmpty());
      Set<String> reported = ConcurrentHashMap.newKeySet();
      reported.addAll(expiredA);
      reported.addAll(expiredB);
      assertTrue(reported.containsAll(visits), "every short-lived session was reported");

      // A failing statement of the test's own, to see that the server's log holds its errors.
      try (Connection connection = table.connect();
          PreparedStatement failing = connection.prepareStatement("SELECT 1 / 0")) {
        failing.executeQuery();
        throw new AssertionError("1 / 0 succeeded");
      } catch (SQLException expected) {
        assertEquals("22012", expected.getSQLState());
      }
      Http.await(
          "the server to log the failed statement",
          Duration.ofSeconds(10),
          () -> postgres.process().log().contains("division by zero"));
      String log = postgres.process().log();
      assertFalse(log.contains("deadlock detected"), log);
      assertFalse(log.contains("duplicate key value violates unique constraint"), log);

      System.out.printf(
          "[jdbc two instances] answers %s; %d acknowledged items of %d live users all found,"
              + " %d users logged out; %d markers removed by the clean-up %d ms after they expired"
              + " (index entries of ended sessions: %d before, %d left); %d short-lived sessions"
              + " expired and removed, %d expiry events (a %d, b %d, %d sessions told twice);"
              + " rows left %d; %d additions after a log-out started a session of their own%n",
          answered,
          checked,
          USERS,
          ended.size(),
          markersBefore.size(),
          markersGoneMillis,
          staleIndexBefore,
          staleIndexAfter,
          visits.size(),
          expiredA.size() + expiredB.size(),
          expiredA.size(),
          expiredB.size(),
          expiredA.size() + expiredB.size() - reported.size(),
          table.count("true"),
          afterLogOut);
    } finally {
      stop.set(true);
      threads.shutdownNow();
    }
  }
}
