package dev.satchel.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import javax.sql.DataSource;

/**
 * The {@code jdbc} driver: sessions in a table of PostgreSQL (13 or newer) or H2, through the
 * application's {@link DataSource} ({@code Satchel.builder().driverResource(DataSource.class, ds)},
 * or in Spring Boot the application's own) or a pool of its own made from the {@code url} option.
 * The table's layout is unstorage's db0 driver's with Satchel's columns added, so an Astro app
 * using that driver shares the sessions.
 */
public final class JdbcDriverProvider implements SessionDriverProvider {
  static final int POOL_SIZE = 10;
  static final Duration POOL_TIMEOUT = Duration.ofSeconds(2);
  static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration CLEANUP_INTERVAL = Duration.ofMinutes(1);

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public JdbcDriverProvider() {}

  @Override
  public String name() {
    return "jdbc";
  }

  @Override
  public List<Option> describedOptions() {
    return List.of(
        new Option(
            "url",
            String.class,
            null,
            "The JDBC URL of the database (jdbc:postgresql://host:5432/app), for a connection pool"
                + " of the driver's own; without it the driver uses the application's DataSource"
                + " (in Spring Boot, the one it already has)."),
        new Option("username", String.class, null, "The database user, with url."),
        new Option("password", String.class, null, "The database user's password, with url."),
        new Option(
            "table",
            String.class,
            JdbcSchema.DEFAULT_TABLE,
            "The sessions' table; the index of sessions by user is the table named the same with"
                + " _principals after it. Set it to an Astro app's db0 table (unstorage by"
                + " default) to share its sessions."),
        new Option(
            "create-table",
            Boolean.class,
            "true",
            "Whether the driver creates the tables at start-up when they are missing (or adds its"
                + " columns to an Astro app's db0 table); false leaves them to the application's"
                + " migrations, and a missing table then fails start-up saying what to run."),
        new Option(
            "pool-size",
            Long.class,
            Integer.toString(POOL_SIZE),
            "How many connections the driver's own pool keeps (with url)."),
        new Option(
            "pool-timeout",
            Duration.class,
            "2s",
            "How long a request waits for a free connection of the driver's own pool (with url)"
                + " before it fails, as when the database is down."),
        new Option(
            "statement-timeout",
            Duration.class,
            "5s",
            "How long one statement may run before it is cancelled and the request fails; at least"
                + " 1s (with the application's DataSource, rounded up to whole seconds)."),
        new Option(
            "cleanup-interval",
            Duration.class,
            "1m",
            "How often each instance removes expired retirement markers, sessions expired more"
                + " than an hour ago that no instance reported, and index entries left behind."));
  }

  @Override
  public SessionDriver create(DriverContext context) {
    String table =
        JdbcSchema.checkTableName(
            context.option("table").orElse(JdbcSchema.DEFAULT_TABLE), context.describe("table"));
    boolean createTable = context.booleanOption("create-table").orElse(true);
    Duration statementTimeout =
        atLeast(context, "statement-timeout", STATEMENT_TIMEOUT, Duration.ofSeconds(1));
    Duration cleanupInterval =
        atLeast(context, "cleanup-interval", CLEANUP_INTERVAL, Duration.ofSeconds(1));
    HikariDataSource pool = null;
    DataSource dataSource;
    if (context.option("url").isPresent()) {
      pool = pool(context, statementTimeout);
      dataSource = pool;
    } else {
      for (String option : List.of("username", "password", "pool-size", "pool-timeout")) {
        if (context.option(option).isPresent()) {
          throw new IllegalArgumentException(
              context.describe(option)
                  + " is for the driver's own pool, made from the option `url`, which is not set;"
                  + " the application's DataSource keeps its own settings");
        }
      }
      dataSource =
          context
              .resource(DataSource.class)
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "the jdbc driver needs a database: set "
                              + context.describe("url")
                              + " (jdbc:postgresql://host:5432/app), or hand it the application's"
                              + " DataSource with Satchel.builder().driverResource(DataSource.class,"
                              + " dataSource)"));
    }
    try {
      JdbcDialect dialect;
      try (Connection connection = dataSource.getConnection()) {
        dialect = JdbcDialect.of(connection.getMetaData());
      }
      JdbcSchema.ensure(dataSource, dialect, table, createTable);
      return new JdbcDriver(
          dataSource,
          dialect,
          table,
          context.clock(),
          statementTimeout,
          pool != null,
          cleanupInterval,
          context.idleTimeout().orElse(null),
          pool);
    } catch (SQLException e) {
      closeQuietly(pool);
      throw new IllegalStateException(
          "the jdbc driver cannot start: " + JdbcFailures.translate(e, null).getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(pool);
      throw e;
    }
  }

  private static HikariDataSource pool(DriverContext context, Duration statementTimeout) {
    String url = context.requiredOption("url");
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          context.describe("url")
              + " must be a JDBC URL such as jdbc:postgresql://localhost:5432/app; got \""
              + withoutSecrets(url)
              + "\"");
    }
    if (url.matches("(?s)jdbc:[^:]+://[^/@?;]*:[^/@?;]*@.*")) {
      throw new IllegalArgumentException(
          context.describe("url")
              + " has a user and password before the host, which JDBC drivers do not read:"
              + " set the jdbc options username and password instead; got \""
              + withoutSecrets(url)
              + "\"");
    }
    try {
      java.sql.DriverManager.getDriver(url);
    } catch (SQLException e) {
      throw new IllegalArgumentException(
          "no JDBC driver on the class path takes "
              + withoutSecrets(url)
              + " ("
              + context.describe("url")
              + "): add the database's driver, such as org.postgresql:postgresql");
    }
    long size = context.longOption("pool-size").orElse((long) POOL_SIZE);
    if (size < 1 || size > 1000) {
      throw new IllegalArgumentException(
          context.describe("pool-size") + " must be between 1 and 1000, got " + size);
    }
    Duration timeout = atLeast(context, "pool-timeout", POOL_TIMEOUT, Duration.ofMillis(250));
    HikariConfig config = new HikariConfig();
    config.setPoolName("satchel-jdbc");
    config.setJdbcUrl(url);
    context.option("username").ifPresent(config::setUsername);
    context.option("password").ifPresent(config::setPassword);
    config.setMaximumPoolSize((int) size);
    config.setConnectionTimeout(timeout.toMillis());
    config.setValidationTimeout(Math.min(timeout.toMillis(), 1000));
    config.setAutoCommit(true);
    // The database cancels a statement that runs too long: set once per connection, it costs
    // nothing per statement.
    if (url.startsWith("jdbc:postgresql:")) {
      config.setConnectionInitSql("SET statement_timeout = " + statementTimeout.toMillis());
    } else if (url.startsWith("jdbc:h2:")) {
      config.setConnectionInitSql("SET QUERY_TIMEOUT " + statementTimeout.toMillis());
    }
    if (url.startsWith("jdbc:postgresql:")) {
      // Opening a connection to a database that does not answer gives up with the pool's wait.
      long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
      config.addDataSourceProperty("connectTimeout", Long.toString(seconds));
      // A connection whose server went silent fails rather than hangs.
      config.addDataSourceProperty(
          "socketTimeout", Long.toString(statementTimeout.toSeconds() + seconds + 5));
      config.addDataSourceProperty("tcpKeepAlive", "true");
      config.addDataSourceProperty("ApplicationName", "satchel");
    }
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      // Without the cause: a pool's or a JDBC driver's messages may quote the URL, password
      // included, and a logged stack trace would show them.
      Throwable reason = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException(
          "the jdbc driver cannot connect to "
              + withoutSecrets(url)
              + " ("
              + context.describe("url")
              + "): "
              + reason.getClass().getSimpleName()
              + ": "
              + withoutSecrets(String.valueOf(reason.getMessage())));
    }
  }

  private static Duration atLeast(
      DriverContext context, String option, Duration fallback, Duration least) {
    Duration value = context.durationOption(option).orElse(fallback);
    if (value.compareTo(least) < 0 || value.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(
          context.describe(option)
              + " must be between "
              + least.toMillis()
              + " ms and 1 day, got "
              + value);
    }
    return value;
  }

  /** A URL as it may be shown: without a password written into it. */
  static String withoutSecrets(String url) {
    return url.replaceAll("(?i)(password=)[^&;]*", "$1***")
        .replaceAll("//[^/@]*:[^/@]*@", "//***@");
  }

  private static void closeQuietly(HikariDataSource pool) {
    if (pool != null) {
      pool.close();
    }
  }
}
