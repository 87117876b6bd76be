package dev.satchel.spi;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** What a {@link SessionDriverProvider} gets to create a driver: its options and a clock. */
public final class DriverContext {
  private final String driverName;
  private final Map<String, String> options;
  private final Map<String, String> sources;
  private final Clock clock;
  private final Duration idleTimeout;

  /**
   * Creates a context.
   *
   * @param driverName the driver's name, for error messages
   * @param options the driver's options, by name ({@code url}, {@code base}, …)
   * @param clock the clock the driver measures expiry with
   */
  public DriverContext(String driverName, Map<String, String> options, Clock clock) {
    this(driverName, options, Map.of(), clock, null);
  }

  /**
   * Creates a context for an application with an idle timeout.
   *
   * @param idleTimeout how long a session lives without a request, or {@code null} for no limit
   */
  public DriverContext(
      String driverName, Map<String, String> options, Clock clock, Duration idleTimeout) {
    this(driverName, options, Map.of(), clock, idleTimeout);
  }

  /**
   * Creates a context whose errors name each option as the user wrote it.
   *
   * @param sources for each option, the setting it came from ({@code SATCHEL_DRIVER_URL}, {@code
   *     satchel.driver.url}); options without one are named "the {@code <driver>} option"
   */
  public DriverContext(
      String driverName,
      Map<String, String> options,
      Map<String, String> sources,
      Clock clock,
      Duration idleTimeout) {
    this.driverName = requireNonNull(driverName, "driverName");
    this.options = Map.copyOf(options);
    this.sources = Map.copyOf(sources);
    this.clock = requireNonNull(clock, "clock");
    this.idleTimeout = idleTimeout;
  }

  /** How to name an option in a message: as the user wrote it, when known. */
  public String describe(String option) {
    String source = sources.get(option);
    return source != null ? source : "the " + driverName + " option `" + option + "`";
  }

  /**
   * The application's idle timeout, for drivers that remove idle sessions themselves (the same
   * value {@link SessionDriver#read} is given), or empty when sessions have none.
   */
  public Optional<Duration> idleTimeout() {
    return Optional.ofNullable(idleTimeout);
  }

  /** The driver's name. */
  public String driverName() {
    return driverName;
  }

  /** The clock to measure expiry with; tests move it instead of waiting. */
  public Clock clock() {
    return clock;
  }

  /** All options, sorted by name. */
  public Map<String, String> options() {
    return new TreeMap<>(options);
  }

  /** An option's value, if set. */
  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /**
   * A required option's value.
   *
   * @throws IllegalArgumentException naming the driver and the option when it is not set
   */
  public String requiredOption(String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "the "
              + driverName
              + " driver needs the option `"
              + name
              + "`"
              + (sources.containsKey(name) ? " (" + sources.get(name) + ")" : ""));
    }
    return value;
  }

  /**
   * A duration option: a number of seconds ({@code 30}) or an ISO-8601 duration ({@code PT30S}).
   *
   * @throws IllegalArgumentException naming the option when the value is neither
   */
  public Optional<Duration> durationOption(String name) {
    return option(name).map(value -> parseDuration(describe(name), value));
  }

  /** An integer option. */
  public Optional<Long> longOption(String name) {
    return option(name)
        .map(
            value -> {
              try {
                return Long.parseLong(value.trim());
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException(
                    describe(name) + " must be a whole number, got \"" + value + "\"");
              }
            });
  }

  /** A boolean option ({@code true} or {@code false}). */
  public Optional<Boolean> booleanOption(String name) {
    return option(name)
        .map(
            value -> {
              String v = value.trim().toLowerCase(java.util.Locale.ROOT);
              if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException(
                    describe(name) + " must be true or false, got \"" + value + "\"");
              }
              return v.equals("true");
            });
  }

  /** A duration as configuration gives it: whole seconds, or ISO-8601. */
  private static Duration parseDuration(String what, String value) {
    String text = value.trim();
    try {
      if (text.matches("-?\\d+")) {
        return Duration.ofSeconds(Long.parseLong(text));
      }
      return Duration.parse(text);
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          what
              + " must be a number of seconds or an ISO-8601 duration such as PT30M, got \""
              + value
              + "\"");
    }
  }
}
