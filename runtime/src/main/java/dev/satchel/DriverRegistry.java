package dev.satchel;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Finds the driver provider for a name among those {@link ServiceLoader} sees, and starts it. */
final class DriverRegistry {
  private DriverRegistry() {}

  /**
   * @param source how the user wrote the driver setting, for messages
   */
  static GuardedDriver start(
      String name, String source, DriverContext context, ClassLoader classLoader) {
    TreeMap<String, List<SessionDriverProvider>> byName = new TreeMap<>();
    try {
      for (SessionDriverProvider provider :
          ServiceLoader.load(SessionDriverProvider.class, classLoader)) {
        byName.computeIfAbsent(provider.name(), n -> new ArrayList<>()).add(provider);
      }
    } catch (ServiceConfigurationError e) {
      throw SessionStorageException.initializing(
          name, "A session driver provider could not be loaded: " + e.getMessage(), e);
    }
    List<SessionDriverProvider> providers = byName.get(name);
    if (providers == null) {
      String closest = SettingNames.closest(name, byName.keySet());
      throw new SessionConfigurationException(
          source,
          "No session driver is named \""
              + name
              + "\""
              + (closest == null ? "" : " (did you mean \"" + closest + "\"?)")
              + ". Drivers found: "
              + (byName.isEmpty() ? "none" : String.join(", ", byName.keySet()))
              + ". Add the jar that provides it, or choose one of these.",
          null);
    }
    if (providers.size() > 1) {
      List<String> classes = new ArrayList<>();
      providers.forEach(p -> classes.add(p.getClass().getName()));
      throw SessionStorageException.initializing(
          name,
          "Two session drivers are named \""
              + name
              + "\": "
              + String.join(" and ", classes)
              + ". Remove one from the class path.",
          null);
    }
    SessionDriverProvider provider = providers.get(0);
    checkOptions(provider, context);
    SessionDriver driver;
    try {
      driver = provider.create(context);
    } catch (IllegalArgumentException e) {
      // A missing or invalid option: the driver's message names it.
      throw new SessionConfigurationException(
          null, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    } catch (RuntimeException e) {
      throw SessionStorageException.initializing(
          name, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
    }
    if (driver == null) {
      throw SessionStorageException.initializing(
          name, "The driver provider returned no driver.", null);
    }
    return new GuardedDriver(name, driver);
  }

  /** Refuses options the driver does not declare: a typo must not be silently ignored. */
  private static void checkOptions(SessionDriverProvider provider, DriverContext context) {
    java.util.Set<String> known = provider.options();
    for (String option : context.options().keySet()) {
      if (!known.contains(option)) {
        String written = context.describe(option);
        String suggestion =
            SettingNames.suggestion(
                option,
                known,
                other ->
                    SettingsBinding.spelling("driver." + option, written).apply("driver." + other));
        throw new SessionConfigurationException(
            written,
            "Unknown option "
                + written
                + " for the "
                + provider.name()
                + " driver"
                + suggestion
                + ". It knows "
                + (known.isEmpty()
                    ? "no options"
                    : String.join(", ", new java.util.TreeSet<>(known)))
                + ".",
            null);
      }
    }
  }
}
