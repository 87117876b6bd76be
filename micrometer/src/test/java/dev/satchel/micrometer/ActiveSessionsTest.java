package dev.satchel.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The active-sessions gauge against a store that goes down and comes back: NaN, never an exception,
 * and the store asked at most once per interval however often it is read.
 */
class ActiveSessionsTest {
  private final Satchel satchel =
      Satchel.builder().driver("switchable").driverOption("store", "active-sessions").build();
  private final SwitchableStoreProvider.SwitchableStore store =
      SwitchableStoreProvider.store("active-sessions");

  @AfterEach
  void close() {
    satchel.close();
  }

  private void newSession() {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "socks", ValueCodecs.strings());
    session.commit();
  }

  @Test
  void theCountIsAskedOncePerIntervalAndIsNanWhileTheStoreIsDown() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    new SatchelMetrics(satchel).bindTo(registry);
    AtomicLong nanos = new AtomicLong(1_000);
    ActiveSessions active = new ActiveSessions(satchel, nanos::get);
    newSession();
    newSession();
    long countsBefore = SatchelMetricsTest.calls(registry, "count");

    assertEquals(2, active.value());
    newSession();
    for (int i = 0; i < 50; i++) {
      assertEquals(2, active.value());
    }
    assertEquals(countsBefore + 1, SatchelMetricsTest.calls(registry, "count"));

    nanos.addAndGet(ActiveSessions.MAX_AGE_NANOS);
    assertEquals(3, active.value());

    store.down(true);
    assertEquals(3, active.value(), "within the interval, the last count");
    nanos.addAndGet(ActiveSessions.MAX_AGE_NANOS);
    assertTrue(Double.isNaN(active.value()));
    for (int i = 0; i < 50; i++) {
      assertTrue(Double.isNaN(active.value()));
    }
    assertEquals(
        1,
        registry
            .get("satchel.store.calls")
            .tag("operation", "count")
            .tag("outcome", "failure")
            .functionTimer()
            .count(),
        "a store that is down is asked once per interval");

    store.down(false);
    nanos.addAndGet(ActiveSessions.MAX_AGE_NANOS);
    assertEquals(3, active.value());
  }

  @Test
  void aPrometheusScrapeWhileTheStoreIsDownShowsNan() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new SatchelMetrics(satchel).bindTo(registry);
    newSession();
    assertTrue(
        registry.scrape().contains("satchel_sessions_active{driver=\"switchable\"} 1"),
        registry.scrape());

    SatchelMetrics bindWhileDown = new SatchelMetrics(satchel);
    store.down(true);
    PrometheusMeterRegistry boundWhileDown = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bindWhileDown.bindTo(boundWhileDown);

    String scraped = boundWhileDown.scrape();
    assertTrue(scraped.contains("satchel_sessions_active{driver=\"switchable\"} NaN"), scraped);
    store.down(false);
  }
}
