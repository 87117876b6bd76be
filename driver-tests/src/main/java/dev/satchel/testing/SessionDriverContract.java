package dev.satchel.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link SessionDriver} must do. A driver's test extends this and creates the driver on
 * the given clock; the suite moves the clock to test expiry.
 */
public abstract class SessionDriverContract {
  /** The clock the driver was created with; the suite moves it to test expiry. */
  protected final MutableClock clock = new MutableClock();

  /** The driver under test, created before each test and closed after it. */
  protected SessionDriver driver;

  /** Creates the driver under test, measuring expiry with {@code clock}. */
  protected abstract SessionDriver createDriver(MutableClock clock) throws Exception;

  @BeforeEach
  void startDriver() throws Exception {
    driver = createDriver(clock);
  }

  @AfterEach
  void stopDriver() {
    driver.close();
  }

  private static String id() {
    return SessionIds.generate();
  }

  // ---------------------------------------------------------------------------- reads and writes

  @Test
  void read_absentSession_isNull() {
    assertNull(driver.read(id(), null));
  }

  @Test
  void write_expectingAbsent_storesTheBlob() {
    String id = id();
    assertTrue(driver.write(id, "[\"blob\"]", null, null));
    StoredBlob stored = driver.read(id, null);
    assertNotNull(stored);
    assertEquals("[\"blob\"]", stored.blob());
  }

  @Test
  void write_expectingAbsent_whenPresent_isRefused() {
    String id = id();
    assertTrue(driver.write(id, "first", null, null));
    assertFalse(driver.write(id, "second", null, null));
    assertEquals("first", driver.read(id, null).blob());
  }

  @Test
  void write_withCurrentVersion_replaces() {
    String id = id();
    driver.write(id, "first", null, null);
    StoredBlob first = driver.read(id, null);
    assertTrue(driver.write(id, "second", first.version(), null));
    assertEquals("second", driver.read(id, null).blob());
  }

  @Test
  void textBeyondAscii_comesBackExactly_andItsVersionStillMatches() {
    String id = id();
    // Two-, three- and four-byte UTF-8, and a character that JavaScript escapes in JSON.
    String first = "[\"caf\u00e9 \u65e5\u672c \ud83d\uded2 \u2028\"]";
    String second = "[\"\u00fcber \ud83d\udcb3\"]";
    assertTrue(driver.write(id, first, null, null));
    StoredBlob stored = driver.read(id, null);
    assertEquals(first, stored.blob());
    assertTrue(driver.write(id, second, stored.version(), null));
    assertEquals(second, driver.read(id, null).blob());
    assertFalse(driver.write(id, "stale", stored.version(), null));
  }

  @Test
  void write_withStaleVersion_isRefusedAndKeepsTheNewerBlob() {
    String id = id();
    driver.write(id, "first", null, null);
    StoredBlob first = driver.read(id, null);
    assertTrue(driver.write(id, "second", first.version(), null));
    assertFalse(driver.write(id, "third", first.version(), null));
    assertEquals("second", driver.read(id, null).blob());
  }

  @Test
  void write_expectingAVersion_whenAbsent_isRefused() {
    String id = id();
    driver.write(id, "first", null, null);
    StoredBlob first = driver.read(id, null);
    driver.delete(id);
    assertFalse(driver.write(id, "second", first.version(), null));
    assertNull(driver.read(id, null));
  }

  @Test
  void versions_differForDifferentBlobs() {
    String id = id();
    driver.write(id, "first", null, null);
    String v1 = driver.read(id, null).version();
    driver.write(id, "second", v1, null);
    assertFalse(v1.equals(driver.read(id, null).version()));
  }

  @Test
  void unicodeBlob_readsBackExactly() {
    String id = id();
    String blob = "[\"héllo 世界 😀 \\u2028 \\ud800\"]";
    driver.write(id, blob, null, null);
    assertEquals(blob, driver.read(id, null).blob());
  }

  // ---------------------------------------------------------------------------- delete

  @Test
  void delete_removesTheSession() {
    String id = id();
    driver.write(id, "blob", null, null);
    driver.delete(id);
    assertNull(driver.read(id, null));
    assertTrue(driver.write(id, "again", null, null));
  }

  @Test
  void delete_absentSession_isNotAnError() {
    driver.delete(id());
  }

  // ---------------------------------------------------------------------------- compare-and-delete

  /**
   * Whether the driver implements {@link SessionDriver#deleteIfUnchanged} rather than keeping the
   * default, which removes nothing: such a driver is held to removing nothing, never more.
   */
  private boolean deletesIfUnchanged() {
    try {
      return driver
              .getClass()
              .getMethod("deleteIfUnchanged", String.class, String.class)
              .getDeclaringClass()
          != SessionDriver.class;
    } catch (NoSuchMethodException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void deleteIfUnchanged_withTheVersionRead_removesTheSession_andLeavesNoMarker() {
    String id = id();
    // Text beyond ASCII, whose version must still match the stored bytes exactly.
    String blob = "[\"caf\u00e9 \ud83d\uded2\"]";
    assertTrue(driver.write(id, blob, null, null));
    StoredBlob read = driver.read(id, null);
    boolean removed = driver.deleteIfUnchanged(id, read.version());
    assertEquals(deletesIfUnchanged(), removed);
    if (removed) {
      assertNull(driver.read(id, null));
      assertNull(driver.retirement(id));
      assertTrue(driver.write(id, "again", null, null), "the ID is free again");
    } else {
      assertEquals(blob, driver.read(id, null).blob());
    }
  }

  @Test
  void deleteIfUnchanged_afterAnotherWrite_removesNothing() {
    String id = id();
    driver.write(id, "first", null, null);
    StoredBlob first = driver.read(id, null);
    assertTrue(driver.write(id, "second", first.version(), null));
    assertFalse(driver.deleteIfUnchanged(id, first.version()));
    assertEquals("second", driver.read(id, null).blob());
  }

  @Test
  void deleteIfUnchanged_ofAnAbsentOrRetiredId_removesNothing() {
    String absent = id();
    assertFalse(driver.deleteIfUnchanged(absent, "blob"));
    assertNull(driver.read(absent, null));

    String retired = id();
    driver.write(retired, "blob", null, null);
    StoredBlob read = driver.read(retired, null);
    driver.retire(retired, Retirement.destroyed(clock.instant()), markerExpiry());
    assertFalse(driver.deleteIfUnchanged(retired, read.version()));
    assertTrue(driver.retirement(retired).isDestroyed(), "the marker stays");
    assertFalse(driver.write(retired, "again", null, null));
  }

  @Test
  void deleteIfUnchanged_racingWrites_neverRemovesANewerVersion() throws Exception {
    String id = id();
    driver.write(id, "v0", null, null);
    String stale = driver.read(id, null).version();
    assertTrue(driver.write(id, "v1", stale, null));
    int writes = 200;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      Future<Integer> deleter =
          pool.submit(
              () -> {
                start.await();
                int removed = 0;
                for (int i = 0; i < writes; i++) {
                  if (driver.deleteIfUnchanged(id, stale)) {
                    removed++;
                  }
                }
                return removed;
              });
      Future<?> writer =
          pool.submit(
              () -> {
                start.await();
                for (int i = 2; i <= writes; i++) {
                  StoredBlob current = driver.read(id, null);
                  assertTrue(driver.write(id, "v" + i, current.version(), null), "write " + i);
                }
                return null;
              });
      start.countDown();
      writer.get(60, TimeUnit.SECONDS);
      int removed = deleter.get(60, TimeUnit.SECONDS);
      assertEquals(0, removed, "removed a version written after the one given");
      assertEquals("v" + writes, driver.read(id, null).blob());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  protected void deleteIfUnchanged_aRemovedSession_isNotClaimedAsExpired() {
    onExpiry(
        () -> {
          String id = id();
          assertTrue(driver.write(id, "blob", null, soon()));
          boolean removed = driver.deleteIfUnchanged(id, driver.read(id, null).version());
          passExpiry();
          assertEquals(removed ? List.of() : List.of(id), claimAll());
        });
  }

  // ---------------------------------------------------------------------------- retirement

  private Instant markerExpiry() {
    return clock.instant().plus(Duration.ofMinutes(10));
  }

  @Test
  void replace_movesTheSessionAndLeavesAMarker() {
    String old = id();
    String next = id();
    driver.write(old, "old", null, null);
    StoredBlob read = driver.read(old, null);
    Retirement moved = Retirement.movedTo(next, clock.instant());
    assertTrue(driver.replace(old, read.version(), next, "new", null, moved, markerExpiry()));
    assertNull(driver.read(old, null));
    assertEquals("new", driver.read(next, null).blob());
    assertEquals(moved, driver.retirement(old));
    assertNull(driver.retirement(next));
  }

  @Test
  void replace_whenTheOldSessionChanged_changesNothing() {
    String old = id();
    String next = id();
    driver.write(old, "first", null, null);
    StoredBlob first = driver.read(old, null);
    assertTrue(driver.write(old, "second", first.version(), null));
    assertFalse(
        driver.replace(
            old,
            first.version(),
            next,
            "new",
            null,
            Retirement.movedTo(next, clock.instant()),
            markerExpiry()));
    assertEquals("second", driver.read(old, null).blob());
    assertNull(driver.read(next, null));
    assertNull(driver.retirement(old));
  }

  @Test
  void replace_whenTheNewIdExists_changesNothing() {
    String old = id();
    String next = id();
    driver.write(old, "old", null, null);
    driver.write(next, "taken", null, null);
    StoredBlob read = driver.read(old, null);
    assertFalse(
        driver.replace(
            old,
            read.version(),
            next,
            "new",
            null,
            Retirement.movedTo(next, clock.instant()),
            markerExpiry()));
    assertEquals("old", driver.read(old, null).blob());
    assertEquals("taken", driver.read(next, null).blob());
    assertNull(driver.retirement(old));
  }

  @Test
  void retiredId_isNeverWrittenAgain() {
    String old = id();
    driver.write(old, "old", null, null);
    StoredBlob read = driver.read(old, null);
    driver.retire(old, Retirement.destroyed(clock.instant()), markerExpiry());
    assertNull(driver.read(old, null));
    assertTrue(driver.retirement(old).isDestroyed());
    assertFalse(driver.write(old, "again", read.version(), null));
    assertFalse(driver.write(old, "again", null, null));
    assertNull(driver.read(old, null));
  }

  @Test
  void movedId_isNeverWrittenAgain() {
    String old = id();
    String next = id();
    driver.write(old, "old", null, null);
    StoredBlob read = driver.read(old, null);
    driver.replace(
        old,
        read.version(),
        next,
        "new",
        null,
        Retirement.movedTo(next, clock.instant()),
        markerExpiry());
    assertFalse(driver.write(old, "again", read.version(), null));
    assertFalse(driver.write(old, "again", null, null));
    assertNull(driver.read(old, null));
  }

  @Test
  void retire_absentSession_leavesTheMarker() {
    String id = id();
    driver.retire(id, Retirement.destroyed(clock.instant()), markerExpiry());
    assertTrue(driver.retirement(id).isDestroyed());
    assertNull(driver.read(id, null));
  }

  @Test
  void retire_replacesAnEarlierMarker() {
    String old = id();
    String next = id();
    driver.write(old, "old", null, null);
    driver.replace(
        old,
        driver.read(old, null).version(),
        next,
        "new",
        null,
        Retirement.movedTo(next, clock.instant()),
        markerExpiry());
    Retirement earlier = driver.retire(old, Retirement.destroyed(clock.instant()), markerExpiry());
    assertEquals(Retirement.movedTo(next, clock.instant()), earlier);
    assertTrue(driver.retirement(old).isDestroyed());
    assertNull(driver.retire(id(), Retirement.destroyed(clock.instant()), markerExpiry()));
  }

  @Test
  void retirement_ofALiveOrUnknownId_isNull() {
    String id = id();
    assertNull(driver.retirement(id));
    driver.write(id, "live", null, null);
    assertNull(driver.retirement(id));
  }

  @Test
  protected void retirementMarker_expires() {
    String id = id();
    driver.retire(id, Retirement.destroyed(clock.instant()), markerExpiry());
    clock.advance(Duration.ofMinutes(11));
    assertNull(driver.retirement(id));
  }

  @Test
  void retirement_keepsItsTimeToTheMillisecond() {
    String id = id();
    String next = id();
    Retirement moved = Retirement.movedTo(next, Instant.ofEpochMilli(1_700_000_000_123L));
    driver.retire(id, moved, markerExpiry());
    assertEquals(moved, driver.retirement(id));
  }

  // ---------------------------------------------------------------------------- expiry
  // These move the driver's clock. A store that keeps time itself (Redis) overrides them with
  // checks of the expiry it was handed.

  @Test
  protected void expiry_inTheFuture_keepsTheSessionUntilThen() {
    String id = id();
    driver.write(id, "blob", null, clock.instant().plus(Duration.ofMinutes(10)));
    clock.advance(Duration.ofMinutes(9));
    assertNotNull(driver.read(id, null));
    clock.advance(Duration.ofMinutes(2));
    assertNull(driver.read(id, null));
  }

  @Test
  protected void expiry_passed_makesTheSessionAbsentForWritesToo() {
    String id = id();
    driver.write(id, "blob", null, clock.instant().plus(Duration.ofSeconds(5)));
    clock.advance(Duration.ofSeconds(6));
    assertTrue(driver.write(id, "fresh", null, null));
    assertEquals("fresh", driver.read(id, null).blob());
  }

  @Test
  protected void noExpiry_keepsTheSessionForever() {
    String id = id();
    driver.write(id, "blob", null, null);
    clock.advance(Duration.ofDays(3650));
    assertNotNull(driver.read(id, null));
  }

  @Test
  protected void idleTimeout_readRefreshesTheExpiry() {
    String id = id();
    Duration idle = Duration.ofMinutes(30);
    driver.write(id, "blob", null, clock.instant().plus(idle));
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofMinutes(20));
      assertNotNull(driver.read(id, idle), "read " + i);
    }
    clock.advance(Duration.ofMinutes(31));
    assertNull(driver.read(id, idle));
  }

  /**
   * A session with an idle timeout of its own, shorter than the configured one, is read first with
   * the configured one (before its own is known), then with its own: the second read brings the
   * expiry back, and the session is gone once its own timeout has passed.
   */
  @Test
  protected void idleTimeout_aShorterOneBringsTheExpiryBack() {
    String id = id();
    Duration own = Duration.ofMinutes(10);
    driver.write(id, "blob", null, clock.instant().plus(own));
    assertNotNull(driver.read(id, Duration.ofMinutes(30)));
    assertNotNull(driver.read(id, own));
    clock.advance(own.plusMinutes(1));
    assertNull(driver.read(id, own));
  }

  @Test
  void idleTimeout_refreshKeepsTheBlobAndItsVersion() {
    String id = id();
    driver.write(id, "blob", null, clock.instant().plus(Duration.ofMinutes(1)));
    StoredBlob before = driver.read(id, null);
    StoredBlob refreshed = driver.read(id, Duration.ofMinutes(1));
    assertEquals("blob", refreshed.blob());
    assertTrue(driver.write(id, "next", before.version(), null));
  }

  // ---------------------------------------------------------------------------- size

  @Test
  void largeBlob_roundTrips() {
    String id = id();
    StringBuilder blob = new StringBuilder("[\"");
    while (blob.length() < 1_000_000) {
      blob.append("0123456789abcdef");
    }
    blob.append("\"]");
    driver.write(id, blob.toString(), null, null);
    assertEquals(blob.toString(), driver.read(id, null).blob());
  }

  @Test
  void manySessions_areKeptApart() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      String id = id();
      ids.add(id);
      assertTrue(driver.write(id, "blob-" + i, null, null));
    }
    for (int i = 0; i < ids.size(); i++) {
      assertEquals("blob-" + i, driver.read(ids.get(i), null).blob());
    }
  }

  // ---------------------------------------------------------------------------- concurrency

  @Test
  void concurrentCompareAndSet_everyThreadsKeySurvives() throws Exception {
    String id = id();
    int threads = 8;
    int keysPerThread = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                start.await();
                for (int k = 0; k < keysPerThread; k++) {
                  String key = "t" + thread + "k" + k;
                  while (true) {
                    StoredBlob current = driver.read(id, null);
                    String blob = current == null ? key : current.blob() + "," + key;
                    if (driver.write(id, blob, current == null ? null : current.version(), null)) {
                      break;
                    }
                  }
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> future : done) {
      future.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    Set<String> keys = new TreeSet<>(List.of(driver.read(id, null).blob().split(",")));
    assertEquals(threads * keysPerThread, keys.size());
  }

  // ---------------------------------------------------------------------- sessions by principal

  /**
   * Runs {@code test} on a driver that keeps the index of sessions by principal; on one that does
   * not, checks instead that it refuses the index's operations, as the SPI requires of it.
   */
  private void onTheIndex(Runnable test) {
    if (driver.indexesPrincipals()) {
      test.run();
      return;
    }
    String id = id();
    assertThrows(UnsupportedOperationException.class, () -> driver.indexed("alice"));
    assertThrows(
        UnsupportedOperationException.class, () -> driver.index("alice", id, clock.instant()));
    assertThrows(UnsupportedOperationException.class, () -> driver.unindex("alice", id));
  }

  @Test
  void index_listsTheSessionWithWhatIsStoredUnderIt() {
    onTheIndex(
        () -> {
          String id = id();
          Instant at = clock.instant();
          driver.index("alice", id, at);
          assertTrue(driver.write(id, "alice's blob", null, later()));
          List<IndexedSession> found = driver.indexed("alice");
          assertEquals(1, found.size());
          assertEquals(id, found.get(0).id());
          assertEquals(at.toEpochMilli(), found.get(0).indexedAt().toEpochMilli());
          assertEquals("alice's blob", found.get(0).blob().blob());
          assertTrue(driver.indexed("bob").isEmpty());
        });
  }

  @Test
  void index_entryWithoutASession_isListedWithoutABlob() {
    onTheIndex(
        () -> {
          String id = id();
          driver.index("alice", id, clock.instant());
          List<IndexedSession> found = driver.indexed("alice");
          assertEquals(1, found.size());
          assertNull(found.get(0).blob());
        });
  }

  @Test
  void index_twice_keepsOneEntry_andUnindexRemovesIt() {
    onTheIndex(
        () -> {
          String id = id();
          driver.index("alice", id, clock.instant());
          driver.index("alice", id, clock.instant().plusSeconds(5));
          assertEquals(1, driver.indexed("alice").size());
          driver.unindex("alice", id);
          driver.unindex("alice", id);
          assertTrue(driver.indexed("alice").isEmpty());
        });
  }

  @Test
  void index_keepsPrincipalsApart_evenWithHostileNames() {
    onTheIndex(
        () -> {
          List<String> names =
              List.of(
                  "alice",
                  "Alice",
                  "../alice",
                  "a/b\\c",
                  "{alice}",
                  "alice}",
                  "名前 with spaces",
                  "x".repeat(600),
                  "*",
                  ".",
                  "a:b");
          Set<String> ids = new TreeSet<>();
          for (String name : names) {
            String id = id();
            ids.add(id);
            driver.index(name, id, clock.instant());
            assertTrue(driver.write(id, name, null, later()));
          }
          for (String name : names) {
            List<IndexedSession> found = driver.indexed(name);
            assertEquals(1, found.size(), name);
            assertEquals(name, found.get(0).blob().blob());
          }
        });
  }

  @Test
  void indexed_showsASessionRemovedAfterIndexing_withoutABlob() {
    onTheIndex(
        () -> {
          String kept = id();
          String retired = id();
          String deleted = id();
          for (String id : List.of(kept, retired, deleted)) {
            driver.index("alice", id, clock.instant());
            assertTrue(driver.write(id, "blob " + id, null, later()));
          }
          driver.retire(retired, Retirement.destroyed(clock.instant()), later());
          driver.delete(deleted);
          List<IndexedSession> found = driver.indexed("alice");
          assertEquals(3, found.size());
          for (IndexedSession entry : found) {
            assertEquals(entry.id().equals(kept), entry.blob() != null, entry.id());
          }
        });
  }

  /**
   * Moves the driver's clock past a session's expiry. A store that keeps time itself, or judges
   * expiry by rules of its own, overrides it with a check by those.
   */
  @Test
  protected void indexed_showsAnExpiredSession_withoutABlob() {
    onTheIndex(
        () -> {
          String id = id();
          driver.index("alice", id, clock.instant());
          assertTrue(driver.write(id, "blob", null, clock.instant().plusSeconds(60)));
          clock.advance(Duration.ofSeconds(61));
          List<IndexedSession> found = driver.indexed("alice");
          assertEquals(1, found.size());
          assertNull(found.get(0).blob());
        });
  }

  @Test
  void indexed_manySessions_allListed() {
    onTheIndex(
        () -> {
          Set<String> ids = new TreeSet<>();
          for (int i = 0; i < 200; i++) {
            String id = id();
            ids.add(id);
            driver.index("busy", id, clock.instant());
            assertTrue(driver.write(id, "blob", null, later()));
          }
          Set<String> listed = new TreeSet<>();
          driver.indexed("busy").forEach(entry -> listed.add(entry.id()));
          assertEquals(ids, listed);
        });
  }

  // ---------------------------------------------------------------------------- expired sessions
  // These write sessions that expire after expiryStep() and pass time with passTime(); a store that
  // keeps time itself (Redis) overrides both to wait for real.

  /** How far ahead the expiry tests set a session's expiry; one {@link #passTime} step. */
  protected Duration expiryStep() {
    return Duration.ofSeconds(60);
  }

  /** Lets {@code duration} pass for the store; the default moves the driver's clock. */
  protected void passTime(Duration duration) {
    clock.advance(duration);
  }

  /**
   * A second driver on the same store as {@link #driver}, as another instance of the application
   * would have, or {@code null} when the store cannot be shared (the default). The suite closes it.
   */
  protected SessionDriver createSecondInstance(MutableClock clock) throws Exception {
    return null;
  }

  /**
   * Whether the driver's claims are leases, claimed again once {@link #claimLease()} has passed
   * without an acknowledgement ({@code true}, the default); {@code false} for a driver whose claims
   * are final (in-process), which the suite then checks are never made twice.
   */
  protected boolean claimsAreLeases() {
    return true;
  }

  /**
   * How long the driver keeps a claimed session hidden from other claims: at least this long, and
   * claimed again once this and one {@link #expiryStep()} more have passed. The default, two
   * minutes, is the built-in drivers' lease.
   */
  protected Duration claimLease() {
    return Duration.ofMinutes(2);
  }

  private Instant soon() {
    return clock.instant().plus(expiryStep());
  }

  /** Past {@link #soon()}, and well before twice it. */
  private void passExpiry() {
    passTime(expiryStep().plus(expiryStep().dividedBy(2)));
  }

  private void onExpiry(Runnable test) {
    if (driver.reportsExpiry()) {
      test.run();
      return;
    }
    String id = id();
    driver.write(id, "blob", null, soon());
    passExpiry();
    assertTrue(driver.claimExpired(clock.instant(), 10).isEmpty());
  }

  /** Claims in batches until one is short, acknowledging each, as Satchel's expiry check does. */
  private List<String> claimAll() {
    List<String> claimed = new ArrayList<>();
    for (int round = 0; round < 100; round++) {
      List<String> batch = driver.claimExpired(clock.instant(), 100);
      claimed.addAll(batch);
      if (!batch.isEmpty()) {
        driver.acknowledgeExpired(batch);
      }
      if (batch.size() < 100) {
        break;
      }
    }
    return claimed;
  }

  /** Claims in batches until one is short, acknowledging none. */
  private List<String> claimAllWithoutAcknowledging() {
    List<String> claimed = new ArrayList<>();
    for (int round = 0; round < 100; round++) {
      List<String> batch = driver.claimExpired(clock.instant(), 100);
      claimed.addAll(batch);
      if (batch.size() < 100) {
        break;
      }
    }
    return claimed;
  }

  @Test
  protected void claimExpired_findsASessionThatExpired_once() {
    onExpiry(
        () -> {
          String expiring = id();
          String lasting = id();
          assertTrue(driver.write(expiring, "blob", null, soon()));
          assertTrue(driver.write(lasting, "blob", null, later()));
          assertEquals(List.of(), claimAll(), "before the expiry");
          passExpiry();
          assertEquals(List.of(expiring), claimAll());
          assertEquals(List.of(), claimAll(), "claimed again");
          assertNull(driver.read(expiring, null));
          assertNotNull(driver.read(lasting, null));
        });
  }

  @Test
  protected void claimExpired_aClaimNotAcknowledged_isHiddenForTheLease_thenClaimedAgain() {
    onExpiry(
        () -> {
          String id = id();
          assertTrue(driver.write(id, "blob", null, soon()));
          passExpiry();
          assertEquals(List.of(id), claimAllWithoutAcknowledging());
          assertEquals(List.of(), claimAllWithoutAcknowledging(), "claimed again at once");
          passTime(expiryStep().dividedBy(2));
          assertEquals(List.of(), claimAllWithoutAcknowledging(), "claimed again within the lease");
          passTime(claimLease().plus(expiryStep()));
          if (claimsAreLeases()) {
            assertEquals(List.of(id), claimAll(), "the lease ran out unacknowledged");
          } else {
            assertEquals(List.of(), claimAll(), "claims are final");
          }
          passTime(claimLease().plus(expiryStep()));
          assertEquals(List.of(), claimAll(), "acknowledged");
          assertNull(driver.read(id, null));
        });
  }

  @Test
  protected void claimExpired_anAcknowledgedClaim_isNeverClaimedAgain() {
    onExpiry(
        () -> {
          String acknowledged = id();
          String other = id();
          assertTrue(driver.write(acknowledged, "blob", null, soon()));
          assertTrue(driver.write(other, "blob", null, soon()));
          passExpiry();
          List<String> claimed = claimAllWithoutAcknowledging();
          assertEquals(Set.of(acknowledged, other), Set.copyOf(claimed));
          driver.acknowledgeExpired(List.of(acknowledged));
          driver.acknowledgeExpired(List.of(acknowledged, id()));
          passTime(claimLease().plus(expiryStep()));
          List<String> again = claimAll();
          assertEquals(claimsAreLeases() ? List.of(other) : List.of(), again);
          passTime(claimLease().plus(expiryStep()));
          assertEquals(List.of(), claimAll());
        });
  }

  @Test
  protected void claimExpired_findsSessionsThatExpiredBeforeTheyEnded() {
    onExpiry(
        () -> {
          String retired = id();
          String deleted = id();
          String moved = id();
          String successor = id();
          for (String id : List.of(retired, deleted, moved)) {
            assertTrue(driver.write(id, "blob", null, soon()));
          }
          passExpiry();
          // Ended after they expired, before any claim (retired, replaced, or deleted as data
          // that cannot be read): expired all the same, and told as such, since Satchel tells an
          // end only of a session that was stored. Only a live session's end drops its claim.
          driver.retire(retired, Retirement.destroyed(clock.instant()), later());
          driver.delete(deleted);
          assertTrue(
              driver.replace(
                  moved,
                  null,
                  successor,
                  "next",
                  later(),
                  Retirement.movedTo(successor, clock.instant()),
                  later()));
          List<String> claimed = claimAll();
          assertEquals(Set.of(retired, deleted, moved), Set.copyOf(claimed));
          assertEquals(3, claimed.size(), "claimed twice: " + claimed);
          assertEquals(List.of(), claimAll(), "claimed again");
          assertNotNull(driver.read(successor, null));
          assertEquals(successor, driver.retirement(moved).successor());
        });
  }

  @Test
  protected void claimExpired_followsAnExpiryAWriteShortened() {
    onExpiry(
        () -> {
          String id = id();
          assertTrue(driver.write(id, "first", null, later()));
          String version = driver.read(id, null).version();
          assertTrue(driver.write(id, "second", version, soon()));
          passExpiry();
          assertEquals(List.of(id), claimAll());
        });
  }

  @Test
  protected void claimExpired_skipsSessionsRetiredOrDeleted() {
    onExpiry(
        () -> {
          String retired = id();
          String deleted = id();
          String moved = id();
          String successor = id();
          for (String id : List.of(retired, deleted, moved)) {
            assertTrue(driver.write(id, "blob", null, soon()));
          }
          driver.retire(retired, Retirement.destroyed(clock.instant()), later());
          driver.delete(deleted);
          String version = driver.read(moved, null).version();
          assertTrue(
              driver.replace(
                  moved,
                  version,
                  successor,
                  "next",
                  soon(),
                  Retirement.movedTo(successor, clock.instant()),
                  later()));
          passExpiry();
          assertEquals(List.of(successor), claimAll());
        });
  }

  @Test
  protected void claimExpired_followsAnExpiryPushedByReads() {
    onExpiry(
        () -> {
          String id = id();
          assertTrue(driver.write(id, "blob", null, soon()));
          Duration step = expiryStep();
          passTime(step.dividedBy(2));
          assertNotNull(driver.read(id, step));
          passTime(step.dividedBy(4).multipliedBy(3));
          assertEquals(List.of(), claimAll(), "past the first expiry, not the pushed one");
          assertNotNull(driver.read(id, null), "still stored");
          passTime(step.dividedBy(2));
          assertEquals(List.of(id), claimAll());
        });
  }

  @Test
  protected void claimExpired_findsASessionGivenAnExpiryByALaterWrite() {
    onExpiry(
        () -> {
          String id = id();
          assertTrue(driver.write(id, "blob", null, null));
          String version = driver.read(id, null).version();
          assertTrue(driver.write(id, "with an expiry", version, soon()));
          passExpiry();
          assertEquals(List.of(id), claimAll());
        });
  }

  @Test
  protected void claimExpired_findsASessionReadAfterItExpired() {
    onExpiry(
        () -> {
          String id = id();
          assertTrue(driver.write(id, "blob", null, soon()));
          passExpiry();
          assertNull(driver.read(id, Duration.ofMinutes(30)));
          assertEquals(List.of(id), claimAll());
        });
  }

  @Test
  void claimExpired_neverClaimsASessionWithoutExpiry() {
    onExpiry(
        () -> {
          String id = id();
          assertTrue(driver.write(id, "blob", null, null));
          clock.advance(Duration.ofDays(3650));
          assertEquals(List.of(), claimAll());
          assertNotNull(driver.read(id, null));
        });
  }

  @Test
  protected void claimExpired_returnsAtMostMax_andTheRestLater() {
    onExpiry(
        () -> {
          Set<String> ids = new TreeSet<>();
          for (int i = 0; i < 5; i++) {
            String id = id();
            ids.add(id);
            assertTrue(driver.write(id, "blob", null, soon()));
          }
          passExpiry();
          Set<String> claimed = new TreeSet<>();
          for (int call = 0; call < 3; call++) {
            List<String> batch = driver.claimExpired(clock.instant(), 2);
            assertTrue(batch.size() <= 2, batch.toString());
            claimed.addAll(batch);
          }
          assertEquals(ids, claimed);
        });
  }

  @Test
  protected void claimExpired_twoInstances_eachSessionClaimedByOne() throws Exception {
    SessionDriver second = createSecondInstance(clock);
    if (second == null) {
      assertTrue(driver.claimExpired(clock.instant(), 10).isEmpty());
      return;
    }
    try {
      Set<String> ids = new TreeSet<>();
      for (int i = 0; i < 60; i++) {
        String id = id();
        ids.add(id);
        assertTrue(driver.write(id, "blob", null, soon()));
      }
      passExpiry();
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> claims = new ArrayList<>();
        for (SessionDriver instance : List.of(driver, second)) {
          claims.add(
              pool.submit(
                  () -> {
                    start.await();
                    List<String> mine = new ArrayList<>();
                    for (int call = 0; call < 60; call++) {
                      mine.addAll(instance.claimExpired(clock.instant(), 3));
                    }
                    return mine;
                  }));
        }
        start.countDown();
        List<String> all = new ArrayList<>();
        for (Future<List<String>> claim : claims) {
          all.addAll(claim.get(60, TimeUnit.SECONDS));
        }
        assertEquals(ids, new TreeSet<>(all));
        assertEquals(ids.size(), all.size(), "claimed twice: " + all);
      } finally {
        pool.shutdownNow();
      }
    } finally {
      second.close();
    }
  }

  @Test
  void countSessions_countsLiveSessionsOnly_whenOffered() {
    String kept = id();
    String retired = id();
    String deleted = id();
    long before = driver.countSessions().orElse(-1);
    for (String id : List.of(kept, retired, deleted)) {
      assertTrue(driver.write(id, "blob", null, later()));
    }
    driver.retire(retired, Retirement.destroyed(clock.instant()), later());
    driver.delete(deleted);
    driver.retire(id(), Retirement.destroyed(clock.instant()), later());
    if (before >= 0) {
      assertEquals(before + 1, driver.countSessions().getAsLong());
    } else {
      assertTrue(driver.countSessions().isEmpty(), "offered only sometimes");
    }
  }

  @Test
  void ping_answersWhenTheStoreIsUp() {
    driver.ping();
    String id = id();
    assertTrue(driver.write(id, "blob", null, later()));
    driver.ping();
    assertEquals("blob", driver.read(id, null).blob(), "a ping changes nothing");
  }

  /** The one entry {@code on} indexes under {@code principal}; fails when there is not one. */
  protected static IndexedSession onlyIndexed(SessionDriver on, String principal) {
    List<IndexedSession> found = on.indexed(principal);
    assertEquals(1, found.size(), found.toString());
    return found.get(0);
  }

  /** A time well after the test's start, for drivers that need an absolute expiry. */
  protected Instant later() {
    return clock.instant().plus(Duration.ofDays(1));
  }
}
