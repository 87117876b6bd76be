package dev.satchel.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The driver while its database goes away and comes back: it fails at once, and recovers. */
final class JdbcOutageTest {
  private static PostgresProcess postgres;
  private final MutableClock clock = new MutableClock();

  @BeforeAll
  static void start() {
    postgres = PostgresProcess.start();
  }

  @AfterAll
  static void stop() {
    postgres.close();
  }

  private SessionDriver driver() {
    return new JdbcDriverProvider()
        .create(
            new DriverContext(
                "jdbc",
                Map.of(
                    "url",
                    postgres.jdbcUrl(),
                    "username",
                    postgres.user(),
                    "password",
                    postgres.password(),
                    "pool-size",
                    "1",
                    "pool-timeout",
                    "500ms",
                    "cleanup-interval",
                    "1d"),
                clock,
                Duration.ofMinutes(30)));
  }

  @Test
  void aReadOnAConnectionTheDatabaseEnded_isMadeAgainOnAFreshOne() {
    try (SessionDriver driver = driver()) {
      String id = SessionIds.generate();
      driver.write(id, "blob", null, null);
      for (int round = 0; round < 3; round++) {
        postgres.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'satchel'");
        assertEquals("blob", driver.read(id, null).blob(), "round " + round);
      }
    }
  }

  @Test
  void whileTheDatabaseIsDown_requestsFailAtOnce_andOnceItIsBack_theyWorkAgain() throws Exception {
    try (SessionDriver driver = driver()) {
      String id = SessionIds.generate();
      driver.write(id, "blob", null, null);
      postgres.stop();
      try {
        JdbcStoreException first =
            assertThrows(JdbcStoreException.class, () -> driver.read(id, null));
        assertTrue(
            first.getMessage().contains("the database cannot be reached"), first.getMessage());
        JdbcStoreException next =
            assertThrows(JdbcStoreException.class, () -> driver.write(id, "x", null, null));
        assertTrue(next.getMessage().contains("failing at once"), next.getMessage());
      } finally {
        postgres.startAgain();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String read = null;
      while (read == null && System.nanoTime() < deadline) {
        try {
          read = driver.read(id, null).blob();
        } catch (JdbcStoreException stillDown) {
          // A short pause between polls: requests fail at once for a second after each attempt.
          java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
      }
      assertEquals("blob", read, "not back within 30 s");
    }
  }

  @Test
  void aDatabaseThatWasReadOnly_isWrittenAgainOnceItIsNot() {
    try (SessionDriver driver = driver()) {
      String id = SessionIds.generate();
      driver.write(id, "blob", null, null);
      postgres.execute("ALTER ROLE satchel SET default_transaction_read_only = on");
      try {
        postgres.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'satchel'");
        String version = driver.read(id, null).version();
        JdbcStoreException e =
            assertThrows(JdbcStoreException.class, () -> driver.write(id, "x", version, null));
        assertEquals("25006", e.sqlState());
      } finally {
        postgres.execute("ALTER ROLE satchel RESET default_transaction_read_only");
      }
      // The pool's connections kept the setting; the driver drops each that meets it.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      boolean written = false;
      while (!written && System.nanoTime() < deadline) {
        try {
          written = driver.write(id, "next", driver.read(id, null).version(), null);
        } catch (JdbcStoreException stillReadOnly) {
          java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
      }
      assertTrue(written, "still read-only after 30 s");
      assertEquals("next", driver.read(id, null).blob());
    }
  }
}
