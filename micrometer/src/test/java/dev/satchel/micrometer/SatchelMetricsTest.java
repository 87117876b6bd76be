package dev.satchel.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionEvent;
import dev.satchel.SessionSizeException;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.spi.SessionIds;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every meter on the memory driver, moved by real requests on a real {@link Satchel}. */
class SatchelMetricsTest {
  private static final String PRINCIPAL = "ann@example.com";

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<SessionEvent> events = new ArrayList<>();
  private Satchel satchel;

  @BeforeEach
  void bind() {
    satchel = memory(Satchel.builder());
    new SatchelMetrics(satchel).bindTo(registry);
  }

  private Satchel memory(Satchel.Builder builder) {
    return builder
        .driver("memory")
        .clock(clock)
        // The test looks for expired sessions itself; a year keeps the periodic check away.
        .expiryCheckInterval(Duration.ofDays(365))
        .listener(events::add)
        .build();
  }

  @AfterEach
  void close() {
    satchel.close();
  }

  private Session open(String id) {
    return satchel.open(id, cookie -> {});
  }

  private String newSession() {
    Session session = open(null);
    session.set("cart", "socks", ValueCodecs.strings());
    session.commit();
    return session.id().orElseThrow();
  }

  private String logIn(String principal) {
    Session session = open(newSession());
    session.regenerate();
    session.setPrincipal(principal);
    session.commit();
    return session.id().orElseThrow();
  }

  static double sessions(MeterRegistry registry, String event, String reason) {
    return registry
        .get("satchel.sessions")
        .tag("event", event)
        .tag("reason", reason)
        .counter()
        .count();
  }

  private double sessions(String event, String reason) {
    return sessions(registry, event, reason);
  }

  private double sessions(String event) {
    return sessions(event, "none");
  }

  static double commits(MeterRegistry registry, String outcome) {
    return registry.get("satchel.commits").tag("outcome", outcome).counter().count();
  }

  private double commits(String outcome) {
    return commits(registry, outcome);
  }

  static long calls(MeterRegistry registry, String operation) {
    return (long)
        registry
            .get("satchel.store.calls")
            .tag("operation", operation)
            .tag("outcome", "success")
            .tag("exception", "none")
            .functionTimer()
            .count();
  }

  private long calls(String operation) {
    return calls(registry, operation);
  }

  /** Every {@code satchel.sessions} series, as "event/reason" to count, leaving out zeros. */
  private Map<String, Double> sessionCounts() {
    Map<String, Double> counts = new HashMap<>();
    registry
        .get("satchel.sessions")
        .counters()
        .forEach(
            counter -> {
              if (counter.count() != 0) {
                counts.put(
                    counter.getId().getTag("event") + "/" + counter.getId().getTag("reason"),
                    counter.count());
              }
            });
    return counts;
  }

  private Map<String, Double> commitCounts() {
    Map<String, Double> counts = new HashMap<>();
    registry
        .get("satchel.commits")
        .counters()
        .forEach(
            counter -> {
              if (counter.count() != 0) {
                counts.put(counter.getId().getTag("outcome"), counter.count());
              }
            });
    return counts;
  }

  @Test
  void everySeriesIsThereFromTheStartAtZero() {
    assertEquals(Map.of(), sessionCounts());
    assertEquals(Map.of(), commitCounts());
    Set<String> series = new TreeSet<>();
    registry
        .get("satchel.sessions")
        .counters()
        .forEach(c -> series.add(c.getId().getTag("event") + "/" + c.getId().getTag("reason")));
    assertEquals(
        new TreeSet<>(
            List.of(
                "created/none",
                "id.changed/none",
                "expired/none",
                "destroyed/log.out",
                "destroyed/ended",
                "destroyed/ended.all",
                "destroyed/limit",
                "destroyed/lifetime")),
        series);
    Set<String> outcomes = new TreeSet<>();
    registry
        .get("satchel.commits")
        .counters()
        .forEach(c -> outcomes.add(c.getId().getTag("outcome")));
    assertEquals(
        new TreeSet<>(List.of("written", "conflicted", "refused.size", "failed", "dropped")),
        outcomes);
    assertEquals(0, registry.get("satchel.updates.retried").counter().count());
    assertEquals(0, registry.get("satchel.session.size").summary().count());
    for (String operation : Meters.OPERATIONS) {
      // Binding asks the driver once whether it counts sessions.
      assertEquals(operation.equals("count") ? 1 : 0, calls(operation), operation);
    }
  }

  @Test
  void aNewSessionCommitted() {
    newSession();

    assertEquals(Map.of("created/none", 1.0), sessionCounts());
    assertEquals(Map.of("written", 1.0), commitCounts());
    assertEquals(1, calls("write"));
    assertEquals(1, registry.get("satchel.session.size").summary().count());
    assertTrue(registry.get("satchel.session.size").summary().totalAmount() > 0);
    assertEquals(
        "characters", registry.get("satchel.session.size").summary().getId().getBaseUnit());
  }

  @Test
  void aRegenerateChangesTheId() {
    String id = newSession();
    Session login = open(id);
    login.regenerate();
    login.commit();

    assertEquals(Map.of("created/none", 1.0, "id.changed/none", 1.0), sessionCounts());
    assertEquals(Map.of("written", 2.0), commitCounts());
    assertEquals(1, calls("replace"));
  }

  @Test
  void aLogOutDestroysTheSession() {
    String id = logIn(PRINCIPAL);
    Session logout = open(id);
    logout.get("cart", ValueCodecs.strings());
    logout.destroy();
    logout.commit();

    assertEquals(
        Map.of("created/none", 1.0, "id.changed/none", 1.0, "destroyed/log.out", 1.0),
        sessionCounts());
    assertEquals(1, calls("retire"));
    assertEquals(1, calls("unindex"));
  }

  @Test
  void endingSessionsCountsByReason() {
    logIn(PRINCIPAL);
    logIn(PRINCIPAL);
    String other = newSession();
    String limited = newSession();

    assertEquals(2, satchel.endSessionsOf(PRINCIPAL));
    satchel.endSession(other);
    satchel.endSession(limited, SessionEvent.Reason.LIMIT);

    assertEquals(
        Map.of(
            "created/none",
            4.0,
            "id.changed/none",
            2.0,
            "destroyed/ended.all",
            2.0,
            "destroyed/ended",
            1.0,
            "destroyed/limit",
            1.0),
        sessionCounts());
    assertEquals(1, calls("indexed"));
  }

  @Test
  void anExpiredSessionFoundByTheCheck() {
    newSession();
    newSession();
    clock.advance(satchel.idleTimeout().plusMinutes(1));

    assertEquals(2, satchel.checkExpiredSessions());

    assertEquals(Map.of("created/none", 2.0, "expired/none", 2.0), sessionCounts());
    assertTrue(calls("claim-expired") >= 1);
  }

  @Test
  void aCommitRefusedForItsSize() {
    satchel.close();
    satchel = memory(Satchel.builder().maxSessionSize(200));
    new SatchelMetrics(satchel).bindTo(registry);
    Session session = open(null);
    session.set("cart", "x".repeat(300), ValueCodecs.strings());

    assertThrows(SessionSizeException.class, session::commit);

    assertEquals(Map.of("refused.size", 1.0), commitCounts());
    assertEquals(Map.of(), sessionCounts());
    assertEquals(0, calls("write"));
    assertEquals(0, registry.get("satchel.session.size").summary().count());
  }

  @Test
  void twoRequestsRacingOnOneSession() {
    String id = newSession();
    Session first = open(id);
    Session second = open(id);
    first.get("cart", ValueCodecs.strings());
    second.get("cart", ValueCodecs.strings());
    first.set("cart", "shoes", ValueCodecs.strings());
    second.set("wishlist", "hat", ValueCodecs.strings());

    first.commit();
    assertEquals(Map.of("written", 2.0), commitCounts());
    second.commit();

    assertEquals(Map.of("written", 3.0, "conflicted", 1.0), commitCounts());
    assertEquals(4, calls("write"));
    Session after = open(id);
    assertEquals("shoes", after.get("cart", ValueCodecs.strings()).orElseThrow());
    assertEquals("hat", after.get("wishlist", ValueCodecs.strings()).orElseThrow());
  }

  @Test
  void anUpdateThatLosesARaceRunsAgain() {
    String id = newSession();
    Session session = open(id);
    AtomicBoolean raced = new AtomicBoolean();

    int visits =
        session.update(
            "visits",
            ValueCodecs.integers(),
            current -> {
              if (raced.compareAndSet(false, true)) {
                Session other = open(id);
                other.set("wishlist", "hat", ValueCodecs.strings());
                other.commit();
              }
              return current == null ? 1 : current + 1;
            });

    assertEquals(1, visits);
    assertEquals(1, registry.get("satchel.updates.retried").counter().count());
    assertEquals(Map.of("written", 3.0, "conflicted", 1.0), commitCounts());
  }

  @Test
  void changesToASessionEndedMeanwhileAreDropped() {
    String id = newSession();
    Session late = open(id);
    late.get("cart", ValueCodecs.strings());
    Session logout = open(id);
    logout.destroy();
    logout.commit();
    late.set("cart", "shoes", ValueCodecs.strings());

    late.commit();

    // The first attempt loses to the log-out; the second finds the session ended.
    assertEquals(Map.of("written", 1.0, "conflicted", 1.0, "dropped", 1.0), commitCounts());
    assertEquals(Map.of("created/none", 1.0, "destroyed/log.out", 1.0), sessionCounts());
  }

  @Test
  void readsFindTheDecodedSessionCached() {
    String id = newSession();
    for (int i = 0; i < 3; i++) {
      assertEquals("socks", open(id).get("cart", ValueCodecs.strings()).orElseThrow());
    }

    assertEquals(3, registry.get("satchel.decoded.cache").tag("result", "hit").counter().count());
    assertEquals(0, registry.get("satchel.decoded.cache").tag("result", "miss").counter().count());
    assertEquals(3, calls("read"));
    assertEquals(1, calls("write"));
  }

  @Test
  void theStoreCallTimerCountsEachOperation() {
    String id = newSession();
    for (int i = 0; i < 4; i++) {
      Session session = open(id);
      session.set("visits", i, ValueCodecs.integers());
      session.commit();
    }
    satchel.ping();
    assertTrue(satchel.countSessions().isPresent());

    assertEquals(4, calls("read"));
    assertEquals(5, calls("write"));
    assertEquals(1, calls("ping"));
    // One count at bind time tells whether the driver counts; this is the second.
    assertEquals(2, calls("count"));
    FunctionTimer read =
        registry.get("satchel.store.calls").tag("operation", "read").functionTimer();
    assertTrue(read.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
    assertTrue(
        registry.find("satchel.store.calls").tag("outcome", "failure").functionTimers().isEmpty(),
        "no failures");
  }

  @Test
  void fastCallsAreAllCountedAndSomeTimed() {
    String id = newSession();
    for (int i = 0; i < 2_000; i++) {
      open(id).get("cart", ValueCodecs.strings());
    }

    FunctionTimer reads =
        registry.get("satchel.store.calls").tag("operation", "read").functionTimer();
    assertEquals(2_000, reads.count());
    // The first call of an operation is always timed; memory calls are fast, so then one in 16.
    assertTrue(reads.totalTime(java.util.concurrent.TimeUnit.NANOSECONDS) > 0);
  }

  @Test
  void slowCallsAreEachTimed() throws Exception {
    try (Satchel slow =
        Satchel.builder().driver("counting").driverOption("store", "slow-writes").build()) {
      SimpleMeterRegistry slowRegistry = new SimpleMeterRegistry();
      new SatchelMetrics(slow).bindTo(slowRegistry);
      // Each write waits 2 ms inside the driver, as a store across a network would.
      AutoCloseable pauses =
          dev.satchel.testing.CountingDriverProvider.store("slow-writes").interfere(() -> pause(2));
      for (int i = 0; i < 40; i++) {
        Session session = slow.open(null, cookie -> {});
        session.set("cart", "socks", ValueCodecs.strings());
        session.commit();
      }
      pauses.close();

      assertEquals(40, calls(slowRegistry, "write"));
      FunctionTimer writes =
          slowRegistry.get("satchel.store.calls").tag("operation", "write").functionTimer();
      double millis = writes.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS);
      assertTrue(millis >= 40 * 2, "every slow write timed: " + millis + " ms");
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void theActiveSessionsGaugeReadsTheDriversCount() {
    newSession();
    newSession();
    newSession();

    assertEquals(3, registry.get("satchel.sessions.active").gauge().value());
  }

  @Test
  void everyMeterIsTaggedWithTheDriverAndNoneWithASessionOrItsUser() {
    String ann = logIn(PRINCIPAL);
    logIn("bob");
    String cart = newSession();
    open(cart).get("cart", ValueCodecs.strings());
    Session logout = open(ann);
    logout.destroy();
    logout.commit();
    satchel.endSessionsOf("bob");
    newSession();
    clock.advance(Duration.ofHours(1));
    satchel.checkExpiredSessions();
    registry.get("satchel.sessions.active").gauge().value();

    Set<String> secrets = new TreeSet<>(List.of(PRINCIPAL, "bob"));
    for (SessionEvent event : events) {
      secrets.add(event.sessionId());
      secrets.add(SessionIds.fingerprint(event.sessionId()));
      if (event instanceof SessionEvent.IdChanged changed) {
        secrets.add(changed.previousId());
        secrets.add(SessionIds.fingerprint(changed.previousId()));
      }
    }
    assertTrue(secrets.size() > 10, "the flows above made sessions: " + secrets);
    assertTagsClean(registry, "memory", secrets);
  }

  static void assertTagsClean(MeterRegistry registry, String driver, Set<String> secrets) {
    assertFalse(registry.getMeters().isEmpty());
    Map<String, List<String>> keysByName = new HashMap<>();
    for (Meter meter : registry.getMeters()) {
      Meter.Id id = meter.getId();
      assertTrue(id.getName().startsWith("satchel."), id.toString());
      assertEquals(driver, id.getTag("driver"), id.toString());
      List<String> keys = new ArrayList<>();
      for (Tag tag : id.getTags()) {
        keys.add(tag.getKey());
        for (String secret : secrets) {
          assertFalse(tag.getValue().contains(secret), id + " names " + secret);
          assertFalse(tag.getKey().contains(secret), id + " names " + secret);
        }
      }
      // Prometheus refuses series of one name with different tag keys.
      List<String> before = keysByName.putIfAbsent(id.getName(), keys);
      assertTrue(before == null || before.equals(keys), id + " next to " + before);
    }
  }

  @Test
  void bindingToTwoRegistriesReportsToEachOnce() {
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    SatchelMetrics metrics = new SatchelMetrics(satchel);
    SimpleMeterRegistry first = new SimpleMeterRegistry();
    metrics.bindTo(first);
    metrics.bindTo(second);
    metrics.bindTo(first);

    String id = newSession();
    open(id).get("cart", ValueCodecs.strings());

    for (MeterRegistry each : List.of(first, second)) {
      assertEquals(1, sessions(each, "created", "none"));
      assertEquals(1, commits(each, "written"));
      assertEquals(1, calls(each, "write"));
      assertEquals(1, calls(each, "read"));
      assertEquals(1, each.get("satchel.decoded.cache").tag("result", "hit").counter().count());
    }
  }
}
