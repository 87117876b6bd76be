package dev.satchel.it.jdbc;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Every line Satchel logs under {@code dev.satchel} (its {@code System.Logger} writes to {@code
 * java.util.logging} here), DEBUG included, where each failed request's exception is logged.
 */
final class LogCapture extends Handler implements AutoCloseable {
  /** Held here: java.util.logging keeps its loggers weakly, and with them their levels. */
  private final Logger satchel = Logger.getLogger("dev.satchel");

  private final Level previous;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();

  LogCapture() {
    previous = satchel.getLevel();
    setLevel(Level.ALL);
    satchel.setLevel(Level.FINE);
    satchel.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    records.add(record);
  }

  /** Whether a line, or an exception logged with one (its causes included), says {@code text}. */
  boolean mentions(String text) {
    for (LogRecord record : records) {
      if (record.getMessage() != null && record.getMessage().contains(text)) {
        return true;
      }
      for (Throwable e = record.getThrown(); e != null; e = e.getCause()) {
        if (e.toString().contains(text)) {
          return true;
        }
      }
    }
    return false;
  }

  /** What was logged, each line with its exception's chain, for a failure's message. */
  String summary() {
    StringBuilder text = new StringBuilder();
    for (LogRecord record : records) {
      text.append(record.getLevel()).append(' ').append(record.getMessage());
      for (Throwable e = record.getThrown(); e != null; e = e.getCause()) {
        text.append("\n  caused by ").append(e);
      }
      text.append('\n');
    }
    return text.toString();
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    satchel.removeHandler(this);
    satchel.setLevel(previous);
  }
}
