package dev.satchel.redis;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.time.Duration;

/**
 * The {@code redis} driver: one string key per session holding the plain Astro-compatible blob.
 * Options: {@code url} ({@code redis://localhost:6379} by default; {@code rediss://} for TLS, with
 * password and database as usual: {@code redis://:secret@host:6379/2}); {@code prefix} for keys
 * (empty by default, so keys are bare session IDs as in Astro; {@code x:} matches an Astro app
 * using unstorage's redis driver with {@code base: "x"}); {@code timeout}, how long a command may
 * take ({@code PT2S}); {@code connect-timeout} ({@code PT2S}). Needs Redis 6.2 or newer, which
 * start-up checks.
 */
public final class RedisDriverProvider implements SessionDriverProvider {

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public RedisDriverProvider() {}

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public java.util.Set<String> options() {
    return java.util.Set.of("url", "base", "prefix", "timeout", "connect-timeout");
  }

  @Override
  public SessionDriver create(DriverContext context) {
    String url = context.option("url").orElse("redis://localhost:6379");
    String prefix = keyPrefix(context);
    Duration timeout = positive(context, "timeout", Duration.ofSeconds(2));
    Duration connectTimeout = positive(context, "connect-timeout", Duration.ofSeconds(2));
    return RedisDriver.connect(url, prefix, timeout, connectTimeout, context.clock());
  }

  /**
   * What goes before each session ID: {@code prefix} as written, or unstorage's {@code base}
   * ({@code sess} stores {@code sess:<id>}, as an Astro app's unstorage redis driver with {@code
   * base: "sess"} does).
   */
  static String keyPrefix(DriverContext context) {
    String prefix = context.option("prefix").orElse(null);
    String base = context.option("base").orElse(null);
    if (prefix != null && base != null) {
      throw new IllegalArgumentException(
          "set either "
              + context.describe("base")
              + " (unstorage's base: keys <base>:<id>) or "
              + context.describe("prefix")
              + " (put before the ID as written), not both");
    }
    if (base == null) {
      return prefix == null ? "" : prefix;
    }
    // unstorage's normalizeBaseKey: slashes become colons, runs of colons one, none at the ends.
    String normalized =
        base.replaceAll("[/\\\\]", ":").replaceAll(":+", ":").replaceAll("^:|:$", "");
    return normalized.isEmpty() ? "" : normalized + ":";
  }

  private static Duration positive(DriverContext context, String option, Duration fallback) {
    Duration value = context.durationOption(option).orElse(fallback);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(context.describe(option) + " must be positive");
    }
    return value;
  }
}
