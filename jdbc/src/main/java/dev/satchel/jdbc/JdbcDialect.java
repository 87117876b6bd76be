package dev.satchel.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;

/**
 * What differs between the databases the driver supports: how a new row is written only where none
 * is live (PostgreSQL's {@code ON CONFLICT}, standard {@code MERGE} on H2), and whether a clean-up
 * can pass over rows another instance holds ({@code SKIP LOCKED}).
 */
enum JdbcDialect {
  POSTGRESQL("postgresql", " FOR UPDATE SKIP LOCKED"),
  H2("h2", " FOR UPDATE");

  /** The oldest PostgreSQL the driver is tested on and supports. */
  static final int OLDEST_POSTGRESQL = 13;

  /** The name of the schema files shipped for this database ({@code schema-<name>.sql}). */
  final String fileName;

  /** What a clean-up's choice of rows ends with, so that instances never wait on each other. */
  final String lockForCleanup;

  JdbcDialect(String fileName, String lockForCleanup) {
    this.fileName = fileName;
    this.lockForCleanup = lockForCleanup;
  }

  /**
   * The dialect of the database behind {@code metadata}.
   *
   * @throws IllegalArgumentException naming the database, when it is not one the driver supports
   */
  static JdbcDialect of(DatabaseMetaData metadata) throws SQLException {
    String product = metadata.getDatabaseProductName();
    String name = product.toLowerCase(Locale.ROOT);
    if (name.contains("postgresql")) {
      int major = metadata.getDatabaseMajorVersion();
      if (major < OLDEST_POSTGRESQL) {
        throw new IllegalArgumentException(
            "the jdbc driver needs PostgreSQL "
                + OLDEST_POSTGRESQL
                + " or newer; this database is PostgreSQL "
                + metadata.getDatabaseProductVersion());
      }
      return POSTGRESQL;
    }
    if (name.equals("h2")) {
      return H2;
    }
    throw new IllegalArgumentException(
        "the jdbc driver supports PostgreSQL ("
            + OLDEST_POSTGRESQL
            + " or newer) and H2; this database is "
            + product
            + " "
            + metadata.getDatabaseProductVersion());
  }
}
