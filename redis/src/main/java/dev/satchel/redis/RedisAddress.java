package dev.satchel.redis;

import io.lettuce.core.RedisURI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the sessions live, read from the {@code url} option: one server ({@code redis://}, {@code
 * rediss://}), a primary that Sentinels name ({@code redis-sentinel://}, {@code
 * rediss-sentinel://}, Lettuce's own syntax), or a Redis Cluster through its seed nodes ({@code
 * redis-cluster://}, {@code rediss-cluster://}).
 *
 * @param kind which of the three
 * @param uris the one URI of a server or of the Sentinels, or one per cluster seed node
 * @param where the host and port, the primary's name and the Sentinels, or the seed nodes; never a
 *     password
 */
record RedisAddress(Kind kind, List<RedisURI> uris, String where) {

  /** How the driver finds the server that takes its writes. */
  enum Kind {
    SERVER,
    SENTINEL,
    CLUSTER
  }

  /** How messages name it. */
  String description() {
    switch (kind) {
      case SENTINEL:
        return "the Redis primary " + where;
      case CLUSTER:
        return "the Redis Cluster at " + where;
      default:
        return "Redis at " + where;
    }
  }

  /** Whether commands travel over TLS. */
  boolean tls() {
    return uris.get(0).isSsl();
  }

  /**
   * Reads a URL.
   *
   * @throws IllegalArgumentException naming {@code option} when the URL cannot be read
   */
  static RedisAddress parse(String url, String option) {
    String scheme = url.contains("://") ? url.substring(0, url.indexOf("://")) : "";
    String lowerScheme = scheme.toLowerCase(Locale.ROOT);
    if (lowerScheme.equals("redis-cluster") || lowerScheme.equals("rediss-cluster")) {
      return cluster(url, lowerScheme.startsWith("rediss"), option);
    }
    if (lowerScheme.endsWith("-sentinel")
        && (!url.contains("#") || url.substring(url.indexOf('#') + 1).isBlank())) {
      throw new IllegalArgumentException(
          option
              + " names Sentinels but not the primary they watch: end it with #<master name>,"
              + " as in redis-sentinel://host:26379,host2:26379/0#mymaster");
    }
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      throw new IllegalArgumentException(
          option
              + " is not a Redis URL ("
              + e.getMessage()
              + "); use redis://host:6379, rediss://host:6380, "
              + "redis-sentinel://host:26379,host2:26379/0#mymaster or "
              + "redis-cluster://host:7000,host2:7001",
          e);
    }
    if (!uri.getSentinels().isEmpty()) {
      String sentinels =
          uri.getSentinels().stream()
              .map(s -> s.getHost() + ":" + s.getPort())
              .collect(Collectors.joining(","));
      return new RedisAddress(
          Kind.SENTINEL,
          List.of(uri),
          "\"" + uri.getSentinelMasterId() + "\" (through the Sentinels at " + sentinels + ")");
    }
    String where = uri.getSocket() != null ? uri.getSocket() : uri.getHost() + ":" + uri.getPort();
    return new RedisAddress(Kind.SERVER, List.of(uri), where);
  }

  /**
   * A cluster URL: {@code redis-cluster://[[user]:password@]host:port[,host:port...][/0][?...]}.
   * Each seed becomes a {@code redis://} (or {@code rediss://}) URI with the same credentials and
   * parameters.
   */
  private static RedisAddress cluster(String url, boolean tls, String option) {
    String rest = url.substring(url.indexOf("://") + 3);
    String query = "";
    int question = rest.indexOf('?');
    if (question >= 0) {
      query = rest.substring(question);
      rest = rest.substring(0, question);
    }
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String database = rest.substring(slash + 1);
      if (!database.isEmpty() && !database.equals("0")) {
        throw new IllegalArgumentException(
            option + " selects database " + database + ", but a Redis Cluster has only database 0");
      }
      rest = rest.substring(0, slash);
    }
    String credentials = "";
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      credentials = rest.substring(0, at + 1);
      rest = rest.substring(at + 1);
    }
    List<RedisURI> seeds = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    for (String host : rest.split(",")) {
      if (host.isBlank()) {
        continue;
      }
      String seed = (tls ? "rediss://" : "redis://") + credentials + host.trim() + query;
      try {
        seeds.add(RedisURI.create(seed));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            option + " names a cluster node that is not host:port (" + host + ")", e);
      }
      hosts.add(host.trim());
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException(
          option + " names no cluster node; use redis-cluster://host:7000,host2:7001");
    }
    return new RedisAddress(Kind.CLUSTER, List.copyOf(seeds), String.join(",", hosts));
  }
}
