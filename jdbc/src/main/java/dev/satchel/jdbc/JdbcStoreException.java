package dev.satchel.jdbc;

import java.sql.SQLException;

/** A failure of the database under the {@code jdbc} driver, with the database's own error. */
public final class JdbcStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  JdbcStoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The SQL state the database reported, or {@code null} when the failure was not its own. */
  public String sqlState() {
    return getCause() instanceof SQLException e ? e.getSQLState() : null;
  }
}
