package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fs driver passes the driver contract, keeps files plain, and cleans up after itself. */
final class FsDriverTest extends SessionDriverContract {
  @TempDir Path folder;

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    return new FsDriverProvider()
        .create(
            new DriverContext("fs", Map.of("base", folder.toString(), "fsync", "false"), clock));
  }

  @Test
  void file_holdsExactlyTheBlob() throws Exception {
    String id = SessionIds.generate();
    driver.write(id, "[[\"Map\"]]", null, null);
    assertEquals("[[\"Map\"]]", Files.readString(folder.resolve(id), StandardCharsets.UTF_8));
  }

  @Test
  void idsThatAreNotSessionIds_neverBecomePaths() {
    for (String bad : new String[] {"../../etc/passwd", "", "A1B2", "x".repeat(300)}) {
      assertThrows(IllegalArgumentException.class, () -> driver.read(bad, null));
      assertThrows(IllegalArgumentException.class, () -> driver.write(bad, "x", null, null));
    }
  }

  @Test
  void cleanUp_removesExpiredFilesAndKeepsLiveOnes() throws Exception {
    String expiring = SessionIds.generate();
    String forever = SessionIds.generate();
    driver.write(expiring, "a", null, clock.instant().plus(Duration.ofMinutes(1)));
    driver.write(forever, "b", null, null);
    clock.advance(Duration.ofMinutes(2));
    ((FsDriver) driver).cleanUp();
    assertFalse(Files.exists(folder.resolve(expiring)));
    assertTrue(Files.exists(folder.resolve(forever)));
  }

  @Test
  void cleanUp_removesTemporaryFilesLeftByACrash() throws Exception {
    String id = SessionIds.generate();
    Path orphan = folder.resolve(id + ".123456.tmp");
    Files.writeString(orphan, "[\"half");
    ((FsDriver) driver).cleanUp();
    assertFalse(Files.exists(orphan));
    try (Stream<Path> files = Files.list(folder)) {
      assertEquals(1, files.count()); // only .locks
    }
  }

  @Test
  void close_waitsForACleanUpUnderWay() throws Exception {
    for (int i = 0; i < 2000; i++) {
      driver.write(SessionIds.generate(), "x", null, null);
    }
    // A new driver starts cleaning up at once, here over 2,000 files.
    SessionDriver second = createDriver(clock);
    second.close();
    assertTrue(((FsDriver) second).cleanUpStopped());
  }

  @Test
  void options_areChecked() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new FsDriverProvider()
                .create(
                    new DriverContext(
                        "fs",
                        Map.of("base", folder.toString(), "cleanup-interval", "often"),
                        clock)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new FsDriverProvider()
                .create(
                    new DriverContext(
                        "fs", Map.of("base", folder.toString(), "fsync", "maybe"), clock)));
  }
}
