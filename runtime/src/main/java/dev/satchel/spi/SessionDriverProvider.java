package dev.satchel.spi;

import static java.util.Objects.requireNonNull;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Creates a {@link SessionDriver} by name. Providers are found with {@link
 * java.util.ServiceLoader}: list the implementation's class name in {@code
 * META-INF/services/dev.satchel.spi.SessionDriverProvider}. The class must be public with a public
 * no-argument constructor.
 */
public interface SessionDriverProvider {

  /** The name that selects this driver ({@code driver=name}); letters, digits and dashes. */
  String name();

  /**
   * The options this driver understands ({@code url}, {@code base}, …). Satchel refuses to start
   * with any other option for it, suggesting the closest of these, so that a typo is never silently
   * ignored. The names of {@link #describedOptions()} by default.
   */
  default Set<String> options() {
    Set<String> names = new LinkedHashSet<>();
    for (Option option : describedOptions()) {
      names.add(option.name());
    }
    return Set.copyOf(names);
  }

  /**
   * The options this driver understands, described for documentation and tools such as IDEs; none
   * by default. A provider that overrides this need not override {@link #options()}.
   */
  default List<Option> describedOptions() {
    return List.of();
  }

  /**
   * Creates a driver.
   *
   * @param context the driver's options and the clock to use for expiry
   * @throws IllegalArgumentException if an option is missing or invalid; the message should name it
   * @throws RuntimeException if the driver cannot start (a server that cannot be reached, say)
   */
  SessionDriver create(DriverContext context);

  /**
   * One driver option as documentation shows it.
   *
   * @param name its name ({@code url}), set as {@code driver.url} or {@code SATCHEL_DRIVER_URL}
   * @param type what its value reads as: {@link String}, {@link Boolean}, {@link Long} or {@link
   *     java.time.Duration} (see {@link DriverContext})
   * @param defaultValue the value used when it is not set, as it would be written, or {@code null}
   *     for none
   * @param description what it means, in a sentence or two
   */
  record Option(String name, Class<?> type, String defaultValue, String description) {
    /** Checks that the name, the type and the description are present. */
    public Option {
      requireNonNull(name, "name");
      requireNonNull(type, "type");
      requireNonNull(description, "description");
    }
  }
}
