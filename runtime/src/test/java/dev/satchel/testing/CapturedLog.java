package dev.satchel.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records a test's own code logs to a logger, kept while open; what it keeps is chosen by a
 * filter, as other tests in the JVM log to the same logger. Closing restores the logger's level.
 */
public final class CapturedLog implements AutoCloseable {
  private final Logger logger;
  private final Level levelBefore;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler handler;

  private CapturedLog(String loggerName, Predicate<LogRecord> keep) {
    this.logger = Logger.getLogger(loggerName);
    this.levelBefore = logger.getLevel();
    this.handler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (keep.test(record)) {
              records.add(record);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    handler.setLevel(Level.ALL);
    logger.addHandler(handler);
  }

  /** Starts keeping what {@code loggerName} logs that {@code keep} accepts. */
  public static CapturedLog of(String loggerName, Predicate<LogRecord> keep) {
    return new CapturedLog(loggerName, keep);
  }

  /** The logger, to set the level a test needs; closing sets it back. */
  public Logger logger() {
    return logger;
  }

  /** What was kept so far, in order. */
  public List<LogRecord> records() {
    return records;
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(levelBefore);
  }
}
