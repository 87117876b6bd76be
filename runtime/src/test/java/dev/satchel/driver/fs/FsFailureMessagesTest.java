package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.NoSessionIdsInLogs;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every failure of the fs driver, provoked one by one, names sessions by fingerprint: its message,
 * its causes' (the file system's own, whose message is the path, so the ID) and the failures of
 * undoing steps added to it carry no session ID, nor does anything it logs. The file system's
 * failures come through the driver's seam, as {@link AccessDeniedException} and {@link
 * NoSuchFileException} naming the path, as the real ones do.
 */
@ExtendWith(NoSessionIdsInLogs.class)
final class FsFailureMessagesTest {
  private static final Pattern ANY_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  @TempDir Path folder;
  private final MutableClock clock = new MutableClock();
  private FsDriver driver;
  private Path base;
  private final List<String> logged = new CopyOnWriteArrayList<>();
  private final Logger satchelLogger = Logger.getLogger("dev.satchel");
  private Level levelBefore;
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          StringWriter text = new StringWriter();
          text.append(record.getLevel() + " " + record.getMessage());
          if (record.getThrown() != null) {
            record.getThrown().printStackTrace(new PrintWriter(text));
          }
          logged.add(text.toString());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void open() throws Exception {
    levelBefore = satchelLogger.getLevel();
    satchelLogger.setLevel(Level.ALL);
    capture.setLevel(Level.ALL);
    satchelLogger.addHandler(capture);
    driver =
        (FsDriver)
            new FsDriverProvider()
                .create(
                    new DriverContext(
                        "fs",
                        Map.of("base", folder.toString(), "fsync", "false"),
                        clock,
                        Duration.ofMinutes(30)));
    driver.awaitFirstCleanUp();
    base = folder.toRealPath();
  }

  @AfterEach
  void close() {
    driver.close();
    satchelLogger.removeHandler(capture);
    satchelLogger.setLevel(levelBefore);
  }

  /**
   * Fails every {@code operation} on a path that {@code which} accepts, as the file system would.
   */
  private FsDriver.Injected failing(
      FsDriver.Operation operation, Function<Path, Boolean> which, boolean noSuchFile)
      throws IOException {
    return FsDriver.injectFaults(
        base,
        (op, file) -> {
          if (op == operation && which.apply(file)) {
            throw noSuchFile
                ? new NoSuchFileException(file.toString(), null, "gone, as the test says")
                : new AccessDeniedException(file.toString());
          }
        });
  }

  /** The whole of a failure as it would be logged: messages, causes, suppressed, stack. */
  private static String asLogged(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  private static void assertNamesNoSession(String text) {
    assertFalse(ANY_ID.matcher(text).find(), text);
  }

  /** Runs {@code call}, which must fail, and checks its failure names {@code id} by fingerprint. */
  private void assertFailsNamingByFingerprint(String id, Executable call) {
    RuntimeException failure = assertThrows(RuntimeException.class, call);
    String text = asLogged(failure);
    assertNamesNoSession(text);
    assertTrue(
        text.contains("session#" + SessionIds.fingerprint(id)), "names the session: " + text);
  }

  private String stored(String blob) {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, blob, null, clock.instant().plusSeconds(60)));
    return id;
  }

  @Test
  void everyFailingOperation_namesSessionsByFingerprintOnly() throws Exception {
    String id = stored("[\"a\"]");
    Path file = base.resolve(id);
    String version = driver.read(id, null).version();
    Function<Path, Boolean> inBase = path -> base.equals(path.getParent());
    Function<Path, Boolean> anywhere = path -> true;

    try (FsDriver.Injected fault = failing(FsDriver.Operation.READ, anywhere, false)) {
      assertFailsNamingByFingerprint(id, () -> driver.read(id, null));
      assertFailsNamingByFingerprint(id, () -> driver.read(id, Duration.ofMinutes(1)));
    }
    try (FsDriver.Injected fault = failing(FsDriver.Operation.CREATE, inBase, true)) {
      assertFailsNamingByFingerprint(id, () -> driver.write(id, "[\"b\"]", version, null));
    }
    try (FsDriver.Injected fault = failing(FsDriver.Operation.WRITE, anywhere, false)) {
      assertFailsNamingByFingerprint(id, () -> driver.write(id, "[\"b\"]", version, null));
    }
    try (FsDriver.Injected fault = failing(FsDriver.Operation.MOVE, inBase, false)) {
      assertFailsNamingByFingerprint(id, () -> driver.write(id, "[\"b\"]", version, null));
      assertFailsNamingByFingerprint(id, () -> driver.deleteIfUnchanged(id, version));
      String next = SessionIds.generate();
      assertFailsNamingByFingerprint(
          id,
          () ->
              driver.replace(
                  id,
                  version,
                  next,
                  "[\"n\"]",
                  null,
                  Retirement.movedTo(next, clock.instant()),
                  clock.instant().plusSeconds(60)));
    }
    // A session the clean-up removed, whose ledger entry waits for its acknowledgement.
    String gone = stored("[\"g\"]");
    Files.delete(base.resolve(gone));
    // A retire that fails, and whose undo fails too: both failures are told, by fingerprint.
    try (FsDriver.Injected fault = failing(FsDriver.Operation.DELETE, anywhere, false)) {
      assertFailsNamingByFingerprint(id, () -> driver.delete(id));
      RuntimeException retire =
          assertThrows(
              RuntimeException.class,
              () ->
                  driver.retire(
                      id, Retirement.destroyed(clock.instant()), clock.instant().plusSeconds(60)));
      assertNamesNoSession(asLogged(retire));
      assertEquals(1, retire.getCause().getSuppressed().length);
      assertTrue(asLogged(retire).contains("session#" + SessionIds.fingerprint(id)));
      assertFailsNamingByFingerprint(id, () -> driver.unindex("alice", id));
      assertFailsNamingByFingerprint(gone, () -> driver.acknowledgeExpired(List.of(gone)));
    }
    Files.delete(base.resolve(".retired").resolve(id)); // the marker the failed undo left

    String indexed = SessionIds.generate();
    try (FsDriver.Injected fault = failing(FsDriver.Operation.CREATE, anywhere, false)) {
      assertFailsNamingByFingerprint(
          indexed, () -> driver.index("alice", indexed, clock.instant()));
    }
    driver.index("bob", id, clock.instant());
    try (FsDriver.Injected fault =
        failing(FsDriver.Operation.READ, path -> path.equals(file), false)) {
      RuntimeException listing = assertThrows(RuntimeException.class, () -> driver.indexed("bob"));
      assertNamesNoSession(asLogged(listing));
    }

    // A marker that is not one.
    String marked = SessionIds.generate();
    Files.writeString(base.resolve(".retired").resolve(marked), "not a marker");
    assertFailsNamingByFingerprint(marked, () -> driver.retirement(marked));

    for (String line : logged) {
      assertNamesNoSession(line);
    }
  }

  /**
   * What the clean-up and the claims of expired sessions log of an entry they cannot read: one
   * warning, by fingerprint, whatever the level.
   */
  @Test
  void whatTheCleanUpAndTheClaimsLog_namesSessionsByFingerprintOnly() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(stored("[\"s\"]"));
    }
    clock.advance(Duration.ofMinutes(31));
    try (FsDriver.Injected fault = failing(FsDriver.Operation.READ, anywhere(), false)) {
      driver.cleanUp();
      driver.claimExpired(clock.instant(), 100);
    }
    assertFalse(logged.isEmpty());
    long warnings = logged.stream().filter(line -> line.startsWith("WARNING")).count();
    assertEquals(ids.size(), warnings, logged.toString());
    for (String id : ids) {
      assertTrue(
          logged.stream().anyMatch(line -> line.contains("session#" + SessionIds.fingerprint(id))),
          logged.toString());
    }
    for (String line : logged) {
      assertNamesNoSession(line);
    }
    // Once the fault is gone, the same clean-up removes them.
    driver.cleanUp();
    for (String id : ids) {
      assertFalse(Files.exists(base.resolve(id)));
    }
  }

  private static Function<Path, Boolean> anywhere() {
    return path -> true;
  }

  /** A driver that cannot create its folder says which folder, and names no session. */
  @Test
  void aFolderThatCannotBeCreated_isNamed() throws Exception {
    Path blocked = folder.resolve("blocked");
    Files.writeString(blocked, "a file where the folder goes");
    RuntimeException failure =
        assertThrows(
            RuntimeException.class,
            () ->
                new FsDriverProvider()
                    .create(
                        new DriverContext(
                            "fs", Map.of("base", blocked.resolve("sessions").toString()), clock)));
    assertTrue(failure.getMessage().contains(blocked.toString()), failure.getMessage());
    assertNamesNoSession(asLogged(failure));
  }
}
