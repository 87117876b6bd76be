package dev.satchel.redis;

import static java.util.stream.Collectors.toSet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisServerCommands;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The redis driver against real servers, through the driver contract, for each way of reaching
 * Redis (one server, a cluster, TLS). Redis keeps time by its own clock, so the contract's
 * clock-moving expiry tests are replaced here by checks of the expiry Redis was handed (its own
 * PTTL) and tests that wait for Redis to drop a key. The tests below them look at the keys as any
 * other Redis client sees them.
 */
abstract class RedisContract extends SessionDriverContract {

  /** The driver's options: at least its {@code url}. */
  protected abstract Map<String, String> options();

  /** A plain client of the same Redis, sending each key's command where it belongs. */
  protected abstract RedisClusterCommands<String, String> raw();

  /** The servers that take writes, whose commands {@link #commandsDuring} counts. */
  protected abstract List<? extends RedisServerCommands<String, String>> primaries();

  /** The lease of the drivers under test: short, since the suite waits for it for real. */
  static final Duration TEST_LEASE = Duration.ofSeconds(3);

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    // Expiry is Redis's business: the driver compares against real time.
    return RedisDriver.connect(
        RedisDriverProvider.settings(new DriverContext("redis", options(), Clock.systemUTC())),
        Clock.systemUTC(),
        TEST_LEASE);
  }

  @Override
  protected Duration claimLease() {
    return TEST_LEASE;
  }

  @Override
  protected SessionDriver createSecondInstance(MutableClock clock) {
    return createDriver(clock);
  }

  private long pttl(String id) {
    return raw().pttl(id);
  }

  // ---------------------------------------------------------------------------- expired sessions
  // Redis drops keys by its own clock, so the contract's expiry tests wait for real: a step of two
  // seconds, and a test clock kept at the real time, which the driver's claims are given.

  @Override
  protected Duration expiryStep() {
    return Duration.ofSeconds(2);
  }

  @Override
  protected void passTime(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    catchUpWithRealTime();
  }

  /** Moves the test clock to the real time, after the time a test's set-up took. */
  @BeforeEach
  void catchUpWithRealTime() {
    long behind = System.currentTimeMillis() - clock.millis();
    if (behind > 0) {
      clock.advance(Duration.ofMillis(behind));
    }
  }

  /**
   * The server outlives each test: the sessions earlier tests left to expire are not this one's.
   */
  @BeforeEach
  void forgetTheLedgerOfEarlierTests() {
    raw().del(RedisDriver.LEDGER);
    raw().del("shop:" + RedisDriver.LEDGER);
  }

  private Double ledgerScore(String id) {
    return raw().zscore(RedisDriver.LEDGER, id);
  }

  @Test
  void ledger_gainsASessionWrittenWithAnExpiry_atItsExpiry_andLosesItWhenItEnds() {
    String retired = SessionIds.generate();
    String deleted = SessionIds.generate();
    String moved = SessionIds.generate();
    String successor = SessionIds.generate();
    String forever = SessionIds.generate();
    Instant expiresAt = inTenMinutes();
    for (String id : List.of(retired, deleted, moved)) {
      assertTrue(driver.write(id, "blob", null, expiresAt));
      assertEquals((double) expiresAt.toEpochMilli(), ledgerScore(id));
    }
    assertTrue(driver.write(forever, "blob", null, null));
    assertNull(ledgerScore(forever), "a session without expiry is not tracked");
    assertEquals(3L, driver.countSessions().getAsLong(), "the sessions stored with an expiry");

    driver.retire(retired, Retirement.destroyed(Instant.now()), inTenMinutes());
    driver.delete(deleted);
    Instant later = expiresAt.plusSeconds(60);
    assertTrue(
        driver.replace(
            moved,
            "blob",
            successor,
            "next",
            later,
            Retirement.movedTo(successor, Instant.now()),
            inTenMinutes()));
    assertNull(ledgerScore(retired));
    assertNull(ledgerScore(deleted));
    assertNull(ledgerScore(moved));
    assertEquals((double) later.toEpochMilli(), ledgerScore(successor));
    assertEquals(Set.of(successor), Set.copyOf(raw().zrange(RedisDriver.LEDGER, 0, -1)));
  }

  @Test
  void ledger_isUntouchedByReadsAndLaterWrites_andGainsASessionGivenItsFirstExpiry() {
    String id = SessionIds.generate();
    Instant first = inTenMinutes();
    assertTrue(driver.write(id, "first", null, first));
    assertNotNull(driver.read(id, Duration.ofMinutes(30)));
    assertTrue(driver.write(id, "second", "first", first.plusSeconds(60)));
    assertEquals((double) first.toEpochMilli(), ledgerScore(id), "the score a claim corrects");

    String persistent = SessionIds.generate();
    assertTrue(driver.write(persistent, "first", null, null));
    assertNull(ledgerScore(persistent));
    assertTrue(driver.write(persistent, "second", "first", first));
    assertEquals((double) first.toEpochMilli(), ledgerScore(persistent));
  }

  /** What a write costs on the ledger: nothing but for a write that gives a session its expiry. */
  @Test
  void ledger_costsOneCommandForANewSession_andNoneForAReadOrAnotherWrite() {
    String id = SessionIds.generate();
    assertEquals(
        // Inside (on a cluster, ZADD after it): GET, EXISTS of the marker, SET, ZADD.
        Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 1, "zadd", 1),
        commandsDuring(() -> assertTrue(driver.write(id, "first", null, inTenMinutes()))),
        "a new session");
    assertEquals(
        Map.of("getex", 1),
        commandsDuring(() -> driver.read(id, Duration.ofMinutes(10))),
        "a read");
    assertEquals(
        laterWriteCommands(),
        commandsDuring(() -> assertTrue(driver.write(id, "second", "first", inTenMinutes()))),
        "a later write");
  }

  /** What a write with an expiry no sooner than the session's costs, the ledger included. */
  protected Map<String, Integer> laterWriteCommands() {
    // Inside: GET, EXISTS of the marker, SET, ZADD LT, which leaves a member due sooner.
    return Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 1, "zadd", 1);
  }

  @Test
  void ledger_bringsAMemberForwardWithAShorterExpiry_andLeavesItForALongerOne() {
    String id = SessionIds.generate();
    Instant far = Instant.now().plus(Duration.ofHours(1));
    assertTrue(driver.write(id, "first", null, far));
    Instant near = inTenMinutes();
    assertTrue(driver.write(id, "second", "first", near));
    assertEquals((double) near.toEpochMilli(), ledgerScore(id), "brought forward");
    assertTrue(driver.write(id, "third", "second", far));
    assertEquals((double) near.toEpochMilli(), ledgerScore(id), "a claim follows a later one");
    assertTrue(driver.write(id, "fourth", "third", null));
    assertEquals((double) near.toEpochMilli(), ledgerScore(id), "a claim drops it");
  }

  @Test
  void claimExpired_leasesTheMember_untilAcknowledged() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "blob", null, Instant.now().plusMillis(100)));
    passTime(Duration.ofMillis(300));
    Instant at = clock.instant();
    assertEquals(List.of(id), driver.claimExpired(at, 10));
    assertEquals(
        (double) at.plus(TEST_LEASE).toEpochMilli(), ledgerScore(id), "due at the lease's end");
    assertEquals(1L, driver.countSessions().getAsLong(), "counted until acknowledged");
    driver.acknowledgeExpired(List.of(id));
    assertNull(ledgerScore(id));
    driver.acknowledgeExpired(List.of(id, SessionIds.generate()));
  }

  @Test
  void retire_ofASessionGoneBeforeIt_keepsItsMember_andOfALiveOneRemovesIt() {
    String gone = SessionIds.generate();
    String live = SessionIds.generate();
    assertTrue(driver.write(gone, "blob", null, Instant.now().plusMillis(100)));
    assertTrue(driver.write(live, "blob", null, inTenMinutes()));
    passTime(Duration.ofMillis(300));
    driver.retire(gone, Retirement.destroyed(Instant.now()), inTenMinutes());
    driver.retire(live, Retirement.destroyed(Instant.now()), inTenMinutes());
    assertNotNull(ledgerScore(gone), "expired: claimed as such");
    assertNull(ledgerScore(live), "ended: not expired");
    assertEquals(List.of(gone), driver.claimExpired(clock.instant(), 10));
  }

  @Test
  void claimExpired_ofASessionRetiredAfterItsMarkerExpired_claimsNothing() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "blob", null, Instant.now().plusMillis(300)));
    driver.retire(id, Retirement.destroyed(Instant.now()), Instant.now().plusMillis(100));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (raw().exists(markerKey(id)) == 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    passTime(Duration.ofMillis(400));
    assertEquals(List.of(), driver.claimExpired(clock.instant(), 10));
  }

  @Test
  void claimExpired_aMemberOfNoSession_isClaimedOnce_andOneOfALiveSessionIsRescored() {
    String neverStored = SessionIds.generate();
    raw().zadd(RedisDriver.LEDGER, 1.0, neverStored);
    raw().zadd(RedisDriver.LEDGER, 1.0, "not an id");
    String live = SessionIds.generate();
    assertTrue(driver.write(live, "blob", null, inTenMinutes()));
    raw().zadd(RedisDriver.LEDGER, 1.0, live);
    List<String> claimed = driver.claimExpired(clock.instant(), 10);
    // A member without session nor marker cannot be told from an expired session: it is claimed
    // once, which is what an expired session would be. One that is no session ID is dropped.
    assertEquals(List.of(neverStored), claimed);
    assertEquals(Set.of(neverStored, live), Set.copyOf(raw().zrange(RedisDriver.LEDGER, 0, -1)));
    driver.acknowledgeExpired(claimed);
    assertEquals(Set.of(live), Set.copyOf(raw().zrange(RedisDriver.LEDGER, 0, -1)));
    double rescored = ledgerScore(live);
    assertTrue(
        rescored > Instant.now().plus(Duration.ofMinutes(9)).toEpochMilli(),
        "rescored at the session's expiry: " + rescored);
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
  @Override
  protected void idleTimeout_aShorterOneBringsTheExpiryBack() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().plus(Duration.ofMinutes(10)));
    assertNotNull(driver.read(id, Duration.ofMinutes(30)));
    assertNotNull(driver.read(id, Duration.ofMinutes(10)));
    long ttl = pttl(id);
    assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(10).toMillis(), "PTTL " + ttl);
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
    assertEquals("[[\"Map\"]]", raw().get(id));
  }

  @Test
  void storedValue_beyondAscii_isTheSameTextForAPlainClient() {
    String id = SessionIds.generate();
    String blob = "[\"caf\u00e9 \u65e5\u672c \ud83d\uded2\"]";
    driver.write(id, blob, null, null);
    assertEquals(blob, raw().get(id));
    String astroWritten = "[\"\u00fcber \ud83d\udcb3\"]";
    raw().set(id, astroWritten);
    assertEquals(astroWritten, driver.read(id, null).blob());
  }

  @Test
  void scriptCacheFlushed_writesStillCompareAndSet() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "first", null, null));
    String version = driver.read(id, null).version();
    raw().scriptFlush();
    assertTrue(driver.write(id, "second", version, null));
    assertEquals("second", raw().get(id));
    raw().scriptFlush();
    assertFalse(driver.write(id, "third", version, null));
    assertEquals("second", raw().get(id));
  }

  @Test
  void prefix_isPutBeforeTheId() {
    SessionDriver prefixed = prefixedDriver("shop:");
    String id = SessionIds.generate();
    prefixed.write(id, "blob", null, null);
    assertEquals("blob", raw().get("shop:" + id));
    assertNull(raw().get(id));
    prefixed.close();
  }

  static String markerKey(String id) {
    return "{" + id + "}:retired";
  }

  static Instant inTenMinutes() {
    return Instant.now().plus(Duration.ofMinutes(10));
  }

  void assertExpiresInAboutTenMinutes(String key) {
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
   * The commands the primaries ran while {@code action} did, by name; a script's own commands count
   * too.
   */
  Map<String, Integer> commandsDuring(Runnable action) {
    return CommandCounts.during(primaries(), action);
  }

  /** What {@link SessionDriver#replace} of {@code old} by {@code next} costs. */
  protected Map<String, Integer> replaceCommands(String old, String next) {
    // Inside (on a cluster, ZREM after it): GET of the old session, one EXISTS of the new one and
    // its marker, SET of the new one, DEL of the old one, SET of its marker, ZREM of the old one
    // from the ledger.
    return Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 2, "del", 1, "zrem", 1);
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
    assertEquals(
        replaceCommands(id, next),
        commandsDuring(
            () -> assertTrue(driver.replace(id, "old", next, "new", null, moved, inTenMinutes()))),
        "replace");
    assertEquals(
        // Inside (on a cluster, ZREM after it): GET of an earlier marker, DEL of the session, SET
        // of its marker, ZREM of the session from the ledger.
        Map.of("evalsha", 1, "get", 1, "del", 1, "set", 1, "zrem", 1),
        commandsDuring(
            () -> driver.retire(next, Retirement.destroyed(Instant.now()), inTenMinutes())),
        "retire");
    assertEquals(Map.of("get", 1), commandsDuring(() -> driver.retirement(id)), "retirement");
  }

  // ---------------------------------------------------------------------------- principals

  /** The contract names the same principals in every test, and the server outlives each test. */
  @BeforeEach
  void forgetTheIndexesOfEarlierTests() {
    for (String key : raw().keys("*principals*")) {
      raw().del(key);
    }
  }

  @Test
  @Override
  protected void indexed_showsAnExpiredSession_withoutABlob() {
    String id = SessionIds.generate();
    driver.index("alice", id, Instant.now());
    driver.write(id, "blob", null, Instant.now().plusMillis(200));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (driver.read(id, null) != null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    IndexedSession entry = onlyIndexed(driver, "alice");
    assertEquals(id, entry.id());
    assertNull(entry.blob());
    assertNull(entry.expiresAt());
  }

  @Test
  void indexed_givesTheExpiryRedisHolds_andLeavesIt() {
    String expiring = SessionIds.generate();
    String forever = SessionIds.generate();
    driver.index("alice", expiring, Instant.now());
    driver.index("alice", forever, Instant.now().plusMillis(1));
    driver.write(expiring, "expiring", null, inTenMinutes());
    driver.write(forever, "forever", null, null);
    Instant before = Instant.now();
    List<IndexedSession> found = driver.indexed("alice");
    assertEquals(List.of(expiring, forever), found.stream().map(IndexedSession::id).toList());
    Instant expiresAt = found.get(0).expiresAt();
    assertTrue(
        expiresAt.isAfter(before.plus(Duration.ofMinutes(9)))
            && !expiresAt.isAfter(Instant.now().plus(Duration.ofMinutes(10))),
        expiresAt.toString());
    assertNull(found.get(1).expiresAt());
    assertExpiresInAboutTenMinutes(expiring);
    assertEquals(-1L, raw().pttl(forever));
  }

  @Test
  void indexed_keyOfAnotherType_orNotUtf8_readsAsARead() {
    String hash = SessionIds.generate();
    String bytes = SessionIds.generate();
    driver.index("alice", hash, Instant.now());
    driver.index("alice", bytes, Instant.now());
    raw().hset(hash, "field", "value");
    raw()
        .eval(
            "return redis.call('SET', KEYS[1], 'a' .. string.char(255) .. 'b')",
            ScriptOutputType.STATUS,
            bytes);
    Map<String, StoredBlob> found = new HashMap<>();
    driver.indexed("alice").forEach(entry -> found.put(entry.id(), entry.blob()));
    assertEquals(driver.read(hash, null), found.get(hash));
    assertEquals(driver.read(bytes, null), found.get(bytes));
    assertEquals("a\ufffdb", found.get(bytes).blob());
  }

  @Test
  void principalsHash_isOneKeyPerPrincipal_inThePrincipalsSlot() {
    String id = SessionIds.generate();
    Instant at = Instant.ofEpochMilli(1_700_000_000_123L);
    driver.index("alice", id, at);
    assertEquals(Map.of(id, "1700000000123"), raw().hgetall("principals:{alice}"));
    assertEquals(SlotHash.getSlot("alice"), SlotHash.getSlot("principals:{alice}"));

    String other = SessionIds.generate();
    driver.index("bob}x y", other, at);
    assertEquals(Map.of(other, "1700000000123"), raw().hgetall("principals:{bob}x y}"));
    assertEquals(SlotHash.getSlot("bob"), SlotHash.getSlot("principals:{bob}x y}"));

    try (SessionDriver prefixed = prefixedDriver("shop:")) {
      prefixed.index("alice", other, at);
      assertEquals(Map.of(other, "1700000000123"), raw().hgetall("shop:principals:{alice}"));
      assertEquals(
          List.of(other), prefixed.indexed("alice").stream().map(IndexedSession::id).toList());
    }
    driver.unindex("alice", id);
    assertEquals(0L, raw().exists("principals:{alice}"), "gone with its last entry");
  }

  @Test
  void principalWithALoneSurrogate_keepsItsOwnKey() {
    String lone = SessionIds.generate();
    String spelled = SessionIds.generate();
    driver.index("a\ud800", lone, Instant.now());
    driver.index("a?", spelled, Instant.now());
    assertEquals(lone, onlyIndexed(driver, "a\ud800").id());
    assertEquals(spelled, onlyIndexed(driver, "a?").id());
    assertEquals(1L, raw().exists("principals-utf16:{0061d800}"));
    assertEquals(1L, raw().exists("principals:{a?}"));
  }

  @Test
  void scriptCacheFlushed_indexedStillLists() {
    String id = SessionIds.generate();
    driver.index("alice", id, Instant.now());
    driver.write(id, "blob", null, null);
    raw().scriptFlush();
    assertEquals("blob", onlyIndexed(driver, "alice").blob().blob());
  }

  /** What {@link SessionDriver#indexed} of a principal with {@code sessions} sessions costs. */
  protected Map<String, Integer> indexedCommands(int sessions) {
    // One script per 500 sessions; inside: HLEN of the principal's hash, then HGETALL of a hash of
    // up to 500 entries or one HSCAN per page of a larger one, GET and PTTL of each session.
    if (sessions <= RedisDriver.LIST_CHUNK) {
      return Map.of("evalsha", 1, "hlen", 1, "hgetall", 1, "get", sessions, "pttl", sessions);
    }
    int pages = (sessions + RedisDriver.LIST_CHUNK - 1) / RedisDriver.LIST_CHUNK;
    return Map.of("evalsha", pages, "hlen", 1, "hscan", pages, "get", sessions, "pttl", sessions);
  }

  /**
   * What {@link SessionDriver#index} costs when {@code old} entries are old enough to prune, of
   * which {@code dead} have no session.
   */
  protected Map<String, Integer> indexCommands(int old, int dead) {
    // One script; inside: HSETNX, HRANDFIELD of the hash, EXISTS of each old entry's session, one
    // HDEL of those gone.
    Map<String, Integer> expected =
        new HashMap<>(Map.of("evalsha", 1, "hsetnx", 1, "hrandfield", 1));
    if (old > 0) {
      expected.put("exists", old);
    }
    if (dead > 0) {
      expected.put("hdel", 1);
    }
    return expected;
  }

  @Test
  void indexOperations_costWhatTheyShould() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      String id = SessionIds.generate();
      ids.add(id);
      driver.index("busy", id, Instant.now());
      assertTrue(driver.write(id, "blob", null, inTenMinutes()));
    }
    String id = SessionIds.generate();
    assertEquals(
        indexCommands(0, 0),
        commandsDuring(() -> driver.index("busy", id, Instant.now())),
        "index");
    assertEquals(Map.of("hdel", 1), commandsDuring(() -> driver.unindex("busy", id)), "unindex");
    List<IndexedSession> listed = new ArrayList<>();
    assertEquals(
        indexedCommands(50),
        commandsDuring(() -> listed.addAll(driver.indexed("busy"))),
        "indexed");
    assertEquals(Set.copyOf(ids), listed.stream().map(IndexedSession::id).collect(toSet()));
  }

  private Set<String> entriesOf(String principal) {
    return Set.copyOf(raw().hkeys("principals:{" + principal + "}"));
  }

  @Test
  void index_prunesThePrincipalsOldEntriesWithoutASession_andKeepsYoungAndLiveOnes() {
    Instant now = Instant.now();
    String neverWritten = SessionIds.generate();
    String deleted = SessionIds.generate();
    String expired = SessionIds.generate();
    String live = SessionIds.generate();
    String young = SessionIds.generate();
    String justAMinute = SessionIds.generate();
    String notANumber = SessionIds.generate();
    // Youngest first: adding an entry prunes only entries older than itself.
    driver.index("alice", young, now.minusSeconds(59));
    driver.index("alice", justAMinute, now.minus(RedisDriver.PRUNE_GRACE));
    driver.index("alice", neverWritten, now.minus(Duration.ofMinutes(2)));
    driver.index("alice", expired, now.minus(Duration.ofMinutes(3)));
    assertTrue(driver.write(expired, "blob", null, Instant.now().plusMillis(100)));
    driver.index("alice", deleted, now.minus(Duration.ofHours(5)));
    assertTrue(driver.write(deleted, "blob", null, inTenMinutes()));
    driver.delete(deleted);
    driver.index("alice", live, now.minus(Duration.ofDays(3)));
    assertTrue(driver.write(live, "blob", null, inTenMinutes()));
    raw().hset("principals:{alice}", notANumber, "yesterday");
    String bobsOld = SessionIds.generate();
    driver.index("bob", bobsOld, now.minus(Duration.ofHours(1)));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (raw().exists(expired) == 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(
        Set.of(neverWritten, deleted, expired, live, young, justAMinute, notANumber),
        entriesOf("alice"),
        "nothing is pruned but at index time");

    String added = SessionIds.generate();
    assertEquals(
        indexCommands(5, 4), commandsDuring(() -> driver.index("alice", added, now)), "index");
    assertEquals(Set.of(live, young, justAMinute, added), entriesOf("alice"));
    assertEquals(String.valueOf(now.toEpochMilli()), raw().hget("principals:{alice}", added));
    assertEquals(Set.of(bobsOld), entriesOf("bob"), "other principals are left alone");

    // Indexed again, an old entry without a session is the one being added: it stays, as it was.
    String again = SessionIds.generate();
    driver.index("carol", again, now.minus(Duration.ofMinutes(10)));
    driver.index("carol", again, now);
    assertEquals(
        String.valueOf(now.minus(Duration.ofMinutes(10)).toEpochMilli()),
        raw().hget("principals:{carol}", again));
  }

  @Test
  void index_ofAPrincipalWithManyEntries_checksABoundedNumberPerCall() {
    int stale = 3 * RedisDriver.PRUNE_LIMIT;
    Instant longAgo = Instant.now().minus(Duration.ofHours(1));
    Map<String, String> entries = new HashMap<>();
    for (int i = 0; i < stale; i++) {
      entries.put(SessionIds.generate(), String.valueOf(longAgo.toEpochMilli()));
    }
    raw().hset("principals:{busy}", entries);
    List<String> added = new ArrayList<>();
    for (int call = 1; call <= 8 && raw().hlen("principals:{busy}") > added.size(); call++) {
      String id = SessionIds.generate();
      added.add(id);
      long before = raw().hlen("principals:{busy}");
      Map<String, Integer> commands = commandsDuring(() -> driver.index("busy", id, Instant.now()));
      long pruned = before + 1 - raw().hlen("principals:{busy}");
      assertTrue(
          commands.getOrDefault("exists", 0) <= RedisDriver.PRUNE_LIMIT, commands.toString());
      assertEquals(commands.getOrDefault("exists", 0), (int) pruned, commands.toString());
      // All but the entries added are stale: each call finds as many as it may check.
      assertTrue(
          pruned >= Math.min(before - (added.size() - 1), RedisDriver.PRUNE_LIMIT - added.size()),
          "call " + call + " pruned " + pruned + " of " + before);
    }
    assertEquals(Set.copyOf(added), entriesOf("busy"));
  }

  @Test
  void indexed_ofMoreSessionsThanOneScriptReads_listsThemAll_inChunks() {
    int sessions = 2 * RedisDriver.LIST_CHUNK + 200;
    Map<String, String> blobs = new HashMap<>();
    Instant at = Instant.now().minus(Duration.ofMinutes(5));
    for (int i = 0; i < sessions; i++) {
      String id = SessionIds.generate();
      driver.index("busy", id, at.plusMillis(i));
      if (i % 100 == 7) {
        // Gone: listed without a blob.
        continue;
      }
      if (i % 100 == 42) {
        raw().hset(id, "field", "value");
        blobs.put(id, WRONG_TYPE);
        continue;
      }
      assertTrue(driver.write(id, "blob " + i, null, inTenMinutes()));
      blobs.put(id, "blob " + i);
    }
    List<IndexedSession> listed = new ArrayList<>();
    assertEquals(
        indexedCommands(sessions),
        commandsDuring(() -> listed.addAll(driver.indexed("busy"))),
        "indexed");
    assertEquals(sessions, listed.size());
    Instant before = Instant.now();
    for (int i = 0; i < sessions; i++) {
      IndexedSession entry = listed.get(i);
      assertEquals(at.plusMillis(i).toEpochMilli(), entry.indexedAt().toEpochMilli());
      String blob = blobs.get(entry.id());
      if (blob == null) {
        assertNull(entry.blob(), entry.id());
        assertNull(entry.expiresAt(), entry.id());
      } else if (blob.equals(WRONG_TYPE)) {
        assertEquals(driver.read(entry.id(), null), entry.blob(), entry.id());
      } else {
        assertEquals(blob, entry.blob().blob(), entry.id());
        assertTrue(entry.expiresAt().isAfter(before.plus(Duration.ofMinutes(9))), entry.id());
      }
    }

    // A field that is no session ID (another program's) is left out, wherever it falls.
    raw().hset("principals:{busy}", "not an id", "1");
    assertEquals(sessions, driver.indexed("busy").size());
  }

  private static final String WRONG_TYPE = "\u0000a hash";

  SessionDriver prefixedDriver(String prefix) {
    Map<String, String> options = new java.util.HashMap<>(options());
    options.put("prefix", prefix);
    return new RedisDriverProvider().create(new DriverContext("redis", options, Clock.systemUTC()));
  }
}
