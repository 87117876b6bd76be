package dev.satchel.jdbc;

import dev.satchel.spi.SessionIds;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.regex.Pattern;

/** Turns the database's failures into errors that say what happened in the driver's terms. */
final class JdbcFailures {
  private static final Pattern SESSION_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  private JdbcFailures() {}

  /**
   * What a failure says, for a log line the driver writes itself: the database's messages may quote
   * a key, and a session ID is a credential, so each is replaced by its fingerprint.
   */
  static String redacted(Throwable e) {
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    return SESSION_ID.matcher(text).replaceAll(id -> SessionIds.fingerprint(id.group()));
  }

  /**
   * Whether the connection failed, rather than a statement: the database cannot be reached, or it
   * ended the connection (a restart, a terminated backend). A pool's timeout carries what its last
   * attempt to connect met as its cause.
   */
  static boolean isConnectionFailure(SQLException e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P0")) {
          return true;
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }

  static JdbcStoreException translate(SQLException e, Duration statementTimeout) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    String message;
    if (e instanceof SQLTransientConnectionException && !state.startsWith("08")) {
      // HikariCP: every connection of the pool was in use for the whole connection timeout.
      message =
          "no database connection was free in time (the pool is exhausted, or the database"
              + " does not answer): "
              + e.getMessage();
    } else if (state.equals("57014") || e instanceof SQLTimeoutException) {
      message =
          "a statement was cancelled"
              + (statementTimeout != null
                  ? " after the statement-timeout (" + statementTimeout.toMillis() + " ms)"
                  : "")
              + ": "
              + e.getMessage();
    } else if (state.startsWith("08") || state.startsWith("57P")) {
      message = "the database cannot be reached: " + e.getMessage();
    } else {
      message = "the database refused a statement (SQL state " + state + "): " + e.getMessage();
    }
    return new JdbcStoreException(message, e);
  }
}
