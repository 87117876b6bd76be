package dev.satchel.spring.boot;

import dev.satchel.SessionConfigurationException;
import dev.satchel.spring.boot.SatchelSettings.Setting;
import java.util.Map;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * A configuration mistake: the message names the property as written; the analysis adds where it
 * was set, when Spring knows, and, for one of Spring Boot's own properties that Satchel read for
 * want of its own ({@code spring.data.redis.url}, {@code server.servlet.session.timeout}), which
 * Satchel setting it stood in for; for the jdbc driver without a database, how to give it one.
 */
final class SatchelConfigurationFailureAnalyzer
    extends AbstractFailureAnalyzer<SessionConfigurationException> {
  private static final String DURATIONS =
      "Durations are a number of seconds, a number with a unit (500ms, 30m, 2h) or ISO-8601"
          + " (PT30M).";

  private static final String NO_DATA_SOURCE =
      "Give the application a DataSource: add spring-boot-starter-jdbc and the database's JDBC"
          + " driver (such as org.postgresql:postgresql), and set spring.datasource.url (with"
          + " spring.datasource.username and spring.datasource.password). Or set"
          + " satchel.driver.url (with satchel.driver.username and satchel.driver.password) for a"
          + " pool of the jdbc driver's own, or choose another satchel.driver.";

  private final Environment environment;

  SatchelConfigurationFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable root, SessionConfigurationException cause) {
    Map<String, Setting> settings = settings();
    String setting = cause.setting() != null ? cause.setting() : namedIn(cause, settings);
    Origin origin = setting == null ? null : origin(environment, setting);
    String description =
        "Satchel's configuration is invalid: "
            + cause.getMessage()
            + (origin == null ? "" : "\n\n    (" + setting + " is set in " + origin + ")");
    String action =
        cause.getCause() instanceof ApplicationDataSource.Missing
            ? NO_DATA_SOURCE
            : action(setting, settings);
    // The forms of a duration help only when a duration was wrong.
    if (cause.getMessage().contains("duration") || cause.getMessage().contains("positive")) {
      action += " " + DURATIONS;
    }
    return new FailureAnalysis(description, action, cause);
  }

  private static String action(String setting, Map<String, Setting> settings) {
    if (setting == null) {
      return "Correct Satchel's settings: the satchel.* properties (satchel.driver names the"
          + " session driver) or SATCHEL_* environment variables.";
    }
    for (Map.Entry<String, Setting> entry : settings.entrySet()) {
      if (entry.getValue().source().equals(setting) && entry.getValue().derived()) {
        String own = "satchel." + entry.getKey();
        return "Correct "
            + setting
            + ", which Satchel reads because "
            + own
            + " is not set, or set "
            + own
            + ". Satchel's settings are the satchel.* properties listed in the documentation.";
      }
    }
    return "Correct or remove "
        + setting
        + ". Satchel's settings are the satchel.* properties listed in the documentation.";
  }

  /**
   * The property a driver's message names first: a driver names its options as the user wrote them,
   * but its exception does not say which it means.
   */
  private static String namedIn(
      SessionConfigurationException cause, Map<String, Setting> settings) {
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    String first = null;
    int at = Integer.MAX_VALUE;
    for (Setting setting : settings.values()) {
      int index = message.indexOf(setting.source());
      // At one place, the longer name: satchel.driver.base rather than satchel.driver.
      if (index >= 0
          && (index < at || (index == at && setting.source().length() > first.length()))) {
        first = setting.source();
        at = index;
      }
    }
    return first;
  }

  /** The settings as the auto-configuration read them; none if they cannot be read. */
  private Map<String, Setting> settings() {
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return Map.of();
    }
    try {
      return SatchelSettings.of(configurable).byName();
    } catch (RuntimeException e) {
      return Map.of();
    }
  }

  /** Where {@code property} is set, from the highest-precedence source that has it. */
  private static Origin origin(Environment environment, String property) {
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return null;
    }
    for (PropertySource<?> source : configurable.getPropertySources()) {
      if (!ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
          && source.containsProperty(property)) {
        return OriginLookup.getOrigin(source, property);
      }
    }
    return null;
  }
}
