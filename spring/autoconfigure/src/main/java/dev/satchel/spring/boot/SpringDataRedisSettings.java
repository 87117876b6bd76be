package dev.satchel.spring.boot;

import dev.satchel.spring.boot.SatchelSettings.Setting;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * The redis driver's connection from Spring Boot's {@code spring.data.redis.*} properties, for an
 * application that configures Redis there and selects {@code satchel.driver=redis} without {@code
 * satchel.driver.url}. They are read from the {@link Environment} as Spring Boot reads them
 * (relaxed names, {@code 500ms}-style durations), without needing Spring Data Redis on the class
 * path:
 *
 * <ul>
 *   <li>{@code url}, in Spring Boot's order: Sentinels when {@code sentinel.master} and {@code
 *       sentinel.nodes} are set ({@code redis-sentinel://}), else a cluster when {@code
 *       cluster.nodes} is ({@code redis-cluster://}), each with {@code username}, {@code password}
 *       and {@code ssl.enabled} or {@code ssl.bundle} ({@code rediss-...}); else {@code
 *       spring.data.redis.url} as it is; else one server built from {@code host} ({@code
 *       localhost}), {@code port} (6379), {@code username} and {@code password}, {@code database}
 *       (0) and {@code ssl.enabled} or {@code ssl.bundle} ({@code rediss://}), when any of them is
 *       set;
 *   <li>{@code timeout}: {@code spring.data.redis.timeout};
 *   <li>{@code connect-timeout}: {@code spring.data.redis.connect-timeout}.
 * </ul>
 *
 * <p>A {@code satchel.driver.timeout} or {@code satchel.driver.connect-timeout} of the application
 * wins over the derived one, as do {@code satchel.driver.sentinel-username} and {@code
 * sentinel-password} over {@code spring.data.redis.sentinel.username} and {@code password}.
 */
final class SpringDataRedisSettings {
  private static final String PREFIX = "spring.data.redis.";

  private SpringDataRedisSettings() {}

  /** Adds the derived {@code driver.url}, {@code driver.timeout} and so on to {@code settings}. */
  static void derive(Environment environment, Map<String, Setting> settings) {
    Setting driver = settings.get("driver");
    if (driver == null
        || !driver.value().trim().equals("redis")
        || settings.containsKey("driver.url")) {
      return;
    }
    Binder binder = Binder.get(environment);
    Optional<Setting> url = url(binder);
    url.ifPresent(set -> settings.put("driver.url", set));
    if (url.isPresent() && url.get().value().matches("rediss?-sentinel://.*")) {
      for (String credential : new String[] {"username", "password"}) {
        string(binder, "sentinel." + credential)
            .ifPresent(
                value ->
                    settings.putIfAbsent(
                        "driver.sentinel-" + credential,
                        new Setting(value, PREFIX + "sentinel." + credential)));
      }
    }
    for (String option : new String[] {"timeout", "connect-timeout"}) {
      if (settings.containsKey("driver." + option)) {
        continue;
      }
      String property = PREFIX + option;
      // Bound as Spring Boot binds it, so that "500ms" and a bare number of milliseconds mean
      // what they mean there; a bad value fails with Spring Boot's own message naming it.
      binder
          .bind(property, Bindable.of(Duration.class))
          .ifBound(
              duration ->
                  settings.put("driver." + option, new Setting(duration.toString(), property)));
    }
  }

  /** The URL that the {@code spring.data.redis.*} connection properties describe, if any. */
  private static Optional<Setting> url(Binder binder) {
    Optional<Setting> sentinels = sentinels(binder);
    if (sentinels.isPresent()) {
      return sentinels;
    }
    Optional<Setting> cluster = cluster(binder);
    if (cluster.isPresent()) {
      return cluster;
    }
    Optional<String> url = string(binder, "url");
    if (url.isPresent()) {
      return Optional.of(new Setting(url.get(), PREFIX + "url"));
    }
    Optional<String> host = string(binder, "host");
    Optional<Integer> port = bound(binder, PREFIX + "port", Integer.class);
    Optional<String> username = string(binder, "username");
    Optional<String> password = string(binder, "password");
    Optional<Integer> database = bound(binder, PREFIX + "database", Integer.class);
    Optional<Boolean> ssl = bound(binder, PREFIX + "ssl.enabled", Boolean.class);
    Optional<String> sslBundle = string(binder, "ssl.bundle");
    if (host.isEmpty()
        && port.isEmpty()
        && username.isEmpty()
        && password.isEmpty()
        && database.isEmpty()
        && ssl.isEmpty()
        && sslBundle.isEmpty()) {
      return Optional.empty();
    }
    boolean tls = ssl.orElse(false) || sslBundle.isPresent();
    StringBuilder built = new StringBuilder(tls ? "rediss://" : "redis://");
    if (password.isPresent()) {
      username.ifPresent(name -> built.append(encode(name)));
      built.append(':').append(encode(password.get())).append('@');
    }
    String hostName = host.orElse("localhost");
    built.append(hostName.contains(":") ? "[" + hostName + "]" : hostName);
    built.append(':').append(port.orElse(6379));
    database.filter(index -> index != 0).ifPresent(index -> built.append('/').append(index));
    List<String> from = new ArrayList<>();
    host.ifPresent(set -> from.add(PREFIX + "host"));
    port.ifPresent(set -> from.add(PREFIX + "port"));
    username.ifPresent(set -> from.add(PREFIX + "username"));
    password.ifPresent(set -> from.add(PREFIX + "password"));
    database.ifPresent(set -> from.add(PREFIX + "database"));
    ssl.ifPresent(set -> from.add(PREFIX + "ssl.enabled"));
    sslBundle.ifPresent(set -> from.add(PREFIX + "ssl.bundle"));
    return Optional.of(new Setting(built.toString(), builtFrom(from)));
  }

  /**
   * The URL of the primary that {@code sentinel.master} names, found through {@code
   * sentinel.nodes}, when both are set.
   */
  private static Optional<Setting> sentinels(Binder binder) {
    Optional<String> master = string(binder, "sentinel.master");
    List<String> nodes = nodes(binder, "sentinel.nodes");
    if (master.isEmpty() && nodes.isEmpty()) {
      return Optional.empty();
    }
    if (master.isEmpty() || nodes.isEmpty()) {
      throw new IllegalArgumentException(
          PREFIX
              + (master.isEmpty() ? "sentinel.nodes" : "sentinel.master")
              + " is set without "
              + PREFIX
              + (master.isEmpty() ? "sentinel.master" : "sentinel.nodes")
              + ": set both to reach the primary the Sentinels watch");
    }
    List<String> from =
        new ArrayList<>(List.of(PREFIX + "sentinel.master", PREFIX + "sentinel.nodes"));
    StringBuilder built = new StringBuilder(scheme(binder, "redis-sentinel", from));
    built.append(credentials(binder, from)).append(String.join(",", nodes));
    Optional<Integer> database = bound(binder, PREFIX + "database", Integer.class);
    database.ifPresent(set -> from.add(PREFIX + "database"));
    database.filter(index -> index != 0).ifPresent(index -> built.append('/').append(index));
    built.append('#').append(master.get());
    return Optional.of(new Setting(built.toString(), builtFrom(from)));
  }

  /** The URL of the cluster that {@code cluster.nodes} name, when they are set. */
  private static Optional<Setting> cluster(Binder binder) {
    List<String> nodes = nodes(binder, "cluster.nodes");
    if (nodes.isEmpty()) {
      return Optional.empty();
    }
    List<String> from = new ArrayList<>(List.of(PREFIX + "cluster.nodes"));
    String built =
        scheme(binder, "redis-cluster", from) + credentials(binder, from) + String.join(",", nodes);
    return Optional.of(new Setting(built, builtFrom(from)));
  }

  /** {@code base}:// or its TLS form, by {@code ssl.enabled} and {@code ssl.bundle}. */
  private static String scheme(Binder binder, String base, List<String> from) {
    Optional<Boolean> ssl = bound(binder, PREFIX + "ssl.enabled", Boolean.class);
    Optional<String> sslBundle = string(binder, "ssl.bundle");
    ssl.ifPresent(set -> from.add(PREFIX + "ssl.enabled"));
    sslBundle.ifPresent(set -> from.add(PREFIX + "ssl.bundle"));
    boolean tls = ssl.orElse(false) || sslBundle.isPresent();
    return (tls ? base.replaceFirst("^redis", "rediss") : base) + "://";
  }

  /** {@code username:password@} for the data nodes, or nothing without a password. */
  private static String credentials(Binder binder, List<String> from) {
    Optional<String> username = string(binder, "username");
    Optional<String> password = string(binder, "password");
    if (password.isEmpty()) {
      return "";
    }
    username.ifPresent(set -> from.add(PREFIX + "username"));
    from.add(PREFIX + "password");
    return username.map(SpringDataRedisSettings::encode).orElse("")
        + ":"
        + encode(password.get())
        + "@";
  }

  /** The {@code host:port} entries of a list property, blanks dropped. */
  private static List<String> nodes(Binder binder, String name) {
    return binder.bind(PREFIX + name, Bindable.listOf(String.class)).orElse(List.of()).stream()
        .map(String::trim)
        .filter(node -> !node.isEmpty())
        .toList();
  }

  /** How messages name a URL built from properties: "the URL built from a and b". */
  static String builtFrom(List<String> properties) {
    String named =
        properties.size() == 1
            ? properties.get(0)
            : String.join(", ", properties.subList(0, properties.size() - 1))
                + " and "
                + properties.get(properties.size() - 1);
    return "the URL built from " + named;
  }

  private static Optional<String> string(Binder binder, String name) {
    return bound(binder, PREFIX + name, String.class).filter(s -> !s.isEmpty());
  }

  private static <T> Optional<T> bound(Binder binder, String property, Class<T> type) {
    return Optional.ofNullable(binder.bind(property, type).orElse(null));
  }

  /** Percent-encoded for a URL's user information, which the driver's client decodes. */
  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
