package dev.satchel.spi;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a {@link SessionDriverProvider} gets to create a driver: its options and a clock. */
public final class DriverContext {
  private static final Pattern SIMPLE_DURATION =
      Pattern.compile("([+-]?\\d+)(ns|us|ms|s|m|h|d|)", Pattern.CASE_INSENSITIVE);

  private final String driverName;
  private final Map<String, String> options;
  private final Map<String, String> sources;
  private final Clock clock;
  private final Duration idleTimeout;
  private final Map<Class<?>, Object> resources;

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
    this(driverName, options, sources, clock, idleTimeout, Map.of());
  }

  /**
   * Creates a context that also hands the driver objects it cannot be given as text.
   *
   * @param resources objects by the type they are asked for with ({@link #resource})
   */
  public DriverContext(
      String driverName,
      Map<String, String> options,
      Map<String, String> sources,
      Clock clock,
      Duration idleTimeout,
      Map<Class<?>, Object> resources) {
    this.resources = Map.copyOf(resources);
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

  /**
   * An object the application handed the driver ({@link
   * dev.satchel.Satchel.Builder#driverResource}), such as its {@code DataSource}, if any.
   */
  public <T> Optional<T> resource(Class<T> type) {
    return Optional.ofNullable(type.cast(resources.get(type)));
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
   * A duration option, read as every duration in Satchel's settings is: a whole number of seconds
   * ({@code 30}), a whole number with one of the units {@code ns}, {@code us}, {@code ms}, {@code
   * s}, {@code m}, {@code h} and {@code d} ({@code 500ms}, {@code 30m}, {@code 2h}, as Spring Boot
   * writes them), or ISO-8601 ({@code PT30M}).
   *
   * @throws IllegalArgumentException naming the option when the value is none of these
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
              String v = value.trim().toLowerCase(Locale.ROOT);
              if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException(
                    describe(name) + " must be true or false, got \"" + value + "\"");
              }
              return v.equals("true");
            });
  }

  /**
   * A duration as configuration gives it. A bare number is seconds, as in Satchel's settings and
   * Spring Boot's {@code server.servlet.session.timeout} (Spring Boot's own default unit elsewhere
   * is milliseconds, hence a number with a unit for anything shorter).
   */
  private static Duration parseDuration(String what, String value) {
    String text = value.trim();
    Matcher simple = SIMPLE_DURATION.matcher(text);
    try {
      if (simple.matches()) {
        long amount = Long.parseLong(simple.group(1));
        String unit = simple.group(2).toLowerCase(Locale.ROOT);
        return switch (unit) {
          case "", "s" -> Duration.ofSeconds(amount);
          case "ns" -> Duration.ofNanos(amount);
          case "us" -> Duration.of(amount, ChronoUnit.MICROS);
          case "ms" -> Duration.ofMillis(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
      }
      return Duration.parse(text);
    } catch (ArithmeticException | NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          what
              + " must be a duration: a number of seconds, a number with a unit such as 500ms, 30m,"
              + " 2h or 1d, or ISO-8601 such as PT30M; got \""
              + value
              + "\"");
    }
  }
}
