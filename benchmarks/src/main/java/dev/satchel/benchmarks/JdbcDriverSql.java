package dev.satchel.benchmarks;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The jdbc driver's statements for a request, replayed in bare JDBC on the driver's own table and
 * rows, as the driver runs them on its own pool (the statements' text and parameters, a pooled
 * connection each for the read and the commit, the version carried as text, the statement timeout
 * left to the database), with one of those choices changed at a time: to tell what each costs in
 * {@link JdbcInterleaved} next to the floor and to Satchel, whose difference from the exact replay
 * is the runtime's own work (the session's text written and read, the decoded-session cache).
 */
final class JdbcDriverSql {
  private static final String TABLE = "satchel_sessions";
  private static final String FOREIGN = "\"updated_at\" IS DISTINCT FROM \"written_at\"";
  private static final String LIVE =
      "\"retired\" IS NULL AND \"value\" IS NOT NULL"
          + " AND (\"expires_at\" IS NULL OR \"expires_at\" > ? OR "
          + FOREIGN
          + ")";
  private static final String READ =
      "SELECT \"value\", \"version\", CAST(\"updated_at\" AS VARCHAR(40)), \"expires_at\","
          + " \"retired\", "
          + FOREIGN
          + " FROM "
          + TABLE
          + " WHERE \"key\" = ?";
  private static final String UPDATE =
      "UPDATE "
          + TABLE
          + " SET \"value\" = ?, \"version\" = \"version\" + 1,"
          + " \"updated_at\" = CURRENT_TIMESTAMP, \"written_at\" = CURRENT_TIMESTAMP,"
          + " \"expires_at\" = CASE WHEN \"expires_at\" BETWEEN ? AND ? THEN \"expires_at\""
          + " ELSE ? END WHERE \"key\" = ? AND"
          + " \"version\" = ? AND CAST(\"updated_at\" AS VARCHAR(40)) IS NOT DISTINCT FROM ? AND "
          + LIVE;

  /**
   * The timeout the driver sets on each statement when it runs on an application's DataSource, in
   * seconds; on its own pool the database applies it (statement_timeout).
   */
  private static final int TIMEOUT_SECONDS = 5;

  private static final long IDLE_MILLIS = 30 * 60 * 1000L;

  /** How a replay differs from the driver on its own pool: all false is the driver's way. */
  record Changes(boolean queryTimeout, boolean oneConnection) {
    static final Changes NONE = new Changes(false, false);
  }

  private JdbcDriverSql() {}

  /** A read as the driver's (the idle timeout's refresh not due), then its commit. */
  static boolean readWrite(DataSource dataSource, String id, Changes changes) throws SQLException {
    if (changes.oneConnection()) {
      try (Connection connection = dataSource.getConnection()) {
        Read read = read(connection, id, changes);
        return write(connection, id, read, changes);
      }
    }
    Read read;
    try (Connection connection = dataSource.getConnection()) {
      read = read(connection, id, changes);
    }
    try (Connection connection = dataSource.getConnection()) {
      return write(connection, id, read, changes);
    }
  }

  static String readOnly(DataSource dataSource, String id, Changes changes) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      return read(connection, id, changes).value();
    }
  }

  private record Read(String value, long counter, String updatedAt) {}

  private static Read read(Connection connection, String id, Changes changes) throws SQLException {
    // The driver asks whether the connection commits by itself before any work.
    connection.getAutoCommit();
    long now = System.currentTimeMillis();
    try (PreparedStatement statement = prepare(connection, READ, changes)) {
      statement.setString(1, id);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          throw new IllegalStateException("no session row");
        }
        String value = row.getString(1);
        long version = row.getLong(2);
        String updatedAt = row.getString(3);
        long expiresAt = row.getLong(4);
        Long expires = row.wasNull() ? null : expiresAt;
        String retired = row.getString(5);
        boolean foreign = row.getBoolean(6);
        if (retired != null || value == null || foreign || (expires != null && expires <= now)) {
          throw new IllegalStateException("the session row is not Satchel's live session");
        }
        return new Read(value, version, updatedAt);
      }
    }
  }

  private static boolean write(Connection connection, String id, Read read, Changes changes)
      throws SQLException {
    connection.getAutoCommit();
    long now = System.currentTimeMillis();
    try (PreparedStatement statement = prepare(connection, UPDATE, changes)) {
      long expiresAt = now + IDLE_MILLIS;
      statement.setString(1, read.value());
      statement.setLong(2, expiresAt - IDLE_MILLIS / 10);
      statement.setLong(3, expiresAt);
      statement.setLong(4, expiresAt);
      statement.setString(5, id);
      statement.setLong(6, read.counter());
      statement.setString(7, read.updatedAt());
      statement.setLong(8, now);
      if (statement.executeUpdate() != 1) {
        throw new IllegalStateException("the replayed commit found another version");
      }
      return true;
    }
  }

  private static PreparedStatement prepare(Connection connection, String sql, Changes changes)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    if (changes.queryTimeout()) {
      statement.setQueryTimeout(TIMEOUT_SECONDS);
    }
    return statement;
  }
}
