package dev.satchel.it.jdbc;

import dev.satchel.jdbc.PostgresProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** The sessions' table read straight, over a connection of its own, past the driver. */
final class SessionTable {
  private final PostgresProcess postgres;
  final String name;

  SessionTable(PostgresProcess postgres, String name) {
    this.postgres = postgres;
    this.name = name;
  }

  Connection connect() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
  }

  /** The stored text of the session under {@code key}, or {@code null} when there is none. */
  String value(String key) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT \"value\" FROM " + name + " WHERE \"key\" = ? AND \"retired\" IS NULL")) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next() ? row.getString(1) : null;
      }
    }
  }

  /** Whether the row under {@code key} is a retirement marker. */
  boolean isMarker(String key) throws SQLException {
    return count("\"key\" = '" + key.replace("'", "") + "' AND \"retired\" IS NOT NULL") == 1;
  }

  /** How many rows of the table match {@code where}. */
  long count(String where) throws SQLException {
    return countIn(name, where);
  }

  /** How many rows of the index of sessions by user match {@code where}. */
  long countIndex(String where) throws SQLException {
    return countIn(name + "_principals", where);
  }

  private long countIn(String table, String where) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement =
            connection.prepareStatement("SELECT count(*) FROM " + table + " WHERE " + where);
        ResultSet row = statement.executeQuery()) {
      row.next();
      return row.getLong(1);
    }
  }

  /** The keys among {@code keys} that still have a row. */
  List<String> present(Collection<String> keys) throws SQLException {
    List<String> found = new ArrayList<>();
    try (Connection connection = connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT \"key\" FROM " + name + " WHERE \"key\" = ANY (?)")) {
      statement.setArray(1, connection.createArrayOf("varchar", keys.toArray()));
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          found.add(row.getString(1));
        }
      }
    }
    return found;
  }

  /** Whether a stored session's text holds {@code item} as a string value. */
  static boolean holds(String value, String item) {
    return value != null && value.contains("\"" + item + "\"");
  }
}
