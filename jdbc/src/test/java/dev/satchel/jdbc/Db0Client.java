package dev.satchel.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * An Astro app's session storage on PostgreSQL, as unstorage's {@code db0} driver (unstorage
 * 1.17.5, {@code src/drivers/db0.ts}) and db0's {@code postgresql} connector run it: one connection
 * in auto-commit, and exactly the statements the driver sends, with the table name written into
 * them and the values bound as parameters ({@code $1}, {@code $2} … there, {@code ?} here). Astro
 * calls {@code getItem}, {@code setItem} and {@code removeItem} on its session storage; db0 creates
 * the table before its first statement, if it is not there.
 */
final class Db0Client implements AutoCloseable {
  private final Connection connection;
  private final String table;
  private boolean setupDone;

  Db0Client(String jdbcUrl, String user, String password, String table) throws SQLException {
    this.connection = DriverManager.getConnection(jdbcUrl, user, password);
    this.connection.setAutoCommit(true);
    this.table = table;
  }

  /** db0's {@code setupTable} for the {@code postgresql} dialect. */
  void ensureTable() throws SQLException {
    if (setupDone) {
      return;
    }
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE TABLE IF NOT EXISTS "
              + table
              + " (\n"
              + "        key VARCHAR(255) NOT NULL PRIMARY KEY,\n"
              + "        value TEXT,\n"
              + "        blob BYTEA,\n"
              + "        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,\n"
              + "        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP\n"
              + "      );");
    }
    setupDone = true;
  }

  /** {@code getItem}: the {@code value} column, {@code null} for no row or a NULL value. */
  String getItem(String key) throws SQLException {
    ensureTable();
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT value FROM " + table + " WHERE key = ?")) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  /**
   * {@code hasItem}: whether a row exists, whatever its value (db0 compares the {@code EXISTS} to
   * {@code "1"} loosely, which PostgreSQL's {@code true} equals).
   */
  boolean hasItem(String key) throws SQLException {
    ensureTable();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT EXISTS (SELECT 1 FROM " + table + " WHERE key = ?) AS value")) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() && row.getBoolean(1);
      }
    }
  }

  /** {@code setItem}: an upsert of the value that touches no other column but the times. */
  void setItem(String key, String value) throws SQLException {
    ensureTable();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "INSERT INTO "
                + table
                + " (key, value, created_at, updated_at) VALUES (?, ?, CURRENT_TIMESTAMP,"
                + " CURRENT_TIMESTAMP) ON CONFLICT(key) DO UPDATE SET value = ?, updated_at ="
                + " CURRENT_TIMESTAMP")) {
      statement.setString(1, key);
      statement.setString(2, value);
      statement.setString(3, value);
      statement.executeUpdate();
    }
  }

  /** {@code removeItem}: deletes the row, marker or not. */
  void removeItem(String key) throws SQLException {
    ensureTable();
    try (PreparedStatement statement =
        connection.prepareStatement("DELETE FROM " + table + " WHERE key=?")) {
      statement.setString(1, key);
      statement.executeUpdate();
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
