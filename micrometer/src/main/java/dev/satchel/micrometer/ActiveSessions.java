package dev.satchel.micrometer;

import dev.satchel.Satchel;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * The {@code satchel.sessions.active} gauge: the driver's count, asked at most once per {@link
 * #MAX_AGE_NANOS} however often the registry is scraped, and NaN while the store fails, so that a
 * scrape neither throws nor waits on a store that is down more than once per interval.
 */
final class ActiveSessions {
  static final long MAX_AGE_NANOS = 5_000_000_000L;

  private final Satchel satchel;
  private final LongSupplier nanoTime;
  private long countedAt;
  private boolean counted;
  private double value = Double.NaN;

  ActiveSessions(Satchel satchel, LongSupplier nanoTime) {
    this.satchel = satchel;
    this.nanoTime = nanoTime;
  }

  static void register(MeterRegistry registry, Satchel satchel, String driver) {
    ActiveSessions active = new ActiveSessions(satchel, System::nanoTime);
    Gauge.builder("satchel.sessions.active", active, ActiveSessions::value)
        .description(
            "Sessions in the store, counted at most every 5 seconds; may include sessions that"
                + " expired moments ago")
        .tag("driver", driver)
        .strongReference(true)
        .register(registry);
  }

  synchronized double value() {
    long now = nanoTime.getAsLong();
    if (!counted || now - countedAt >= MAX_AGE_NANOS) {
      value = count();
      countedAt = now;
      counted = true;
    }
    return value;
  }

  private double count() {
    try {
      OptionalLong count = satchel.countSessions();
      return count.isPresent() ? count.getAsLong() : Double.NaN;
    } catch (RuntimeException e) {
      // A SessionStorageException, logged as part of the store's outage: a scrape goes on.
      return Double.NaN;
    }
  }
}
