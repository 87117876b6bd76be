package dev.satchel.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.jdbc.PostgresProcess;
import dev.satchel.redis.RedisClusterProcess;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;

/** The connection pool of {@link JdbcBenchmark}'s floor and Spring Session. */
final class JdbcPools {
  /** Connections in each pool: one per thread at 64 threads. */
  static final int SIZE = 64;

  private JdbcPools() {}

  /**
   * A pool set as the jdbc driver sets its own from {@code url} with {@code pool-size} {@value
   * #SIZE} and the default {@code pool-timeout} (2 s) and {@code statement-timeout} (5 s, the
   * database's statement_timeout), so the three contenders differ in what they run, not in how they
   * connect.
   */
  static HikariDataSource likeTheDriver(PostgresProcess postgres) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("benchmark");
    config.setJdbcUrl(postgres.jdbcUrl());
    config.setUsername(postgres.user());
    config.setPassword(postgres.password());
    config.setMaximumPoolSize(SIZE);
    config.setConnectionTimeout(2000);
    config.setValidationTimeout(1000);
    config.setAutoCommit(true);
    config.setConnectionInitSql("SET statement_timeout = 5000");
    config.addDataSourceProperty("connectTimeout", "2");
    config.addDataSourceProperty("socketTimeout", "12");
    config.addDataSourceProperty("tcpKeepAlive", "true");
    config.addDataSourceProperty("ApplicationName", "benchmark");
    return new HikariDataSource(config);
  }

  /**
   * Waits until both pools, the driver's ({@code ApplicationName} satchel) and {@link
   * #likeTheDriver}'s, hold all their connections: they open them in the background, and 64 threads
   * starting at once on a pool still filling, on a busy machine, wait past its 2 s timeout.
   */
  static void awaitFull(DataSource dataSource) {
    RedisClusterProcess.await(
        Duration.ofSeconds(120),
        () -> openConnections(dataSource) >= 2L * SIZE,
        "both pools to open their " + SIZE + " connections each");
  }

  private static long openConnections(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE application_name IN ('satchel', 'benchmark')")) {
      row.next();
      return row.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Prints, for each table, the rows updated and how many of those updates were HOT (no index entry
   * written), and the transactions committed in the database: what the run cost the server.
   */
  static void printStatistics(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      // The statistics collector reports with a delay; a fresh snapshot of what it has.
      statement.execute("SELECT pg_stat_clear_snapshot()");
      try (ResultSet row =
          statement.executeQuery(
              "SELECT relname, n_tup_upd, n_tup_hot_upd, n_dead_tup FROM pg_stat_user_tables"
                  + " WHERE n_tup_upd > 0 ORDER BY relname")) {
        while (row.next()) {
          System.out.printf(
              "%n%s: %d updates, %d of them HOT, %d dead rows%n",
              row.getString(1), row.getLong(2), row.getLong(3), row.getLong(4));
        }
      }
      try (ResultSet row =
          statement.executeQuery(
              "SELECT xact_commit, xact_rollback FROM pg_stat_database"
                  + " WHERE datname = current_database()")) {
        row.next();
        System.out.printf(
            "database: %d transactions committed, %d rolled back%n",
            row.getLong(1), row.getLong(2));
      }
    } catch (SQLException e) {
      System.out.println("no statistics: " + e.getMessage());
    }
  }
}
