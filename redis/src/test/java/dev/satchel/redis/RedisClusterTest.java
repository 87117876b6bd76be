package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import dev.satchel.spi.Retirement;
import io.lettuce.core.api.sync.RedisServerCommands;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Sessions through {@link Satchel} on a real three-node Redis Cluster: what each kind of request
 * costs, summed over the nodes; updates racing for one key; log-in and log-out; and slots moving
 * from one node to another under load.
 */
final class RedisClusterTest {
  private static RedisClusterProcess cluster;

  @BeforeAll
  static void startCluster() {
    RequiredTools.require(
        RedisClusterProcess.available(), "needs redis-server and redis-cli on the PATH");
    cluster = RedisClusterProcess.start(3, 0);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static Satchel satchel(Consumer<Satchel.Builder> configure) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver("redis")
            .driverOption("url", cluster.url())
            // No check for expired sessions among the commands these tests count.
            .expiryCheckInterval(Duration.ofDays(1));
    configure.accept(builder);
    return builder.build();
  }

  /** Runs one request and returns the cookie the browser keeps. */
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

  private static Map<String, Integer> commandsDuring(Runnable action) {
    List<? extends RedisServerCommands<String, String>> primaries =
        cluster.primaryPorts().stream().map(cluster::node).toList();
    return CommandCounts.during(primaries, action);
  }

  private static String get(String key) {
    return cluster.node(cluster.primaryOf(SlotHash.getSlot(key))).get(key);
  }

  // --------------------------------------------------------------------------- round trips

  @Test
  void commandCounts_perKindOfRequest_areThoseOfOneServer() {
    try (Satchel satchel = satchel(b -> b.idleTimeout(null))) {
      String cookie = run(satchel, null, s -> s.set("cart", List.of("a")));
      assertEquals(Map.of(), commandsDuring(() -> run(satchel, cookie, s -> {})), "untouched");
      assertEquals(
          Map.of("get", 1),
          commandsDuring(() -> run(satchel, cookie, s -> s.get("cart"))),
          "read-only");
      // Round trips: GET, EVALSHA. Inside the script: GET, EXISTS, SET.
      assertEquals(
          Map.of("get", 1 + 1, "evalsha", 1, "exists", 1, "set", 1),
          commandsDuring(() -> run(satchel, cookie, s -> s.set("other", 1))),
          "write-only on an existing session");
      assertEquals(
          Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 1),
          commandsDuring(() -> run(satchel, null, s -> s.set("k", "v"))),
          "brand-new session");

      String[] regenerated = new String[1];
      Map<String, Integer> regenerate =
          commandsDuring(() -> regenerated[0] = run(satchel, cookie, Session::regenerate));
      Map<String, Integer> expected =
          SlotHash.getSlot(cookie) == SlotHash.getSlot(regenerated[0])
              // GET, then the one script of a single server, then ZREM of the old ID from the
              // ledger of expiring sessions, which lives in a slot of its own.
              ? Map.of("get", 1 + 1, "evalsha", 1, "exists", 1, "set", 2, "del", 1, "zrem", 1)
              // GET, then the three steps of RedisClusterDriverContractTest.replaceCommands.
              : Map.of("get", 1 + 5, "evalsha", 3, "exists", 1, "set", 3, "del", 1, "zrem", 1);
      assertEquals(expected, regenerate, "regenerate");
      assertEquals(
          // A read for the principal (this log-out had not read the session), the retire
          // script, then ZREM from the ledger.
          Map.of("evalsha", 1, "get", 2, "del", 1, "set", 1, "zrem", 1),
          commandsDuring(() -> run(satchel, regenerated[0], Session::destroy)),
          "destroy");
    }
  }

  @Test
  void idleTimeout_readIsOneGetex() {
    try (Satchel satchel = satchel(b -> b.idleTimeout(Duration.ofMinutes(30)))) {
      String cookie = run(satchel, null, s -> s.set("k", "v"));
      assertEquals(Map.of("getex", 1), commandsDuring(() -> run(satchel, cookie, s -> s.get("k"))));
    }
  }

  // --------------------------------------------------------------------------- concurrency

  @Test
  void thirtyTwoUpdatesOfOneKey_allLand() throws Exception {
    try (Satchel satchel = satchel(b -> b.maxCommitAttempts(100))) {
      String cookie = run(satchel, null, s -> s.set("items", List.of(), SessionLoad.ITEMS));
      ExecutorService pool = Executors.newFixedThreadPool(32);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        String item = "item-" + i;
        done.add(
            pool.submit(
                () -> {
                  go.await();
                  satchel
                      .open(cookie, c -> {})
                      .update(
                          "items",
                          SessionLoad.ITEMS,
                          items -> {
                            List<String> next = new ArrayList<>(items);
                            next.add(item);
                            return next;
                          });
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      List<String> stored =
          satchel.open(cookie, c -> {}).get("items", SessionLoad.ITEMS).orElseThrow();
      assertEquals(32, new LinkedHashSet<>(stored).size(), stored.toString());
    }
  }

  // --------------------------------------------------------------------------- log-in, log-out

  @Test
  void logInAndLogOut_moveAndEndTheSession_acrossSlots() {
    try (Satchel satchel = satchel(b -> {})) {
      String before = run(satchel, null, s -> s.set("cart", List.of("a")));
      // A request that read the session before the log-in and writes after it.
      Session slow = satchel.open(before, c -> {});
      slow.get("cart");

      String after = run(satchel, before, Session::regenerate);
      assertTrue(after != null && !after.equals(before));
      assertEquals(null, get(before), "the old key is gone");
      assertEquals(
          after, Retirement.decode(get(RedisContract.markerKey(before))).successor(), "marker");

      slow.set("note", "written after the log-in");
      slow.commit();
      Map<String, Object> moved = new HashMap<>();
      run(satchel, after, s -> moved.putAll(s.entries()));
      assertEquals(List.of("a"), moved.get("cart"));
      assertEquals("written after the log-in", moved.get("note"), "the slow write followed");

      Map<String, Object> stale = new HashMap<>();
      satchel.open(before, c -> {}).entries().forEach(stale::put);
      assertEquals(Map.of(), stale, "a request still holding the old ID never gets the session");

      assertEquals(null, run(satchel, after, Session::destroy));
      assertEquals(null, get(after));
      assertTrue(Retirement.decode(get(RedisContract.markerKey(after))).isDestroyed(), "destroyed");
      Map<String, Object> gone = new HashMap<>();
      run(satchel, after, s -> gone.putAll(s.entries()));
      assertEquals(Map.of(), gone);
    }
  }

  // --------------------------------------------------------------------------- topology

  /**
   * Slots move to another node while requests keep adding items: the client meets {@code ASK} (a
   * key already moved), {@code TRYAGAIN} (a script whose session has moved but whose marker has
   * not, or the other way round) and finally {@code MOVED}. Every request succeeds, every item a
   * request reported stored is there afterwards, and the keys are on their new node.
   */
  @Test
  void slotsMovingUnderLoad_noRequestFails_andNothingIsLost() throws Exception {
    try (Satchel satchel = satchel(b -> b.driverOption("timeout", "PT5S"));
        Satchel reader = satchel(b -> {})) {
      List<String> sessions = SessionLoad.createSessions(satchel, 24);
      SessionLoad load = new SessionLoad(satchel, sessions, 4);
      Map<Integer, Integer> moves = load.whileSlotsMove(cluster);
      assertEquals(List.of(), load.unexpected());
      assertEquals(0, load.failed(), "requests failed while slots moved");
      assertEquals(Map.of(), load.lost(reader));
      Set<Integer> movedSlots = moves.keySet();
      for (String session : sessions) {
        int slot = SlotHash.getSlot(session);
        if (movedSlots.contains(slot)) {
          assertEquals(moves.get(slot).intValue(), cluster.primaryOf(slot), "slot " + slot);
          assertEquals(1L, cluster.node(moves.get(slot)).exists(session), session);
        }
      }
    }
  }
}
