package dev.satchel.redis;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code redis} driver: one string key per session holding the plain Astro-compatible blob.
 *
 * <p>Options: {@code url}, where the sessions live: {@code redis://localhost:6379} by default,
 * {@code redis://:secret@host:6379/2} with a password and database, {@code rediss://} for TLS,
 * {@code redis-sentinel://host:26379,host2:26379/0#mymaster} for the primary that Sentinels name
 * {@code mymaster}, {@code redis-cluster://host:7000,host2:7001} for a Redis Cluster through any of
 * its nodes ({@code rediss-sentinel://} and {@code rediss-cluster://} with TLS); {@code prefix} for
 * keys (empty by default, so keys are bare session IDs as in Astro; {@code x:} matches an Astro app
 * using unstorage's redis driver with {@code base: "x"}); {@code timeout}, how long a command may
 * take ({@code PT2S}); {@code connect-timeout} ({@code PT2S}).
 *
 * <p>TLS: {@code ca-cert}, a PEM file of the certificates to trust (the authority that signed the
 * server's), or {@code trust-store} (PKCS#12 or JKS) with {@code trust-store-password}; without
 * either, the JVM's own trusted authorities. {@code verify-hostname} ({@code true}) checks that the
 * certificate names the host in the URL; {@code false} is unsafe: anyone with a certificate from
 * that authority can pose as the server.
 *
 * <p>Durability: {@code replicas-to-ack} (0, off) makes every commit wait until that many replicas
 * have it ({@code WAIT}), for at most {@code replica-ack-timeout} ({@code PT0.5S}), and fail when
 * fewer confirm. Needs Redis 6.2 or newer, which start-up checks.
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
    return java.util.Set.of(
        "url",
        "base",
        "prefix",
        "timeout",
        "connect-timeout",
        "ca-cert",
        "trust-store",
        "trust-store-password",
        "verify-hostname",
        "replicas-to-ack",
        "replica-ack-timeout");
  }

  @Override
  public SessionDriver create(DriverContext context) {
    return RedisDriver.connect(settings(context), context.clock());
  }

  /** The options, read and checked. */
  static RedisSettings settings(DriverContext context) {
    String url = context.option("url").orElse("redis://localhost:6379");
    RedisAddress address = RedisAddress.parse(url, context.describe("url"));
    String prefix = keyPrefix(context);
    Duration timeout = positive(context, "timeout", Duration.ofSeconds(2));
    Duration connectTimeout = positive(context, "connect-timeout", Duration.ofSeconds(2));
    RedisSettings.Tls tls = tls(context, address);
    long replicasToAck = context.longOption("replicas-to-ack").orElse(0L);
    if (replicasToAck < 0 || replicasToAck > 1000) {
      throw new IllegalArgumentException(
          context.describe("replicas-to-ack")
              + " must be between 0 and 1000, got "
              + replicasToAck);
    }
    Duration replicaAckTimeout = positive(context, "replica-ack-timeout", Duration.ofMillis(500));
    if (replicasToAck == 0 && context.option("replica-ack-timeout").isPresent()) {
      throw new IllegalArgumentException(
          context.describe("replica-ack-timeout")
              + " has no effect without "
              + context.describe("replicas-to-ack"));
    }
    if (replicasToAck > 0 && replicaAckTimeout.compareTo(timeout) >= 0) {
      throw new IllegalArgumentException(
          context.describe("replica-ack-timeout")
              + " ("
              + replicaAckTimeout
              + ") must be shorter than "
              + context.describe("timeout")
              + " ("
              + timeout
              + "), which bounds the whole command");
    }
    return new RedisSettings(
        address,
        prefix,
        timeout,
        connectTimeout,
        tls,
        (int) replicasToAck,
        replicaAckTimeout,
        context::describe);
  }

  /** The TLS options, which only a {@code rediss} URL may have. */
  private static RedisSettings.Tls tls(DriverContext context, RedisAddress address) {
    Path caCert = readableFile(context, "ca-cert");
    Path trustStore = readableFile(context, "trust-store");
    String password = context.option("trust-store-password").orElse(null);
    Boolean verifyHostname = context.booleanOption("verify-hostname").orElse(null);
    boolean any =
        caCert != null || trustStore != null || password != null || verifyHostname != null;
    if (!any) {
      return null;
    }
    for (String option :
        new String[] {"ca-cert", "trust-store", "trust-store-password", "verify-hostname"}) {
      if (context.option(option).isPresent() && !address.tls()) {
        throw new IllegalArgumentException(
            context.describe(option)
                + " applies to TLS connections only, but "
                + context.describe("url")
                + " does not use TLS (rediss://, rediss-sentinel://, rediss-cluster://)");
      }
    }
    if (caCert != null && trustStore != null) {
      throw new IllegalArgumentException(
          "set either "
              + context.describe("ca-cert")
              + " (a PEM file) or "
              + context.describe("trust-store")
              + " (a key store), not both");
    }
    if (password != null && trustStore == null) {
      throw new IllegalArgumentException(
          context.describe("trust-store-password")
              + " is set without "
              + context.describe("trust-store"));
    }
    return new RedisSettings.Tls(caCert, trustStore, password, verifyHostname);
  }

  private static Path readableFile(DriverContext context, String option) {
    String value = context.option(option).orElse(null);
    if (value == null) {
      return null;
    }
    Path path = Path.of(value.trim());
    if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
      throw new IllegalArgumentException(
          context.describe(option) + " names no readable file: " + path.toAbsolutePath());
    }
    return path;
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
