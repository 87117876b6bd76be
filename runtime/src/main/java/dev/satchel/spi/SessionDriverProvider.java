package dev.satchel.spi;

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
   * ignored. None by default.
   */
  default java.util.Set<String> options() {
    return java.util.Set.of();
  }

  /**
   * Creates a driver.
   *
   * @param context the driver's options and the clock to use for expiry
   * @throws IllegalArgumentException if an option is missing or invalid; the message should name it
   * @throws RuntimeException if the driver cannot start (a server that cannot be reached, say)
   */
  SessionDriver create(DriverContext context);
}
