package dev.satchel.it.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionEvent;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.redis.RedisClusterProcess;
import dev.satchel.redis.RedisServer;
import dev.satchel.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Expired sessions reach a {@link dev.satchel.SessionListener} through Satchel on every driver that
 * reports them: memory, fs, one Redis server and a Redis Cluster. A session left alone is told
 * expired once; one that was logged out or moved to a new ID is told so and never told expired; and
 * two Satchels on one store tell each expired session once between them. Memory and fs run on a
 * clock the test moves; Redis keeps its own time, so there the sessions get an idle timeout of a
 * few seconds and the test waits for real.
 */
final class ExpiryEventsTest {
  @RegisterExtension static final RedisServer redis = new RedisServer();

  /** Long enough for any event that is coming; waiting ends as soon as it comes. */
  private static final Duration PATIENCE = Duration.ofSeconds(60);

  private static final Duration CHECK_INTERVAL = Duration.ofMillis(100);

  private static RedisClusterProcess cluster;

  private final MutableClock clock = new MutableClock();
  private final List<Satchel> opened = new ArrayList<>();
  private Path folder;

  @BeforeAll
  static void startCluster() {
    cluster = RedisClusterProcess.start(3, 0);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void close() throws Exception {
    opened.forEach(Satchel::close);
    if (folder != null) {
      try (Stream<Path> files = Files.walk(folder)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private static boolean keepsItsOwnTime(String driver) {
    return driver.startsWith("redis");
  }

  /** The idle timeout: half an hour on the test's clock, or a few seconds of Redis's. */
  private static Duration idle(String driver) {
    return keepsItsOwnTime(driver) ? Duration.ofSeconds(2) : Duration.ofMinutes(30);
  }

  /** A Satchel on {@code driver}, telling its events to {@code events}; all share one store. */
  private Satchel satchel(String driver, List<SessionEvent> events) throws Exception {
    Satchel.Builder builder =
        Satchel.builder()
            .idleTimeout(idle(driver))
            .expiryCheckInterval(CHECK_INTERVAL)
            .listener(events::add);
    switch (driver) {
      case "memory" -> builder.driver("memory").clock(clock);
      case "fs" -> {
        if (folder == null) {
          folder = Files.createTempDirectory("satchel-expiry-events");
        }
        builder
            .driver("fs")
            .driverOption("base", folder.toString())
            .driverOption("fsync", "false")
            .clock(clock);
      }
      case "redis" -> builder.driver("redis").driverOption("url", redis.url());
      case "redis-cluster" -> builder.driver("redis").driverOption("url", cluster.url());
      default -> throw new IllegalArgumentException(driver);
    }
    Satchel satchel = builder.build();
    opened.add(satchel);
    assertTrue(satchel.reportsExpiry(), driver + " reports expired sessions");
    return satchel;
  }

  /** A visitor's first request: a cart, committed. Returns the new session's ID. */
  private static String visit(Satchel satchel) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "socks", ValueCodecs.strings());
    session.commit();
    return session.id().orElseThrow();
  }

  /** Lets the sessions' idle timeout pass: moves the test clock, or lets Redis's time run. */
  private void letTheIdleTimeoutPass(String driver) {
    if (!keepsItsOwnTime(driver)) {
      clock.advance(idle(driver).plusMinutes(1));
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    RedisClusterProcess.await(PATIENCE, condition, what);
  }

  /** How many {@link SessionEvent.Expired} each session ID got, over all {@code lists}. */
  @SafeVarargs
  private static Map<String, Integer> expiredCounts(List<SessionEvent>... lists) {
    Map<String, Integer> counts = new TreeMap<>();
    for (List<SessionEvent> events : lists) {
      for (SessionEvent event : events) {
        if (event instanceof SessionEvent.Expired expired) {
          counts.merge(expired.sessionId(), 1, Integer::sum);
        }
      }
    }
    return counts;
  }

  /** Lets every Satchel check twice more, so that a second report would have come. */
  private void checkAgain() throws InterruptedException {
    for (int round = 0; round < 2; round++) {
      for (Satchel satchel : opened) {
        satchel.checkExpiredSessions();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "redis-cluster"})
  void aSessionLeftAlone_isToldExpiredOnce(String driver) throws Exception {
    List<SessionEvent> events = new CopyOnWriteArrayList<>();
    Satchel satchel = satchel(driver, events);
    String id = visit(satchel);
    assertTrue(
        events.stream()
            .anyMatch(
                e -> e instanceof SessionEvent.Created created && created.sessionId().equals(id)),
        events.toString());

    letTheIdleTimeoutPass(driver);
    await(() -> expiredCounts(events).containsKey(id), "the session's Expired event");
    checkAgain();
    assertEquals(1, expiredCounts(events).get(id), events.toString());
    assertTrue(
        satchel.open(id, cookie -> {}).get("cart", ValueCodecs.strings()).isEmpty(),
        "its data is gone");
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis", "redis-cluster"})
  void aSessionLoggedOutOrMoved_isToldSo_andNeverToldExpired(String driver) throws Exception {
    List<SessionEvent> events = new CopyOnWriteArrayList<>();
    Satchel satchel = satchel(driver, events);
    String loggedOut = visit(satchel);
    String moved = visit(satchel);
    String leftAlone = visit(satchel);

    Session logout = satchel.open(loggedOut, cookie -> {});
    logout.get("cart", ValueCodecs.strings());
    logout.destroy();
    logout.commit();
    Session login = satchel.open(moved, cookie -> {});
    login.regenerate();
    login.setPrincipal("alice");
    login.commit();
    String successor = login.id().orElseThrow();

    assertTrue(
        events.stream()
            .anyMatch(
                e ->
                    e instanceof SessionEvent.Destroyed destroyed
                        && destroyed.sessionId().equals(loggedOut)
                        && destroyed.reason() == SessionEvent.Reason.LOG_OUT),
        events.toString());
    assertTrue(
        events.stream()
            .anyMatch(
                e ->
                    e instanceof SessionEvent.IdChanged changed
                        && changed.previousId().equals(moved)
                        && changed.sessionId().equals(successor)),
        events.toString());

    letTheIdleTimeoutPass(driver);
    await(
        () -> expiredCounts(events).keySet().containsAll(Set.of(leftAlone, successor)),
        "the Expired events of the session left alone and of the moved one's successor");
    checkAgain();
    assertEquals(
        Map.of(leftAlone, 1, successor, 1),
        filtered(expiredCounts(events), Set.of(loggedOut, moved, leftAlone, successor)),
        events.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"fs", "redis", "redis-cluster"})
  void twoSatchelsOnOneStore_tellEachExpiredSessionOnceBetweenThem(String driver) throws Exception {
    List<SessionEvent> first = new CopyOnWriteArrayList<>();
    List<SessionEvent> second = new CopyOnWriteArrayList<>();
    Satchel one = satchel(driver, first);
    Satchel two = satchel(driver, second);
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < 40; i++) {
      ids.add(visit(i % 2 == 0 ? one : two));
    }

    letTheIdleTimeoutPass(driver);
    await(
        () -> expiredCounts(first, second).keySet().containsAll(ids),
        "every session's Expired event");
    checkAgain();
    Map<String, Integer> counts = filtered(expiredCounts(first, second), ids);
    assertEquals(ids, counts.keySet());
    assertTrue(counts.values().stream().allMatch(count -> count == 1), counts.toString());
    System.out.printf(
        "%s: of %d expired sessions, one Satchel told %d and the other %d.%n",
        driver,
        ids.size(),
        filtered(expiredCounts(first), ids).size(),
        filtered(expiredCounts(second), ids).size());
  }

  /** The entries of {@code counts} for {@code ids}: the store may hold other tests' sessions. */
  private static Map<String, Integer> filtered(Map<String, Integer> counts, Set<String> ids) {
    Map<String, Integer> kept = new TreeMap<>(counts);
    kept.keySet().retainAll(ids);
    return kept;
  }
}
