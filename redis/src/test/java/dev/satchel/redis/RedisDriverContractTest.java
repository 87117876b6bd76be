package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.SlotHash;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The redis driver against a real server, through the driver contract. Redis keeps time by its own
 * clock, so the contract's clock-moving expiry tests are replaced here by checks of the expiry
 * Redis was handed (its own PTTL) and tests that wait for Redis to drop a key. The tests below them
 * look at the keys as any other Redis client sees them.
 */
final class RedisDriverContractTest extends SessionDriverContract {
  private static RedisServerProcess server;
  private static RedisClient raw;
  private static StatefulRedisConnection<String, String> rawConnection;

  @BeforeAll
  static void startServer() {
    server = RedisServerProcess.start(false);
    raw = RedisClient.create(server.url());
    rawConnection = raw.connect();
  }

  @AfterAll
  static void stopServer() throws Exception {
    rawConnection.close();
    raw.shutdown();
    server.close();
  }

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    // Expiry is Redis's business: the driver compares against real time.
    return new RedisDriverProvider()
        .create(new DriverContext("redis", Map.of("url", server.url()), Clock.systemUTC()));
  }

  private long pttl(String id) {
    return rawConnection.sync().pttl(id);
  }

  @Test
  @Override
  protected void expiry_inTheFuture_keepsTheSessionUntilThen() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().plus(Duration.ofMinutes(10)));
    long ttl = pttl(id);
    assertTrue(
        ttl > Duration.ofMinutes(9).toMillis() && ttl <= Duration.ofMinutes(10).toMillis(),
        "PTTL " + ttl);
    assertNotNull(driver.read(id, null));
  }

  @Test
  @Override
  protected void expiry_passed_makesTheSessionAbsentForWritesToo() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().minusSeconds(1));
    assertNull(driver.read(id, null));
    assertTrue(driver.write(id, "fresh", null, null));
    assertEquals("fresh", driver.read(id, null).blob());
  }

  @Test
  @Override
  protected void noExpiry_keepsTheSessionForever() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, null);
    assertEquals(-1L, pttl(id));
  }

  @Test
  @Override
  protected void idleTimeout_readRefreshesTheExpiry() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().plus(Duration.ofMinutes(1)));
    assertNotNull(driver.read(id, Duration.ofMinutes(30)));
    long ttl = pttl(id);
    assertTrue(ttl > Duration.ofMinutes(29).toMillis(), "PTTL " + ttl);
  }

  @Test
  void shortExpiry_redisDropsTheSession() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().plusMillis(200));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (driver.read(id, null) != null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertNull(driver.read(id, null));
  }

  @Test
  void storedValue_isThePlainBlob() {
    String id = SessionIds.generate();
    driver.write(id, "[[\"Map\"]]", null, null);
    assertEquals("[[\"Map\"]]", rawConnection.sync().get(id));
  }

  @Test
  void storedValue_beyondAscii_isTheSameTextForAPlainClient() {
    String id = SessionIds.generate();
    String blob = "[\"caf\u00e9 \u65e5\u672c \ud83d\uded2\"]";
    driver.write(id, blob, null, null);
    assertEquals(blob, rawConnection.sync().get(id));
    String astroWritten = "[\"\u00fcber \ud83d\udcb3\"]";
    rawConnection.sync().set(id, astroWritten);
    assertEquals(astroWritten, driver.read(id, null).blob());
  }

  @Test
  void scriptCacheFlushed_writesStillCompareAndSet() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "first", null, null));
    String version = driver.read(id, null).version();
    rawConnection.sync().scriptFlush();
    assertTrue(driver.write(id, "second", version, null));
    assertEquals("second", rawConnection.sync().get(id));
    rawConnection.sync().scriptFlush();
    assertFalse(driver.write(id, "third", version, null));
    assertEquals("second", rawConnection.sync().get(id));
  }

  @Test
  void prefix_isPutBeforeTheId() {
    SessionDriver prefixed =
        new RedisDriverProvider()
            .create(
                new DriverContext(
                    "redis", Map.of("url", server.url(), "prefix", "shop:"), Clock.systemUTC()));
    String id = SessionIds.generate();
    prefixed.write(id, "blob", null, null);
    assertEquals("blob", rawConnection.sync().get("shop:" + id));
    assertNull(rawConnection.sync().get(id));
    prefixed.close();
  }

  private static RedisCommands<String, String> raw() {
    return rawConnection.sync();
  }

  private static String markerKey(String id) {
    return "{" + id + "}:retired";
  }

  private static Instant inTenMinutes() {
    return Instant.now().plus(Duration.ofMinutes(10));
  }

  private static void assertExpiresInAboutTenMinutes(String key) {
    long ttl = raw().pttl(key);
    assertTrue(
        ttl > Duration.ofMinutes(9).toMillis() && ttl <= Duration.ofMinutes(10).toMillis(),
        key + " PTTL " + ttl);
  }

  /** Waits, a bounded while, for Redis to drop the marker by its expiry. */
  private void awaitMarkerGone(String id) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (driver.retirement(id) != null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
  }

  // ---------------------------------------------------------------------------- retirement

  @Test
  @Override
  protected void retirementMarker_expires() {
    String id = SessionIds.generate();
    driver.retire(id, Retirement.destroyed(Instant.now()), inTenMinutes());
    assertExpiresInAboutTenMinutes(markerKey(id));

    String shortLived = SessionIds.generate();
    driver.retire(shortLived, Retirement.destroyed(Instant.now()), Instant.now().plusMillis(200));
    assertNotNull(raw().get(markerKey(shortLived)));
    awaitMarkerGone(shortLived);
    assertNull(driver.retirement(shortLived));
    assertEquals(0L, raw().exists(markerKey(shortLived)));
  }

  @Test
  void retire_removesTheLiveKeyForAnyClient_andStoresTheEncodedMarker() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, null);
    Retirement destroyed = Retirement.destroyed(Instant.ofEpochMilli(1_700_000_000_123L));
    driver.retire(id, destroyed, inTenMinutes());
    assertEquals(0L, raw().exists(id));
    assertEquals(destroyed.encode(), raw().get(markerKey(id)));
    assertEquals("1700000000123 -", raw().get(markerKey(id)));
  }

  @Test
  void replace_removesTheOldKeyForAnyClient_andExpiresBothAsTold() {
    String old = SessionIds.generate();
    String next = SessionIds.generate();
    driver.write(old, "old", null, null);
    Retirement moved = Retirement.movedTo(next, Instant.now());
    Instant sessionExpiry = Instant.now().plus(Duration.ofMinutes(30));
    assertTrue(driver.replace(old, "old", next, "new", sessionExpiry, moved, inTenMinutes()));
    assertEquals(0L, raw().exists(old));
    assertEquals("new", raw().get(next));
    long ttl = raw().pttl(next);
    assertTrue(
        ttl > Duration.ofMinutes(29).toMillis() && ttl <= Duration.ofMinutes(30).toMillis(),
        "PTTL " + ttl);
    assertEquals(moved.encode(), raw().get(markerKey(old)));
    assertExpiresInAboutTenMinutes(markerKey(old));
    assertEquals(0L, raw().exists(markerKey(next)));
  }

  @Test
  void replace_withoutExpiry_keepsTheNewSessionForever() {
    String old = SessionIds.generate();
    String next = SessionIds.generate();
    driver.write(old, "old", null, null);
    assertTrue(
        driver.replace(
            old,
            "old",
            next,
            "new",
            null,
            Retirement.movedTo(next, Instant.now()),
            inTenMinutes()));
    assertEquals(-1L, raw().pttl(next));
  }

  @Test
  void replace_ontoARetiredId_changesNothing() {
    String old = SessionIds.generate();
    String next = SessionIds.generate();
    driver.write(old, "old", null, null);
    driver.retire(next, Retirement.destroyed(Instant.now()), inTenMinutes());
    assertFalse(
        driver.replace(
            old,
            "old",
            next,
            "new",
            null,
            Retirement.movedTo(next, Instant.now()),
            inTenMinutes()));
    assertEquals("old", raw().get(old));
    assertEquals(0L, raw().exists(next));
    assertEquals(0L, raw().exists(markerKey(old)));
    assertTrue(driver.retirement(next).isDestroyed());
  }

  @Test
  void retiredId_putBackByAnotherClient_isStillNeverWritten() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, null);
    driver.retire(id, Retirement.destroyed(Instant.now()), inTenMinutes());
    raw().set(id, "blob");
    assertFalse(driver.write(id, "again", "blob", null));
    assertEquals("blob", raw().get(id));
  }

  @Test
  void markerThatDoesNotDecode_readsAsNone_butStillRefusesWrites() {
    String id = SessionIds.generate();
    raw().set(markerKey(id), "not a marker");
    assertNull(driver.retirement(id));
    assertFalse(driver.write(id, "blob", null, null));
    assertEquals(0L, raw().exists(id));
  }

  @Test
  void markerKey_isInTheLiveKeysClusterSlot() {
    try (SessionDriver prefixed = prefixedDriver("shop:")) {
      String id = SessionIds.generate();
      prefixed.retire(id, Retirement.destroyed(Instant.now()), inTenMinutes());
      String marker = "{shop:" + id + "}:retired";
      assertEquals(1L, raw().exists(marker));
      assertEquals(SlotHash.getSlot("shop:" + id), SlotHash.getSlot(marker));
      // Without the braces the two would almost never share a slot.
      assertFalse(SlotHash.getSlot("shop:" + id) == SlotHash.getSlot("shop:" + id + ":retired"));
    }
  }

  @Test
  void scriptCacheFlushed_replaceAndRetireStillWork() {
    String old = SessionIds.generate();
    String next = SessionIds.generate();
    driver.write(old, "old", null, null);
    raw().scriptFlush();
    assertTrue(
        driver.replace(
            old,
            "old",
            next,
            "new",
            null,
            Retirement.movedTo(next, Instant.now()),
            inTenMinutes()));
    assertEquals("new", raw().get(next));
    raw().scriptFlush();
    driver.retire(next, Retirement.destroyed(Instant.now()), inTenMinutes());
    assertEquals(0L, raw().exists(next));
    assertTrue(driver.retirement(next).isDestroyed());
  }

  // ---------------------------------------------------------------------------- empty blobs

  @Test
  void emptyStringSetByAPlainClient_isAVersionThatCanBeReplaced() {
    String id = SessionIds.generate();
    raw().set(id, "");
    StoredBlob stored = driver.read(id, null);
    assertEquals("", stored.version());
    assertFalse(driver.write(id, "must be absent", null, null));
    assertTrue(driver.write(id, "[\"next\"]", "", null));
    assertEquals("[\"next\"]", raw().get(id));
  }

  @Test
  void absentKey_isNotTheEmptyVersion() {
    String id = SessionIds.generate();
    assertFalse(driver.write(id, "blob", "", null));
    assertEquals(0L, raw().exists(id));
  }

  // ---------------------------------------------------------------------------- round trips

  /**
   * The commands the server ran while {@code action} did, by name; a script's own commands count
   * too. The raw client's INFO and CONFIG are left out.
   */
  private static Map<String, Integer> commandsDuring(Runnable action) {
    raw().configResetstat();
    action.run();
    Map<String, Integer> counts = new TreeMap<>();
    for (String line : raw().info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), line.indexOf(':'));
      int calls = Integer.parseInt(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
      if (calls > 0 && !name.equals("info") && !name.startsWith("config")) {
        counts.put(name, calls);
      }
    }
    return counts;
  }

  @Test
  void eachOperation_isOneRoundTrip() {
    String id = SessionIds.generate();
    String next = SessionIds.generate();
    Retirement moved = Retirement.movedTo(next, Instant.now());
    assertEquals(
        Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 1),
        commandsDuring(() -> driver.write(id, "old", null, null)),
        "write");
    assertEquals(Map.of("get", 1), commandsDuring(() -> driver.read(id, null)), "read");
    assertEquals(
        Map.of("getex", 1),
        commandsDuring(() -> driver.read(id, Duration.ofMinutes(5))),
        "read refreshing the expiry");
    // Inside: GET of the old session, one EXISTS of the new one and its marker, SET of the new
    // one, DEL of the old one, SET of its marker.
    assertEquals(
        Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 2, "del", 1),
        commandsDuring(
            () -> assertTrue(driver.replace(id, "old", next, "new", null, moved, inTenMinutes()))),
        "replace");
    assertEquals(
        Map.of("evalsha", 1, "get", 1, "del", 1, "set", 1),
        commandsDuring(
            () -> driver.retire(next, Retirement.destroyed(Instant.now()), inTenMinutes())),
        "retire");
    assertEquals(Map.of("get", 1), commandsDuring(() -> driver.retirement(id)), "retirement");
  }

  private static SessionDriver prefixedDriver(String prefix) {
    return new RedisDriverProvider()
        .create(
            new DriverContext(
                "redis", Map.of("url", server.url(), "prefix", prefix), Clock.systemUTC()));
  }
}
