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

  static GuardedDriver start(String name, DriverContext context, ClassLoader classLoader) {
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
      throw SessionStorageException.initializing(
          name,
          "No session driver is named \""
              + name
              + "\". Drivers found: "
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
    SessionDriver driver;
    try {
      driver = providers.get(0).create(context);
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
}
