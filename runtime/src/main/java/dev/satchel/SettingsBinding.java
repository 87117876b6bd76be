package dev.satchel;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Satchel's settings by name, as {@code satchel.properties}, {@code SATCHEL_*} variables and
 * frameworks give them: the names, the parsing of their values, and errors that name the setting as
 * the user wrote it.
 */
final class SettingsBinding {
  private static final String VARIABLE_PREFIX = "SATCHEL_";

  /** The groups of settings whose variables keep a dot after the group's name. */
  private static final List<String> GROUPS = List.of("driver", "cookie");

  /** Every setting name but the driver's own options ({@code driver.<option>}). */
  static final List<String> NAMES = List.copyOf(Setting.BY_NAME.keySet());

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
    if (source.startsWith(VARIABLE_PREFIX)) {
      return SettingsBinding::variable;
    }
    if (source.endsWith(name)) {
      String prefix = source.substring(0, source.length() - name.length());
      return setting -> prefix + setting;
    }
    return Function.identity();
  }

  /**
   * The variable for a setting name, by the one rule for {@code SATCHEL_*} variables: the name
   * upper-cased, its dots and dashes as underscores ({@code cookie.max-age} is {@code
   * SATCHEL_COOKIE_MAX_AGE}, the driver option {@code driver.connect-timeout} is {@code
   * SATCHEL_DRIVER_CONNECT_TIMEOUT}). Read back, the first underscore after {@code DRIVER} or
   * {@code COOKIE} is a dot and every other one a dash.
   */
  static String variable(String name) {
    return VARIABLE_PREFIX + name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The setting name of a {@code SATCHEL_*} variable, or {@code null} for another variable. */
  static String nameOfVariable(String variable) {
    if (!variable.startsWith(VARIABLE_PREFIX) || variable.length() == VARIABLE_PREFIX.length()) {
      return null;
    }
    String key = variable.substring(VARIABLE_PREFIX.length()).toLowerCase(Locale.ROOT);
    for (String group : GROUPS) {
      if (key.startsWith(group + "_") && key.length() > group.length() + 1) {
        return group + "." + key.substring(group.length() + 1).replace('_', '-');
      }
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
    try {
      Setting<?> setting = Setting.BY_NAME.get(name);
      if (setting != null) {
        setting.applyTo(builder, value, source);
      } else if (name.startsWith("driver.") && name.length() > "driver.".length()) {
        builder.driverOption(name.substring("driver.".length()), value.trim(), source);
      } else {
        throw new SessionConfigurationException(
            source,
            "Unknown Satchel setting "
                + source
                + SettingNames.suggestion(name, NAMES, spelling(name, source)),
            null);
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
}
