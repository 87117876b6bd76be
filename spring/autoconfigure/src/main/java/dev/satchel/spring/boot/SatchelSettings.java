package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * Satchel's settings as a Spring {@link ConfigurableEnvironment} holds them: {@code satchel.*}
 * properties (in any of Spring's spellings: {@code satchel.cookie.max-age}, {@code
 * satchel.cookie.maxAge}, {@code satchel.cookie.max_age}) and {@code SATCHEL_*} environment
 * variables, each under its setting name and with the property as the user wrote it, so that every
 * error names it so. They are read from the property sources as written rather than bound, which
 * would lose that spelling, and would read {@code SATCHEL_COOKIE_MAX_AGE} as {@code
 * cookie.max.age}. What Spring Boot's own properties say fills in what they leave unset: the idle
 * timeout from {@code server.servlet.session.timeout}, the redis driver's connection from {@code
 * spring.data.redis.*} ({@link SpringDataRedisSettings}).
 */
final class SatchelSettings {
  private static final String PREFIX = "satchel.";
  private static final String VARIABLE_PREFIX = "SATCHEL_";

  /** Spring Boot's servlet session timeout, the idle timeout when Satchel's own is not set. */
  static final String SERVLET_SESSION_TIMEOUT = "server.servlet.session.timeout";

  /** A setting's value and how the user wrote its name. */
  record Setting(String value, String source) {
    /** Whether Spring Boot's own properties gave it, for want of Satchel's. */
    boolean derived() {
      return settingName(source) == null;
    }
  }

  private final Map<String, Setting> settings;

  private SatchelSettings(Map<String, Setting> settings) {
    this.settings = settings;
  }

  /**
   * The settings {@code environment} holds, the highest-precedence one for each name, with the
   * redis driver's connection taken from {@code spring.data.redis.*} where {@link
   * SpringDataRedisSettings} says so.
   */
  static SatchelSettings of(ConfigurableEnvironment environment) {
    Map<String, Setting> settings = new TreeMap<>();
    // Highest precedence first: the first source to name a setting decides it.
    for (PropertySource<?> source : environment.getPropertySources()) {
      if (ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
          || !(source instanceof EnumerablePropertySource<?> enumerable)) {
        continue;
      }
      for (String written : enumerable.getPropertyNames()) {
        String name = settingName(written);
        if (name == null || settings.containsKey(name)) {
          continue;
        }
        Object value = enumerable.getProperty(written);
        if (value != null) {
          settings.put(
              name,
              new Setting(environment.resolveRequiredPlaceholders(value.toString()), written));
        }
      }
    }
    servletSessionTimeout(environment, settings);
    SpringDataRedisSettings.derive(environment, settings);
    return new SatchelSettings(settings);
  }

  /** The settings by name ({@code cookie.max-age}, {@code driver.url}). */
  Map<String, Setting> byName() {
    return Collections.unmodifiableMap(settings);
  }

  /**
   * Applies every setting to {@code builder}.
   *
   * @throws dev.satchel.SessionConfigurationException naming the property as written, for an
   *     unknown name or an invalid value
   */
  void applyTo(Satchel.Builder builder) {
    settings.forEach((name, setting) -> builder.setting(name, setting.value(), setting.source()));
  }

  /**
   * The setting name of a property or variable as written, or {@code null} for one that is not
   * Satchel's: {@code satchel.cookie.maxAge} and {@code satchel.cookie.max_age} are {@code
   * cookie.max-age}, as Spring's relaxed binding reads them; {@code SATCHEL_COOKIE_MAX_AGE} is too,
   * by Satchel's own rule for variables (as {@link Satchel.Builder#environment} reads them).
   */
  static String settingName(String written) {
    if (written.startsWith(VARIABLE_PREFIX)) {
      return Satchel.settingOfVariable(written).orElse(null);
    }
    if (written.length() > PREFIX.length()
        && written.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return kebabCase(written.substring(PREFIX.length()));
    }
    return null;
  }

  /**
   * Spring Boot's servlet session timeout as the idle timeout, when no {@code satchel.idle-timeout}
   * is set: read as Spring Boot reads it (a bare number is seconds, {@code 30m}, ISO-8601), and a
   * timeout of zero or less, which servlet containers read as never, as {@code off}.
   */
  private static void servletSessionTimeout(
      ConfigurableEnvironment environment, Map<String, Setting> settings) {
    if (settings.containsKey("idle-timeout")) {
      return;
    }
    Binder.get(environment)
        .bind(SERVLET_SESSION_TIMEOUT, String.class)
        .ifBound(
            written -> {
              String value = written;
              try {
                Duration timeout = DurationStyle.detectAndParse(written.trim(), ChronoUnit.SECONDS);
                value = timeout.isNegative() || timeout.isZero() ? "off" : timeout.toString();
              } catch (IllegalArgumentException e) {
                // Satchel's reading of it fails too, with a message naming the property.
              }
              settings.put("idle-timeout", new Setting(value, SERVLET_SESSION_TIMEOUT));
            });
  }

  /** {@code cookie.sameSite} and {@code cookie.SAME_SITE} as {@code cookie.same-site}. */
  private static String kebabCase(String name) {
    StringBuilder kebab = new StringBuilder(name.length() + 4);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '_') {
        kebab.append('-');
      } else if (Character.isUpperCase(c)) {
        char previous = i > 0 ? name.charAt(i - 1) : '.';
        if (Character.isLowerCase(previous) || Character.isDigit(previous)) {
          kebab.append('-');
        }
        kebab.append(Character.toLowerCase(c));
      } else {
        kebab.append(c);
      }
    }
    return kebab.toString();
  }
}
