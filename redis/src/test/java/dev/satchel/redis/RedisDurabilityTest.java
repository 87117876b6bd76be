package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionConfigurationException;
import dev.satchel.SessionCookie;
import dev.satchel.SessionStorageException;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@code replicas-to-ack}: a primary and a real replica. Each commit waits for the replica, so the
 * replica has it as soon as the commit returns; when the replica is gone, commits fail, the write
 * staying on the primary; reads never wait.
 */
final class RedisDurabilityTest {

  /**
   * An application committing with {@code replicas-to-ack=1}. A replica on a busy machine may not
   * run for a while: where it must confirm, it is given seconds; where it cannot, a moment.
   */
  private static Satchel satchel(RedisServerProcess primary, String replicaAckTimeout) {
    return Satchel.builder()
        .driver("redis")
        .driverOption("url", primary.url())
        .driverOption("timeout", "PT10S")
        .driverOption("replicas-to-ack", "1")
        .driverOption("replica-ack-timeout", replicaAckTimeout)
        .idleTimeout(null)
        // No check for expired sessions among the commands these tests count.
        .expiryCheckInterval(Duration.ofDays(1))
        .build();
  }

  private static String run(Satchel satchel, String cookie, Consumer<Session> handler) {
    List<SessionCookie> cookies = new ArrayList<>();
    Session session = satchel.open(cookie, cookies::add);
    handler.accept(session);
    session.commit();
    if (cookies.isEmpty()) {
      return cookie;
    }
    SessionCookie last = cookies.get(cookies.size() - 1);
    return last.isDeletion() ? null : last.value();
  }

  /** The cookies of {@code count} new sessions, each holding {@code n = -1}. */
  private static List<String> newSessions(Satchel satchel, int count) {
    List<String> cookies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      cookies.add(run(satchel, null, s -> s.set("n", -1)));
    }
    return cookies;
  }

  /** A primary and its replica, in sync, with a plain connection to each. */
  private static final class Replicated implements AutoCloseable {
    final RedisServerProcess primary;
    final RedisServerProcess replica;
    final RedisCommands<String, String> onPrimary;
    final RedisCommands<String, String> onReplica;
    private final RedisClient client = RedisClient.create();

    Replicated() {
      primary = RedisServerProcess.start(false);
      replica =
          RedisServerProcess.startWith(
              "--replicaof", "127.0.0.1", Integer.toString(primary.port()));
      onPrimary = client.connect(RedisURI.create(primary.url())).sync();
      onReplica = client.connect(RedisURI.create(replica.url())).sync();
      awaitInSync(onPrimary);
    }

    @Override
    public void close() throws InterruptedException {
      client.shutdown();
      replica.close();
      primary.close();
    }
  }

  /** Waits until the primary counts the replica as one that confirms writes. */
  private static void awaitInSync(RedisCommands<String, String> primary) {
    RedisClusterProcess.await(
        Duration.ofSeconds(30),
        () -> primary.info("replication").contains("state=online"),
        "the replica to be in sync");
  }

  @Test
  void eachCommit_isOnTheReplicaWhenItReturns_forOneWaitMore() throws Exception {
    try (Replicated pair = new Replicated();
        Satchel satchel = satchel(pair.primary, "PT5S")) {
      String cookie = run(satchel, null, s -> s.set("cart", List.of("a")));
      assertEquals(pair.onPrimary.get(cookie), pair.onReplica.get(cookie));
      for (int i = 0; i < 20; i++) {
        int n = i;
        run(satchel, cookie, s -> s.set("n", n));
        assertEquals(pair.onPrimary.get(cookie), pair.onReplica.get(cookie), "commit " + i);
      }

      List<RedisCommands<String, String>> primaries = List.of(pair.onPrimary);
      assertEquals(
          Map.of("get", 1),
          CommandCounts.during(primaries, () -> run(satchel, cookie, s -> s.get("cart"))),
          "a read waits for nothing");
      // Round trips: GET, then EVALSHA and WAIT in one. Inside the script: GET, EXISTS, SET.
      assertEquals(
          Map.of("get", 1 + 1, "evalsha", 1, "exists", 1, "set", 1, "wait", 1),
          CommandCounts.during(primaries, () -> run(satchel, cookie, s -> s.set("other", 1))),
          "write");
      String[] regenerated = new String[1];
      assertEquals(
          Map.of("get", 1 + 1, "evalsha", 1, "exists", 1, "set", 2, "del", 1, "zrem", 1, "wait", 1),
          CommandCounts.during(
              primaries, () -> regenerated[0] = run(satchel, cookie, Session::regenerate)),
          "regenerate");
      assertEquals(pair.onPrimary.get(regenerated[0]), pair.onReplica.get(regenerated[0]));
      assertEquals(
          // A read for the principal, as this log-out had not read the session.
          Map.of("evalsha", 1, "get", 2, "del", 1, "set", 1, "zrem", 1, "wait", 1),
          CommandCounts.during(primaries, () -> run(satchel, regenerated[0], Session::destroy)),
          "destroy");
      assertEquals(0L, pair.onReplica.exists(regenerated[0]));
    }
  }

  @Test
  void concurrentCommits_shareTheirWaits_andEachIsOnTheReplicaWhenItReturns() throws Exception {
    int threads = 16;
    int commitsEach = 40;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Replicated pair = new Replicated();
        Satchel satchel = satchel(pair.primary, "PT5S")) {
      List<String> cookies = newSessions(satchel, threads);
      List<String> behind = Collections.synchronizedList(new ArrayList<>());
      Map<String, Integer> counts =
          CommandCounts.during(
              List.of(pair.onPrimary),
              () -> {
                List<Future<?>> done = new ArrayList<>();
                for (String cookie : cookies) {
                  done.add(
                      pool.submit(
                          () -> {
                            for (int i = 0; i < commitsEach; i++) {
                              int n = i;
                              run(satchel, cookie, s -> s.set("n", n));
                              String onTheReplica = pair.onReplica.get(cookie);
                              if (!onTheReplica.equals(pair.onPrimary.get(cookie))) {
                                behind.add(cookie + " after commit " + n + ": " + onTheReplica);
                              }
                            }
                            return null;
                          }));
                }
                for (Future<?> each : done) {
                  try {
                    each.get();
                  } catch (InterruptedException | ExecutionException e) {
                    throw new AssertionError(e);
                  }
                }
              });
      assertEquals(List.of(), behind, "a returned commit the replica did not have");
      assertEquals(threads * commitsEach, counts.get("evalsha"));
      assertTrue(
          counts.get("wait") < threads * commitsEach,
          "commits sent while a WAIT was out shared the next: " + counts);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void connectionsDroppedWhileTheirWaitsAreOut_failThoseCommits_andLaterOnesAreConfirmed()
      throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try (Replicated pair = new Replicated();
        Satchel satchel = satchel(pair.primary, "PT5S")) {
      List<String> cookies = newSessions(satchel, threads);
      pair.replica.pause();
      List<Future<String>> outcomes = new ArrayList<>();
      for (String cookie : cookies) {
        outcomes.add(
            pool.submit(
                () -> {
                  try {
                    run(satchel, cookie, s -> s.set("n", 1));
                    return "confirmed, with the replica frozen";
                  } catch (SessionStorageException e) {
                    return "failed";
                  }
                }));
      }
      // A WAIT is out once the primary counts a client blocked.
      RedisClusterProcess.await(
          Duration.ofSeconds(30),
          () -> pair.onPrimary.info("clients").contains("blocked_clients:1"),
          "a WAIT to be out");
      pair.onPrimary.clientKill(KillArgs.Builder.typeNormal().skipme());
      List<String> seen = new ArrayList<>();
      for (Future<String> outcome : outcomes) {
        seen.add(outcome.get());
      }
      pair.replica.resume();
      assertEquals(Collections.nCopies(threads, "failed"), seen);

      awaitInSync(pair.onPrimary);
      // Until the driver has reconnected, requests fail at once.
      RedisClusterProcess.await(
          Duration.ofSeconds(30),
          () -> {
            run(satchel, cookies.get(0), s -> s.set("n", 2));
            return true;
          },
          "the driver to reconnect");
      for (String cookie : cookies) {
        run(satchel, cookie, s -> s.set("n", 2));
        assertEquals(pair.onPrimary.get(cookie), pair.onReplica.get(cookie));
        assertTrue(pair.onReplica.get(cookie).contains(",2]"), pair.onReplica.get(cookie));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void withoutTheReplica_commitsFail_theWriteStays_andReadsGoOn() throws Exception {
    try (Replicated pair = new Replicated();
        Satchel satchel = satchel(pair.primary, "PT0.2S");
        Satchel unacknowledged =
            Satchel.builder().driver("redis").driverOption("url", pair.primary.url()).build()) {
      String cookie = run(unacknowledged, null, s -> s.set("cart", List.of("a")));

      pair.replica.kill();
      SessionStorageException e =
          assertThrows(
              SessionStorageException.class,
              () -> run(satchel, cookie, s -> s.set("cart", List.of("a", "b"))));
      assertTrue(e.getMessage().contains("only 0 of the 1 replicas"), e.getMessage());
      assertTrue(e.getMessage().contains("within PT0.2S"), e.getMessage());
      assertTrue(e.getMessage().contains("driver.replicas-to-ack"), e.getMessage());
      assertTrue(e.getMessage().contains("not undone"), e.getMessage());
      assertTrue(pair.onPrimary.get(cookie).contains("\"b\""), "the write stays on the primary");

      Object[] cart = new Object[1];
      run(satchel, cookie, s -> cart[0] = s.get("cart").orElseThrow());
      assertEquals(List.of("a", "b"), cart[0], "reads go on");
    }
  }

  @Test
  void durabilityOptions_areChecked() {
    Map<String, String[]> mistakes =
        Map.of(
            "shorter than",
            new String[] {"replicas-to-ack", "1", "replica-ack-timeout", "PT2S"},
            "has no effect without",
            new String[] {"replica-ack-timeout", "PT0.1S"},
            "between 0 and 1000",
            new String[] {"replicas-to-ack", "-1"},
            "did you mean",
            new String[] {"replica-to-ack", "1"},
            // WAIT n 0 would wait for ever.
            "at least 1 ms",
            new String[] {"replicas-to-ack", "1", "replica-ack-timeout", "PT0.0001S"});
    mistakes.forEach(
        (expected, options) -> {
          Satchel.Builder builder =
              Satchel.builder().driver("redis").driverOption("url", "redis://127.0.0.1:1");
          for (int i = 0; i < options.length; i += 2) {
            builder.driverOption(options[i], options[i + 1]);
          }
          SessionConfigurationException e =
              assertThrows(SessionConfigurationException.class, builder::build, expected);
          assertTrue(e.getMessage().contains(expected), e.getMessage());
        });
  }
}
