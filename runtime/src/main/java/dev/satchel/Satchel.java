package dev.satchel;

import static java.util.Objects.requireNonNull;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * An application's sessions: the configuration and the started driver. Create one at start-up,
 * {@link #open open} a {@link Session} per request, and {@link #close()} it at shutdown.
 *
 * <pre>{@code
 * Satchel satchel = Satchel.builder().driver("memory").build();
 * Session session = satchel.open(cookieValue, cookie -> response.addHeader("Set-Cookie", cookie.toHeaderValue()));
 * }</pre>
 *
 * <p>Configuration can also come from {@code satchel.properties} on the class path and {@code
 * SATCHEL_*} environment variables ({@link #fromEnvironment()}), read when the application starts.
 */
public final class Satchel implements AutoCloseable {
  /** The cookie name used when none is configured. */
  public static final String DEFAULT_COOKIE_NAME = "satchel-session";

  /** The driver used when none is configured: files under {@code .satchel/sessions}. */
  public static final String DEFAULT_DRIVER = "fs";

  /**
   * How much stored session text, in characters, is kept decoded when nothing else is configured:
   * about 4,000 sessions of 1,000 characters, some 26 MB of heap.
   */
  public static final long DEFAULT_DECODED_CACHE_SIZE = 4_000_000;

  private static final Pattern COOKIE_NAME = Pattern.compile("[A-Za-z0-9_-]+");

  /**
   * How long a session lives without a request when nothing else is configured, as servlet
   * containers and Spring Session default to.
   */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);

  /**
   * The largest stored session, in characters, when nothing else is configured: far above what a
   * session should hold, and well inside what can be read back.
   */
  public static final long DEFAULT_MAX_SESSION_SIZE = 1024 * 1024;

  /** How many times a commit is tried when nothing else is configured. */
  public static final int DEFAULT_MAX_COMMIT_ATTEMPTS = 100;

  /**
   * How often expired sessions are looked for when nothing else is configured: a listener hears of
   * an expiry within this long after it.
   */
  public static final Duration DEFAULT_EXPIRY_CHECK_INTERVAL = Duration.ofSeconds(30);

  private final SessionContext context;
  private final ExpiryCheck expiryCheck;

  private Satchel(SessionContext context, Duration expiryCheckInterval) {
    this.context = context;
    this.expiryCheck = ExpiryCheck.start(context.store(), expiryCheckInterval);
  }

  /**
   * Starts a configuration with the defaults: the {@code fs} driver, no TTL, and the {@link
   * #DEFAULT_IDLE_TIMEOUT idle timeout}.
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Configures from {@code satchel.properties} on the class path (if present), overridden by {@code
   * SATCHEL_*} environment variables, and starts the driver.
   *
   * @throws IllegalArgumentException if a setting is invalid
   * @throws SessionStorageException if the driver cannot be found or started
   */
  public static Satchel fromEnvironment() {
    Builder builder = builder();
    try (InputStream in =
        Thread.currentThread().getContextClassLoader() == null
            ? null
            : Thread.currentThread()
                .getContextClassLoader()
                .getResourceAsStream("satchel.properties")) {
      if (in != null) {
        Properties properties = new Properties();
        properties.load(in);
        builder.properties(properties);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("satchel.properties could not be read", e);
    }
    return builder.environment(System.getenv()).build();
  }

  /**
   * The setting that a {@code SATCHEL_*} environment variable sets: the setting's name upper-cased,
   * its dots and dashes as underscores, so {@code SATCHEL_COOKIE_MAX_AGE} is {@code cookie.max-age}
   * and {@code SATCHEL_DRIVER_CONNECT_TIMEOUT} the driver option {@code driver.connect-timeout}.
   * For frameworks that read the variables beside settings of their own.
   *
   * @return the setting's name, or empty for a variable that is not Satchel's
   */
  public static Optional<String> settingOfVariable(String variable) {
    return Optional.ofNullable(
        SettingsBinding.nameOfVariable(requireNonNull(variable, "variable")));
  }

  /**
   * Opens a request's session. Nothing is read or written until the session is used.
   *
   * @param cookieValue the value of the request's session cookie ({@link #cookieName()}), or {@code
   *     null}; a value that is not a session ID is ignored
   * @param cookies receives the cookie whenever the session changes it
   */
  public Session open(String cookieValue, CookieSink cookies) {
    return new RequestSession(
        context, Collections.singletonList(cookieValue), requireNonNull(cookies, "cookies"));
  }

  /**
   * Opens a request's session when the request carries several values for the session cookie (a
   * stale cookie on a parent path or domain beside the current one): the first ID the store knows
   * is used.
   *
   * @param cookieValues the values, in the order the request sent them; values that are not session
   *     IDs are ignored
   * @param cookies receives the cookie whenever the session changes it
   */
  public Session openFromCookies(List<String> cookieValues, CookieSink cookies) {
    return new RequestSession(
        context, List.copyOf(cookieValues), requireNonNull(cookies, "cookies"));
  }

  /**
   * The live sessions of a user, as {@link Session#setPrincipal} recorded them, in the order they
   * were indexed. Entries of sessions that expired or ended are dropped as they are found; a
   * session being logged in at this moment may not be listed yet.
   *
   * @throws SessionStorageException if the store fails, or its driver keeps no index of sessions by
   *     principal
   */
  public List<SessionInfo> sessionsOf(String principal) {
    return context.store().sessionsOf(checkPrincipal(principal), context);
  }

  /**
   * Ends every live session of a user, on every instance sharing the store, as a log-out would: a
   * request still running in one of them can no longer write it.
   *
   * @return how many sessions were ended
   * @throws SessionStorageException if the store fails, or keeps no index of sessions by principal
   */
  public int endSessionsOf(String principal) {
    return endSessionsOf(principal, null);
  }

  /**
   * Ends every live session of a user but {@code keptId}, as "log out everywhere else" after a
   * password change does.
   *
   * @param keptId the session to keep, usually the current request's; {@code null} keeps none
   * @return how many sessions were ended
   * @throws SessionStorageException if the store fails, or keeps no index of sessions by principal
   */
  public int endSessionsOf(String principal, String keptId) {
    int ended = 0;
    for (SessionInfo session : sessionsOf(principal)) {
      if (!session.id().equals(keptId)) {
        context
            .store()
            .end(session.id(), principal, true, SessionEvent.Reason.ENDED_ALL, move -> true);
        ended++;
      }
    }
    return ended;
  }

  /**
   * Ends one session, as a log-out would, wherever it is in use, and removes it from its user's
   * sessions. Listeners are told it was {@link SessionEvent.Reason#ENDED}.
   */
  public void endSession(String id) {
    endSession(id, SessionEvent.Reason.ENDED);
  }

  /**
   * Ends one session as {@link #endSession(String)} does, telling listeners {@code reason}: {@link
   * SessionEvent.Reason#LIMIT} when a limit on a user's sessions ends it, for instance. An ID that
   * is not a session ID, or names no stored session, changes nothing and tells no one.
   */
  public void endSession(String id, SessionEvent.Reason reason) {
    requireNonNull(reason, "reason");
    if (SessionIds.isValid(id)) {
      context.store().endById(id, reason);
    }
  }

  /**
   * Adds a listener, told of every session change this instance stores from now on, and of the
   * expired sessions its checks find.
   */
  public void addListener(SessionListener listener) {
    context.store().events().add(requireNonNull(listener, "listener"));
  }

  /**
   * Reports this instance's work to a metrics or tracing library, replacing what was reported to
   * before; {@link Instrumentation#NONE} stops reporting.
   */
  public void instrument(Instrumentation instrumentation) {
    context.store().instrument(requireNonNull(instrumentation, "instrumentation"));
  }

  /**
   * Looks for expired sessions now, rather than at the next periodic check, and tells the listeners
   * of each found, however many there are.
   *
   * @return how many were found (they are found once, by whichever instance looks first)
   * @throws SessionStorageException if the store fails
   */
  public int checkExpiredSessions() {
    return context.store().claimExpired(ExpiryCheck.BATCH, null);
  }

  /**
   * Whether the driver reports expired sessions, so that listeners hear of them ({@link
   * SessionEvent.Expired}); the memory, fs and redis drivers do.
   */
  public boolean reportsExpiry() {
    return context.store().reportsExpiry();
  }

  /**
   * How many sessions the store holds, when its driver can count them cheaply: {@code memory} and
   * {@code redis} can (counting sessions stored with an expiry; one that expired moments ago may
   * still count), {@code fs} cannot.
   *
   * @throws SessionStorageException if the store fails
   */
  public java.util.OptionalLong countSessions() {
    return context.store().countSessions();
  }

  /**
   * Checks that the store answers.
   *
   * @return how long it took
   * @throws SessionStorageException if it does not
   */
  public Duration ping() {
    return context.store().ping();
  }

  private static String checkPrincipal(String principal) {
    if (requireNonNull(principal, "principal").isEmpty()) {
      throw new IllegalArgumentException("The principal's name is empty");
    }
    return principal;
  }

  /** The name of the session cookie. */
  public String cookieName() {
    return context.cookieName();
  }

  /** How long a session lives without a request, or {@code null} when it does not expire so. */
  public Duration idleTimeout() {
    return context.idleTimeout();
  }

  /** The name of the driver in use. */
  public String driverName() {
    return context.store().driverName();
  }

  /** Stops the expiry check and the driver. */
  @Override
  public void close() {
    expiryCheck.close();
    context.store().close();
  }

  /** Satchel's configuration; every setting has a default. */
  public static final class Builder {
    private String driver = DEFAULT_DRIVER;
    private final Map<String, String> driverOptions = new LinkedHashMap<>();
    private final Map<Class<?>, Object> driverResources = new LinkedHashMap<>();
    private final Map<String, String> driverOptionSources = new LinkedHashMap<>();
    // How the user wrote the settings given by name, for messages raised when the whole is built.
    private final Map<String, String> settingSources = new LinkedHashMap<>();
    private boolean rollingCookie;
    private String cookieName = DEFAULT_COOKIE_NAME;
    private String cookiePath = "/";
    private String cookieDomain;
    private Duration cookieMaxAge;
    private boolean secure = true;
    private SameSite sameSite = SameSite.LAX;
    private Duration defaultTtl;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration maxLifetime;
    private CorruptDataPolicy corruptData = CorruptDataPolicy.RESET;
    private UndecodableValuePolicy undecodableValues = UndecodableValuePolicy.ABSENT;
    private int maxCommitAttempts = DEFAULT_MAX_COMMIT_ATTEMPTS;
    private long maxSessionSize = DEFAULT_MAX_SESSION_SIZE;
    private long decodedCacheSize = DEFAULT_DECODED_CACHE_SIZE;
    private Duration expiryCheckInterval = DEFAULT_EXPIRY_CHECK_INTERVAL;
    private String instanceName;
    private final List<SessionListener> listeners = new java.util.ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private ClassLoader classLoader;

    private Builder() {}

    /**
     * The driver, by the name its provider registers ({@code memory}, {@code fs}, {@code redis}).
     */
    public Builder driver(String name) {
      this.driver = requireNonNull(name, "name");
      return this;
    }

    /**
     * One of the driver's options ({@code base} for {@code fs}, {@code url} for {@code redis}). An
     * option the driver does not declare fails {@link #build()}.
     */
    public Builder driverOption(String name, String value) {
      return driverOption(name, value, "driver." + name);
    }

    /**
     * An object the driver needs and cannot be given as text, such as the application's {@code
     * javax.sql.DataSource} for the {@code jdbc} driver; a driver that needs none ignores it.
     */
    public <T> Builder driverResource(Class<T> type, T resource) {
      driverResources.put(
          requireNonNull(type, "type"), type.cast(requireNonNull(resource, "resource")));
      return this;
    }

    Builder driverOption(String name, String value, String source) {
      driverOptions.put(requireNonNull(name, "name"), requireNonNull(value, "value"));
      driverOptionSources.put(name, source);
      return this;
    }

    /**
     * Whether a request that reads a stored session sends its cookie again, so that a cookie with a
     * {@link #cookieMaxAge Max-Age} expires that long after the last request rather than after the
     * last write; off by default.
     */
    public Builder rollingCookie(boolean rolling) {
      this.rollingCookie = rolling;
      return this;
    }

    /** The cookie name: letters, digits, {@code _} and {@code -}. */
    public Builder cookieName(String name) {
      requireNonNull(name, "name");
      if (!COOKIE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "Invalid cookie name \""
                + name
                + "\". Cookie names can only contain letters, numbers, underscores and dashes.");
      }
      this.cookieName = name;
      return this;
    }

    /** The cookie's {@code Path}; {@code /} by default. */
    public Builder cookiePath(String path) {
      this.cookiePath = checkAttribute("path", path);
      return this;
    }

    /** The cookie's {@code Domain}; none by default. */
    public Builder cookieDomain(String domain) {
      this.cookieDomain = checkAttribute("domain", domain);
      return this;
    }

    /** The cookie's {@code Max-Age}; none by default, so the cookie lasts the browser session. */
    public Builder cookieMaxAge(Duration maxAge) {
      this.cookieMaxAge = checkPositive("cookie max age", null, maxAge);
      return this;
    }

    /**
     * Whether the cookie is {@code Secure}; {@code true} by default (browsers accept it on
     * http://localhost).
     */
    public Builder secure(boolean secure) {
      this.secure = secure;
      return this;
    }

    /** The cookie's {@code SameSite}; {@code Lax} by default. */
    public Builder sameSite(SameSite sameSite) {
      this.sameSite = requireNonNull(sameSite, "sameSite");
      return this;
    }

    /** How long a value lives when {@code set} is given no TTL; forever by default. */
    public Builder defaultTtl(Duration ttl) {
      this.defaultTtl = checkPositive("default TTL", null, ttl);
      return this;
    }

    /**
     * Expire a stored session after this long without a request; {@link #DEFAULT_IDLE_TIMEOUT} by
     * default, {@code null} for never (a session then lives as long as its keys' TTLs, or forever).
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout =
          checkPositive(
              "idle timeout", "idleTimeout(null), or the setting off, for none", idleTimeout);
      return this;
    }

    /**
     * End a session this long after it began, however active it is (an absolute timeout); none by
     * default. With it set, every session records when it began; one stored before the setting
     * counts from its next write. A session past it reads as expired and ends for every request,
     * leaving its principal's sessions too.
     */
    public Builder maxLifetime(Duration maxLifetime) {
      this.maxLifetime =
          checkPositive(
              "maximum lifetime", "maxLifetime(null), or the setting off, for none", maxLifetime);
      return this;
    }

    /**
     * The largest a stored session may be, in characters of its stored text; {@link
     * #DEFAULT_MAX_SESSION_SIZE} by default. A commit or update that would make a session larger
     * throws {@link SessionSizeException} and stores nothing.
     *
     * @throws IllegalArgumentException if not positive, or larger than a session that can be read
     *     back (16 Mi characters)
     */
    public Builder maxSessionSize(long characters) {
      if (characters < 1 || characters > SessionBlob.READABLE_LENGTH) {
        throw new IllegalArgumentException(
            "max session size must be between 1 and "
                + SessionBlob.READABLE_LENGTH
                + " characters (what can be read back), got "
                + characters);
      }
      this.maxSessionSize = characters;
      return this;
    }

    /**
     * What to do with stored data that cannot be read; {@link CorruptDataPolicy#RESET} by default.
     */
    public Builder corruptData(CorruptDataPolicy policy) {
      this.corruptData = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * What a typed read does with a value that no longer fits; {@link
     * UndecodableValuePolicy#ABSENT} by default.
     */
    public Builder undecodableValues(UndecodableValuePolicy policy) {
      this.undecodableValues = requireNonNull(policy, "policy");
      return this;
    }

    /**
     * How many times a commit that keeps meeting concurrent changes is tried, with a short random
     * pause between tries; {@link #DEFAULT_MAX_COMMIT_ATTEMPTS} by default. Each lost try means
     * another request's commit held, so that many requests committing to one session at once all
     * get through.
     */
    public Builder maxCommitAttempts(int attempts) {
      if (attempts < 1) {
        throw new IllegalArgumentException("max commit attempts must be at least 1");
      }
      this.maxCommitAttempts = attempts;
      return this;
    }

    /**
     * How much stored text, in characters, of recently read or written sessions to keep decoded, so
     * that a request finding the text its user's last request wrote skips parsing it; {@link
     * #DEFAULT_DECODED_CACHE_SIZE} by default, 0 to keep none. Decoded and with its text, a session
     * takes about 6.5 bytes of heap per character.
     */
    public Builder decodedCacheSize(long characters) {
      if (characters < 0) {
        throw new IllegalArgumentException(
            "decoded cache size must be 0 or more characters, got " + characters);
      }
      this.decodedCacheSize = characters;
      return this;
    }

    /**
     * How often this instance looks for sessions that expired, to tell listeners; {@link
     * #DEFAULT_EXPIRY_CHECK_INTERVAL} by default. A listener hears of an expiry within this long
     * after it, plus the time the check takes. {@code null} checks only when {@link
     * Satchel#checkExpiredSessions()} is called, for an application that schedules the checks
     * itself.
     */
    public Builder expiryCheckInterval(Duration interval) {
      this.expiryCheckInterval =
          checkPositive(
              "expiry check interval",
              "expiryCheckInterval(null), or the setting off, to check only when asked",
              interval);
      if (interval != null
          && (interval.compareTo(Duration.ofMillis(1)) < 0
              || interval.compareTo(Duration.ofDays(365)) > 0)) {
        throw new IllegalArgumentException(
            "expiry check interval must be between 1 ms and 365 days, got " + interval);
      }
      return this;
    }

    /**
     * This instance's name, recorded in each session it stores a change to (key {@code
     * satchel:instance}), so that {@link Satchel#sessionsOf} tells operators which instance last
     * served a session; none by default, and then nothing is recorded. Up to 100 printable
     * characters, such as a host name or a pod name.
     */
    public Builder instanceName(String name) {
      if (name != null
          && (name.isBlank()
              || name.length() > 100
              || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f))) {
        throw new IllegalArgumentException(
            "instance name must be 1 to 100 printable characters, got \"" + name + "\"");
      }
      this.instanceName = name;
      return this;
    }

    /** Adds a listener, told of session changes once they are stored ({@link SessionEvent}). */
    public Builder listener(SessionListener listener) {
      listeners.add(requireNonNull(listener, "listener"));
      return this;
    }

    /** The clock for TTLs and expiry; the system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = requireNonNull(clock, "clock");
      return this;
    }

    /** Where to look for driver providers; the thread's context class loader by default. */
    public Builder classLoader(ClassLoader classLoader) {
      this.classLoader = classLoader;
      return this;
    }

    /**
     * Applies one setting by name, as configuration files and frameworks give them: {@code driver},
     * {@code driver.<option>} for the driver's options, or one of the settings listed with their
     * defaults in the configuration table of the documentation ({@code cookie.max-age}, {@code
     * idle-timeout}, …). Durations are a number of seconds ({@code 1800}), a number with a unit
     * ({@code 500ms}, {@code 30m}, {@code 2h}, {@code 1d}) or ISO-8601 ({@code PT30M}); {@code
     * idle-timeout}, {@code max-lifetime} and {@code expiry-check-interval} also take {@code off}.
     * A driver option is checked against the options its driver declares when the Satchel is built.
     *
     * @param name the setting's name, as above
     * @param value its value
     * @param source how the user wrote it ({@code satchel.cookie.max-age}, {@code
     *     SATCHEL_COOKIE_MAX_AGE}), for messages; a close known name is suggested in the same
     *     spelling
     * @throws SessionConfigurationException naming {@code source} when the name is unknown or the
     *     value invalid
     */
    public Builder setting(String name, String value, String source) {
      settingSources.put(requireNonNull(name, "name"), requireNonNull(source, "source"));
      SettingsBinding.apply(
          this,
          requireNonNull(name, "name"),
          requireNonNull(value, "value"),
          requireNonNull(source, "source"));
      return this;
    }

    /**
     * Applies settings by name, as {@link #setting} does for each.
     *
     * @throws SessionConfigurationException naming the setting when a name or value is invalid
     */
    public Builder properties(Properties properties) {
      for (String name : new java.util.TreeSet<>(properties.stringPropertyNames())) {
        setting(name, properties.getProperty(name), name);
      }
      return this;
    }

    /**
     * Applies {@code SATCHEL_*} variables: {@code SATCHEL_DRIVER}, {@code SATCHEL_DRIVER_URL}
     * (option {@code url}), {@code SATCHEL_COOKIE_NAME}, {@code SATCHEL_IDLE_TIMEOUT} and so on, as
     * {@link Satchel#settingOfVariable} names them. Other variables are ignored.
     *
     * @throws SessionConfigurationException naming the variable when a name or value is invalid
     */
    public Builder environment(Map<String, String> environment) {
      for (Map.Entry<String, String> variable : new java.util.TreeMap<>(environment).entrySet()) {
        String name = SettingsBinding.nameOfVariable(variable.getKey());
        if (name != null) {
          setting(name, variable.getValue(), variable.getKey());
        }
      }
      return this;
    }

    private static String checkAttribute(String what, String value) {
      if (value != null
          && (value.isBlank() || value.chars().anyMatch(c -> c == ';' || c < 0x21 || c > 0x7e))) {
        throw new IllegalArgumentException("Invalid cookie " + what + " \"" + value + "\"");
      }
      return value;
    }

    /** {@code none} says how to turn the setting off, where it can be. */
    private static Duration checkPositive(String what, String none, Duration duration) {
      if (duration != null && (duration.isNegative() || duration.isZero())) {
        throw new IllegalArgumentException(
            what + " must be positive, got " + duration + (none == null ? "" : "; use " + none));
      }
      return duration;
    }

    /**
     * Starts the driver and returns the configured instance.
     *
     * @throws SessionStorageException if the driver cannot be found or started; the message names
     *     the drivers found
     */
    public Satchel build() {
      if (sameSite == SameSite.NONE && !secure) {
        String setting = settingSources.getOrDefault("cookie.same-site", "cookie.same-site");
        throw new SessionConfigurationException(
            setting,
            setting
                + " is none, which needs a Secure cookie ("
                + settingSources.getOrDefault("cookie.secure", "cookie.secure")
                + " is false); browsers refuse it otherwise",
            null);
      }
      ClassLoader loader =
          classLoader != null
              ? classLoader
              : Thread.currentThread().getContextClassLoader() != null
                  ? Thread.currentThread().getContextClassLoader()
                  : Satchel.class.getClassLoader();
      GuardedDriver started =
          DriverRegistry.start(
              driver,
              settingSources.getOrDefault("driver", "driver"),
              new DriverContext(
                  driver, driverOptions, driverOptionSources, clock, idleTimeout, driverResources),
              loader);
      return new Satchel(
          new SessionContext(
              new SessionStore(
                  started,
                  DecodedSessions.holding(decodedCacheSize),
                  corruptData,
                  maxSessionSize,
                  clock,
                  new SessionEvents(clock, listeners)),
              cookieName,
              cookiePath,
              cookieDomain,
              cookieMaxAge,
              secure,
              sameSite,
              rollingCookie,
              defaultTtl,
              idleTimeout,
              maxLifetime,
              undecodableValues,
              maxCommitAttempts,
              instanceName,
              clock),
          expiryCheckInterval);
    }
  }
}
