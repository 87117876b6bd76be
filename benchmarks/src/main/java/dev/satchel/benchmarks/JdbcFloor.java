package dev.satchel.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The floor of {@link JdbcBenchmark}: bare JDBC on a table created from the driver's own schema
 * file, statements prepared per use (the server-side plan is cached by the PostgreSQL driver, as it
 * is for the jdbc driver's statements) and no statement timeout.
 */
final class JdbcFloor {
  static final String TABLE = "floor_sessions";

  private static final String SELECT = "SELECT \"value\" FROM " + TABLE + " WHERE \"key\" = ?";
  private static final String UPDATE = "UPDATE " + TABLE + " SET \"value\" = ? WHERE \"key\" = ?";

  private JdbcFloor() {}

  /** Creates the table (and its indexes) from the jdbc driver's schema-postgresql.sql. */
  static void createTable(DataSource dataSource) throws SQLException {
    String script;
    try (InputStream in =
        JdbcFloor.class.getResourceAsStream("/dev/satchel/jdbc/schema-postgresql.sql")) {
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.replace("satchel_sessions", TABLE).split("\n")) {
      if (!line.stripLeading().startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      for (String sql : withoutComments.toString().split(";")) {
        if (!sql.isBlank()) {
          statement.execute(sql);
        }
      }
    }
  }

  /** A floor row holding what the jdbc driver stored for session {@code id}; returns its key. */
  static String copyOf(DataSource dataSource, String id) throws SQLException {
    String key = "floor-" + id;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            connection.prepareStatement(
                "INSERT INTO "
                    + TABLE
                    + " (\"key\", \"value\", \"version\", \"expires_at\")"
                    + " SELECT ?, \"value\", \"version\", \"expires_at\" FROM satchel_sessions"
                    + " WHERE \"key\" = ?")) {
      statement.setString(1, key);
      statement.setString(2, id);
      if (statement.executeUpdate() != 1) {
        throw new IllegalStateException("the jdbc driver stored no row for a session it created");
      }
    }
    return key;
  }

  static String select(Connection connection, String key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(SELECT)) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          throw new IllegalStateException("no floor row " + key);
        }
        return row.getString(1);
      }
    }
  }

  static int update(Connection connection, String key, String value) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(UPDATE)) {
      statement.setString(1, value);
      statement.setString(2, key);
      return statement.executeUpdate();
    }
  }
}
