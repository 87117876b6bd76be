package dev.satchel.driver.fs;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code fs} driver, Satchel's default: one file per session under a folder, holding exactly
 * the blob as Astro's {@code fs} session driver writes it, written atomically, safe for several
 * threads, drivers and processes sharing the folder. Options:
 *
 * <ul>
 *   <li>{@code base}: the folder ({@code .satchel/sessions} by default); retirement markers go to
 *       its {@code .retired} folder and lock files to {@code .locks};
 *   <li>{@code fsync}: whether each write, and the folder entry that makes it visible, is forced to
 *       disk ({@code true});
 *   <li>{@code cleanup-interval}: how often expired sessions and markers are removed ({@code
 *       PT10M}); a session expires when its file was not written or read for the application's idle
 *       timeout, or when every key in it has expired;
 *   <li>{@code lock-timeout}: how long a request waits for a session's lock, held by another thread
 *       or process, before it fails ({@code PT10S}).
 * </ul>
 */
public final class FsDriverProvider implements SessionDriverProvider {

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public FsDriverProvider() {}

  @Override
  public String name() {
    return "fs";
  }

  @Override
  public java.util.Set<String> options() {
    return java.util.Set.of("base", "cleanup-interval", "fsync", "lock-timeout");
  }

  @Override
  public SessionDriver create(DriverContext context) {
    Path base = Path.of(context.option("base").orElse(".satchel/sessions"));
    Duration cleanup = positive(context, "cleanup-interval", Duration.ofMinutes(10));
    Duration lockTimeout = positive(context, "lock-timeout", Duration.ofSeconds(10));
    boolean fsync = context.booleanOption("fsync").orElse(true);
    return new FsDriver(
        base, cleanup, fsync, lockTimeout, context.idleTimeout().orElse(null), context.clock());
  }

  private static Duration positive(DriverContext context, String option, Duration otherwise) {
    Duration value = context.durationOption(option).orElse(otherwise);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("the fs option `" + option + "` must be positive");
    }
    return value;
  }
}
