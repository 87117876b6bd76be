package dev.satchel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.SessionInfo;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.redis.RedisServer;
import dev.satchel.testing.UserSessions;
import java.nio.file.Files;
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
 * log in and out, and ending all of a user's sessions while they log in.
 */
final class IndexRacesTest {
  private static final ValueCodec<String> TEXT = ValueCodecs.strings();

  @RegisterExtension static final RedisServer redis = new RedisServer();

  private Satchel satchel;
  private UserSessions users;

  private void start(String driver) throws Exception {
    Satchel.Builder builder = Satchel.builder().driver(driver);
    switch (driver) {
      case "fs" ->
          builder
              .driverOption("base", Files.createTempDirectory("satchel-index-races").toString())
              .driverOption("fsync", "false");
      case "redis" -> builder.driverOption("url", redis.url());
      default -> {}
    }
    satchel = builder.build();
    users = new UserSessions(satchel);
  }

  @AfterEach
  void close() {
    if (satchel != null) {
      satchel.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void listingWhileLoggingInAndOut_neverMissesALiveSession_norShowsAnEndedOne(String driver)
      throws Exception {
    start(driver);
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
                    users.logOut(id);
                    assertFalse(
                        users.listed("alice").contains(id), "an ended session is not listed");
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
    } finally {
      pool.shutdownNow();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void endingAllWhileLoggingIn_endsEverySessionLoggedInBefore(String driver) throws Exception {
    start(driver);
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
          }
        }
        satchel.endSessionsOf("carol");
        assertTrue(users.listed("carol").isEmpty());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
