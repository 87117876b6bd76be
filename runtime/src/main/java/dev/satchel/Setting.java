package dev.satchel;

import dev.satchel.spi.DriverContext;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One of Satchel's settings by name, as {@code satchel.properties}, {@code SATCHEL_*} variables and
 * frameworks give them: how its value reads, its default, what it means, and what it sets on the
 * builder. {@link #ALL} is the one list of them: {@link SettingsBinding} reads settings by it, and
 * tests hold the README's tables and the Spring Boot configuration metadata to it.
 *
 * @param name the setting's name ({@code cookie.max-age})
 * @param kind how its value reads
 * @param defaultValue the value used when it is not set, as it would be written, or {@code null}
 *     for none
 * @param description what it means, in a sentence or two
 * @param apply sets the value on a builder
 */
record Setting<T>(
    String name,
    Kind<T> kind,
    String defaultValue,
    String description,
    BiConsumer<Satchel.Builder, T> apply) {

  /**
   * Every setting but the driver's own options ({@code driver.<option>}), in the README's order.
   */
  static final List<Setting<?>> ALL =
      List.of(
          new Setting<>(
              "driver",
              Kind.TEXT,
              Satchel.DEFAULT_DRIVER,
              "The session driver, by the name its provider registers: fs, memory or redis.",
              Satchel.Builder::driver),
          new Setting<>(
              "cookie.name",
              Kind.TEXT,
              Satchel.DEFAULT_COOKIE_NAME,
              "The cookie's name: letters, digits, _ and -.",
              Satchel.Builder::cookieName),
          new Setting<>(
              "cookie.path", Kind.TEXT, "/", "The cookie's Path.", Satchel.Builder::cookiePath),
          new Setting<>(
              "cookie.domain",
              Kind.TEXT,
              null,
              "The cookie's Domain; none by default.",
              Satchel.Builder::cookieDomain),
          new Setting<>(
              "cookie.max-age",
              Kind.DURATION,
              null,
              "The cookie's Max-Age; none by default, so the cookie lasts the browser session.",
              Satchel.Builder::cookieMaxAge),
          new Setting<>(
              "cookie.secure",
              Kind.BOOLEAN,
              "true",
              "Whether the cookie is Secure; browsers accept Secure cookies on http://localhost.",
              Satchel.Builder::secure),
          new Setting<>(
              "cookie.same-site",
              Kind.choice(SameSite.class),
              "lax",
              "The cookie's SameSite: strict, lax or none (none needs cookie.secure).",
              Satchel.Builder::sameSite),
          new Setting<>(
              "cookie.rolling",
              Kind.BOOLEAN,
              "false",
              "Whether a request that reads a stored session sends its cookie again, so that a"
                  + " Max-Age counts from the last request rather than the last write.",
              Satchel.Builder::rollingCookie),
          new Setting<>(
              "ttl",
              Kind.DURATION,
              null,
              "How long a value lives when it is set without a TTL; forever by default.",
              Satchel.Builder::defaultTtl),
          new Setting<>(
              "idle-timeout",
              Kind.DURATION_OR_OFF,
              Satchel.DEFAULT_IDLE_TIMEOUT.toString(),
              "Drop a stored session after this long without a request (reads keep it alive"
                  + " without rewriting it); off for never.",
              Satchel.Builder::idleTimeout),
          new Setting<>(
              "max-lifetime",
              Kind.DURATION_OR_OFF,
              "off",
              "End a session this long after it began, however active it is (an absolute"
                  + " timeout); off for never.",
              Satchel.Builder::maxLifetime),
          new Setting<>(
              "corrupt-data",
              Kind.choice(CorruptDataPolicy.class),
              "reset",
              "What to do with a stored session that cannot be read: reset it (logged) or fail.",
              Satchel.Builder::corruptData),
          new Setting<>(
              "undecodable-values",
              Kind.choice(UndecodableValuePolicy.class),
              "absent",
              "What a typed read does with a value that no longer fits its type: absent (logged)"
                  + " or fail.",
              Satchel.Builder::undecodableValues),
          new Setting<>(
              "max-commit-attempts",
              Kind.INTEGER,
              Integer.toString(Satchel.DEFAULT_MAX_COMMIT_ATTEMPTS),
              "How many times a commit that keeps meeting concurrent changes to its session is"
                  + " tried.",
              Satchel.Builder::maxCommitAttempts),
          new Setting<>(
              "decoded-cache-size",
              Kind.LONG,
              Long.toString(Satchel.DEFAULT_DECODED_CACHE_SIZE),
              "Characters of stored session text kept decoded in memory; 0 for none.",
              Satchel.Builder::decodedCacheSize),
          new Setting<>(
              "max-session-size",
              Kind.LONG,
              Long.toString(Satchel.DEFAULT_MAX_SESSION_SIZE),
              "The most characters of stored text a session may take; at most 16 Mi.",
              Satchel.Builder::maxSessionSize),
          new Setting<>(
              "expiry-check-interval",
              Kind.DURATION_OR_OFF,
              Satchel.DEFAULT_EXPIRY_CHECK_INTERVAL.toString(),
              "How often this instance looks for sessions that expired, to tell listeners; off to"
                  + " check only when the application calls checkExpiredSessions().",
              Satchel.Builder::expiryCheckInterval),
          new Setting<>(
              "instance-name",
              Kind.TEXT,
              null,
              "This instance's name (a host or pod name), recorded in each session it stores a"
                  + " change to; none by default.",
              Satchel.Builder::instanceName));

  /** {@link #ALL} by name. */
  static final Map<String, Setting<?>> BY_NAME = byName();

  private static Map<String, Setting<?>> byName() {
    Map<String, Setting<?>> byName = new LinkedHashMap<>();
    for (Setting<?> setting : ALL) {
      byName.put(setting.name(), setting);
    }
    return java.util.Collections.unmodifiableMap(byName);
  }

  /** The {@code SATCHEL_*} variable that sets this. */
  String variable() {
    return SettingsBinding.variable(name);
  }

  /**
   * Reads {@code value} and sets it on {@code builder}.
   *
   * @param source how the user wrote the setting's name, for messages
   */
  void applyTo(Satchel.Builder builder, String value, String source) {
    apply.accept(builder, kind.read(value, source));
  }

  /**
   * How a setting's value reads, and the type that tools such as IDEs show for it.
   *
   * @param type the Java type of the value as written ({@code String} for a duration that may be
   *     {@code off})
   */
  record Kind<T>(Class<?> type, Reader<T> reader) {
    static final Kind<String> TEXT = new Kind<>(String.class, (value, source) -> value.trim());
    static final Kind<Boolean> BOOLEAN =
        new Kind<>(
            Boolean.class, (value, source) -> one(value, source).booleanOption(source).get());
    static final Kind<Integer> INTEGER =
        new Kind<>(
            Integer.class,
            (value, source) -> Math.toIntExact(one(value, source).longOption(source).get()));
    static final Kind<Long> LONG =
        new Kind<>(Long.class, (value, source) -> one(value, source).longOption(source).get());
    static final Kind<Duration> DURATION =
        new Kind<>(
            Duration.class, (value, source) -> one(value, source).durationOption(source).get());

    /** A duration, or {@code off} (read as {@code null}) for none. */
    static final Kind<Duration> DURATION_OR_OFF =
        new Kind<>(
            String.class,
            (value, source) ->
                value.trim().equalsIgnoreCase("off") ? null : DURATION.read(value, source));

    /** One of an enum's constants, written in lower case with dashes. */
    static <E extends Enum<E>> Kind<E> choice(Class<E> type) {
      return new Kind<>(
          type,
          (value, source) -> {
            try {
              return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
              throw new SessionConfigurationException(
                  source,
                  source
                      + " must be one of "
                      + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
                      + ", got \""
                      + value
                      + "\"",
                  null);
            }
          });
    }

    T read(String value, String source) {
      return reader.read(value, source);
    }

    /**
     * The drivers' parser, so that a duration or a number reads the same in every setting and every
     * driver option; its messages name the setting by {@code source}.
     */
    private static DriverContext one(String value, String source) {
      return new DriverContext(
          "satchel",
          Map.of(source, value.trim()),
          Map.of(source, source),
          java.time.Clock.systemUTC(),
          null);
    }
  }

  /** Reads a value; the message of what it throws names {@code source}. */
  @FunctionalInterface
  interface Reader<T> {
    T read(String value, String source);
  }
}
