package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fs driver passes the driver contract, keeps files plain with true modification times, keeps
 * retirement markers beside them, shares its folder with Astro, and cleans up after itself.
 */
final class FsDriverTest extends SessionDriverContract {
  private static final Duration IDLE = Duration.ofMinutes(30);

  @TempDir Path folder;
  private final List<SessionDriver> extraDrivers = new ArrayList<>();

  /** The application idle timeout of {@link #driver}, which a second instance shares. */
  private Duration appIdle;

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    return open(null);
  }

  @Override
  protected SessionDriver createSecondInstance(MutableClock clock) {
    return open(appIdle);
  }

  /** Another driver on the test's folder, for an application with {@code idleTimeout}. */
  private FsDriver open(Duration idleTimeout) {
    SessionDriver created =
        new FsDriverProvider()
            .create(
                new DriverContext(
                    "fs", Map.of("base", folder.toString(), "fsync", "false"), clock, idleTimeout));
    if (driver != null) {
      extraDrivers.add(created);
    }
    try {
      // The clean-up at start would race the files a test puts in place itself.
      ((FsDriver) created).awaitFirstCleanUp();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return (FsDriver) created;
  }

  @AfterEach
  void closeExtraDrivers() {
    extraDrivers.forEach(SessionDriver::close);
  }

  private FsDriver fs() {
    return (FsDriver) driver;
  }

  /** A session as the core and Astro write it: one key, expiring at {@code expires} or never. */
  private static String session(String value, Instant expires) {
    return "[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":"
        + (expires == null ? "-1" : "4")
        + "},\""
        + value
        + "\""
        + (expires == null ? "" : "," + expires.toEpochMilli())
        + "]";
  }

  private Instant in(Duration duration) {
    return clock.instant().plus(duration);
  }

  private Path marker(String id) {
    return folder.resolve(".retired").resolve(id);
  }

  private Set<String> names(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(f -> f.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  // ---------------------------------------------------------------------------- files

  @Test
  void file_holdsExactlyTheBlob() throws Exception {
    String id = SessionIds.generate();
    driver.write(id, "[[\"Map\"]]", null, null);
    assertEquals("[[\"Map\"]]", Files.readString(folder.resolve(id), StandardCharsets.UTF_8));
  }

  @Test
  void idsThatAreNotSessionIds_neverBecomePaths() {
    String valid = SessionIds.generate();
    Retirement destroyed = Retirement.destroyed(clock.instant());
    for (String bad : new String[] {"../../etc/passwd", "", "A1B2", "x".repeat(300)}) {
      assertThrows(IllegalArgumentException.class, () -> driver.read(bad, null));
      assertThrows(IllegalArgumentException.class, () -> driver.write(bad, "x", null, null));
      assertThrows(IllegalArgumentException.class, () -> driver.retirement(bad));
      assertThrows(IllegalArgumentException.class, () -> driver.retire(bad, destroyed, in(IDLE)));
      assertThrows(
          IllegalArgumentException.class,
          () -> driver.replace(valid, "v", bad, "x", null, destroyed, in(IDLE)));
    }
  }

  @Test
  void modificationTime_isTheTimeOfTheWrite_notTheExpiry() throws Exception {
    String id = SessionIds.generate();
    driver.write(id, session("v", null), null, in(Duration.ofDays(30)));
    long written = Files.getLastModifiedTime(folder.resolve(id)).toMillis();
    assertEquals(clock.millis(), written);
    // The test clock starts at the real time: a tool that ages files by their time sees a new one.
    assertTrue(Math.abs(System.currentTimeMillis() - written) < Duration.ofDays(1).toMillis());

    clock.advance(Duration.ofMinutes(5));
    String next = SessionIds.generate();
    driver.replace(
        id,
        driver.read(id, null).version(),
        next,
        session("w", null),
        null,
        Retirement.movedTo(next, clock.instant()),
        in(IDLE));
    assertEquals(clock.millis(), Files.getLastModifiedTime(folder.resolve(next)).toMillis());
  }

  @Test
  void readWithIdleTimeout_touchesTheFile_andAPlainReadDoesNot() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    driver.write(id, session("v", null), null, null);
    long written = clock.millis();
    clock.advance(Duration.ofMinutes(10));
    assertNotNull(driver.read(id, null));
    assertEquals(written, Files.getLastModifiedTime(file).toMillis());
    assertNotNull(driver.read(id, IDLE));
    assertEquals(clock.millis(), Files.getLastModifiedTime(file).toMillis());
  }

  // ---------------------------------------------------------------------------- expiry
  // The contract's versions store arbitrary blobs with an expiresAt, which this driver ignores:
  // here expiry comes from real session blobs and the idle timeout.

  @Test
  @Override
  protected void expiry_inTheFuture_keepsTheSessionUntilThen() {
    try {
      String id = SessionIds.generate();
      driver.write(id, session("v", in(Duration.ofMinutes(10))), null, null);
      clock.advance(Duration.ofMinutes(9));
      fs().cleanUp();
      assertNotNull(driver.read(id, null));
      clock.advance(Duration.ofMinutes(2));
      fs().cleanUp();
      assertNull(driver.read(id, null));
      assertTrue(driver.write(id, session("again", null), null, null));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @Override
  protected void expiry_passed_makesTheSessionAbsentForWritesToo() {
    FsDriver idle = open(Duration.ofSeconds(5));
    String id = SessionIds.generate();
    idle.write(id, session("v", null), null, null);
    clock.advance(Duration.ofSeconds(6));
    assertNull(idle.read(id, Duration.ofSeconds(5)));
    assertTrue(idle.write(id, session("fresh", null), null, null));
    assertEquals(session("fresh", null), idle.read(id, Duration.ofSeconds(5)).blob());
  }

  @Test
  @Override
  protected void noExpiry_keepsTheSessionForever() {
    try {
      String id = SessionIds.generate();
      driver.write(id, session("v", null), null, null);
      clock.advance(Duration.ofDays(3650));
      fs().cleanUp();
      assertEquals(session("v", null), driver.read(id, null).blob());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @Override
  protected void idleTimeout_readRefreshesTheExpiry() {
    try {
      FsDriver idle = open(IDLE);
      String id = SessionIds.generate();
      idle.write(id, session("v", null), null, null);
      for (int i = 0; i < 5; i++) {
        clock.advance(Duration.ofMinutes(20));
        assertNotNull(idle.read(id, IDLE), "read " + i);
        idle.cleanUp();
        assertTrue(Files.exists(folder.resolve(id)), "clean-up " + i);
      }
      clock.advance(Duration.ofMinutes(31));
      assertNull(idle.read(id, IDLE));
      idle.cleanUp();
      assertFalse(Files.exists(folder.resolve(id)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void cleanUp_removesExpiredFilesAndKeepsLiveOnes() throws Exception {
    String allExpired = SessionIds.generate();
    String oneLive = SessionIds.generate();
    String forever = SessionIds.generate();
    String notASession = SessionIds.generate();
    Instant soon = in(Duration.ofMinutes(1));
    driver.write(allExpired, session("a", soon), null, null);
    driver.write(
        oneLive,
        "[[\"Map\",1,2,5,6],\"k\",{\"data\":3,\"expires\":4},\"v\","
            + soon.toEpochMilli()
            + ",\"l\",{\"data\":7,\"expires\":8},\"w\","
            + in(Duration.ofDays(1)).toEpochMilli()
            + "]",
        null,
        null);
    driver.write(forever, session("b", null), null, null);
    driver.write(notASession, "[\"blob\"]", null, null);
    clock.advance(Duration.ofMinutes(2));
    fs().cleanUp();
    assertFalse(Files.exists(folder.resolve(allExpired)));
    assertTrue(Files.exists(folder.resolve(oneLive)));
    assertTrue(Files.exists(folder.resolve(forever)));
    assertTrue(Files.exists(folder.resolve(notASession)));
  }

  @Test
  void allKeysExpired_followsTheCoresRule() {
    long now = 1_700_000_000_000L;
    assertTrue(FsDriver.allKeysExpired(session("v", Instant.ofEpochMilli(now - 1)), now));
    assertFalse(FsDriver.allKeysExpired(session("v", Instant.ofEpochMilli(now)), now));
    assertFalse(FsDriver.allKeysExpired(session("v", null), now));
    assertTrue(FsDriver.allKeysExpired("[[\"Map\"]]", now), "an empty session");
    assertFalse(FsDriver.allKeysExpired("[\"blob\"]", now));
    assertFalse(FsDriver.allKeysExpired("not devalue", now));
    assertFalse(FsDriver.allKeysExpired("[[\"Map\",1,2],\"k\",\"not an entry\"]", now));
  }

  @Test
  void cleanUp_removesTemporaryFilesLeftByACrash() throws Exception {
    String id = SessionIds.generate();
    Path orphan = folder.resolve(id + ".123456.tmp");
    Path orphanMarker = marker(id).resolveSibling(id + ".654321.tmp");
    Files.writeString(orphan, "[\"half");
    Files.writeString(orphanMarker, "17");
    fs().cleanUp();
    assertFalse(Files.exists(orphan));
    assertFalse(Files.exists(orphanMarker));
    assertEquals(Set.of(".locks", ".retired"), names(folder));
  }

  @Test
  void close_waitsForACleanUpUnderWay() throws Exception {
    for (int i = 0; i < 2000; i++) {
      driver.write(SessionIds.generate(), "x", null, null);
    }
    // A new driver starts cleaning up at once, here over 2,000 files.
    SessionDriver second = createDriver(clock);
    second.close();
    assertTrue(((FsDriver) second).cleanUpStopped());
  }

  @Test
  void options_areChecked() {
    for (Map<String, String> bad :
        List.of(
            Map.of("cleanup-interval", "often"),
            Map.of("fsync", "maybe"),
            Map.of("lock-timeout", "a while"),
            Map.of("lock-timeout", "0"))) {
      Map<String, String> options = new HashMap<>(bad);
      options.put("base", folder.toString());
      assertThrows(
          IllegalArgumentException.class,
          () -> new FsDriverProvider().create(new DriverContext("fs", options, clock)),
          bad.toString());
    }
  }

  // ---------------------------------------------------------------------------- sharing with Astro

  @Test
  void aSessionWrittenAsAstroWritesIt_isReadAndExpiresByItsIdleTime() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    String blob = session("from astro", null);
    // Astro's fs driver writes the blob and nothing else; the file gets the real time.
    Files.writeString(folder.resolve(id), blob);
    assertEquals(blob, driver.read(id, null).blob());
    assertEquals(blob, idle.read(id, IDLE).blob());
    idle.cleanUp();
    assertTrue(Files.exists(folder.resolve(id)));

    StoredBlob read = idle.read(id, IDLE);
    assertTrue(idle.write(id, session("from satchel", null), read.version(), null));
    assertEquals(session("from satchel", null), Files.readString(folder.resolve(id)));

    clock.advance(IDLE.plusMinutes(1));
    assertNull(idle.read(id, IDLE));
    idle.cleanUp();
    assertFalse(Files.exists(folder.resolve(id)));
  }

  @Test
  void anAstroSessionWhoseKeysExpired_isRemovedByTheCleanUp() throws Exception {
    String expired = SessionIds.generate();
    String live = SessionIds.generate();
    Files.writeString(folder.resolve(expired), session("old", in(Duration.ofSeconds(-1))));
    Files.writeString(folder.resolve(live), session("new", in(Duration.ofHours(1))));
    fs().cleanUp();
    assertFalse(Files.exists(folder.resolve(expired)));
    assertEquals(session("new", in(Duration.ofHours(1))), driver.read(live, null).blob());
  }

  // ---------------------------------------------------------------------------- markers

  @Test
  void retire_leavesAMarkerFileAndNoSessionFile() throws Exception {
    String id = SessionIds.generate();
    driver.write(id, session("v", null), null, null);
    Retirement destroyed = Retirement.destroyed(clock.instant());
    Instant expires = in(Duration.ofMinutes(10));
    byte[] retiredBytes = Files.readAllBytes(folder.resolve(id));
    driver.retire(id, destroyed, expires);
    assertFalse(Files.exists(folder.resolve(id)));
    assertEquals(
        List.of(
            destroyed.encode(),
            Long.toString(expires.toEpochMilli()),
            FsDriver.digest(retiredBytes)),
        Files.readAllLines(marker(id)));

    // Retiring an ID that holds nothing says so.
    String absent = SessionIds.generate();
    driver.retire(absent, destroyed, expires);
    assertEquals("-", Files.readAllLines(marker(absent)).get(2));
  }

  @Test
  void replace_leavesTheMarkerAndTheNewFile_andRemovesTheOld() throws Exception {
    String old = SessionIds.generate();
    String next = SessionIds.generate();
    driver.write(old, session("v", null), null, null);
    Retirement moved = Retirement.movedTo(next, clock.instant());
    assertTrue(
        driver.replace(
            old,
            driver.read(old, null).version(),
            next,
            session("w", null),
            null,
            moved,
            in(IDLE)));
    assertFalse(Files.exists(folder.resolve(old)));
    assertEquals(session("w", null), Files.readString(folder.resolve(next)));
    assertEquals(moved.encode(), Files.readAllLines(marker(old)).get(0));
    assertFalse(Files.exists(marker(next)));
  }

  @Test
  void replace_ontoARetiredId_changesNothing() {
    String old = SessionIds.generate();
    String taken = SessionIds.generate();
    driver.retire(taken, Retirement.destroyed(clock.instant()), in(IDLE));
    driver.write(old, "old", null, null);
    assertFalse(
        driver.replace(
            old, "old", taken, "new", null, Retirement.movedTo(taken, clock.instant()), in(IDLE)));
    assertEquals("old", driver.read(old, null).blob());
    assertNull(driver.read(taken, null));
    assertNull(driver.retirement(old));
  }

  @Test
  void anExpiredMarker_letsTheIdBeWritten_andTheCleanUpRemovesIt() throws Exception {
    String id = SessionIds.generate();
    driver.retire(id, Retirement.destroyed(clock.instant()), in(Duration.ofMinutes(10)));
    assertFalse(driver.write(id, "again", null, null));
    clock.advance(Duration.ofMinutes(9));
    fs().cleanUp();
    assertTrue(Files.exists(marker(id)));
    clock.advance(Duration.ofMinutes(2));
    fs().cleanUp();
    assertFalse(Files.exists(marker(id)));
    assertTrue(driver.write(id, "again", null, null));
  }

  @Test
  void anUnreadableMarker_refusesTheId_failsItsLookUp_andIsCleanedUp() throws Exception {
    String id = SessionIds.generate();
    Files.writeString(marker(id), "not a marker");
    assertFalse(driver.write(id, "x", null, null));
    RuntimeException failure = assertThrows(RuntimeException.class, () -> driver.retirement(id));
    assertTrue(
        failure.getMessage().contains("session#" + SessionIds.fingerprint(id)),
        failure.getMessage());
    assertFalse(failure.getMessage().contains(id), failure.getMessage());
    fs().cleanUp();
    assertFalse(Files.exists(marker(id)));
    assertNull(driver.retirement(id));
  }

  /** A marker's text, naming the session file it retired by the SHA-256 of {@code retired}. */
  private String markerText(Instant expires, String retired) {
    return Retirement.destroyed(clock.instant()).encode()
        + "\n"
        + expires.toEpochMilli()
        + "\n"
        + (retired == null ? "-" : FsDriver.digest(retired.getBytes(StandardCharsets.UTF_8)))
        + "\n";
  }

  @Test
  void aSessionLeftBesideItsMarkerByACrash_isRemovedByTheCleanUp() throws Exception {
    String crashed = SessionIds.generate();
    String expiredMarker = SessionIds.generate();
    driver.write(crashed, "old", null, null);
    driver.write(expiredMarker, "kept", null, null);
    // What a process that died between the marker and the removal leaves behind.
    Files.writeString(marker(crashed), markerText(in(IDLE), "old"));
    Files.writeString(marker(expiredMarker), markerText(clock.instant().minusMillis(1), "kept"));
    assertNull(driver.read(crashed, null), "retired, though its file is still there");
    assertFalse(driver.write(crashed, "again", "old", null), "a marked ID refuses writes");
    fs().cleanUp();
    assertFalse(Files.exists(folder.resolve(crashed)));
    assertTrue(driver.retirement(crashed).isDestroyed());
    assertEquals("kept", driver.read(expiredMarker, null).blob());
    assertFalse(Files.exists(marker(expiredMarker)));
  }

  /**
   * A file beside a live marker that is not the session the marker retired (written since by
   * another program, or beside a marker that does not say) stays for the clean-up, until it expires
   * as any session does; the ID stays retired for Satchel meanwhile.
   */
  @Test
  void aFileBesideItsMarker_thatTheMarkerDoesNotProveRetired_isNeverRemovedForTheMarker()
      throws Exception {
    FsDriver idle = open(IDLE);
    String rewritten = SessionIds.generate();
    String unproven = SessionIds.generate();
    Files.writeString(folder.resolve(rewritten), "written by Astro after the log-out");
    Files.writeString(marker(rewritten), markerText(in(IDLE), "what was retired"));
    Files.writeString(folder.resolve(unproven), "old");
    // A marker of an earlier version, which did not say what it retired.
    Files.writeString(
        marker(unproven),
        Retirement.destroyed(clock.instant()).encode() + "\n" + in(IDLE).toEpochMilli() + "\n");
    idle.cleanUp();
    assertTrue(Files.exists(folder.resolve(rewritten)));
    assertTrue(Files.exists(folder.resolve(unproven)));
    assertNull(idle.read(rewritten, null));
    assertFalse(idle.write(unproven, "again", "old", null));

    clock.advance(IDLE.plusMinutes(1));
    idle.cleanUp();
    assertFalse(Files.exists(folder.resolve(rewritten)), "expired as any session");
    assertFalse(Files.exists(folder.resolve(unproven)), "expired as any session");
  }

  @Test
  void replace_withBothIdsInOneStripe_works() {
    String old = SessionIds.generate();
    String next;
    do {
      next = SessionIds.generate();
    } while (FsLocks.stripeOf(next) != FsLocks.stripeOf(old));
    driver.write(old, "old", null, null);
    assertTrue(
        driver.replace(
            old, "old", next, "new", null, Retirement.movedTo(next, clock.instant()), in(IDLE)));
    assertEquals("new", driver.read(next, null).blob());
    assertNotNull(driver.retirement(old));
  }

  /**
   * Threads replace sessions across two stripes in both directions at once: taking the stripes in a
   * fixed order, none waits for another for ever (which would end in lock time-outs here).
   */
  @Test
  void replacesInOppositeStripeOrder_neverDeadlock() throws Exception {
    String seed = SessionIds.generate();
    int low = FsLocks.stripeOf(seed);
    int high;
    do {
      high = FsLocks.stripeOf(SessionIds.generate());
    } while (high == low);
    int[] stripes = {low, high};
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int from = stripes[t % 2];
      int to = stripes[(t + 1) % 2];
      results.add(
          pool.submit(
              () -> {
                int done = 0;
                for (int i = 0; i < 100; i++) {
                  String old = idInStripe(from);
                  String next = idInStripe(to);
                  driver.write(old, "old", null, null);
                  if (driver.replace(
                      old,
                      "old",
                      next,
                      "new",
                      null,
                      Retirement.movedTo(next, clock.instant()),
                      in(IDLE))) {
                    done++;
                  }
                }
                return done;
              }));
    }
    for (Future<Integer> result : results) {
      assertEquals(100, result.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();
  }

  private static String idInStripe(int stripe) {
    while (true) {
      String id = SessionIds.generate();
      if (FsLocks.stripeOf(id) == stripe) {
        return id;
      }
    }
  }

  /**
   * A reader that polls an ID while it is replaced never finds the session gone without its marker:
   * the marker is written first.
   */
  @Test
  void aReaderNeverSeesTheOldSessionGoneWithoutItsMarker() throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    List<String> olds = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      String old = SessionIds.generate();
      driver.write(old, "old", null, null);
      olds.add(old);
    }
    ExecutorService pool = Executors.newSingleThreadExecutor();
    Future<Integer> reader =
        pool.submit(
            () -> {
              int gone = 0;
              boolean last;
              do {
                last = stop.get(); // one whole pass after the last replace
                for (String old : olds) {
                  if (driver.read(old, null) == null) {
                    assertNotNull(driver.retirement(old), old);
                    gone++;
                  }
                }
              } while (!last);
              return gone;
            });
    for (String old : olds) {
      String next = SessionIds.generate();
      assertTrue(
          driver.replace(
              old, "old", next, "new", null, Retirement.movedTo(next, clock.instant()), in(IDLE)));
    }
    stop.set(true);
    assertTrue(reader.get(60, TimeUnit.SECONDS) >= olds.size());
    pool.shutdown();
  }

  @Test
  void aFileThatIsNotUtf8_readsWithReplacements_andCanBeWrittenOver() throws Exception {
    String id = SessionIds.generate();
    byte[] bytes = {'[', '"', 'a', (byte) 0xff, 'b', '"', ']'};
    Files.write(folder.resolve(id), bytes);
    StoredBlob read = driver.read(id, null);
    assertEquals("[\"a\ufffdb\"]", read.blob());
    assertTrue(driver.write(id, "[\"fixed\"]", read.version(), null));
    assertEquals("[\"fixed\"]", driver.read(id, null).blob());
  }

  @Test
  void aSessionIdleTooLong_isAbsentToAReadWithoutRefresh_asToTheWriteAfterIt() {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    assertTrue(idle.write(id, "[\"blob\"]", null, null));
    clock.advance(IDLE.plusMinutes(1));
    assertNull(idle.read(id, null));
    assertTrue(idle.write(id, "[\"fresh\"]", null, null));
  }

  // ---------------------------------------------------------------------------- principals

  private Path principals() {
    return folder.resolve(".principals");
  }

  @Test
  @Override
  protected void indexed_showsAnExpiredSession_withoutABlob() {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    idle.index("alice", id, clock.instant());
    assertTrue(idle.write(id, session("v", null), null, null));
    Instant written = clock.instant();
    clock.advance(Duration.ofMinutes(10));
    IndexedSession live = onlyIndexed(idle, "alice");
    assertEquals(session("v", null), live.blob().blob());
    assertEquals(written.plus(IDLE), live.expiresAt(), "the file's time plus the idle timeout");

    clock.advance(IDLE);
    IndexedSession expired = onlyIndexed(idle, "alice");
    assertNull(expired.blob());
    assertNull(expired.expiresAt());
    assertEquals(written.toEpochMilli(), expired.indexedAt().toEpochMilli());
  }

  @Test
  void indexed_doesNotTouchTheSessionFile() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    idle.index("alice", id, clock.instant());
    idle.write(id, session("v", null), null, null);
    long written = clock.millis();
    clock.advance(Duration.ofMinutes(10));
    assertNotNull(onlyIndexed(idle, "alice").blob());
    assertEquals(written, Files.getLastModifiedTime(folder.resolve(id)).toMillis());
  }

  @Test
  void indexed_withoutIdleTimeout_expiresWithTheLastKey() {
    String keyed = SessionIds.generate();
    String forever = SessionIds.generate();
    Instant expires = in(Duration.ofMinutes(10));
    driver.index("alice", keyed, clock.instant());
    driver.index("alice", forever, clock.instant().plusMillis(1));
    driver.write(keyed, session("v", expires), null, null);
    driver.write(forever, session("w", null), null, null);
    List<IndexedSession> found = driver.indexed("alice");
    assertEquals(List.of(keyed, forever), found.stream().map(IndexedSession::id).toList());
    assertEquals(expires, found.get(0).expiresAt());
    assertNull(found.get(1).expiresAt(), "a key that never expires");

    clock.advance(Duration.ofMinutes(11));
    found = driver.indexed("alice");
    assertNull(found.get(0).blob(), "every key expired: the clean-up would remove it");
    assertNotNull(found.get(1).blob());
  }

  @Test
  void index_keepsTheFirstTime_inAFileNamedByTheId() throws Exception {
    String id = SessionIds.generate();
    Instant first = clock.instant();
    driver.index("alice", id, first);
    driver.index("alice", id, first.plusSeconds(5));
    assertEquals(first, onlyIndexed(driver, "alice").indexedAt());
    Path entry = fs().principalFolder("alice").resolve(id);
    assertEquals(Long.toString(first.toEpochMilli()), Files.readString(entry));
  }

  @Test
  void principalsThatLookLikePaths_createNothingOutsideTheirFolder() throws Exception {
    List<String> names = List.of("../../etc", "..", ".", "/etc/passwd", "a/../../b", "C:\\x", "");
    for (String name : names) {
      driver.index(name, SessionIds.generate(), clock.instant());
    }
    assertEquals(Set.of(".locks", ".retired", ".principals"), names(folder));
    Set<String> folders = names(principals());
    assertEquals(names.size(), folders.size());
    for (String name : folders) {
      assertTrue(name.matches("[0-9a-f]{64}"), name);
      Set<String> entries = names(principals().resolve(name));
      assertEquals(1, entries.size());
      assertTrue(SessionIds.isValid(entries.iterator().next()));
    }
    for (String name : names) {
      assertEquals(1, driver.indexed(name).size(), name);
    }
  }

  @Test
  void principalWithALoneSurrogate_keepsItsOwnFolder() {
    String lone = SessionIds.generate();
    String spelled = SessionIds.generate();
    driver.index("a\ud800", lone, clock.instant());
    driver.index("a?", spelled, clock.instant());
    assertEquals(lone, onlyIndexed(driver, "a\ud800").id());
    assertEquals(spelled, onlyIndexed(driver, "a?").id());
  }

  @Test
  void indexed_skipsNamesThatAreNotIds_andDatesAnEmptyEntryByItsFile() throws Exception {
    String id = SessionIds.generate();
    driver.index("alice", id, clock.instant());
    Path principal = fs().principalFolder("alice");
    Files.writeString(principal.resolve("notes.txt"), "x");
    Files.createDirectory(principal.resolve(SessionIds.generate()));
    String empty = SessionIds.generate();
    // What a crash between creating an entry and writing its time leaves.
    Files.write(principal.resolve(empty), new byte[0]);
    Instant fileTime = Instant.ofEpochMilli(1_700_000_000_000L);
    Files.setLastModifiedTime(principal.resolve(empty), FileTime.from(fileTime));
    Map<String, Instant> found = new HashMap<>();
    driver.indexed("alice").forEach(entry -> found.put(entry.id(), entry.indexedAt()));
    assertEquals(Map.of(id, clock.instant(), empty, fileTime), found);
  }

  @Test
  void unindexingTheLastSession_removesThePrincipalsFolder_andIndexMakesItAgain() {
    String id = SessionIds.generate();
    driver.index("alice", id, clock.instant());
    Path principal = fs().principalFolder("alice");
    assertTrue(Files.isDirectory(principal));
    driver.unindex("alice", id);
    assertFalse(Files.exists(principal));
    driver.unindex("alice", id);
    driver.index("alice", id, clock.instant());
    assertEquals(id, onlyIndexed(driver, "alice").id());
  }

  /**
   * Threads index and unindex their own sessions of one principal at once, so that the folder is
   * removed and made again under them: an entry is there as soon as its index returns.
   */
  @Test
  void indexRacingTheRemovalOfAnEmptyFolder_losesNoEntry() throws Exception {
    Path principal = fs().principalFolder("alice");
    int threads = 4;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(
          pool.submit(
              () -> {
                start.await();
                int lost = 0;
                for (int i = 0; i < 500; i++) {
                  String id = SessionIds.generate();
                  driver.index("alice", id, clock.instant());
                  if (!Files.exists(principal.resolve(id))) {
                    lost++;
                  }
                  driver.unindex("alice", id);
                }
                return lost;
              }));
    }
    start.countDown();
    for (Future<Integer> result : results) {
      assertEquals(0, result.get(120, TimeUnit.SECONDS));
    }
    pool.shutdown();
    assertTrue(driver.indexed("alice").isEmpty());
  }

  @Test
  void cleanUp_leavesThePrincipalsFolder_andRemovesOnlyEntriesOfSessionsLongGone()
      throws Exception {
    FsDriver idle = open(IDLE);
    String live = SessionIds.generate();
    String neverWritten = SessionIds.generate();
    String idleTooLong = SessionIds.generate();
    idle.index("alice", live, clock.instant());
    idle.index("alice", neverWritten, clock.instant());
    idle.index("alice", idleTooLong, clock.instant());
    idle.write(idleTooLong, session("v", null), null, null);
    Path principal = fs().principalFolder("alice");
    Files.writeString(principal.resolve("notes.txt"), "x");

    idle.cleanUp();
    assertEquals(Set.of(live, neverWritten, idleTooLong, "notes.txt"), names(principal));

    clock.advance(IDLE.plusMinutes(1));
    idle.write(live, session("w", null), null, null);
    String fresh = SessionIds.generate();
    idle.index("alice", fresh, clock.instant());
    idle.cleanUp();
    assertTrue(Files.exists(folder.resolve(live)), "a session is never removed for its entry");
    assertFalse(Files.exists(folder.resolve(idleTooLong)));
    assertEquals(Set.of(live, fresh, "notes.txt"), names(principal));
    assertEquals(Set.of(".locks", ".retired", ".principals", live), names(folder));

    Files.delete(principal.resolve("notes.txt"));
    idle.unindex("alice", live);
    clock.advance(Duration.ofMinutes(2));
    idle.cleanUp();
    assertFalse(Files.exists(principal), "emptied by the clean-up, and removed");
    assertTrue(Files.isDirectory(principals()));
    assertTrue(Files.exists(folder.resolve(live)));
  }

  // ---------------------------------------------------------------------------- expired sessions
  // This driver ignores expiresAt: a session expires by its idle timeout or its keys. The
  // contract's
  // tests whose blobs and expiries agree with that run on a driver whose application idle timeout
  // is the contract's expiry step; the others are told here with blobs that carry their expiry.

  /** Runs a contract test on a driver whose application idle timeout is one expiry step. */
  private void withIdleDriver(Runnable test) {
    SessionDriver original = driver;
    appIdle = expiryStep();
    driver = open(appIdle);
    try {
      test.run();
    } finally {
      driver = original;
      appIdle = null;
    }
  }

  private Path ledger() {
    return folder.resolve(FsDriver.EXPIRING_FOLDER);
  }

  private Path entry(String id) {
    return ledger().resolve(id);
  }

  /** One check, as Satchel makes it: batches acknowledged one by one, until one is short. */
  private List<String> claimAllNow(SessionDriver on) {
    List<String> claimed = new ArrayList<>();
    while (true) {
      List<String> batch = on.claimExpired(clock.instant(), 100);
      claimed.addAll(batch);
      if (!batch.isEmpty()) {
        on.acknowledgeExpired(batch);
      }
      if (batch.size() < 100) {
        return claimed;
      }
    }
  }

  /** A session with its own idle timeout of one expiry step. */
  private String stepIdleSession(String value) {
    return sessionWithIdle(value, expiryStep().toSeconds());
  }

  @Test
  @Override
  protected void claimExpired_findsASessionThatExpired_once() {
    String expiring = SessionIds.generate();
    String lasting = SessionIds.generate();
    assertTrue(driver.write(expiring, stepIdleSession("e"), null, in(expiryStep())));
    assertTrue(driver.write(lasting, sessionWithIdle("l", 86_400), null, later()));
    assertEquals(List.of(), claimAllNow(driver), "before the expiry");
    clock.advance(expiryStep().multipliedBy(3).dividedBy(2));
    assertEquals(List.of(expiring), claimAllNow(driver));
    assertEquals(List.of(), claimAllNow(driver), "claimed again");
    assertNull(driver.read(expiring, null));
    assertFalse(Files.exists(folder.resolve(expiring)), "removed as the clean-up would");
    assertFalse(Files.exists(entry(expiring)), "its ledger entry is gone");
    assertNotNull(driver.read(lasting, null));
    assertTrue(Files.exists(entry(lasting)));
  }

  @Test
  @Override
  protected void claimExpired_skipsSessionsRetiredOrDeleted() {
    withIdleDriver(super::claimExpired_skipsSessionsRetiredOrDeleted);
  }

  @Test
  @Override
  protected void claimExpired_followsAnExpiryPushedByReads() {
    withIdleDriver(super::claimExpired_followsAnExpiryPushedByReads);
  }

  @Test
  @Override
  protected void claimExpired_aClaimNotAcknowledged_isHiddenForTheLease_thenClaimedAgain() {
    assertEquals(FsDriver.CLAIM_LEASE, claimLease(), "the lease the contract passes");
    withIdleDriver(super::claimExpired_aClaimNotAcknowledged_isHiddenForTheLease_thenClaimedAgain);
  }

  @Test
  @Override
  protected void claimExpired_anAcknowledgedClaim_isNeverClaimedAgain() {
    withIdleDriver(super::claimExpired_anAcknowledgedClaim_isNeverClaimedAgain);
  }

  @Test
  @Override
  protected void claimExpired_findsSessionsThatExpiredBeforeTheyEnded() {
    withIdleDriver(super::claimExpired_findsSessionsThatExpiredBeforeTheyEnded);
  }

  @Test
  @Override
  protected void claimExpired_followsAnExpiryAWriteShortened() {
    withIdleDriver(super::claimExpired_followsAnExpiryAWriteShortened);
  }

  @Test
  @Override
  protected void claimExpired_returnsAtMostMax_andTheRestLater() {
    withIdleDriver(super::claimExpired_returnsAtMostMax_andTheRestLater);
  }

  @Test
  @Override
  protected void claimExpired_twoInstances_eachSessionClaimedByOne() {
    withIdleDriver(
        () -> {
          try {
            super.claimExpired_twoInstances_eachSessionClaimedByOne();
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
  }

  @Test
  @Override
  protected void claimExpired_findsASessionGivenAnExpiryByALaterWrite() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, session("forever", null), null, null));
    assertFalse(Files.exists(entry(id)), "a session without expiry is not tracked");
    String version = driver.read(id, null).version();
    assertTrue(driver.write(id, stepIdleSession("with an expiry"), version, in(expiryStep())));
    assertTrue(Files.exists(entry(id)));
    clock.advance(expiryStep().multipliedBy(3).dividedBy(2));
    assertEquals(List.of(id), claimAllNow(driver));
  }

  @Test
  @Override
  protected void claimExpired_findsASessionReadAfterItExpired() {
    FsDriver idle = open(expiryStep());
    String id = SessionIds.generate();
    assertTrue(idle.write(id, session("v", null), null, in(expiryStep())));
    clock.advance(expiryStep().multipliedBy(3).dividedBy(2));
    assertNull(idle.read(id, expiryStep()));
    assertEquals(List.of(id), claimAllNow(idle));
  }

  @Test
  void claimExpired_findsASessionTheCleanUpRemoved_once() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    assertTrue(idle.write(id, session("v", null), null, in(IDLE)));
    clock.advance(IDLE.plusMinutes(1));
    idle.cleanUp();
    assertFalse(Files.exists(folder.resolve(id)), "removed by the clean-up");
    assertEquals(List.of(id), claimAllNow(idle));
    assertEquals(List.of(), claimAllNow(idle));
    assertFalse(Files.exists(entry(id)));
  }

  @Test
  void claimExpired_findsASessionWhoseKeysAllExpired() {
    String id = SessionIds.generate();
    Instant keysExpire = in(Duration.ofMinutes(5));
    assertTrue(driver.write(id, session("v", keysExpire), null, keysExpire));
    clock.advance(Duration.ofMinutes(4));
    assertEquals(List.of(), claimAllNow(driver));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(List.of(id), claimAllNow(driver));
    assertFalse(Files.exists(folder.resolve(id)));
  }

  @Test
  void claimExpired_aSessionThatLostItsExpiry_isDroppedFromTheLedger_untilAWriteGivesOneAgain() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, stepIdleSession("v"), null, in(expiryStep())));
    String version = driver.read(id, null).version();
    assertTrue(driver.write(id, sessionWithIdle("v", 0), version, null));
    clock.advance(expiryStep().multipliedBy(2));
    assertEquals(List.of(), claimAllNow(driver));
    assertFalse(Files.exists(entry(id)), "nothing left to track");
    assertNotNull(driver.read(id, null));

    version = driver.read(id, null).version();
    assertTrue(driver.write(id, stepIdleSession("w"), version, in(expiryStep())));
    clock.advance(expiryStep().multipliedBy(2));
    assertEquals(List.of(id), claimAllNow(driver));
  }

  @Test
  void ledger_isUntouchedByReads_andKeepsNoEntryOfAnEndedSession() throws Exception {
    FsDriver idle = open(IDLE);
    String read = SessionIds.generate();
    String retired = SessionIds.generate();
    String deleted = SessionIds.generate();
    String moved = SessionIds.generate();
    String successor = SessionIds.generate();
    for (String id : List.of(read, retired, deleted, moved)) {
      assertTrue(idle.write(id, session(id, null), null, in(IDLE)));
    }
    assertEquals(Set.of(read, retired, deleted, moved), names(ledger()));
    FileTime due = Files.getLastModifiedTime(entry(read));
    assertEquals(in(IDLE).toEpochMilli(), due.toMillis(), "due when the core said it expires");
    clock.advance(Duration.ofMinutes(10));
    assertNotNull(idle.read(read, IDLE));
    assertEquals(due, Files.getLastModifiedTime(entry(read)), "a read leaves the ledger alone");

    idle.retire(retired, Retirement.destroyed(clock.instant()), in(Duration.ofMinutes(10)));
    idle.delete(deleted);
    assertTrue(
        idle.replace(
            moved,
            idle.read(moved, null).version(),
            successor,
            session("next", null),
            in(IDLE),
            Retirement.movedTo(successor, clock.instant()),
            in(Duration.ofMinutes(10))));
    assertEquals(Set.of(read, successor), names(ledger()));

    clock.advance(Duration.ofDays(1));
    idle.cleanUp();
    assertEquals(Set.of(read, successor), new TreeSet<>(claimAllNow(idle)));
    assertEquals(Set.of(), names(ledger()), "every entry goes with its session");
  }

  @Test
  void claimExpired_leavesNoLedgerBehindForSessionsWithoutExpiry() throws Exception {
    driver.write(SessionIds.generate(), session("v", null), null, null);
    assertEquals(List.of(), claimAllNow(driver));
    assertFalse(Files.exists(ledger()), "made only for the first session with an expiry");
  }

  @Test
  void aClaim_movesTheEntryToTheEndOfTheLease_andTheAcknowledgementRemovesIt() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    assertTrue(idle.write(id, session("v", null), null, in(IDLE)));
    clock.advance(IDLE.plusMinutes(1));
    assertEquals(List.of(id), idle.claimExpired(clock.instant(), 10));
    assertEquals(
        in(FsDriver.CLAIM_LEASE).toEpochMilli(),
        Files.getLastModifiedTime(entry(id)).toMillis(),
        "due again at the end of the lease");
    assertFalse(Files.exists(folder.resolve(id)), "the expired session is removed");
    idle.acknowledgeExpired(List.of(id));
    assertFalse(Files.exists(entry(id)));
    idle.acknowledgeExpired(List.of(id, SessionIds.generate(), "not an id"));
  }

  /**
   * An instance that claimed sessions and died before its listeners were told (no acknowledgement):
   * another instance claims them once the lease has run out, not before.
   */
  @Test
  void aClaimOfAnInstanceThatDied_isMadeByAnotherAfterTheLease() throws Exception {
    FsDriver dying = open(IDLE);
    FsDriver other = open(IDLE);
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < 5; i++) {
      String id = SessionIds.generate();
      ids.add(id);
      assertTrue(dying.write(id, session("v", null), null, in(IDLE)));
    }
    clock.advance(IDLE.plusMinutes(1));
    assertEquals(ids, new TreeSet<>(dying.claimExpired(clock.instant(), 10)));
    dying.close();
    assertEquals(List.of(), claimAllNow(other), "hidden for the lease");
    clock.advance(FsDriver.CLAIM_LEASE.minusSeconds(1));
    assertEquals(List.of(), claimAllNow(other), "still within the lease");
    clock.advance(Duration.ofSeconds(1));
    assertEquals(ids, new TreeSet<>(claimAllNow(other)));
    clock.advance(FsDriver.CLAIM_LEASE.multipliedBy(2));
    assertEquals(List.of(), claimAllNow(other), "acknowledged");
    assertEquals(Set.of(), names(ledger()));
  }

  @Test
  void anAcknowledgement_leavesTheEntryOfASessionWrittenUnderTheIdAgain() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    assertTrue(idle.write(id, session("v", null), null, in(IDLE)));
    clock.advance(IDLE.plusMinutes(1));
    assertEquals(List.of(id), idle.claimExpired(clock.instant(), 10));
    // Satchel never writes an ID again; another program sharing the folder might.
    assertTrue(idle.write(id, session("again", null), null, in(IDLE)));
    idle.acknowledgeExpired(List.of(id));
    assertTrue(Files.exists(entry(id)), "the entry of the session now stored");
    clock.advance(IDLE.plusMinutes(1));
    assertEquals(List.of(id), claimAllNow(idle));
  }

  /**
   * A session that expired and that the clean-up removed, then ended (a log-out, a log-in, a
   * removal) before any claim, is claimed as expired: Satchel tells an end only of a session that
   * was stored. One that was live when it ended loses its entry.
   */
  @Test
  void sessionsEndedAfterTheyExpired_keepTheirEntry_andAreClaimed() throws Exception {
    FsDriver idle = open(IDLE);
    String retired = SessionIds.generate();
    String deleted = SessionIds.generate();
    String moved = SessionIds.generate();
    String successor = SessionIds.generate();
    String live = SessionIds.generate();
    for (String id : List.of(retired, deleted, moved)) {
      assertTrue(idle.write(id, session(id, null), null, in(IDLE)));
    }
    clock.advance(IDLE.plusMinutes(1));
    idle.cleanUp();
    assertTrue(idle.write(live, session("live", null), null, in(IDLE)));
    idle.retire(retired, Retirement.destroyed(clock.instant()), in(Duration.ofMinutes(10)));
    idle.delete(deleted);
    assertTrue(
        idle.replace(
            moved,
            null,
            successor,
            session("next", null),
            in(IDLE),
            Retirement.movedTo(successor, clock.instant()),
            in(Duration.ofMinutes(10))));
    idle.retire(live, Retirement.destroyed(clock.instant()), in(Duration.ofMinutes(10)));
    assertEquals(Set.of(retired, deleted, moved, successor), names(ledger()));
    assertEquals(Set.of(retired, deleted, moved), new TreeSet<>(claimAllNow(idle)));
    assertEquals(Set.of(successor), names(ledger()));
  }

  /** A write that brings a session's expiry forward brings its entry forward; a later one not. */
  @Test
  void aWriteWithAnEarlierExpiry_movesTheEntryEarlier_andOneWithALaterExpiryLeavesIt()
      throws Exception {
    String id = SessionIds.generate();
    Instant written = clock.instant();
    assertTrue(driver.write(id, sessionWithIdle("v", 3600), null, in(Duration.ofHours(1))));
    assertEquals(in(Duration.ofHours(1)), dueOf(id));
    String version = driver.read(id, null).version();
    assertTrue(driver.write(id, sessionWithIdle("v", 600), version, in(Duration.ofMinutes(10))));
    assertEquals(in(Duration.ofMinutes(10)), dueOf(id), "brought forward");
    version = driver.read(id, null).version();
    assertTrue(driver.write(id, sessionWithIdle("v", 7200), version, in(Duration.ofHours(2))));
    assertEquals(in(Duration.ofMinutes(10)), dueOf(id), "a claim follows a later expiry");
    clock.advance(Duration.ofMinutes(11));
    assertEquals(List.of(), claimAllNow(driver), "live: its own idle timeout is two hours now");
    assertEquals(
        written.plus(Duration.ofHours(2)).plusMillis(1),
        dueOf(id),
        "moved to the session's expiry");
  }

  private Instant dueOf(String id) throws Exception {
    return Files.getLastModifiedTime(entry(id)).toInstant();
  }

  /**
   * The claims of one check make one pass over the ledger however many batches it takes, each call
   * going on where the last stopped; the next check makes a new one.
   */
  @Test
  void theClaimsOfOneCheck_listTheLedgerOnce() throws Exception {
    FsDriver idle = open(IDLE);
    Files.createDirectories(ledger());
    Set<String> due = new TreeSet<>();
    for (int i = 0; i < 3000; i++) {
      String id = SessionIds.generate();
      Path entry = Files.createFile(entry(id));
      if (i % 3 == 0) {
        due.add(id);
        Files.setLastModifiedTime(entry, FileTime.from(in(Duration.ofMinutes(-1))));
      } else {
        Files.setLastModifiedTime(entry, FileTime.from(in(Duration.ofMinutes(5))));
      }
    }
    long before = idle.ledgerPasses();
    List<String> claimed = claimAllNow(idle);
    assertEquals(due, new TreeSet<>(claimed));
    assertEquals(claimed.size(), due.size(), "claimed twice: " + claimed);
    assertEquals(1, idle.ledgerPasses() - before, "one pass for " + (due.size() / 100) + " calls");
    clock.advance(Duration.ofMinutes(10));
    assertEquals(2000, claimAllNow(idle).size());
    assertEquals(2, idle.ledgerPasses() - before, "the next check makes a pass of its own");
  }

  /**
   * Two other JVMs and this one claim the same 300 expired sessions at once: each is claimed by
   * exactly one of the three.
   */
  @Test
  void processesClaimingAtOnce_claimEachExpiredSessionOnce() throws Exception {
    FsDriver idle = open(IDLE);
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < 300; i++) {
      String id = SessionIds.generate();
      ids.add(id);
      assertTrue(idle.write(id, session("v", null), null, in(IDLE)));
    }
    clock.advance(IDLE.plusMinutes(1));
    Path control = Files.createTempDirectory("satchel-fs-claims");
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> claimers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      claimers.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  FsClaimer.class.getName(),
                  folder.toString(),
                  Long.toString(clock.millis()),
                  IDLE.toString(),
                  control.toString(),
                  Integer.toString(i))
              .redirectErrorStream(true)
              .redirectOutput(control.resolve(i + ".out").toFile())
              .start());
    }
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!(Files.exists(control.resolve("ready-0")) && Files.exists(control.resolve("ready-1")))
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      Files.createFile(control.resolve("go"));
      List<String> all = new ArrayList<>(FsClaimer.claimUntilNone(idle, clock.instant()));
      for (int i = 0; i < claimers.size(); i++) {
        Process claimer = claimers.get(i);
        assertTrue(claimer.waitFor(120, TimeUnit.SECONDS));
        List<String> lines = Files.readAllLines(control.resolve(i + ".out"));
        assertEquals(0, claimer.exitValue(), String.join("\n", lines));
        assertEquals("done", lines.get(lines.size() - 1), String.join("\n", lines));
        all.addAll(lines.subList(0, lines.size() - 1));
      }
      assertEquals(ids, new TreeSet<>(all));
      assertEquals(ids.size(), all.size(), "claimed twice");
    } finally {
      claimers.forEach(Process::destroyForcibly);
      try (Stream<Path> files = Files.walk(control)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  // ---------------------------------------------------------------------------- ping and logs

  @Test
  void ping_createsARemovedFolderAgain_andFailsWhenTheFolderCannotBe() throws Exception {
    driver.ping();
    try (Stream<Path> files = Files.walk(folder)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    driver.ping();
    assertTrue(Files.isDirectory(folder), "made again, as the next write would");
    Files.delete(folder.resolve(".locks"));
    Files.delete(folder.resolve(".retired"));
    Files.delete(folder);
    Files.writeString(folder, "a file where the folder was");
    assertThrows(RuntimeException.class, () -> driver.ping());
    Files.delete(folder);
    Files.createDirectories(folder);
  }

  @Test
  void failures_nameTheSessionByItsFingerprint_neverByItsId() throws Exception {
    String id = SessionIds.generate();
    Files.writeString(folder.resolve(id), "unreadable");
    RuntimeException failure;
    try (FsDriver.Injected fault =
        FsDriver.injectFaults(
            folder,
            (operation, file) -> {
              if (operation == FsDriver.Operation.READ) {
                throw new java.nio.file.AccessDeniedException(file.toString());
              }
            })) {
      failure = assertThrows(RuntimeException.class, () -> driver.read(id, null));
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      assertFalse(t.toString().contains(id), t.toString());
    }
    assertTrue(
        failure.getMessage().contains("session#" + SessionIds.fingerprint(id)),
        failure.getMessage());
    assertTrue(
        failure.getCause().toString().contains("AccessDeniedException"),
        failure.getCause().toString());
  }

  // ---------------------------------------------------------------------------- compare-and-delete

  /**
   * Writes {@code text} into {@code file} in place, as Astro's store does: truncated, then written.
   */
  private static void writeInPlace(Path file, String text) throws java.io.IOException {
    try (java.nio.channels.FileChannel channel =
        java.nio.channels.FileChannel.open(
            file,
            java.nio.file.StandardOpenOption.WRITE,
            java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }
  }

  /**
   * Another program writes the file in place between the look and the move aside: the bytes moved
   * aside are not the ones judged, so the file goes back, as that program wrote it.
   */
  @Test
  void deleteIfUnchanged_aWriteInPlaceBeforeTheMove_putsTheFileBack() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.toRealPath().resolve(id);
    Files.writeString(file, "{half");
    String judged = driver.read(id, null).version();
    try (FsDriver.Injected fault =
        FsDriver.injectFaults(
            folder,
            (operation, path) -> {
              if (operation == FsDriver.Operation.MOVE
                  && path.getFileName().toString().endsWith(".tmp")) {
                writeInPlace(file, "[\"whole\"]");
              }
            })) {
      assertFalse(driver.deleteIfUnchanged(id, judged));
    }
    assertEquals("[\"whole\"]", Files.readString(file));
    assertEquals(
        Set.of(id), names(folder).stream().filter(SessionIds::isValid).collect(Collectors.toSet()));
    try (Stream<Path> left = Files.list(folder)) {
      assertTrue(
          left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no copy left aside");
    }
  }

  /** A newer file put in the place meanwhile stays; the copy aside goes. */
  @Test
  void deleteIfUnchanged_aNewerFileInThePlace_staysAndTheCopyAsideGoes() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.toRealPath().resolve(id);
    Files.writeString(file, "{half");
    String judged = driver.read(id, null).version();
    try (FsDriver.Injected fault =
        FsDriver.injectFaults(
            folder,
            (operation, path) -> {
              if (operation == FsDriver.Operation.MOVE
                  && path.getFileName().toString().endsWith(".tmp")) {
                writeInPlace(file, "[\"moved aside\"]");
              } else if (operation == FsDriver.Operation.CREATE && path.equals(file)) {
                Files.writeString(file, "[\"newest\"]");
              }
            })) {
      assertFalse(driver.deleteIfUnchanged(id, judged));
    }
    assertEquals("[\"newest\"]", Files.readString(file));
    try (Stream<Path> left = Files.list(folder)) {
      assertTrue(
          left.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no copy left aside");
    }
  }

  /** Bytes that are not UTF-8 are compared as bytes, not as the text they read as. */
  @Test
  void deleteIfUnchanged_comparesBytes_notTheTextTheyReadAs() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    Files.write(file, new byte[] {'a', (byte) 0xff, 'b'});
    StoredBlob first = driver.read(id, null);
    Files.write(file, new byte[] {'a', (byte) 0xfe, 'b'});
    StoredBlob second = driver.read(id, null);
    assertEquals(first.blob(), second.blob(), "the same text");
    assertFalse(driver.deleteIfUnchanged(id, first.version()));
    assertTrue(Files.exists(file));
    assertTrue(driver.deleteIfUnchanged(id, second.version()));
    assertFalse(Files.exists(file));
  }

  /** An empty file, maybe a write in place just begun, is never removed, however old. */
  @Test
  void deleteIfUnchanged_neverRemovesAnEmptyFile() throws Exception {
    String id = SessionIds.generate();
    Path file = Files.createFile(folder.resolve(id));
    Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
    StoredBlob empty = driver.read(id, IDLE);
    assertEquals("", empty.blob());
    assertFalse(driver.deleteIfUnchanged(id, empty.version()));
    assertTrue(Files.exists(file));
    assertTrue(
        Files.getLastModifiedTime(file).toMillis() < System.currentTimeMillis() - 3_000_000,
        "a read does not refresh an empty file");
  }

  @Test
  void theWarningOfAnUnreadableMarker_namesTheSessionByItsFingerprint() throws Exception {
    String id = SessionIds.generate();
    Files.writeString(marker(id), "not a marker");
    Logger logger = Logger.getLogger("dev.satchel.driver.fs");
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.INFO.intValue()) {
              logged.add(record.getMessage() + " " + record.getThrown());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      fs().cleanUp();
    } finally {
      logger.removeHandler(handler);
    }
    assertFalse(Files.exists(marker(id)));
    assertEquals(1, logged.size(), logged.toString());
    assertTrue(logged.get(0).contains("session#" + SessionIds.fingerprint(id)), logged.get(0));
    assertFalse(logged.get(0).contains(id), logged.get(0));
  }

  // ---------------------------------------------------------------------------- own idle timeout

  /** A session as the core writes one with its own idle timeout of {@code seconds}. */
  private static String sessionWithIdle(String value, double seconds) {
    return "[[\"Map\",1,2,4,5],\"k\",{\"data\":3,\"expires\":-1},\""
        + value
        + "\",\"satchel:idle\",{\"data\":6,\"expires\":-1},"
        + (seconds == Math.rint(seconds) ? Long.toString((long) seconds) : seconds)
        + "]";
  }

  @Test
  void expiryOf_readsTheOwnIdleTimeout_andTheKeys_inOneParse() {
    FsDriver.BlobExpiry expiry = FsDriver.expiryOf(sessionWithIdle("v", 7200));
    assertEquals(Duration.ofHours(2), expiry.ownIdle());
    assertEquals(Long.MAX_VALUE, expiry.keysLiveUntil());
    assertEquals(Duration.ofMillis(1500), FsDriver.expiryOf(sessionWithIdle("v", 1.5)).ownIdle());
    assertEquals(Duration.ZERO, FsDriver.expiryOf(sessionWithIdle("v", 0)).ownIdle());
    assertNull(FsDriver.expiryOf(session("v", null)).ownIdle());
    assertNull(FsDriver.expiryOf("[\"blob\"]").ownIdle());
    Instant soon = in(Duration.ofMinutes(1));
    assertEquals(soon.toEpochMilli(), FsDriver.expiryOf(session("v", soon)).keysLiveUntil());
  }

  @Test
  void aLongerOwnIdleTimeout_keepsTheFile_pastTheApplicationsOne() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    String blob = sessionWithIdle("v", 7200);
    idle.index("alice", id, clock.instant());
    assertTrue(idle.write(id, blob, null, null));
    clock.advance(Duration.ofMinutes(90));
    assertEquals(blob, idle.read(id, null).blob(), "a plain read");
    IndexedSession listed = onlyIndexed(idle, "alice");
    assertEquals(blob, listed.blob().blob());
    assertEquals(in(Duration.ofMinutes(30)), listed.expiresAt(), "its time plus its own 2 h");
    idle.cleanUp();
    assertTrue(Files.exists(folder.resolve(id)));
    assertEquals(blob, idle.read(id, IDLE).blob(), "a read, which refreshes it");
    assertTrue(idle.write(id, blob, blob, null), "the write after it");

    clock.advance(Duration.ofHours(2).plusMinutes(1));
    assertNull(onlyIndexed(idle, "alice").blob());
    assertNull(idle.read(id, null));
    idle.cleanUp();
    assertFalse(Files.exists(folder.resolve(id)));
  }

  @Test
  void aShorterOwnIdleTimeout_expiresTheFile_beforeTheApplicationsOne() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    assertTrue(idle.write(id, sessionWithIdle("v", 600), null, null));
    clock.advance(Duration.ofMinutes(11));
    assertNull(idle.read(id, IDLE));
    assertNull(idle.read(id, null));
    idle.cleanUp();
    assertFalse(Files.exists(folder.resolve(id)));
    assertTrue(idle.write(id, session("fresh", null), null, null), "as for any expired session");
  }

  @Test
  void anOwnIdleTimeoutOfZero_neverExpiresTheFile() throws Exception {
    FsDriver idle = open(IDLE);
    String id = SessionIds.generate();
    String blob = sessionWithIdle("v", 0);
    idle.index("alice", id, clock.instant());
    assertTrue(idle.write(id, blob, null, null));
    clock.advance(Duration.ofDays(30));
    idle.cleanUp();
    assertTrue(Files.exists(folder.resolve(id)));
    assertNull(onlyIndexed(idle, "alice").expiresAt(), "never");
    assertEquals(blob, idle.read(id, IDLE).blob());
  }

  @Test
  void anOwnIdleTimeout_appliesWithoutTheApplicationsOne() throws Exception {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, sessionWithIdle("v", 600), null, null));
    clock.advance(Duration.ofMinutes(9));
    assertNotNull(driver.read(id, null));
    clock.advance(Duration.ofMinutes(2));
    assertNull(driver.read(id, null));
    fs().cleanUp();
    assertFalse(Files.exists(folder.resolve(id)));
  }
}
