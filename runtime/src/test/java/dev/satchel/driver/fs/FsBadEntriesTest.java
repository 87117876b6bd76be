package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import dev.satchel.spi.DriverContext;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.NoSessionIdsInLogs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An entry under a session's name that is not a file (a folder, a named pipe), as a hostile local
 * user or a slip of an operator leaves one: the session it names starts afresh, as for data that
 * cannot be read, instead of failing every request with its cookie; nothing blocks on it; and the
 * clean-up warns of it once, by fingerprint and without a stack trace, and goes on expiring the
 * sessions after it.
 */
@ExtendWith(NoSessionIdsInLogs.class)
final class FsBadEntriesTest {
  private static final Duration IDLE = Duration.ofMinutes(30);

  @TempDir Path folder;
  private final MutableClock clock = new MutableClock();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Logger satchelLogger = Logger.getLogger("dev.satchel");
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            logged.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void watchTheLog() {
    satchelLogger.addHandler(capture);
  }

  @AfterEach
  void closeAll() throws Exception {
    satchelLogger.removeHandler(capture);
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private FsDriver driver() throws InterruptedException {
    FsDriver driver =
        (FsDriver)
            new FsDriverProvider()
                .create(
                    new DriverContext(
                        "fs", Map.of("base", folder.toString(), "fsync", "false"), clock, IDLE));
    opened.add(driver);
    driver.awaitFirstCleanUp();
    return driver;
  }

  /** A folder, not empty, where session {@code id}'s file would be. */
  private Path folderInPlaceOf(String id) throws Exception {
    Path entry = Files.createDirectories(folder.resolve(id));
    Files.writeString(entry.resolve("something"), "not a session");
    return entry;
  }

  /** A named pipe where session {@code id}'s file would be: opening it to read would block. */
  private Path pipeInPlaceOf(String id) throws Exception {
    Path entry = folder.resolve(id);
    Process mkfifo = new ProcessBuilder("mkfifo", entry.toString()).inheritIO().start();
    assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "mkfifo");
    return entry;
  }

  private List<String> warnings() {
    List<String> texts = new ArrayList<>();
    for (LogRecord record : logged) {
      texts.add(record.getMessage());
    }
    return texts;
  }

  @Test
  void aRequestForASessionWhoseEntryIsAFolder_startsAfresh_andLeavesTheFolder() throws Exception {
    String id = SessionIds.generate();
    Path entry = folderInPlaceOf(id);
    try (Satchel satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", folder.toString())
            .driverOption("fsync", "false")
            .build()) {
      List<SessionCookie> cookies = new ArrayList<>();
      Session session = satchel.open(id, cookies::add);
      assertEquals(Optional.empty(), session.get("cart"));
      assertTrue(cookies.get(0).isDeletion(), "the cookie is cleared, as for corrupt data");
      session.set("cart", List.of("new"));
      session.commit();
      String newId = session.id().orElseThrow();
      assertNotEquals(id, newId);
      assertEquals(Optional.of(List.of("new")), satchel.open(newId, c -> {}).get("cart"));
    }
    assertTrue(Files.isDirectory(entry), "another's folder is left alone");
    // Besides the clean-up's warning of the entry at start, one: the session was started afresh.
    assertEquals(
        1,
        warnings().stream().filter(text -> text.contains("replaced by a new session")).count(),
        warnings().toString());
    assertTrue(
        warnings().stream()
            .allMatch(
                text ->
                    text.contains("replaced by a new session") || text.contains("is not a file")),
        warnings().toString());
  }

  @Test
  void theDriver_readsABadEntryAsNoSession_neverBlocking_andChangesNothingOfIt() throws Exception {
    FsDriver driver = driver();
    String inFolder = SessionIds.generate();
    String inPipe = SessionIds.generate();
    folderInPlaceOf(inFolder);
    pipeInPlaceOf(inPipe);
    for (String id : List.of(inFolder, inPipe)) {
      assertEquals(FsDriver.NOT_A_FILE, driver.read(id, IDLE).blob());
      assertEquals(FsDriver.NOT_A_FILE, driver.read(id, null).blob());
      assertFalse(driver.write(id, "[\"x\"]", null, null));
      assertFalse(driver.deleteIfUnchanged(id, FsDriver.NOT_A_FILE));
      driver.delete(id);
      assertTrue(Files.exists(folder.resolve(id)), "left alone");
      driver.index("alice", id, clock.instant());
      assertEquals(
          Optional.empty(),
          driver.indexed("alice").stream()
              .filter(listed -> listed.id().equals(id))
              .map(IndexedSession::blob)
              .filter(blob -> blob != null)
              .findAny());
      driver.retire(id, Retirement.destroyed(clock.instant()), clock.instant().plusSeconds(60));
      assertTrue(driver.retirement(id).isDestroyed(), "the ID is retired all the same");
      assertNull(driver.read(id, null));
      assertTrue(Files.exists(folder.resolve(id)), "left alone");
    }
  }

  /**
   * 29 idle sessions with three bad entries among them: one clean-up removes all 29, warning once
   * of each bad entry, by fingerprint, without a stack trace; the next clean-up warns no more.
   */
  @Test
  void theCleanUp_skipsBadEntries_withOneWarningEach_andExpiresTheRest() throws Exception {
    FsDriver driver = driver();
    List<String> sessions = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < 29; i++) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "[\"idle\"]", null, clock.instant().plus(IDLE)));
      sessions.add(id);
      if (i % 10 == 5) {
        String entry = SessionIds.generate();
        if (bad.size() == 1) {
          pipeInPlaceOf(entry);
        } else {
          folderInPlaceOf(entry);
        }
        bad.add(entry);
      }
    }
    // A session whose file was replaced by a folder after it was written: its ledger entry stays.
    String replaced = SessionIds.generate();
    assertTrue(driver.write(replaced, "[\"v\"]", null, clock.instant().plus(IDLE)));
    Files.delete(folder.resolve(replaced));
    folderInPlaceOf(replaced);
    bad.add(replaced);

    clock.advance(IDLE.plusMinutes(1));
    driver.cleanUp();
    for (String id : sessions) {
      assertFalse(Files.exists(folder.resolve(id)), "expired and removed");
    }
    for (String id : bad) {
      assertTrue(Files.exists(folder.resolve(id)), "left alone");
    }
    assertEquals(bad.size(), logged.size(), warnings().toString());
    for (int i = 0; i < bad.size(); i++) {
      LogRecord record = logged.get(i);
      assertNull(record.getThrown(), "no stack trace");
      assertTrue(
          bad.stream()
              .anyMatch(
                  id -> record.getMessage().contains("session#" + SessionIds.fingerprint(id))),
          record.getMessage());
      for (String id : bad) {
        assertFalse(record.getMessage().contains(id), record.getMessage());
      }
    }
    driver.cleanUp();
    assertEquals(bad.size(), logged.size(), "warned once: " + warnings());

    // The claims of expired sessions go past the bad entry too.
    List<String> claimed = new ArrayList<>();
    for (List<String> batch = driver.claimExpired(clock.instant(), 100);
        !batch.isEmpty();
        batch = driver.claimExpired(clock.instant(), 100)) {
      claimed.addAll(batch);
      driver.acknowledgeExpired(batch);
    }
    assertEquals(sessions.size(), claimed.size());
    assertFalse(claimed.contains(replaced), "not a session: not reported as one");
  }
}
