package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A session's own idle timeout ({@link Session#setIdleTimeout}) on real drivers, whose clock the
 * test moves: it replaces the configured one for that session, in later requests and on other
 * instances, and reverts to it when removed.
 */
final class SessionIdleTimeoutTest {
  private static final Duration CONFIGURED = Duration.ofMinutes(30);

  private final MutableClock clock = new MutableClock();
  private final List<Satchel> opened = new ArrayList<>();
  private Path folder;

  @AfterEach
  void close() throws Exception {
    opened.forEach(Satchel::close);
    if (folder != null) {
      try (Stream<Path> files = Files.walk(folder)) {
        files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
  }

  /** An instance on {@code driver}; every fs instance of a test shares one folder. */
  private Satchel instance(String driver) throws Exception {
    Satchel.Builder builder = Satchel.builder().driver(driver).clock(clock).idleTimeout(CONFIGURED);
    if (driver.equals("fs")) {
      if (folder == null) {
        folder = Files.createTempDirectory("satchel-idle");
      }
      builder.driverOption("base", folder.toString()).driverOption("fsync", "false");
    }
    Satchel satchel = builder.build();
    opened.add(satchel);
    return satchel;
  }

  /** One request with a cookie, committed; returns the cookie the browser keeps. */
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

  /** Whether a request with {@code cookie} finds the session (and reads it, as a visit does). */
  private static boolean isLive(Satchel satchel, String cookie) {
    return satchel.open(cookie, c -> {}).get("k").isPresent();
  }

  private static Optional<Duration> idleOf(Satchel satchel, String cookie) {
    return satchel.open(cookie, c -> {}).idleTimeout();
  }

  private static String withIdle(Satchel satchel, Duration idle) {
    return run(
        satchel,
        null,
        s -> {
          s.set("k", "v");
          s.setIdleTimeout(idle);
        });
  }

  // ---------------------------------------------------------------------------- memory and fs

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void aLongerIdleTimeout_outlivesTheConfiguredOne_andEndsAtItsOwn(String driver) throws Exception {
    Satchel satchel = instance(driver);
    String cookie = withIdle(satchel, Duration.ofHours(2));
    clock.advance(Duration.ofMinutes(90));
    assertTrue(isLive(satchel, cookie), "90 idle minutes, under its own 2 h");
    assertEquals(Optional.of(Duration.ofHours(2)), idleOf(satchel, cookie));
    clock.advance(Duration.ofMinutes(119));
    assertTrue(isLive(satchel, cookie), "a read pushes it by its own 2 h, not by 30 min");
    clock.advance(Duration.ofHours(2).plusMinutes(1));
    assertFalse(isLive(satchel, cookie), "idle for longer than its own 2 h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void aShorterIdleTimeout_endsTheSessionBeforeTheConfiguredOne(String driver) throws Exception {
    Satchel satchel = instance(driver);
    String cookie = withIdle(satchel, Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(9));
    assertTrue(isLive(satchel, cookie));
    clock.advance(Duration.ofMinutes(11));
    assertFalse(isLive(satchel, cookie), "11 idle minutes: past its own 10, under the 30");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void zeroOrNegative_neverExpiresByIdleness(String driver) throws Exception {
    Satchel satchel = instance(driver);
    String zero = withIdle(satchel, Duration.ZERO);
    String negative = withIdle(satchel, Duration.ofSeconds(-1));
    for (int i = 0; i < 3; i++) {
      clock.advance(Duration.ofDays(5));
      assertTrue(isLive(satchel, zero), "zero, after " + (i + 1) * 5 + " idle days");
      assertTrue(isLive(satchel, negative), "negative, after " + (i + 1) * 5 + " idle days");
    }
    assertEquals(Optional.of(Duration.ZERO), idleOf(satchel, zero));
    assertEquals(Optional.of(Duration.ofSeconds(-1)), idleOf(satchel, negative), "as set");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void null_revertsToTheConfiguredIdleTimeout(String driver) throws Exception {
    Satchel satchel = instance(driver);
    String cookie = withIdle(satchel, Duration.ofHours(2));
    run(satchel, cookie, s -> s.setIdleTimeout(null));
    assertEquals(Optional.empty(), idleOf(satchel, cookie));
    clock.advance(Duration.ofMinutes(29));
    assertTrue(isLive(satchel, cookie));
    clock.advance(Duration.ofMinutes(31));
    assertFalse(isLive(satchel, cookie), "idle past the configured 30 minutes");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void theIdleTimeout_isStoredWithTheSession_andHiddenFromItsKeys(String driver) throws Exception {
    Satchel satchel = instance(driver);
    String cookie = withIdle(satchel, Duration.ofMinutes(90));
    Session later = satchel.open(cookie, c -> {});
    assertEquals(Optional.of(Duration.ofMinutes(90)), later.idleTimeout());
    assertEquals(List.of("k"), List.copyOf(later.keys()));
    assertTrue(later.entries().keySet().stream().noneMatch(SessionMetadata::isReserved));
  }

  @Test
  void anotherInstance_onTheSameFolder_honoursTheStoredIdleTimeout() throws Exception {
    Satchel first = instance("fs");
    Satchel second = instance("fs");
    String longer = withIdle(first, Duration.ofHours(2));
    String shorter = withIdle(first, Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(90));
    assertTrue(isLive(second, longer));
    assertEquals(Optional.of(Duration.ofHours(2)), idleOf(second, longer));
    assertFalse(isLive(second, shorter));
    clock.advance(Duration.ofMinutes(100));
    assertTrue(isLive(first, longer), "the second instance's read pushed it by its own 2 h");
  }

  @Test
  void aSessionWithoutOne_isStoredAsAstroStoresIt() throws Exception {
    Satchel satchel = instance("memory");
    String cookie = run(satchel, null, s -> s.set("k", "v"));
    Session later = satchel.open(cookie, c -> {});
    assertEquals(Optional.empty(), later.idleTimeout());
    later.setIdleTimeout(null);
    later.commit();
    assertEquals(Optional.empty(), idleOf(satchel, cookie));
  }

  // ---------------------------------------------------------------------------- the driver's view

  @Test
  void theWrite_handsTheDriverTheSessionsOwnExpiry() {
    Requests app = new Requests(b -> b.idleTimeout(CONFIGURED));
    app.run(null, s -> s.setIdleTimeout(Duration.ofHours(2)));
    assertEquals(clock(app).plus(Duration.ofHours(2)), last(app.driver.writeExpiries));
    app.run(null, s -> s.setIdleTimeout(Duration.ofMinutes(10)));
    assertEquals(clock(app).plus(Duration.ofMinutes(10)), last(app.driver.writeExpiries));
    app.run(null, s -> s.setIdleTimeout(Duration.ZERO));
    assertEquals(null, last(app.driver.writeExpiries), "never expires by idleness");
    app.run(null, s -> s.set("k", "v"));
    assertEquals(clock(app).plus(CONFIGURED), last(app.driver.writeExpiries));
  }

  @Test
  void never_stillEndsAtTheAbsoluteLifetime() {
    Requests app = new Requests(b -> b.idleTimeout(CONFIGURED).maxLifetime(Duration.ofDays(1)));
    String cookie = app.run(null, s -> s.setIdleTimeout(Duration.ZERO));
    assertEquals(clock(app).plus(Duration.ofDays(1)), last(app.driver.writeExpiries));
    app.clock.advance(Duration.ofHours(20));
    assertTrue(app.request(cookie).session.exists());
    app.clock.advance(Duration.ofHours(5));
    assertFalse(app.request(cookie).session.exists());
  }

  /**
   * On an instance that has not seen the session (the decoded-session cache off here); one that has
   * reads it once ({@code DecodedSessionsTest}).
   */
  @Test
  void onlyASessionWithItsOwnIdleTimeout_notSeenBefore_costsASecondRead() {
    Requests app = new Requests(b -> b.idleTimeout(CONFIGURED).decodedCacheSize(0));
    String plain = app.run(null, s -> s.set("k", "v"));
    String own =
        app.run(
            null,
            s -> {
              s.set("k", "v");
              s.setIdleTimeout(Duration.ofHours(2));
            });
    String sameAsConfigured = app.run(null, s -> s.setIdleTimeout(CONFIGURED));

    int reads = app.driver.reads.get();
    app.request(plain).session.get("k");
    assertEquals(reads + 1, app.driver.reads.get());

    reads = app.driver.reads.get();
    app.request(own).session.get("k");
    assertEquals(reads + 2, app.driver.reads.get(), "the second pushes by its own 2 h");

    reads = app.driver.reads.get();
    app.request(sameAsConfigured).session.exists();
    assertEquals(reads + 1, app.driver.reads.get(), "its own is what the first read pushed by");
  }

  @Test
  void settingTheStoredValueAgain_writesNothing() {
    Requests app = new Requests(b -> b.idleTimeout(CONFIGURED));
    String cookie = app.run(null, s -> s.setIdleTimeout(Duration.ofHours(2)));
    int writes = app.driver.writes.get();
    app.run(cookie, s -> s.setIdleTimeout(Duration.ofHours(2)));
    app.run(cookie, s -> s.setIdleTimeout(Duration.ofSeconds(7200)));
    assertEquals(writes, app.driver.writes.get());
    app.run(cookie, s -> s.setIdleTimeout(Duration.ofHours(3)));
    assertEquals(writes + 1, app.driver.writes.get());
  }

  @Test
  void withoutAConfiguredIdleTimeout_theSessionsOwnStillApplies() {
    Requests app = new Requests(b -> b.idleTimeout(null));
    String cookie =
        app.run(
            null,
            s -> {
              s.set("k", "v");
              s.setIdleTimeout(Duration.ofMinutes(10));
            });
    app.clock.advance(Duration.ofMinutes(8));
    assertTrue(app.request(cookie).session.has("k"));
    app.clock.advance(Duration.ofMinutes(8));
    assertTrue(app.request(cookie).session.has("k"), "the read pushed it by its own 10 min");
    app.clock.advance(Duration.ofMinutes(11));
    assertFalse(app.request(cookie).session.has("k"));
  }

  @Test
  void sessionsOf_countsTheLastAccess_byTheSessionsOwnIdleTimeout() throws Exception {
    Satchel satchel = instance("memory");
    String cookie =
        run(
            satchel,
            null,
            s -> {
              s.setPrincipal("alice");
              s.setIdleTimeout(Duration.ofHours(2));
            });
    clock.advance(Duration.ofMinutes(40));
    Instant read = clock.instant();
    assertTrue(satchel.open(cookie, c -> {}).exists());
    clock.advance(Duration.ofMinutes(5));
    SessionInfo info = satchel.sessionsOf("alice").get(0);
    assertEquals(read.plus(Duration.ofHours(2)), info.expiresAt());
    assertEquals(read, info.lastAccessedAt());
  }

  private static Instant clock(Requests app) {
    return app.clock.instant();
  }

  private static <T> T last(List<T> list) {
    return list.get(list.size() - 1);
  }
}
