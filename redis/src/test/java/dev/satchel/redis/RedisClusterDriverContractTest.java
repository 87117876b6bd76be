package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionIds;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisServerCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The redis driver against a real three-node Redis Cluster, through the driver contract, and the
 * steps of a replace whose two sessions live in different slots, including the states a crash
 * between the steps leaves behind.
 */
final class RedisClusterDriverContractTest extends RedisContract {
  private static RedisClusterProcess cluster;
  private static RedisClusterClient rawClient;
  private static StatefulRedisClusterConnection<String, String> rawConnection;

  @BeforeAll
  static void startCluster() {
    RequiredTools.require(
        RedisClusterProcess.available(), "needs redis-server and redis-cli on the PATH");
    cluster = RedisClusterProcess.start(3, 0);
    List<RedisURI> seeds = new ArrayList<>();
    for (RedisServerProcess node : cluster.nodes()) {
      seeds.add(RedisURI.create(node.url()));
    }
    rawClient = RedisClusterClient.create(seeds);
    rawConnection = rawClient.connect();
  }

  @AfterAll
  static void stopCluster() {
    if (rawConnection != null) {
      rawConnection.close();
      rawClient.shutdown();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Override
  protected Map<String, String> options() {
    return Map.of("url", cluster.url());
  }

  @Override
  protected RedisAdvancedClusterCommands<String, String> raw() {
    return rawConnection.sync();
  }

  @Override
  protected List<? extends RedisServerCommands<String, String>> primaries() {
    return cluster.primaryPorts().stream().map(cluster::node).toList();
  }

  @Override
  protected Map<String, Integer> replaceCommands(String old, String next) {
    if (SlotHash.getSlot(old) == SlotHash.getSlot(next)) {
      return super.replaceCommands(old, next);
    }
    // Three scripts. The lock: GET of the marker and of the old session, SET of the lock. The new
    // session: GET of it, EXISTS of its marker, SET. The move: GET of the marker and of the old
    // session, DEL of it, SET of the final marker. Then ZREM of the old one from the ledger.
    return Map.of("evalsha", 3, "get", 5, "exists", 1, "set", 3, "del", 1, "zrem", 1);
  }

  @Override
  protected Map<String, Integer> laterWriteCommands() {
    // Inside: GET, EXISTS of the marker, PTTL, which tells that the expiry was not brought
    // forward: no ZADD, which would be a round trip to the ledger's node for every write.
    return Map.of("evalsha", 1, "get", 1, "exists", 1, "pttl", 1, "set", 1);
  }

  /** Bringing a session's expiry forward costs one ZADD more, to the ledger's node. */
  @Test
  void aWriteThatBringsTheExpiryForward_isFollowedByOneZadd() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "first", null, Instant.now().plus(Duration.ofHours(1))));
    Instant near = inTenMinutes();
    assertEquals(
        Map.of("evalsha", 1, "get", 1, "exists", 1, "pttl", 1, "set", 1, "zadd", 1),
        commandsDuring(() -> assertTrue(driver.write(id, "second", "first", near))));
    assertEquals((double) near.toEpochMilli(), raw().zscore(RedisDriver.LEDGER, id));
  }

  @Override
  protected Map<String, Integer> indexedCommands(int sessions) {
    // No script can reach sessions in other slots: HGETALL, then every GET and PTTL at once.
    return Map.of("hgetall", 1, "get", sessions, "pttl", sessions);
  }

  @Override
  protected Map<String, Integer> indexCommands(int old, int dead) {
    // No script can reach sessions in other slots: HSETNX and HRANDFIELD together, then every
    // EXISTS at once, then one HDEL.
    Map<String, Integer> expected = new HashMap<>(super.indexCommands(old, dead));
    expected.remove("evalsha");
    return expected;
  }

  @Test
  void principalsHash_isInThePrincipalsSlot_asTheClusterHashesIt() {
    driver.index("alice", SessionIds.generate(), Instant.now());
    assertEquals(raw().clusterKeyslot("alice"), raw().clusterKeyslot("principals:{alice}"));
    assertEquals(1L, raw().exists("principals:{alice}"));
  }

  private static String idInAnotherSlotThan(String id) {
    String other = SessionIds.generate();
    while (SlotHash.getSlot(other) == SlotHash.getSlot(id)) {
      other = SessionIds.generate();
    }
    return other;
  }

  private static Retirement movedTo(String next) {
    return Retirement.movedTo(next, Instant.now());
  }

  @Test
  void sessions_areSpreadOverEveryPrimary() {
    for (int i = 0; i < 60; i++) {
      assertTrue(driver.write(SessionIds.generate(), "blob", null, inTenMinutes()));
    }
    for (int port : cluster.primaryPorts()) {
      assertTrue(cluster.node(port).dbsize() > 0, "node " + port + " holds no session");
    }
  }

  @Test
  void replace_ofTwoIdsInOneSlot_isOneScript() {
    String old = SessionIds.generate();
    String next = SessionIds.generate();
    while (SlotHash.getSlot(next) != SlotHash.getSlot(old)) {
      next = SessionIds.generate();
    }
    String sameSlot = next;
    driver.write(old, "old", null, null);
    assertEquals(
        Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 2, "del", 1, "zrem", 1),
        commandsDuring(
            () ->
                assertTrue(
                    driver.replace(
                        old, "old", sameSlot, "new", null, movedTo(sameSlot), inTenMinutes()))));
    assertEquals("new", raw().get(sameSlot));
    assertEquals(movedTo(sameSlot).successor(), driver.retirement(old).successor());
  }

  @Test
  void duringAMove_theOldSessionIsReadable_andEveryOtherWriteToItIsRefused() {
    String old = SessionIds.generate();
    String next = idInAnotherSlotThan(old);
    driver.write(old, "old", null, null);
    // The state between the first and the last step of a replace to `next`.
    raw().set(markerKey(old), DriverLock.of(next), SetArgs.Builder.px(10_000));

    assertEquals("old", driver.read(old, null).blob());
    assertNull(driver.retirement(old), "a move under way is not a retirement");
    assertFalse(driver.write(old, "changed", "old", null), "a write during the move");
    String elsewhere = idInAnotherSlotThan(old);
    assertFalse(
        driver.replace(old, "old", elsewhere, "new", null, movedTo(elsewhere), inTenMinutes()),
        "another replace during the move");
    assertEquals(0L, raw().exists(elsewhere));
    driver.retire(old, Retirement.destroyed(Instant.now()), inTenMinutes());
    assertTrue(driver.retirement(old).isDestroyed(), "a destroy takes over from the move");
    assertEquals(0L, raw().exists(old));
  }

  @Test
  void aCrashBetweenTheSteps_leavesTheOldSessionInPlace_andWritableOnceTheLockExpires() {
    String old = SessionIds.generate();
    String next = idInAnotherSlotThan(old);
    driver.write(old, "old", null, null);
    // A replace that wrote the new session and then stopped: its lock outlives it a while.
    raw().set(markerKey(old), DriverLock.of(next), SetArgs.Builder.px(60_000));
    raw().set(next, "new");

    assertEquals("old", driver.read(old, null).blob());
    assertFalse(driver.write(old, "changed", "old", null));
    // Time passes, and the lock expires.
    raw().pexpire(markerKey(old), 50);
    RedisClusterProcess.await(
        Duration.ofSeconds(10), () -> raw().exists(markerKey(old)) == 0, "the lock to expire");
    assertTrue(driver.write(old, "changed", "old", null), "the session is writable again");
    // The request that stopped, tried again, finds its own new session and completes the move.
    assertTrue(driver.replace(old, "changed", next, "new", null, movedTo(next), inTenMinutes()));
    assertEquals(0L, raw().exists(old));
    assertEquals(next, driver.retirement(old).successor());
    assertEquals("new", driver.read(next, null).blob());
  }

  @Test
  void aReplaceWhoseNewIdIsTaken_releasesItsLock() {
    String old = SessionIds.generate();
    String next = idInAnotherSlotThan(old);
    driver.write(old, "old", null, null);
    driver.write(next, "taken", null, null);
    assertFalse(driver.replace(old, "old", next, "new", null, movedTo(next), inTenMinutes()));
    assertEquals(0L, raw().exists(markerKey(old)), "the lock is gone");
    assertTrue(driver.write(old, "changed", "old", null));
    assertEquals("taken", raw().get(next));
  }

  @Test
  void theLastStep_whenADestroyTookTheLock_changesNothing_andSentTwice_movesOnce() {
    String old = SessionIds.generate();
    String next = idInAnotherSlotThan(old);
    String[] keys = {old, markerKey(old)};
    String lock = DriverLock.of(next);
    String marker = movedTo(next).encode();
    String expiry = Long.toString(inTenMinutes().toEpochMilli());
    driver.write(old, "old", null, null);

    assertEquals(1L, evalOnOldSlot(RedisScripts.MOVE_BEGIN, keys, "0", "old", lock, "10000"));
    assertEquals(
        1L,
        evalOnOldSlot(RedisScripts.MOVE_BEGIN, keys, "0", "old", lock, "10000"),
        "sent again, the first step finds its own lock");
    driver.retire(old, Retirement.destroyed(Instant.now()), inTenMinutes());
    assertEquals(0L, evalOnOldSlot(RedisScripts.MOVE_END, keys, "0", "old", lock, marker, expiry));
    assertTrue(driver.retirement(old).isDestroyed());

    String other = SessionIds.generate();
    String[] otherKeys = {other, markerKey(other)};
    String otherLock = DriverLock.of(next);
    driver.write(other, "other", null, null);
    assertEquals(
        1L, evalOnOldSlot(RedisScripts.MOVE_BEGIN, otherKeys, "0", "other", otherLock, "10000"));
    assertEquals(
        1L,
        evalOnOldSlot(RedisScripts.MOVE_END, otherKeys, "0", "other", otherLock, marker, expiry));
    assertEquals(
        1L,
        evalOnOldSlot(RedisScripts.MOVE_END, otherKeys, "0", "other", otherLock, marker, expiry),
        "sent again, the last step finds its own marker");
    assertEquals(0L, raw().exists(other));
    assertEquals(marker, raw().get(markerKey(other)));
  }

  private long evalOnOldSlot(String script, String[] keys, String... arguments) {
    Long result = raw().eval(script, ScriptOutputType.INTEGER, keys, arguments);
    return result;
  }

  @Test
  void aPrefixWithBraces_isRefused_sinceItWouldSplitASessionFromItsMarker() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new RedisDriverProvider()
                    .create(
                        new DriverContext(
                            "redis",
                            Map.of("url", cluster.url(), "prefix", "{shop}:"),
                            Clock.systemUTC())));
    assertTrue(e.getMessage().contains("different slots"), e.getMessage());
  }

  @Test
  void aClusterNodeNamedAsOneServer_isRefusedWithTheUrlToUse() {
    String node = cluster.nodes().get(0).url();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new RedisDriverProvider()
                    .create(new DriverContext("redis", Map.of("url", node), Clock.systemUTC())));
    assertTrue(e.getMessage().contains("redis-cluster://127.0.0.1:"), e.getMessage());
    assertNotEquals(-1, e.getMessage().indexOf("Redis Cluster node"), e.getMessage());
  }

  /** The lock a replace puts where the old session's marker goes. */
  private static final class DriverLock {
    static String of(String next) {
      return RedisDriver.MOVING + next;
    }
  }
}
