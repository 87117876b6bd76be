package dev.satchel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.SessionInfo;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.jdbc.PostgresServer;
import dev.satchel.redis.RedisServer;
import dev.satchel.testing.UserSessions;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The index of sessions by user under races, on every driver, 100 trials each: listing while users
 * log in and out, and ending all of a user's sessions while they log in. The jdbc driver runs on
 * PostgreSQL and on H2, each test on a table of its own with its clean-up running every second on
 * rows left for it, and its tables are also read from outside: the session rows and the index rows.
 */
final class IndexRacesTest {
  private static final ValueCodec<String> TEXT = ValueCodecs.strings();

  @RegisterExtension static final RedisServer redis = new RedisServer();
  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  private Satchel satchel;
  private UserSessions users;
  private JdbcStores jdbc;

  /** Starts Satchel on {@code driver}; for jdbc, with leftovers for the clean-up to remove. */
  private void start(String driver, String principal) throws Exception {
    Satchel.Builder builder = Satchel.builder().driver(driver);
    switch (driver) {
      case "fs" ->
          builder
              .driverOption("base", Files.createTempDirectory("satchel-index-races").toString())
              .driverOption("fsync", "false");
      case "redis" -> builder.driverOption("url", redis.url());
      case "jdbc-postgresql", "jdbc-h2" -> {
        jdbc = JdbcStores.create(driver, postgres);
        jdbc.configure(builder);
      }
      default -> {}
    }
    satchel = builder.build();
    users = new UserSessions(satchel);
    if (jdbc != null) {
      jdbc.leaveLeftovers(principal);
    }
  }

  @AfterEach
  void close() throws Exception {
    long leftovers = 0;
    try {
      if (jdbc != null) {
        leftovers = jdbc.awaitLeftoversRemoved(Duration.ofSeconds(60));
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

  /** For jdbc: the row under {@code id} is a marker of a log-out, seen in the table. */
  private void assertLoggedOutRow(String id) throws Exception {
    if (jdbc == null) {
      return;
    }
    JdbcStores.Row row = jdbc.row(id);
    assertNotNull(row, "the logged-out ID's row stays, as its marker");
    assertTrue(row.isMarker(), "the logged-out ID's row is a marker: " + row.retired());
    assertTrue(row.retirement().isDestroyed(), "the marker says destroyed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "jdbc-postgresql", "jdbc-h2"})
  void listingWhileLoggingInAndOut_neverMissesALiveSession_norShowsAnEndedOne(String driver)
      throws Exception {
    start(driver, "alice");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int trial = 0; trial < 100; trial++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int user = 0; user < 3; user++) {
          done.add(
              pool.submit(
                  () -> {
                    start.await();
                    String id = users.logIn("alice");
                    assertTrue(users.listed("alice").contains(id), "a live session is listed");
                    if (jdbc != null) {
                      assertTrue(jdbc.isLive(id), "the logged-in session's row is live");
                      assertTrue(jdbc.indexed("alice").contains(id), "its index row is there");
                    }
                    users.logOut(id);
                    assertFalse(
                        users.listed("alice").contains(id), "an ended session is not listed");
                    assertLoggedOutRow(id);
                    return null;
                  }));
        }
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5; i++) {
                    for (SessionInfo session : satchel.sessionsOf("alice")) {
                      assertEquals("alice", session.principal());
                    }
                  }
                  return null;
                }));
        start.countDown();
        for (Future<?> future : done) {
          future.get(30, TimeUnit.SECONDS);
        }
      }
      assertTrue(users.listed("alice").isEmpty());
      if (jdbc != null) {
        assertEquals(List.of(), jdbc.liveIndexed("alice"), "no index row leads to a live session");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "jdbc-postgresql", "jdbc-h2"})
  void endingAllWhileLoggingIn_endsEverySessionLoggedInBefore(String driver) throws Exception {
    start(driver, "carol");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int trial = 0; trial < 100; trial++) {
        AtomicLong sequence = new AtomicLong();
        ConcurrentLinkedQueue<long[]> loggedIn = new ConcurrentLinkedQueue<>();
        List<String> ids = new ArrayList<>();
        long[] endStarted = new long[1];
        CountDownLatch start = new CountDownLatch(1);
        Future<?> logins =
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 4; i++) {
                    String id = users.logIn("carol");
                    synchronized (ids) {
                      ids.add(id);
                      loggedIn.add(new long[] {ids.size() - 1, sequence.incrementAndGet()});
                    }
                  }
                  return null;
                });
        Future<?> ending =
            pool.submit(
                () -> {
                  start.await();
                  endStarted[0] = sequence.incrementAndGet();
                  satchel.endSessionsOf("carol");
                  return null;
                });
        start.countDown();
        logins.get(30, TimeUnit.SECONDS);
        ending.get(30, TimeUnit.SECONDS);
        for (long[] login : loggedIn) {
          String id;
          synchronized (ids) {
            id = ids.get((int) login[0]);
          }
          if (login[1] < endStarted[0]) {
            assertFalse(users.isLive(id), "a session logged in before the end survived it");
            if (jdbc != null) {
              assertFalse(jdbc.isLive(id), "trial " + trial + ": its row is no session any more");
            }
          }
        }
        satchel.endSessionsOf("carol");
        assertTrue(users.listed("carol").isEmpty());
        if (jdbc != null) {
          // Every log-in indexed its session before writing it, so the second end found them all.
          for (String id : ids) {
            JdbcStores.Row row = jdbc.row(id);
            assertTrue(
                row != null && row.isMarker() && row.retirement().isDestroyed(),
                "trial " + trial + ": every session of carol's is ended, its row a marker");
          }
          assertEquals(List.of(), jdbc.liveIndexed("carol"), "trial " + trial);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
