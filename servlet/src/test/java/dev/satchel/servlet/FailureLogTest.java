package dev.satchel.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CorruptDataPolicy;
import dev.satchel.Satchel;
import dev.satchel.SessionStorageException;
import dev.satchel.spi.SessionIds;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the filter logs the requests it could not serve: a failure of the store at DEBUG only (the
 * runtime logs the outage), anything else at its level once per interval with a count of the rest.
 * The failures are real ones, from a Satchel on the fs driver; the clock is a counter.
 */
final class FailureLogTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  @TempDir Path folder;

  private final Logger logger = Logger.getLogger("dev.satchel.servlet");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final AtomicLong nanos = new AtomicLong(5_000 * SECOND);
  private Level levelBefore;
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getMessage() != null && record.getMessage().startsWith("test:")) {
            records.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void capture() {
    levelBefore = logger.getLevel();
    logger.setLevel(Level.ALL);
    capture.setLevel(Level.ALL);
    logger.addHandler(capture);
  }

  @AfterEach
  void release() {
    logger.removeHandler(capture);
    logger.setLevel(levelBefore);
  }

  private List<LogRecord> at(Level level) {
    return records.stream().filter(r -> r.getLevel() == level).toList();
  }

  /** A store whose folder became a file: the driver fails on every read. */
  private SessionStorageException storeDown() throws IOException {
    Path base = folder.resolve("down");
    try (Satchel satchel = fs(base, CorruptDataPolicy.RESET)) {
      try (Stream<Path> files = Files.walk(base)) {
        for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(file);
        }
      }
      Files.writeString(base, "not a folder");
      return assertThrows(
          SessionStorageException.class,
          () -> satchel.open(SessionIds.generate(), cookie -> {}).get("cart"));
    }
  }

  /** Data the store returns but Satchel cannot read, under the policy that fails on it. */
  private SessionStorageException unreadable() throws IOException {
    Path base = folder.resolve("corrupt");
    try (Satchel satchel = fs(base, CorruptDataPolicy.FAIL)) {
      String id = SessionIds.generate();
      Files.writeString(base.resolve(id), "{not devalue");
      return assertThrows(
          SessionStorageException.class, () -> satchel.open(id, cookie -> {}).get("cart"));
    }
  }

  private static Satchel fs(Path base, CorruptDataPolicy policy) {
    return Satchel.builder()
        .driver("fs")
        .driverOption("base", base.toString())
        .driverOption("fsync", "false")
        .corruptData(policy)
        .build();
  }

  @Test
  void aFailureOfTheStore_isAtDebugOnly_evenWrapped() throws Exception {
    SessionStorageException down = storeDown();
    assertTrue(FailureLog.isStoreFailure(down));
    assertTrue(FailureLog.isStoreFailure(new ServletException("handler", down)));
    FailureLog log = new FailureLog(System.Logger.Level.ERROR, nanos::get);
    for (int i = 0; i < 100; i++) {
      log.log("test: answering 503", i % 2 == 0 ? down : new ServletException("handler", down));
    }
    assertEquals(100, at(Level.FINE).size());
    assertEquals(records.size(), at(Level.FINE).size(), "nothing above DEBUG");
    at(Level.FINE).forEach(record -> assertNotNull(record.getThrown()));
  }

  @Test
  void anythingElse_isAtItsLevel_oncePerInterval_withTheCountOfTheRest() throws Exception {
    SessionStorageException corrupt = unreadable();
    assertFalse(FailureLog.isStoreFailure(corrupt), "Satchel's own refusal, not the store's");
    assertFalse(FailureLog.isStoreFailure(new IOException("broken pipe")));
    FailureLog log = new FailureLog(System.Logger.Level.ERROR, nanos::get);
    // 100 s of one a second.
    for (int i = 0; i < 100; i++) {
      log.log("test: answering 503", corrupt);
      nanos.addAndGet(SECOND);
    }
    List<LogRecord> errors = at(Level.SEVERE);
    assertEquals(4, errors.size(), "at 0, 30, 60 and 90 s");
    errors.forEach(record -> assertNotNull(record.getThrown(), "with its stack trace"));
    assertTrue(errors.get(0).getMessage().contains("at most once every 30 s"));
    assertFalse(errors.get(0).getMessage().contains("since the last report"));
    assertTrue(
        errors.get(1).getMessage().contains("(and 29 times since the last report)"),
        errors.get(1).getMessage());
    assertEquals(96, at(Level.FINE).size(), "the others, at DEBUG");
  }

  @Test
  void logRepeating_rateLimitsEvenAStoreFailure() throws Exception {
    SessionStorageException down = storeDown();
    FailureLog log = new FailureLog(System.Logger.Level.WARNING, nanos::get);
    for (int i = 0; i < 10; i++) {
      log.logRepeating("test: answering 413", down);
    }
    assertEquals(1, at(Level.WARNING).size());
    assertEquals(9, at(Level.FINE).size());
  }
}
