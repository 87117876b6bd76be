package dev.satchel.redis;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The {@code redis} driver: one string key per session holding the plain Astro-compatible blob. Its
 * options are listed, with their defaults and meanings, by {@link #describedOptions()}: {@code url}
 * (one server, a Sentinel-named primary or a Redis Cluster, with or without TLS), {@code base} or
 * {@code prefix} for the keys, {@code timeout} and {@code connect-timeout}, the TLS trust options
 * {@code ca-cert}, {@code trust-store}, {@code trust-store-password} and {@code verify-hostname},
 * and {@code replicas-to-ack} with {@code replica-ack-timeout}, which make every commit wait for
 * that many replicas ({@code WAIT}; Redis 6.2 or newer, which start-up checks).
 */
public final class RedisDriverProvider implements SessionDriverProvider {
  private static final String URL = "redis://localhost:6379";
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REPLICA_ACK_TIMEOUT = Duration.ofMillis(500);

  /**
   * What a key name never looks like and a file path does: absolute ({@code /srv}), relative to
   * here or home ({@code ./x}, {@code ../x}, {@code ~/x}, {@code .satchel/sessions}), with a
   * backslash or a drive letter ({@code C:\x}, {@code C:/x}).
   */
  private static final Pattern FILE_PATH = Pattern.compile("[/.~].*|.*\\\\.*|[A-Za-z]:[/\\\\].*");

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public RedisDriverProvider() {}

  @Override
  public String name() {
    return "redis";
  }

  @Override
  public List<Option> describedOptions() {
    return List.of(
        new Option(
            "url",
            String.class,
            URL,
            "Where the sessions live: redis://host:6379 (with :password@ and /database),"
                + " rediss:// for TLS, redis-sentinel://host:26379,host2:26379/0#mymaster for the"
                + " primary that Sentinels name, redis-cluster://host:7000,host2:7001 for a Redis"
                + " Cluster."),
        new Option(
            "base",
            String.class,
            null,
            "unstorage's base, as an Astro app's redis driver has it: sessions are stored under"
                + " <base>:<id>, slashes read as colons. A Redis key name, never a folder (the fs"
                + " driver's base is one); set either base or prefix."),
        new Option(
            "prefix",
            String.class,
            "",
            "Put before each session ID in its key exactly as written (x: stores x:<id>); empty"
                + " by default, so keys are bare session IDs as in Astro."),
        new Option("timeout", Duration.class, TIMEOUT.toString(), "How long one command may take."),
        new Option(
            "connect-timeout",
            Duration.class,
            CONNECT_TIMEOUT.toString(),
            "How long connecting may take."),
        new Option(
            "ca-cert",
            String.class,
            null,
            "TLS: a PEM file of the certificates to trust (the authority that signed the"
                + " server's); the JVM's own by default."),
        new Option(
            "trust-store",
            String.class,
            null,
            "TLS: the certificates to trust as a PKCS#12 or JKS key store, instead of ca-cert."),
        new Option("trust-store-password", String.class, null, "TLS: the trust-store's password."),
        new Option(
            "verify-hostname",
            Boolean.class,
            "true",
            "TLS: whether the server's certificate must name the host in the URL; false is"
                + " unsafe, as anyone with a certificate from that authority can pose as the"
                + " server."),
        new Option(
            "client-cert",
            String.class,
            null,
            "TLS: a PEM file of the certificate to show a server that asks clients for one"
                + " (tls-auth-clients), with client-key."),
        new Option(
            "client-key",
            String.class,
            null,
            "TLS: the PEM file of client-cert's private key (PKCS#8, unencrypted)."),
        new Option(
            "key-store",
            String.class,
            null,
            "TLS: the client's certificate and key as a PKCS#12 or JKS key store, instead of"
                + " client-cert and client-key."),
        new Option("key-store-password", String.class, null, "TLS: the key-store's password."),
        new Option(
            "replicas-to-ack",
            Long.class,
            "0",
            "How many replicas must confirm each commit (WAIT) before it counts as saved; 0 waits"
                + " for none."),
        new Option(
            "replica-ack-timeout",
            Duration.class,
            REPLICA_ACK_TIMEOUT.toString(),
            "How long a commit waits for its replicas; shorter than timeout."),
        new Option(
            "sentinel-password",
            String.class,
            null,
            "Sentinel: the password the Sentinels ask for (their requirepass), when it is not the"
                + " primary's, which the URL holds."),
        new Option(
            "sentinel-username",
            String.class,
            null,
            "Sentinel: the user the Sentinels know the driver as, with sentinel-password."),
        new Option(
            "allow-eviction",
            Boolean.class,
            "false",
            "Whether to start on a server that may evict keys when full (maxmemory with a"
                + " maxmemory-policy other than noeviction), which drops sessions and the markers"
                + " that guard log-ins and log-outs; refused by default."));
  }

  @Override
  public SessionDriver create(DriverContext context) {
    return RedisDriver.connect(settings(context), context.clock());
  }

  /** The options, read and checked. */
  static RedisSettings settings(DriverContext context) {
    String url = context.option("url").orElse(URL);
    RedisAddress address = RedisAddress.parse(url, context.describe("url"));
    String prefix = keyPrefix(context);
    Duration timeout = positive(context, "timeout", TIMEOUT);
    Duration connectTimeout = positive(context, "connect-timeout", CONNECT_TIMEOUT);
    RedisSettings.Tls tls = tls(context, address);
    long replicasToAck = context.longOption("replicas-to-ack").orElse(0L);
    if (replicasToAck < 0 || replicasToAck > 1000) {
      throw new IllegalArgumentException(
          context.describe("replicas-to-ack")
              + " must be between 0 and 1000, got "
              + replicasToAck);
    }
    Duration replicaAckTimeout = positive(context, "replica-ack-timeout", REPLICA_ACK_TIMEOUT);
    if (replicasToAck == 0 && context.option("replica-ack-timeout").isPresent()) {
      throw new IllegalArgumentException(
          context.describe("replica-ack-timeout")
              + " has no effect without "
              + context.describe("replicas-to-ack"));
    }
    if (replicaAckTimeout.compareTo(Duration.ofMillis(1)) < 0) {
      // WAIT counts whole milliseconds, and WAIT n 0 waits for ever.
      throw new IllegalArgumentException(
          context.describe("replica-ack-timeout")
              + " must be at least 1 ms (PT0.001S), got "
              + replicaAckTimeout);
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
    String sentinelUsername = context.option("sentinel-username").orElse(null);
    String sentinelPassword = context.option("sentinel-password").orElse(null);
    for (String option : List.of("sentinel-username", "sentinel-password")) {
      if (context.option(option).isPresent() && address.kind() != RedisAddress.Kind.SENTINEL) {
        throw new IllegalArgumentException(
            context.describe(option)
                + " applies to Sentinels, but "
                + context.describe("url")
                + " names none (redis-sentinel://host:26379/0#primary)");
      }
    }
    if (sentinelUsername != null && sentinelPassword == null) {
      throw new IllegalArgumentException(
          context.describe("sentinel-username")
              + " is set without "
              + context.describe("sentinel-password"));
    }
    return new RedisSettings(
        address,
        prefix,
        timeout,
        connectTimeout,
        tls,
        (int) replicasToAck,
        replicaAckTimeout,
        context.booleanOption("allow-eviction").orElse(false),
        sentinelUsername,
        sentinelPassword,
        context::describe);
  }

  private static final List<String> TLS_OPTIONS =
      List.of(
          "ca-cert",
          "trust-store",
          "trust-store-password",
          "verify-hostname",
          "client-cert",
          "client-key",
          "key-store",
          "key-store-password");

  /** The TLS options, which only a {@code rediss} URL may have. */
  private static RedisSettings.Tls tls(DriverContext context, RedisAddress address) {
    Path caCert = readableFile(context, "ca-cert");
    Path trustStore = readableFile(context, "trust-store");
    String password = context.option("trust-store-password").orElse(null);
    Boolean verifyHostname = context.booleanOption("verify-hostname").orElse(null);
    Path clientCert = readableFile(context, "client-cert");
    Path clientKey = readableFile(context, "client-key");
    Path keyStore = readableFile(context, "key-store");
    String keyStorePassword = context.option("key-store-password").orElse(null);
    boolean any =
        caCert != null
            || trustStore != null
            || password != null
            || verifyHostname != null
            || clientCert != null
            || clientKey != null
            || keyStore != null
            || keyStorePassword != null;
    if (!any) {
      return null;
    }
    for (String option : TLS_OPTIONS) {
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
    if ((clientCert == null) != (clientKey == null)) {
      throw new IllegalArgumentException(
          context.describe(clientCert == null ? "client-key" : "client-cert")
              + " is set without "
              + context.describe(clientCert == null ? "client-cert" : "client-key")
              + ": a client certificate needs its key");
    }
    if (clientCert != null && keyStore != null) {
      throw new IllegalArgumentException(
          "set either "
              + context.describe("client-cert")
              + " with "
              + context.describe("client-key")
              + " (PEM files) or "
              + context.describe("key-store")
              + " (a key store), not both");
    }
    if (keyStorePassword != null && keyStore == null) {
      throw new IllegalArgumentException(
          context.describe("key-store-password")
              + " is set without "
              + context.describe("key-store"));
    }
    return new RedisSettings.Tls(
        caCert,
        trustStore,
        password,
        verifyHostname,
        clientCert,
        clientKey,
        keyStore,
        keyStorePassword);
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
   * base: "sess"} does). Either one that looks like a file path is refused: it is the fs driver's
   * {@code base} carried over, which would otherwise quietly become part of every key.
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
    refuseFilePath(context, "base", base);
    refuseFilePath(context, "prefix", prefix);
    if (base == null) {
      return prefix == null ? "" : prefix;
    }
    // unstorage's normalizeBaseKey: slashes become colons, runs of colons one, none at the ends.
    String normalized =
        base.replaceAll("[/\\\\]", ":").replaceAll(":+", ":").replaceAll("^:|:$", "");
    return normalized.isEmpty() ? "" : normalized + ":";
  }

  private static void refuseFilePath(DriverContext context, String option, String value) {
    if (value == null || !FILE_PATH.matcher(value.trim()).matches()) {
      return;
    }
    throw new IllegalArgumentException(
        context.describe(option)
            + " is \""
            + value
            + "\", a file path, but the redis driver's "
            + option
            + " is part of a Redis key name: "
            + (option.equals("base")
                ? "unstorage's base, which stores sessions under <base>:<id> (base=sess for sess:<id>)"
                : "put before each session ID as written (prefix=sess: for sess:<id>)")
            + ". The folder of sessions is the fs driver's base; with driver=redis, set base or"
            + " prefix to a key name such as sess, or remove it to store sessions under their bare"
            + " IDs as Astro does.");
  }

  private static Duration positive(DriverContext context, String option, Duration fallback) {
    Duration value = context.durationOption(option).orElse(fallback);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(context.describe(option) + " must be positive");
    }
    return value;
  }
}
