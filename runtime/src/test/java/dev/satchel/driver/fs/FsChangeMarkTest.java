package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fs driver's change mark tells that a session file was written again, even with the very same
 * bytes, as an Astro app writing it in place again and again does; reading it changes nothing.
 */
final class FsChangeMarkTest {
  @TempDir Path folder;
  private SessionDriver driver;

  @AfterEach
  void close() {
    driver.close();
  }

  @Test
  void theSameBytesWrittenAgain_changeTheMark_andReadsDoNot() throws Exception {
    driver =
        new FsDriverProvider()
            .create(
                new DriverContext(
                    "fs",
                    Map.of("base", folder.toString(), "fsync", "false"),
                    new MutableClock(),
                    Duration.ofMinutes(30)));
    String id = SessionIds.generate();
    assertNull(driver.changeMark(id), "no file, no mark");

    Path file = folder.resolve(id);
    FsLiteWriter astro = new FsLiteWriter(1, 0);
    astro.setItemCutShort(file, "[{\"cart\":1},[2]]", 8);
    String first = driver.changeMark(id);
    assertNotNull(first);
    driver.read(id, null);
    assertEquals(first, driver.changeMark(id), "a read without refreshing changes nothing");

    // File systems keep change times to a clock tick: write until a write can be told apart, for
    // at most ten seconds.
    String again = first;
    long giveUp = System.nanoTime() + 10_000_000_000L;
    while (again.equals(first) && System.nanoTime() < giveUp) {
      astro.setItemCutShort(file, "[{\"cart\":1},[2]]", 8);
      again = driver.changeMark(id);
    }
    assertNotEquals(first, again, "the same bytes, written again in place");
  }
}
