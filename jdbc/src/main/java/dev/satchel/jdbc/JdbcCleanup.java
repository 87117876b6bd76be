package dev.satchel.jdbc;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Removes expired markers, sessions nobody reported, and index entries left behind, on one daemon
 * thread per driver. Every batch is a short transaction of its own that passes over rows another
 * instance holds ({@code SKIP LOCKED} on PostgreSQL), so that many instances cleaning at once
 * neither wait on each other nor deadlock, and requests never wait on a clean-up.
 */
final class JdbcCleanup implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.satchel.jdbc");

  /** The most rows one statement of the clean-up removes. */
  static final int BATCH = 500;

  /** How long an expired session waits for an instance to report it before it is removed. */
  static final Duration UNREPORTED_AFTER = Duration.ofHours(1);

  /**
   * How old an index entry without a live session must be to be removed: the core adds one just
   * before its session's first write.
   */
  static final Duration INDEX_GRACE = Duration.ofMinutes(5);

  /** How many passes apart the index is swept for entries left behind: hourly at one a minute. */
  static final int INDEX_SWEEP_EVERY = 60;

  private final ScheduledExecutorService scheduler;

  private JdbcCleanup(ScheduledExecutorService scheduler) {
    this.scheduler = scheduler;
  }

  static JdbcCleanup start(JdbcDriver driver, Duration interval) {
    ScheduledExecutorService scheduler =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "satchel-jdbc-cleanup");
              thread.setDaemon(true);
              return thread;
            });
    long period = interval.toMillis();
    long budget = interval.dividedBy(2).toNanos();
    int[] passes = {0};
    scheduler.scheduleWithFixedDelay(
        () -> {
          try {
            boolean sweepIndex = passes[0]++ % INDEX_SWEEP_EVERY == 0;
            driver.cleanUp(BATCH, UNREPORTED_AFTER, INDEX_GRACE, sweepIndex, budget);
          } catch (RuntimeException e) {
            // The next pass tries again; requests report an outage themselves. A batch the
            // database chose as the loser of a lock conflict with a request (H2 cannot pass over
            // locked rows as PostgreSQL does) just gave way.
            boolean gaveWay =
                e instanceof JdbcStoreException failure
                    && ("40001".equals(failure.sqlState()) || "40P01".equals(failure.sqlState()));
            LOG.log(
                gaveWay ? Level.DEBUG : Level.WARNING,
                "The jdbc store's clean-up "
                    + (gaveWay ? "gave way to a request" : "failed")
                    + "; the next one tries again: "
                    + JdbcFailures.redacted(e));
          }
        },
        // A random first delay, so that instances started together do not clean in step.
        ThreadLocalRandom.current().nextLong(period) + 1,
        period,
        TimeUnit.MILLISECONDS);
    return new JdbcCleanup(scheduler);
  }

  /**
   * Stops the clean-up, waiting a moment for a pass under way so it does not meet a closed pool.
   */
  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
