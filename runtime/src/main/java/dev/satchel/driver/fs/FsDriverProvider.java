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
 *       or process, before it fails ({@code PT10S});
 *   <li>{@code file-mode}: the permissions, in octal, of the files the driver creates ({@code 600}:
 *       the owner's alone); folders get the matching execute bits (see {@link FsModes}).
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
  public java.util.List<Option> describedOptions() {
    return java.util.List.of(
        new Option(
            "base",
            String.class,
            ".satchel/sessions",
            "The folder that holds one file per session (a path; a Redis key prefix is the redis"
                + " driver's base or prefix)."),
        new Option(
            "cleanup-interval",
            Duration.class,
            "PT10M",
            "How often expired session files and markers are removed."),
        new Option(
            "fsync",
            Boolean.class,
            "true",
            "Whether each write, and the folder entry that makes it visible, is forced to disk."),
        new Option(
            "lock-timeout",
            Duration.class,
            "PT10S",
            "How long a request waits for a session's lock, held by another thread or process,"
                + " before it fails."),
        new Option(
            "file-mode",
            String.class,
            "600",
            "The session files' permissions, in octal: 600 keeps them to the owner; 640 or 644"
                + " lets an Astro app running as another user read them. Folders get the matching"
                + " execute bits."));
  }

  @Override
  public SessionDriver create(DriverContext context) {
    String folder = context.option("base").orElse(".satchel/sessions");
    if (folder.contains("://")) {
      // A URL here is another driver's setting carried over, never a folder anyone meant.
      throw new IllegalArgumentException(
          context.describe("base")
              + " is \""
              + folder
              + "\", a URL, but the fs driver's base is the folder of session files; give a"
              + " folder, or select the driver that URL is for");
    }
    Path base = Path.of(folder);
    Duration cleanup = positive(context, "cleanup-interval", Duration.ofMinutes(10));
    Duration lockTimeout = positive(context, "lock-timeout", Duration.ofSeconds(10));
    boolean fsync = context.booleanOption("fsync").orElse(true);
    FsModes modes =
        context
            .option("file-mode")
            .map(mode -> FsModes.parse(context.describe("file-mode"), mode))
            .orElse(FsModes.OWNER_ONLY);
    return new FsDriver(
        base,
        cleanup,
        fsync,
        lockTimeout,
        context.idleTimeout().orElse(null),
        context.clock(),
        modes);
  }

  private static Duration positive(DriverContext context, String option, Duration otherwise) {
    Duration value = context.durationOption(option).orElse(otherwise);
    // Timers count in milliseconds: less is none, and far more overflows them.
    if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofDays(365)) > 0) {
      throw new IllegalArgumentException(
          context.describe(option) + " must be between 1 ms and 365 days, got " + value);
    }
    return value;
  }
}
