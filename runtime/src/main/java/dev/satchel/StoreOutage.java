package dev.satchel;

import dev.satchel.spi.SessionIds;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * Logs a store that fails as an outage rather than once per call: a warning with the cause when it
 * starts, a summary of the calls that failed at most once per {@link #SUMMARY_INTERVAL} while it
 * lasts, and one line when the store answers again. Each failure's stack trace is logged at DEBUG.
 * Under load an outage of any length so writes a handful of lines instead of one per request.
 *
 * <p>A store that flaps (fails, answers, fails again) starts at most one announced outage per
 * interval: a failure within {@link #SUMMARY_INTERVAL} of the last announced start begins a quiet
 * outage, logged at DEBUG, which is announced by a summary if it lasts until the interval is over
 * and otherwise counted in the next announced start.
 *
 * <p>Session IDs in a driver's messages (a file named after the session, a key) never reach a line
 * at WARNING or INFO: they are replaced by their {@link SessionIds#fingerprint fingerprint}, in the
 * message and in the stack trace logged with it ({@link LogRedaction}).
 */
final class StoreOutage {
  private static final System.Logger LOG = System.getLogger("dev.satchel");

  /** The least time between two summaries of an outage that goes on. */
  static final Duration SUMMARY_INTERVAL = Duration.ofSeconds(30);

  /**
   * One outage: {@code announced} when its start or a summary was logged at WARNING, so that its
   * end is logged at INFO too.
   */
  private static final class Outage {
    final long startedNanos;
    final AtomicLong failures = new AtomicLong(1);
    final AtomicLong nextSummaryNanos;
    volatile boolean announced;

    Outage(long startedNanos, long nextSummaryNanos, boolean announced) {
      this.startedNanos = startedNanos;
      this.nextSummaryNanos = new AtomicLong(nextSummaryNanos);
      this.announced = announced;
    }
  }

  private final String driver;
  private final LongSupplier nanoTime;
  private final AtomicReference<Outage> current = new AtomicReference<>();
  private final Object announcing = new Object();

  /** When the last announced outage started; meaningful once {@link #anyAnnounced} is set. */
  private long lastAnnouncedNanos;

  private boolean anyAnnounced;
  private long quietOutages;
  private long quietFailures;

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
    while (outage == null) {
      long now = nanoTime.getAsLong();
      synchronized (announcing) {
        boolean announce = !anyAnnounced || now - lastAnnouncedNanos >= SUMMARY_INTERVAL.toNanos();
        Outage started =
            new Outage(
                now,
                announce
                    ? now + SUMMARY_INTERVAL.toNanos()
                    : lastAnnouncedNanos + SUMMARY_INTERVAL.toNanos(),
                announce);
        if (current.compareAndSet(null, started)) {
          if (announce) {
            anyAnnounced = true;
            lastAnnouncedNanos = now;
            long earlierOutages = quietOutages;
            long earlierFailures = quietFailures;
            quietOutages = 0;
            quietFailures = 0;
            LOG.log(
                Level.WARNING,
                "The "
                    + driver
                    + " session store is failing: "
                    + action
                    + " failed ("
                    + LogRedaction.text(cause)
                    + "). Requests that need a session fail until it answers again; further"
                    + " failures are summarized every "
                    + SUMMARY_INTERVAL.toSeconds()
                    + " s, each with its stack trace at DEBUG."
                    + (earlierOutages == 0
                        ? ""
                        : " Since the last report it also failed briefly "
                            + earlierOutages
                            + (earlierOutages == 1 ? " time (" : " times (")
                            + earlierFailures
                            + (earlierFailures == 1 ? " call)." : " calls).")),
                LogRedaction.throwable(failure));
          } else {
            logEach(action, failure);
          }
          return;
        }
      }
      // Another call started it meanwhile, or started and ended one: count this failure in it.
      outage = current.get();
    }
    long failures = outage.failures.incrementAndGet();
    logEach(action, failure);
    long now = nanoTime.getAsLong();
    long due = outage.nextSummaryNanos.get();
    if (now - due >= 0
        && outage.nextSummaryNanos.compareAndSet(due, now + SUMMARY_INTERVAL.toNanos())) {
      boolean wasAnnounced = outage.announced;
      if (!wasAnnounced) {
        synchronized (announcing) {
          outage.announced = true;
          lastAnnouncedNanos = now;
        }
      }
      LOG.log(
          Level.WARNING,
          "The "
              + driver
              + " session store is still failing after "
              + seconds(now - outage.startedNanos)
              + (wasAnnounced ? "" : " (it failed again soon after it had answered)")
              + ": "
              + failures
              + " calls failed so far, the last with: "
              + LogRedaction.text(cause));
    }
  }

  private void logEach(String action, Throwable failure) {
    if (LOG.isLoggable(Level.DEBUG)) {
      LOG.log(Level.DEBUG, action + " failed", failure);
    }
  }

  /** A call to the store returned: ends an outage, if one is going on. */
  void answered() {
    Outage outage = current.get();
    if (outage == null || !current.compareAndSet(outage, null)) {
      return;
    }
    long failures = outage.failures.get();
    String line =
        "The "
            + driver
            + " session store answers again after "
            + seconds(nanoTime.getAsLong() - outage.startedNanos)
            + "; "
            + failures
            + (failures == 1 ? " call" : " calls")
            + " failed meanwhile";
    boolean announced;
    synchronized (announcing) {
      // Read under the lock: a summary that announced it just now is seen.
      announced = outage.announced;
      if (!announced) {
        quietOutages++;
        quietFailures += failures;
      }
    }
    LOG.log(announced ? Level.INFO : Level.DEBUG, line);
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }
}
