package dev.satchel.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The driver's tables: checked at start-up, and created (or completed, when unstorage's db0 driver
 * created the session table) when the application lets the driver do it. Nothing is run when the
 * layout is complete, so that instances starting under load take no table locks.
 */
final class JdbcSchema {
  /** The table name the shipped SQL files use, replaced by the configured one. */
  static final String DEFAULT_TABLE = "satchel_sessions";

  /** The table db0's upgrade file names. */
  private static final String DB0_TABLE = "unstorage";

  /** The names the shipped scripts give the table: theirs, or db0's in the upgrade script. */
  private static final Pattern SCRIPT_TABLE =
      Pattern.compile(Pattern.quote(DEFAULT_TABLE) + "|" + Pattern.quote(DB0_TABLE));

  private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,47}");

  /**
   * The words PostgreSQL (its reserved key words, including those that may name a function or a
   * type) and H2 (its key words) do not take as a table's name unquoted.
   */
  private static final Set<String> RESERVED_WORDS =
      Set.of(
          ("ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC AUTHORIZATION BETWEEN BINARY "
                  + "BOTH CASE CAST CHECK COLLATE COLLATION COLUMN CONCURRENTLY CONSTRAINT CREATE "
                  + "CROSS CURRENT_CATALOG CURRENT_DATE CURRENT_PATH CURRENT_ROLE CURRENT_SCHEMA "
                  + "CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DAY DEFAULT DEFERRABLE DESC DISTINCT "
                  + "DO ELSE END EXCEPT EXISTS FALSE FETCH FOR FOREIGN FREEZE FROM FULL GRANT GROUP "
                  + "GROUPS HAVING HOUR IF ILIKE IN INITIALLY INNER INTERSECT INTERVAL INTO IS ISNULL "
                  + "JOIN KEY LATERAL LEADING LEFT LIKE LIMIT LOCALTIME LOCALTIMESTAMP MINUS MINUTE "
                  + "MONTH NATURAL NOT NOTNULL NULL OFFSET ON ONLY OR ORDER OUTER OVER OVERLAPS "
                  + "PARTITION PLACING PRIMARY QUALIFY RANGE REFERENCES REGEXP RETURNING RIGHT ROW "
                  + "ROWNUM ROWS SECOND SELECT SESSION_USER SET SIMILAR SOME SYMMETRIC SYSTEM_USER "
                  + "TABLE TABLESAMPLE THEN TO TOP TRAILING TRUE UESCAPE UNION UNIQUE UNKNOWN USER "
                  + "USING VALUE VALUES VARIADIC VERBOSE WHEN WHERE WINDOW WITH YEAR _ROWID_")
              .split(" "));

  /** Satchel's own columns of the session table, which a db0 table lacks. */
  private static final String SATCHEL_COLUMNS =
      "\"version\", \"expires_at\", \"retired\", \"lapsed_at\", \"claimed_until\","
          + " \"written_at\"";

  /** The columns unstorage's db0 driver creates and Satchel uses. */
  private static final String DB0_COLUMNS = "\"key\", \"value\", \"updated_at\"";

  private JdbcSchema() {}

  /**
   * Checks that {@code table} can name the tables: a plain identifier that SQL does not reserve, so
   * that it is used as it is in every statement (unquoted: PostgreSQL reads it in lower case, H2 in
   * upper case).
   */
  static String checkTableName(String table, String what) {
    if (!TABLE_NAME.matcher(table).matches()) {
      throw new IllegalArgumentException(
          what
              + " must be a table name of letters, digits and underscores, not starting with a"
              + " digit, at most 48 characters (choose the schema with the connection's"
              + " currentSchema or search_path); got \""
              + table
              + "\"");
    }
    if (RESERVED_WORDS.contains(table.toUpperCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          what
              + " must not be a word SQL reserves, as PostgreSQL or H2 would read \""
              + table
              + "\" as part of the statement rather than as the table's name; choose another"
              + " name, such as "
              + table.toLowerCase(Locale.ROOT)
              + "_sessions");
    }
    return table;
  }

  /** The shipped SQL file for {@code dialect} with the table named {@code table}. */
  static String script(String name, String table) {
    String resource = "/dev/satchel/jdbc/" + name;
    try (InputStream in = JdbcSchema.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the jar lacks " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      // One pass over both names: a table named after one of them ("unstorage_v2") must not be
      // renamed again by the other's replacement.
      return SCRIPT_TABLE.matcher(text).replaceAll(Matcher.quoteReplacement(table));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The statements of a script: its lines without comments, split at semicolons. */
  static List<String> statements(String script) {
    StringBuilder text = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.stripLeading().startsWith("--")) {
        text.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String statement : text.toString().split(";")) {
      if (!statement.isBlank()) {
        statements.add(statement.strip());
      }
    }
    return statements;
  }

  /**
   * Makes sure the tables are there with the columns the driver uses.
   *
   * @param create whether the driver may create or complete them
   * @throws IllegalStateException saying what to run, when they are not and it may not
   */
  static void ensure(DataSource dataSource, JdbcDialect dialect, String table, boolean create)
      throws SQLException {
    String schemaFile = "schema-" + dialect.fileName + ".sql";
    String upgradeFile = "upgrade-db0-" + dialect.fileName + ".sql";
    Layout layout = inspect(dataSource, table);
    if (layout == Layout.COMPLETE) {
      return;
    }
    if (layout == Layout.FOREIGN) {
      throw new IllegalStateException(
          "the table "
              + table
              + " is not a session table: it lacks the columns "
              + DB0_COLUMNS
              + ". Set the jdbc option `table` to another name, or see satchel-jdbc's"
              + " dev/satchel/jdbc/"
              + schemaFile
              + " for the layout");
    }
    if (!create) {
      throw new IllegalStateException(
          switch (layout) {
            case MISSING ->
                "the table "
                    + table
                    + " does not exist: run satchel-jdbc's dev/satchel/jdbc/"
                    + schemaFile
                    + " from your migrations"
                    + replacing(table)
                    + ", or set the jdbc option create-table=true";
            case DB0 ->
                "the table "
                    + table
                    + lacking(dataSource, table)
                    + ": run satchel-jdbc's dev/satchel/jdbc/"
                    + upgradeFile
                    + ", then "
                    + schemaFile
                    + " (with unstorage and satchel_sessions replaced by "
                    + table
                    + "; the first adds only the columns missing)"
                    + ", or set the jdbc option create-table=true";
            default ->
                "the table "
                    + table
                    + "_principals does not exist: run satchel-jdbc's dev/satchel/jdbc/"
                    + schemaFile
                    + replacing(table)
                    + ", or set the jdbc option create-table=true";
          });
    }
    if (layout == Layout.DB0 && dialect != JdbcDialect.POSTGRESQL) {
      throw new IllegalStateException(
          "the table "
              + table
              + lacking(dataSource, table)
              + ": add them as "
              + schemaFile
              + " has them");
    }
    try {
      if (layout == Layout.DB0) {
        run(dataSource, statements(script(upgradeFile, table)));
      }
      run(dataSource, statements(script(schemaFile, table)));
    } catch (SQLException e) {
      // Instances starting together race to create the tables (PostgreSQL's IF NOT EXISTS can
      // still fail on a concurrent creation); what counts is that the layout is there now.
      if (inspect(dataSource, table) != Layout.COMPLETE) {
        throw e;
      }
    }
    if (inspect(dataSource, table) != Layout.COMPLETE) {
      throw new IllegalStateException(
          "the table " + table + " still lacks columns after " + schemaFile + " was run");
    }
  }

  /** How to adapt the shipped files to {@code table}: nothing for the default name. */
  private static String replacing(String table) {
    return table.equals(DEFAULT_TABLE) ? "" : " (with satchel_sessions replaced by " + table + ")";
  }

  /**
   * What a session table lacks, in words: all of Satchel's columns (a table unstorage's db0 driver
   * made) or some (a table an older Satchel made).
   */
  private static String lacking(DataSource dataSource, String table) throws SQLException {
    List<String> missing = new ArrayList<>();
    for (String column : SATCHEL_COLUMNS.split(", ")) {
      if (!selects(dataSource, "SELECT " + column + " FROM " + table + " WHERE 1 = 0")) {
        missing.add(column);
      }
    }
    String columns = String.join(", ", missing);
    return missing.size() == SATCHEL_COLUMNS.split(", ").length
        ? " has the layout of unstorage's db0 driver but lacks Satchel's columns " + columns
        : " lacks Satchel's columns " + columns + " (made by an older Satchel?)";
  }

  private enum Layout {
    COMPLETE,
    MISSING,
    DB0,
    NO_INDEX_TABLE,
    FOREIGN
  }

  private static Layout inspect(DataSource dataSource, String table) throws SQLException {
    if (!selects(dataSource, "SELECT 1 FROM " + table + " WHERE 1 = 0")) {
      return Layout.MISSING;
    }
    // Asked once the table is known to exist, so that one another instance creates meanwhile is
    // never taken for a table of another layout.
    if (!selects(dataSource, "SELECT " + DB0_COLUMNS + " FROM " + table + " WHERE 1 = 0")) {
      return Layout.FOREIGN;
    }
    if (!selects(dataSource, "SELECT " + SATCHEL_COLUMNS + " FROM " + table + " WHERE 1 = 0")) {
      return Layout.DB0;
    }
    String principals =
        "SELECT \"principal_hash\", \"session_key\", \"principal\", \"indexed_at\" FROM "
            + table
            + "_principals WHERE 1 = 0";
    return selects(dataSource, principals) ? Layout.COMPLETE : Layout.NO_INDEX_TABLE;
  }

  /**
   * Whether {@code query} runs. Only the table or a column being unknown reads as {@code false};
   * any other failure (the database down, no permission) is thrown as it is.
   */
  private static boolean selects(DataSource dataSource, String query) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      try {
        statement.executeQuery(query).close();
        return true;
      } catch (SQLException e) {
        if (!connection.getAutoCommit()) {
          connection.rollback();
        }
        if (isUnknownName(e)) {
          return false;
        }
        throw e;
      }
    }
  }

  /** An unknown table or column: SQL state class 42 with PostgreSQL's and H2's codes. */
  private static boolean isUnknownName(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.equals("42P01") // PostgreSQL: undefined table
            || state.equals("42703") // PostgreSQL: undefined column
            || state.equals("42S02") // H2: table not found
            || state.equals("42S04") // H2: table not found, the database empty
            || state.equals("42S22")); // H2: column not found
  }

  private static void run(DataSource dataSource, List<String> statements) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      boolean autoCommit = connection.getAutoCommit();
      connection.setAutoCommit(false);
      try {
        for (String sql : statements) {
          statement.execute(sql);
        }
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(autoCommit);
      }
    }
  }
}
