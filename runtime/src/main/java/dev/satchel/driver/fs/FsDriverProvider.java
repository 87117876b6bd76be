package dev.satchel.driver.fs;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code fs} driver, Satchel's default: one file per session under a folder, written
 * atomically, safe for several threads and several processes sharing the folder. Options: {@code
 * base}, the folder ({@code .satchel/sessions} by default); {@code cleanup-interval}, how often
 * expired files are removed ({@code PT10M}); {@code fsync}, whether each write is forced to disk
 * before it becomes visible ({@code true}).
 */
public final class FsDriverProvider implements SessionDriverProvider {

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public FsDriverProvider() {}

  @Override
  public String name() {
    return "fs";
  }

  @Override
  public SessionDriver create(DriverContext context) {
    Path base = Path.of(context.option("base").orElse(".satchel/sessions"));
    Duration cleanup = context.durationOption("cleanup-interval").orElse(Duration.ofMinutes(10));
    if (cleanup.isNegative() || cleanup.isZero()) {
      throw new IllegalArgumentException("the fs option `cleanup-interval` must be positive");
    }
    boolean fsync = context.booleanOption("fsync").orElse(true);
    return new FsDriver(base, cleanup, fsync, context.clock());
  }
}
