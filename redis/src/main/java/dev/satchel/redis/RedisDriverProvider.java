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
  public SessionDriver create(DriverContext context) {
    String url = context.option("url").orElse("redis://localhost:6379");
    String prefix = context.option("prefix").orElse("");
    Duration timeout = positive(context, "timeout", Duration.ofSeconds(2));
    Duration connectTimeout = positive(context, "connect-timeout", Duration.ofSeconds(2));
    return RedisDriver.connect(url, prefix, timeout, connectTimeout, context.clock());
  }

  private static Duration positive(DriverContext context, String option, Duration fallback) {
    Duration value = context.durationOption(option).orElse(fallback);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException("the redis option `" + option + "` must be positive");
    }
    return value;
  }
}
