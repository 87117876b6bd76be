package dev.satchel;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Looks for expired sessions every interval, on one daemon thread per {@link Satchel}, so that
 * listeners hear of sessions nobody ended. The first check comes after a random part of the
 * interval, so that instances started together do not check in step.
 */
final class ExpiryCheck implements AutoCloseable {
  /** How many expired sessions one call to the driver claims. */
  static final int BATCH = 500;

  /** How long closing waits for a check under way. */
  static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  private final ScheduledExecutorService scheduler;

  private ExpiryCheck(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  /**
   * Starts checking {@code store} every {@code interval}; does nothing with no interval, or for a
   * driver that cannot report expiry.
   */
  static ExpiryCheck start(SessionStore store, Duration interval) {
    if (interval == null || !store.reportsExpiry()) {
      return new ExpiryCheck(null);
    }
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "satchel-expiry-check");
              thread.setDaemon(true);
              return thread;
            });
    long period = interval.toMillis();
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            // Half the interval at most, so that checks do not run back to back.
            store.claimExpired(BATCH, interval.dividedBy(2));
          } catch (SessionStorageException e) {
            // Logged as part of the store's outage; the next check tries again.
          } catch (Throwable e) {
            // Anything escaping would end the periodic check for good, silently.
            System.getLogger("dev.satchel")
                .log(
                    System.Logger.Level.WARNING,
                    "Checking for expired sessions failed; the next check tries again",
                    LogRedaction.throwable(e));
          }
        },
        ThreadLocalRandom.current().nextLong(period) + 1,
        period,
        TimeUnit.MILLISECONDS);
    return new ExpiryCheck(scheduler);
  }

  /**
   * Stops checking. A check under way is let finish rather than interrupted, as an interrupted
   * store call would read as the store failing; it is interrupted only if it takes longer than
   * {@link #CLOSE_GRACE}.
   */
  @Override
  public void close() {
    if (scheduler == null) {
      return;
    }
    scheduler.shutdown();
    try {
      if (!scheduler.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        scheduler.shutdownNow();
      }
    } catch (InterruptedException e) {
      scheduler.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
