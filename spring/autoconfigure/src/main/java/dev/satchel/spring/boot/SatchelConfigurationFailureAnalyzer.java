package dev.satchel.spring.boot;

import dev.satchel.SessionConfigurationException;
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
 * was set, when Spring knows.
 */
final class SatchelConfigurationFailureAnalyzer
    extends AbstractFailureAnalyzer<SessionConfigurationException> {
  private final Environment environment;

  SatchelConfigurationFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable root, SessionConfigurationException cause) {
    String setting = cause.setting();
    Origin origin = setting == null ? null : origin(environment, setting);
    String description =
        "Satchel's configuration is invalid: "
            + cause.getMessage()
            + (origin == null ? "" : "\n\n    (" + setting + " is set in " + origin + ")");
    String action =
        setting == null
            ? "Correct Satchel's settings: the satchel.* properties (satchel.driver names the"
                + " session driver) or SATCHEL_* environment variables."
            : "Correct or remove "
                + setting
                + ". Satchel's settings are the satchel.* properties listed in the"
                + " documentation; durations are seconds or ISO-8601, such as PT30M.";
    return new FailureAnalysis(description, action, cause);
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
