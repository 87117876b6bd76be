package dev.satchel;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Logs a store that fails as an outage rather than once per call: a warning with the cause when it
 * starts, a summary of the calls that failed at most once per {@link #SUMMARY_INTERVAL} while it
 * lasts, and one line when the store answers again. Each failure's stack trace is logged at DEBUG.
 * Under load an outage of any length so writes a handful of lines instead of one per request.
 */
final class StoreOutage {
  private static final System.Logger LOG = System.getLogger("dev.satchel");

  /** The least time between two summaries of an outage that goes on. */
  static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(30);

  private record Outage(long startedNanos, AtomicLong failures, AtomicLong nextSummaryNanos) {}

  private final String driver;
  private final LongSupplier nanoTime;
  private final AtomicReference<Outage> current = new AtomicReference<>();

  StoreOutage(String driver) {
    this(driver, System::nanoTime);
  }

  StoreOutage(String driver, LongSupplier nanoTime) {
    this.driver = driver;
    this.nanoTime = nanoTime;
  }

  /** Whether the store is failing now, as its last calls tell. */
  boolean isOngoing() {
    return current.get() != null;
  }

  /** A call to the store failed with {@code failure}, described as {@code action}. */
  void failed(String action, String cause, Throwable failure) {
    Outage outage = current.get();
    if (outage == null) {
      long now = nanoTime.getAsLong();
      Outage started =
          new Outage(now, new AtomicLong(1), new AtomicLong(now + SUMMARY_INTERVAL.toNanos()));
      if (current.compareAndSet(null, started)) {
        LOG.log(
            Level.WARNING,
            "The "
                + driver
                + " session store is failing: "
                + action
                + " failed ("
                + cause
                + "). Requests that need a session fail until it answers again; further failures"
                + " are summarized every "
                + SUMMARY_INTERVAL.toSeconds()
                + " s, each with its stack trace at DEBUG.",
            failure);
        return;
      }
      outage = current.get();
      if (outage == null) {
        // Ended between the two reads: this failure starts the next one.
        failed(action, cause, failure);
        return;
      }
    }
    long failures = outage.failures().incrementAndGet();
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, action + " the " + driver + " session store failed", failure);
    }
    long now = nanoTime.getAsLong();
    long due = outage.nextSummaryNanos().get();
    if (now - due >= 0
        && outage.nextSummaryNanos().compareAndSet(due, now + SUMMARY_INTERVAL.toNanos())) {
      LOG.log(
          Level.WARNING,
          "The "
              + driver
              + " session store is still failing after "
              + seconds(now - outage.startedNanos())
              + ": "
              + failures
              + " calls failed so far, the last with: "
              + cause);
    }
  }

  /** A call to the store returned: ends an outage, if one is going on. */
  void answered() {
    Outage outage = current.get();
    if (outage != null && current.compareAndSet(outage, null)) {
      LOG.log(
          Level.INFO,
          "The "
              + driver
              + " session store answers again after "
              + seconds(nanoTime.getAsLong() - outage.startedNanos())
              + "; "
              + outage.failures().get()
              + (outage.failures().get() == 1 ? " call" : " calls")
              + " failed meanwhile");
    }
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
