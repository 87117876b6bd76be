package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import dev.satchel.testing.CapturedLog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What an outage of the store writes to the log, through {@code System.Logger} into {@code
 * java.util.logging} as an application without a logging library of its own has it: one warning
 * when it starts, a summary at most every {@link StoreOutage#SUMMARY_INTERVAL}, one line when the
 * store answers again, and each failure at DEBUG. The clock is a counter the test moves.
 */
final class StoreOutageTest {
  private static final AtomicInteger DRIVERS = new AtomicInteger();
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final AtomicLong nanos = new AtomicLong(1_000 * SECOND);
  private final String driver = "outage-test-" + DRIVERS.incrementAndGet();
  // Only this test's outage: other tests in the JVM log to dev.satchel too.
  private CapturedLog log;
  private Logger logger;
  private List<LogRecord> records;

  @BeforeEach
  void capture() {
    log =
        CapturedLog.of(
            "dev.satchel", r -> r.getMessage() != null && r.getMessage().contains(driver));
    logger = log.logger();
    records = log.records();
  }

  @AfterEach
  void release() {
    log.close();
  }

  private StoreOutage outage() {
    return new StoreOutage(driver, nanos::get);
  }

  private List<LogRecord> atInfoOrAbove() {
    return records.stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue()).toList();
  }

  private static RuntimeException refused() {
    return new IllegalStateException("Connection refused: 127.0.0.1:6379");
  }

  @Test
  void aLongOutageUnderLoad_writesAStart_aSummaryPerInterval_andARecovery() {
    StoreOutage outage = outage();
    // 100 s of outage, 100 failed calls a second.
    for (int i = 0; i < 10_000; i++) {
      outage.failed("Reading a session from the " + driver + " driver", "refused", refused());
      nanos.addAndGet(SECOND / 100);
    }
    assertTrue(outage.isOngoing());
    outage.answered();
    assertFalse(outage.isOngoing());
    outage.answered(); // more answers end nothing more

    List<LogRecord> lines = atInfoOrAbove();
    assertEquals(Level.WARNING, lines.get(0).getLevel());
    assertTrue(lines.get(0).getMessage().contains("session store is failing"), text(lines));
    assertNotNull(lines.get(0).getThrown(), "the start carries the cause's stack trace");
    List<LogRecord> summaries = lines.subList(1, lines.size() - 1);
    assertEquals(3, summaries.size(), "one summary per 30 s of 100 s: " + text(lines));
    for (LogRecord summary : summaries) {
      assertEquals(Level.WARNING, summary.getLevel());
      assertTrue(summary.getMessage().contains("still failing"), summary.getMessage());
      assertNull(summary.getThrown(), "a summary repeats no stack trace");
    }
    assertTrue(summaries.get(0).getMessage().contains("after 30.0 s"), text(summaries));
    LogRecord recovery = lines.get(lines.size() - 1);
    assertEquals(Level.INFO, recovery.getLevel());
    assertTrue(
        recovery.getMessage().contains("answers again after 100.0 s; 10000 calls failed"),
        recovery.getMessage());
  }

  @Test
  void eachFailure_isAtDebug_withItsStackTrace_whenDebugIsOn() {
    logger.setLevel(Level.ALL);
    StoreOutage outage = outage();
    for (int i = 0; i < 50; i++) {
      outage.failed("Writing a session to the " + driver + " driver", "refused", refused());
    }
    outage.answered();
    List<LogRecord> debug =
        records.stream().filter(r -> r.getLevel().intValue() < Level.INFO.intValue()).toList();
    assertEquals(49, debug.size(), "every failure but the one the start reports");
    debug.forEach(record -> assertNotNull(record.getThrown()));
    assertEquals(2, atInfoOrAbove().size(), text(atInfoOrAbove()));
  }

  @Test
  void debugOff_writesNoDebugRecords() {
    logger.setLevel(Level.INFO);
    StoreOutage outage = outage();
    for (int i = 0; i < 50; i++) {
      outage.failed("Writing a session to the " + driver + " driver", "refused", refused());
    }
    outage.answered();
    assertEquals(2, records.size(), text(records));
  }

  @Test
  void aStoreThatFlaps_writesOneStartAndOneRecovery_perInterval() {
    StoreOutage outage = outage();
    // 100 brief failures over 10 s, each followed by an answer.
    for (int i = 0; i < 100; i++) {
      outage.failed("Reading a session from the " + driver + " driver", "timed out", refused());
      nanos.addAndGet(SECOND / 20);
      outage.answered();
      nanos.addAndGet(SECOND / 20);
    }
    List<LogRecord> lines = atInfoOrAbove();
    assertEquals(2, lines.size(), text(lines));
    assertEquals(Level.WARNING, lines.get(0).getLevel());
    assertEquals(Level.INFO, lines.get(1).getLevel());

    // Past the interval, the next failure is announced again, with the brief ones counted.
    nanos.addAndGet(30 * SECOND);
    outage.failed("Reading a session from the " + driver + " driver", "timed out", refused());
    lines = atInfoOrAbove();
    assertEquals(3, lines.size(), text(lines));
    assertTrue(
        lines.get(2).getMessage().contains("it also failed briefly 99 times (99 calls)"),
        lines.get(2).getMessage());
  }

  @Test
  void anOutageThatStartsQuietly_isAnnouncedByASummary_whenItLasts() {
    StoreOutage outage = outage();
    outage.failed("Reading a session from the " + driver + " driver", "refused", refused());
    nanos.addAndGet(SECOND);
    outage.answered();
    nanos.addAndGet(SECOND);
    // Fails again 2 s after the first start: quiet, until the interval since that start is over.
    for (int i = 0; i < 400; i++) {
      outage.failed("Reading a session from the " + driver + " driver", "refused", refused());
      nanos.addAndGet(SECOND / 10);
    }
    outage.answered();
    List<LogRecord> lines = atInfoOrAbove();
    // The first outage's start and end, the second's summary 30 s after the first start, its end.
    assertEquals(4, lines.size(), text(lines));
    assertEquals(Level.WARNING, lines.get(2).getLevel(), text(lines));
    assertTrue(lines.get(2).getMessage().contains("still failing after 28.0 s"), text(lines));
    assertTrue(lines.get(2).getMessage().contains("failed again soon after"), text(lines));
    assertEquals(Level.INFO, lines.get(3).getLevel(), text(lines));
    assertTrue(lines.get(3).getMessage().contains("400 calls failed meanwhile"), text(lines));
  }

  @Test
  void manyThreadsFailingAtOnce_startOneOutage() throws Exception {
    StoreOutage outage = outage();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<?>> calls = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        calls.add(
            threads.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < 1_000; i++) {
                    outage.failed(
                        "Reading a session from the " + driver + " driver", "refused", refused());
                  }
                  return null;
                }));
      }
      go.countDown();
      for (Future<?> call : calls) {
        call.get(1, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
    outage.answered();
    List<LogRecord> lines = atInfoOrAbove();
    assertEquals(2, lines.size(), text(lines));
    assertTrue(lines.get(1).getMessage().contains("8000 calls failed meanwhile"), text(lines));
  }

  @Test
  void aSessionIdInTheDriversMessage_neverReachesAWarning() {
    String id = SessionIds.generate();
    RuntimeException failure =
        new UncheckedIOException(
            "cannot read session file /var/sessions/" + id,
            new NoSuchFileException("/var/sessions/" + id));
    StoreOutage outage = outage();
    String cause = failure.getMessage();
    outage.failed("Reading a session from the " + driver + " driver", cause, failure);
    nanos.addAndGet(31 * SECOND);
    outage.failed("Reading a session from the " + driver + " driver", cause, failure);
    outage.answered();
    List<LogRecord> lines = atInfoOrAbove();
    assertEquals(3, lines.size(), text(lines));
    for (LogRecord line : lines) {
      String printed = line.getMessage() + stackTrace(line.getThrown());
      assertFalse(printed.contains(id), printed);
    }
    assertTrue(
        lines.get(0).getMessage().contains(SessionIds.fingerprint(id)), lines.get(0).getMessage());
    String trace = stackTrace(lines.get(0).getThrown());
    assertTrue(trace.startsWith("java.io.UncheckedIOException: cannot read session file"), trace);
    assertTrue(trace.contains("Caused by: java.nio.file.NoSuchFileException"), trace);
  }

  private static String stackTrace(Throwable thrown) {
    if (thrown == null) {
      return "";
    }
    StringWriter out = new StringWriter();
    thrown.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private static String text(List<LogRecord> lines) {
    StringBuilder out = new StringBuilder();
    for (LogRecord line : lines) {
      out.append('\n').append(line.getLevel()).append(' ').append(line.getMessage());
    }
    return out.toString();
  }
}
