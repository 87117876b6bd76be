package dev.satchel.redis;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * What the redis driver checks as it starts: the server's version and mode, enough replicas for
 * {@code replicas-to-ack}, and, when it cannot connect, why in words a user can act on (a
 * certificate not trusted or for another host, a client certificate asked for, a password).
 */
final class RedisStartupChecks {
  private static final Logger LOG = System.getLogger("dev.satchel.redis");

  private RedisStartupChecks() {}

  /** Says so at start-up when every commit is bound to fail for want of replicas. */
  static void warnIfTooFewReplicas(RedisConnections connections, RedisSettings settings) {
    String replicas;
    try {
      replicas =
          infoField(
              LettuceFutures.awaitOrCancel(
                  connections.commands().info("replication"),
                  settings.timeout().toNanos(),
                  TimeUnit.NANOSECONDS),
              "connected_slaves");
    } catch (RuntimeException e) {
      return;
    }
    if (replicas != null
        && replicas.matches("\\d+")
        && Integer.parseInt(replicas) < settings.replicasToAck()) {
      LOG.log(
          Level.WARNING,
          settings.address().description()
              + " has "
              + replicas
              + " replicas connected, and "
              + settings.names().describe("replicas-to-ack")
              + " asks "
              + settings.replicasToAck()
              + " to confirm each commit: commits fail until enough are connected.");
    }
  }

  /** Why start-up could not reach Redis, with what to do when it is the certificate. */
  static String unreachable(RedisSettings settings, RuntimeException e) {
    RedisAddress address = settings.address();
    String where = address.description();
    Throwable tls = causeOf(e, SSLException.class);
    String reason = rootMessage(tls != null ? tls : e);
    boolean certificate =
        causeOf(e, CertificateException.class) != null
            || (tls != null && reason.contains("certification path"));
    RedisSettings.OptionNames names = settings.names();
    if (reason.contains("certificate_required")) {
      return "the TLS handshake with "
          + where
          + " failed: the server asks for a client certificate ("
          + reason
          + "). Give one as "
          + names.describe("client-cert")
          + " with "
          + names.describe("client-key")
          + " (PEM files) or as "
          + names.describe("key-store");
    }
    if (reason.contains("bad_certificate") || reason.contains("unknown_ca")) {
      return "the TLS handshake with "
          + where
          + " failed: the server refused the client certificate ("
          + reason
          + "); it must be signed by an authority the server trusts (its tls-ca-cert-file) and"
          + " be meant for clients (extendedKeyUsage clientAuth)";
    }
    if (address.kind() == RedisAddress.Kind.SENTINEL
        && (reason.contains("NOAUTH") || reason.contains("WRONGPASS"))) {
      return "cannot reach "
          + where
          + ": "
          + reason
          + " (the Sentinels or the primary ask for a password: the URL's password is the"
          + " primary's, redis-sentinel://:password@host:26379/0#name, and "
          + names.describe("sentinel-password")
          + " the Sentinels')";
    }
    if (!certificate) {
      if (tls != null) {
        return "the TLS handshake with " + where + " failed: " + reason;
      }
      return "cannot reach "
          + where
          + ": "
          + reason
          + (!address.tls() && (reason.contains("reset") || reason.contains("closed"))
              ? " (a server that expects TLS drops plain connections: rediss:// uses TLS)"
              : "");
    }
    if (reason.contains("subject alternative") || reason.contains("No name matching")) {
      String host =
          address.kind() == RedisAddress.Kind.SERVER
              ? address.uris().get(0).getHost()
              : "the host connected to";
      return "the TLS handshake with "
          + where
          + " failed: its certificate does not name "
          + host
          + " ("
          + reason
          + "). Connect by a name the certificate holds; "
          + names.describe("verify-hostname")
          + "=false skips this check, which is unsafe: anyone holding a certificate from the"
          + " same authority could pose as the server";
    }
    return "the TLS handshake with "
        + where
        + " failed: its certificate is not trusted ("
        + reason
        + "). Give the certificate of the authority that signed it as "
        + names.describe("ca-cert")
        + " (a PEM file) or "
        + names.describe("trust-store");
  }

  static Throwable causeOf(Throwable e, Class<? extends Throwable> type) {
    // A cluster that cannot be reached says why for each seed node in a suppressed exception.
    Deque<Throwable> pending = new ArrayDeque<>(List.of(e));
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    while (!pending.isEmpty()) {
      Throwable t = pending.removeFirst();
      if (!seen.add(t)) {
        continue;
      }
      if (type.isInstance(t)) {
        return t;
      }
      if (t.getCause() != null) {
        pending.addLast(t.getCause());
      }
      pending.addAll(List.of(t.getSuppressed()));
    }
    return null;
  }

  /**
   * The text of {@code INFO server}, or {@code null} when the server refuses the command (an ACL
   * without it, a renamed command): not knowing the version is no reason to refuse to start.
   */
  static String serverInfo(
      RedisClusterAsyncCommands<String, byte[]> commands, Duration timeout, String address) {
    try {
      return LettuceFutures.awaitOrCancel(
          commands.info("server"), timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RedisCommandExecutionException e) {
      LOG.log(
          Level.WARNING,
          "The redis driver cannot tell the version of "
              + address
              + " ("
              + e.getMessage()
              + "); it needs Redis 6.2 or newer (GETEX, PXAT).");
      return null;
    }
  }

  /**
   * Refuses a server older than Redis 6.2 by the {@code redis_version} in {@code info} (the text of
   * {@code INFO server}). A version that cannot be read is let through.
   *
   * @throws IllegalStateException naming the server and its version when it is too old
   */
  static void requireSupportedVersion(String info, String address) {
    String version = redisVersion(info);
    int[] majorMinor = version == null ? null : majorMinor(version);
    if (majorMinor == null) {
      if (info != null) {
        LOG.log(
            Level.WARNING,
            "The redis driver cannot read the version of the server at "
                + address
                + "; it needs Redis 6.2 or newer (GETEX, PXAT).");
      }
      return;
    }
    if (majorMinor[0] < 6 || (majorMinor[0] == 6 && majorMinor[1] < 2)) {
      throw new IllegalStateException(
          "the redis driver needs Redis 6.2 or newer (GETEX, PXAT); the server at "
              + address
              + " is "
              + version);
    }
  }

  /**
   * Refuses a {@code redis://} URL that reaches a cluster node or a Sentinel: a cluster node would
   * answer most keys with a redirect, a Sentinel stores nothing.
   */
  static void requireMatchingMode(String info, RedisAddress address) {
    String mode = infoField(info, "redis_mode");
    if (mode == null || address.kind() != RedisAddress.Kind.SERVER) {
      return;
    }
    String hostPort = address.where();
    if (mode.equals("cluster")) {
      throw new IllegalStateException(
          address.description()
              + " is a Redis Cluster node: name the cluster's nodes as"
              + " redis-cluster://"
              + hostPort
              + ",<another node>");
    }
    if (mode.equals("sentinel")) {
      throw new IllegalStateException(
          address.description()
              + " is a Sentinel: name the primary it watches as redis-sentinel://"
              + hostPort
              + "/0#<primary name>");
    }
  }

  /** The {@code redis_version} line's value in {@code INFO server} text, or {@code null}. */
  static String redisVersion(String info) {
    return infoField(info, "redis_version");
  }

  static String infoField(String info, String field) {
    if (info == null) {
      return null;
    }
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return null;
  }

  /** The major and minor numbers of a version such as {@code 7.2.4}, or {@code null}. */
  static int[] majorMinor(String version) {
    String[] parts = version.split("\\.");
    if (parts.length < 2) {
      return null;
    }
    try {
      return new int[] {
        Integer.parseInt(leadingDigits(parts[0])), Integer.parseInt(leadingDigits(parts[1]))
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static String leadingDigits(String part) {
    int end = 0;
    while (end < part.length() && Character.isDigit(part.charAt(end))) {
      end++;
    }
    return part.substring(0, end);
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
