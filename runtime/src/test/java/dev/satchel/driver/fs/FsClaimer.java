package dev.satchel.driver.fs;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A separate process for the claim test: opens the fs store in {@code base}, says it is ready,
 * waits for the go, claims expired sessions as of {@code now} in small batches until none is left,
 * and prints each ID it claimed, then {@code done}.
 */
public final class FsClaimer {
  private FsClaimer() {}

  public static void main(String[] args) throws Exception {
    Path base = Path.of(args[0]);
    Instant now = Instant.ofEpochMilli(Long.parseLong(args[1]));
    Duration idle = Duration.parse(args[2]);
    Path control = Path.of(args[3]);
    String name = args[4];
    List<String> claimed;
    try (SessionDriver driver =
        new FsDriverProvider()
            .create(
                new DriverContext(
                    "fs",
                    Map.of("base", base.toString(), "fsync", "false"),
                    Clock.systemUTC(),
                    idle))) {
      Files.createFile(control.resolve("ready-" + name));
      while (!Files.exists(control.resolve("go"))) {
        Thread.sleep(1);
      }
      claimed = claimUntilNone(driver, now);
    }
    claimed.forEach(System.out::println);
    System.out.println("done");
  }

  /** Claims in batches of three until a batch comes back empty. */
  static List<String> claimUntilNone(SessionDriver driver, Instant now) {
    List<String> claimed = new ArrayList<>();
    while (true) {
      List<String> batch = driver.claimExpired(now, 3);
      if (batch.isEmpty()) {
        return claimed;
      }
      claimed.addAll(batch);
    }
  }
}
