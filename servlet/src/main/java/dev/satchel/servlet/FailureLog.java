package dev.satchel.servlet;

import dev.satchel.SessionStorageException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * How the filter logs a request it could not serve for the session, so that an outage of the store
 * writes a handful of lines rather than a stack trace per request.
 *
 * <p>A failure of the store itself (the driver threw: the store is down, times out, refuses) is
 * logged by the runtime as an outage, once when it starts, in summaries and once when it ends; each
 * request it fails is logged here at DEBUG only, with its stack trace. Anything else (a commit that
 * lost every attempt to concurrent writers, data that cannot be read under {@code
 * CorruptDataPolicy.FAIL}, an I/O error while answering) is logged at this log's level with its
 * stack trace, and when it repeats at most once per {@link #INTERVAL} with how many there were
 * meanwhile, each one at DEBUG.
 */
final class FailureLog {
  /** The least time between two lines of one kind of failure. */
  static final Duration INTERVAL = Duration.ofSeconds(30);

  private static final System.Logger LOG = System.getLogger("dev.satchel.servlet");

  /**
   * The logs of one filter, each kind of failure limited on its own: requests the store failed
   * (answered 503), saves that failed (500), and changes refused as too large (413), which a client
   * can repeat at will.
   */
  record Kinds(FailureLog storeFailed, FailureLog notSaved, FailureLog refused) {
    static Kinds create() {
      return new Kinds(
          new FailureLog(Level.ERROR), new FailureLog(Level.ERROR), new FailureLog(Level.WARNING));
    }
  }

  private final Level level;
  private final LongSupplier nanoTime;
  private final AtomicLong nextNanos;
  private final AtomicLong unreported = new AtomicLong();

  FailureLog(Level level) {
    this(level, System::nanoTime);
  }

  FailureLog(Level level, LongSupplier nanoTime) {
    this.level = level;
    this.nanoTime = nanoTime;
    this.nextNanos = new AtomicLong(nanoTime.getAsLong());
  }

  /**
   * Logs {@code failure}, which made the filter answer as {@code message} says: at DEBUG when the
   * store failed, as the runtime logged already; otherwise at this log's level, rate-limited.
   */
  void log(String message, Throwable failure) {
    if (isStoreFailure(failure)) {
      LOG.log(Level.DEBUG, message, failure);
      return;
    }
    logRepeating(message, failure);
  }

  /** Logs {@code failure} at this log's level, at most once per {@link #INTERVAL}. */
  void logRepeating(String message, Throwable failure) {
    long now = nanoTime.getAsLong();
    long due = nextNanos.get();
    if (now - due >= 0 && nextNanos.compareAndSet(due, now + INTERVAL.toNanos())) {
      long more = unreported.getAndSet(0);
      LOG.log(
          level,
          message
              + (more == 0
                  ? ""
                  : " (and " + more + (more == 1 ? " time" : " times") + " since the last report)")
              + "; if it repeats, logged at most once every "
              + INTERVAL.toSeconds()
              + " s, each time at DEBUG",
          failure);
    } else {
      unreported.incrementAndGet();
      LOG.log(Level.DEBUG, message, failure);
    }
  }

  /**
   * Whether {@code thrown} is, or was caused by, a failure of the store's driver: a {@link
   * SessionStorageException} whose cause is the driver's own exception. Those Satchel raises itself
   * (a commit that kept losing, unreadable data, a driver without an index) carry no cause, or a
   * checked one.
   */
  static boolean isStoreFailure(Throwable thrown) {
    Throwable cause = thrown;
    // Bounded: a cause chain may loop.
    for (int depth = 0; cause != null && depth < 16; depth++) {
      if (cause instanceof SessionStorageException) {
        return cause.getCause() instanceof RuntimeException;
      }
      cause = cause.getCause();
    }
    return false;
  }
}
