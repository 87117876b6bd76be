package dev.satchel;

import dev.satchel.spi.DriverContext;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Satchel's settings by name, as {@code satchel.properties}, {@code SATCHEL_*} variables and
 * frameworks give them: the names, the parsing of their values, and errors that name the setting as
 * the user wrote it.
 */
final class SettingsBinding {
  /** Every setting name but the driver's own options ({@code driver.<option>}). */
  static final List<String> NAMES =
      List.of(
          "driver",
          "cookie.name",
          "cookie.path",
          "cookie.domain",
          "cookie.max-age",
          "cookie.secure",
          "cookie.same-site",
          "cookie.rolling",
          "ttl",
          "idle-timeout",
          "max-lifetime",
          "corrupt-data",
          "undecodable-values",
          "max-commit-attempts",
          "decoded-cache-size",
          "max-session-size",
          "expiry-check-interval",
          "instance-name");

  private SettingsBinding() {}

  /**
   * How a setting is written where {@code name} was written as {@code source}: the same for
   * properties, {@code SATCHEL_DRIVER_URL} for variables, {@code satchel.driver.url} under a
   * framework's prefix.
   */
  static Function<String, String> spelling(String name, String source) {
    if (source.equals(name)) {
      return Function.identity();
    }
    if (source.startsWith("SATCHEL_")) {
      return SettingsBinding::variable;
    }
    if (source.endsWith(name)) {
      String prefix = source.substring(0, source.length() - name.length());
      return setting -> prefix + setting;
    }
    return Function.identity();
  }

  /** The variable for a setting name: {@code cookie.max-age} is {@code SATCHEL_COOKIE_MAX_AGE}. */
  static String variable(String name) {
    return "SATCHEL_" + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The setting name of a {@code SATCHEL_*} variable, or {@code null} for another variable. */
  static String nameOfVariable(String variable) {
    if (!variable.startsWith("SATCHEL_")) {
      return null;
    }
    String key = variable.substring("SATCHEL_".length()).toLowerCase(Locale.ROOT);
    if (key.startsWith("driver_")) {
      return "driver." + key.substring("driver_".length()).replace('_', '-');
    }
    if (key.startsWith("cookie_")) {
      return "cookie." + key.substring("cookie_".length()).replace('_', '-');
    }
    return key.replace('_', '-');
  }

  /**
   * Applies one setting to {@code builder}.
   *
   * @throws SessionConfigurationException naming {@code source} when the name is unknown or the
   *     value invalid
   */
  static void apply(Satchel.Builder builder, String name, String value, String source) {
    String v = value.trim();
    // The drivers' parser, so that a duration or a number reads the same in every setting.
    DriverContext one =
        new DriverContext(
            "satchel", Map.of(name, v), Map.of(name, source), Clock.systemUTC(), null);
    try {
      switch (name) {
        case "driver" -> builder.driver(v);
        case "cookie.name" -> builder.cookieName(v);
        case "cookie.path" -> builder.cookiePath(v);
        case "cookie.domain" -> builder.cookieDomain(v);
        case "cookie.max-age" -> builder.cookieMaxAge(one.durationOption(name).orElseThrow());
        case "cookie.secure" -> builder.secure(one.booleanOption(name).orElseThrow());
        case "cookie.same-site" -> builder.sameSite(choice(SameSite.class, source, v));
        case "cookie.rolling" -> builder.rollingCookie(one.booleanOption(name).orElseThrow());
        case "ttl" -> builder.defaultTtl(one.durationOption(name).orElseThrow());
        case "idle-timeout" ->
            builder.idleTimeout(
                v.equalsIgnoreCase("off") ? null : one.durationOption(name).orElseThrow());
        case "max-lifetime" ->
            builder.maxLifetime(
                v.equalsIgnoreCase("off") ? null : one.durationOption(name).orElseThrow());
        case "corrupt-data" -> builder.corruptData(choice(CorruptDataPolicy.class, source, v));
        case "undecodable-values" ->
            builder.undecodableValues(choice(UndecodableValuePolicy.class, source, v));
        case "max-commit-attempts" ->
            builder.maxCommitAttempts(Math.toIntExact(one.longOption(name).orElseThrow()));
        case "decoded-cache-size" -> builder.decodedCacheSize(one.longOption(name).orElseThrow());
        case "max-session-size" -> builder.maxSessionSize(one.longOption(name).orElseThrow());
        case "instance-name" -> builder.instanceName(v);
        case "expiry-check-interval" ->
            builder.expiryCheckInterval(
                v.equalsIgnoreCase("off") ? null : one.durationOption(name).orElseThrow());
        default -> {
          if (name.startsWith("driver.") && name.length() > "driver.".length()) {
            builder.driverOption(name.substring("driver.".length()), v, source);
          } else {
            throw new SessionConfigurationException(
                source,
                "Unknown Satchel setting "
                    + source
                    + SettingNames.suggestion(name, NAMES, spelling(name, source)),
                null);
          }
        }
      }
    } catch (SessionConfigurationException e) {
      throw e;
    } catch (IllegalArgumentException | ArithmeticException e) {
      String problem = e.getMessage() == null ? "invalid" : e.getMessage();
      throw new SessionConfigurationException(
          source,
          problem.contains(source)
              ? problem
              : source
                  + ": "
                  + problem
                  + (problem.contains("got") ? "" : ", got \"" + value + "\""),
          e);
    }
  }

  private static <E extends Enum<E>> E choice(Class<E> type, String what, String value) {
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new SessionConfigurationException(
          what,
          what
              + " must be one of "
              + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT)
              + ", got \""
              + value
              + "\"",
          null);
    }
  }
}
