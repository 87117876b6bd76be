package dev.satchel.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeSet;
import javax.sql.DataSource;

/**
 * Sessions in one table of a relational database, one row per session ID, with the database doing
 * the atomic work: a read is one query, a commit one conditional statement (compare-and-set on the
 * version read, or a write only where no live row is), a log-in or log-out one transaction that
 * turns the old row into its retirement marker. Expiry times are the application's clock, in epoch
 * milliseconds, so instances sharing a table need clocks in step (as for cookies).
 *
 * <p>A read pushes a session's expiry forward only when less than nine tenths of the idle timeout
 * is left, so that most reads write nothing: a session lives between 0.9 and 1 times the idle
 * timeout after its last request. A read with a session's own idle timeout, shorter than the expiry
 * a read with the configured one left, brings the expiry back.
 *
 * <p>Expired rows stay until {@link #claimExpired} reports them and {@link #acknowledgeExpired}
 * removes them, or until the clean-up ({@link JdbcCleanup}) removes what nobody reported within an
 * hour; markers go when they expire.
 */
final class JdbcDriver implements SessionDriver {
  /** How long a claim of expired sessions hides them from other claims (the contract's lease). */
  static final Duration CLAIM_LEASE = Duration.ofMinutes(2);

  /**
   * How long requests fail at once after one found the database unreachable, before the next tries
   * again.
   */
  static final Duration FAIL_FAST = Duration.ofSeconds(1);

  /** How much of the idle timeout must have passed before a read writes the expiry forward. */
  static final int REFRESH_AFTER_TENTHS = 1;

  private final DataSource dataSource;
  private final JdbcDialect dialect;
  private final Clock clock;
  private final Duration statementTimeout;

  /**
   * The seconds each statement is given with {@link PreparedStatement#setQueryTimeout}, or 0 when
   * the database itself cancels statements (the driver's own pool sets its session's timeout once
   * per connection, which costs nothing per statement; a JDBC query timeout is a timer task per
   * statement).
   */
  private final int queryTimeoutSeconds;

  /**
   * How much earlier than asked a commit may leave a session's stored expiry: the part of the idle
   * timeout a read also lets pass before writing it forward. A commit that keeps the expiry changes
   * no indexed column, so PostgreSQL updates the row in place (a HOT update) and leaves its indexes
   * alone.
   */
  private final long expirySlackMillis;

  /**
   * The configured idle timeout, which the core reads a session with before it knows the session's
   * own: a read with it never brings an expiry back, since a session whose own is longer would be
   * left with the shorter one should the core's second read not follow.
   */
  private final Duration configuredIdle;

  private final HikariDataSource pool;
  private final Sql sql;
  private final JdbcCleanup cleanup;

  /** Until when requests fail at once, by {@link System#nanoTime}; see {@link #open}. */
  private volatile long unreachableUntilNanos = System.nanoTime();

  JdbcDriver(
      DataSource dataSource,
      JdbcDialect dialect,
      String table,
      Clock clock,
      Duration statementTimeout,
      boolean databaseCancels,
      Duration cleanupInterval,
      Duration idleTimeout,
      HikariDataSource pool) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.clock = clock;
    this.statementTimeout = statementTimeout;
    this.queryTimeoutSeconds =
        databaseCancels ? 0 : (int) Math.max(1, (statementTimeout.toMillis() + 999) / 1000);
    this.configuredIdle = idleTimeout;
    this.expirySlackMillis =
        idleTimeout == null ? 0 : idleTimeout.toMillis() / 10 * REFRESH_AFTER_TENTHS;
    this.pool = pool;
    this.sql = new Sql(dialect, table);
    this.cleanup = cleanupInterval == null ? null : JdbcCleanup.start(this, cleanupInterval);
  }

  /** The statements, built once for the table's name. */
  private static final class Sql {
    /**
     * The time of a version, printed by the database: exact, and compared as printed, where a JDBC
     * timestamp would be converted through calendars both ways on every request.
     */
    private static final String VERSION_TIME = "CAST(%s\"updated_at\" AS VARCHAR(40))";

    final String read;
    final String refresh;
    final String refreshBack;
    final String update;
    final String insert;
    final String retireRead;
    final String retireLive;
    final String retireRow;
    final String insertMarker;
    final String delete;
    final String deleteIfUnchanged;
    final String retirement;
    final String index;
    final String unindex;
    final String indexed;
    final String claimChoose;
    final String ackSessions;
    final String ackLapsed;
    final String ackIndex;
    final String cleanMarkers;
    final String cleanUnreported;
    final String cleanLapsed;
    final String cleanIndex;
    final String table;

    /** Whether the row {@code alias} names was written by another program since Satchel did. */
    private static String foreign(String alias) {
      return alias + "\"updated_at\" IS DISTINCT FROM " + alias + "\"written_at\"";
    }

    private static String own(String alias) {
      return alias + "\"updated_at\" IS NOT DISTINCT FROM " + alias + "\"written_at\"";
    }

    Sql(JdbcDialect dialect, String table) {
      this.table = table;
      String principals = table + "_principals";
      // Written by another program (an Astro app through db0) since Satchel last wrote it: its
      // updated_at moved, Satchel's written_at did not. Such a row does not expire, as db0 keeps
      // no expiry, until Satchel reads or writes it again.
      String foreign = foreign("");
      String own = own("");
      // A live session: not a marker, holding a value, not expired at the time given (?).
      String live =
          "\"retired\" IS NULL AND \"value\" IS NOT NULL"
              + " AND (\"expires_at\" IS NULL OR \"expires_at\" > ? OR "
              + foreign
              + ")";
      String stamp = "\"updated_at\" = CURRENT_TIMESTAMP, \"written_at\" = CURRENT_TIMESTAMP";
      // Compared as text, exactly as read: whatever the column's type or the session's time zone.
      String sameVersion =
          "\"version\" = ? AND " + VERSION_TIME.formatted("") + " IS NOT DISTINCT FROM ?";
      // An expired session's expiry moves to lapsed_at when its row is overwritten, so that it is
      // still reported; otherwise lapsed_at stays.
      String lapse =
          "CASE WHEN s.\"retired\" IS NULL AND s.\"value\" IS NOT NULL"
              + " AND s.\"expires_at\" <= ? AND "
              + own("s.")
              + " THEN s.\"expires_at\" ELSE s.\"lapsed_at\" END";
      read =
          "SELECT \"value\", \"version\", "
              + VERSION_TIME.formatted("")
              + ", \"expires_at\", \"retired\", "
              + foreign
              + " FROM "
              + table
              + " WHERE \"key\" = ?";
      refresh =
          "UPDATE "
              + table
              + " SET \"expires_at\" = ?, \"written_at\" = \"updated_at\" WHERE \"key\" = ? AND "
              + live
              + " AND (\"expires_at\" IS NULL OR \"expires_at\" < ? OR "
              + foreign
              + ")";
      // A read with a session's own idle timeout, shorter than the stored expiry allows (after a
      // read that pushed by the configured one), brings it back, unless the session changed since.
      refreshBack =
          "UPDATE "
              + table
              + " SET \"expires_at\" = ? WHERE \"key\" = ? AND "
              + sameVersion
              + " AND \"expires_at\" > ?";
      update =
          "UPDATE "
              + table
              + " SET \"value\" = ?, \"version\" = \"version\" + 1,"
              + stamp
              + ", \"expires_at\" = CASE WHEN \"expires_at\" BETWEEN ? AND ? THEN \"expires_at\""
              + " ELSE ? END WHERE \"key\" = ? AND "
              + sameVersion
              + " AND "
              + live;
      // Parameters: key, value, expires_at, now (for the lapse), now (the old row expired).
      insert =
          switch (dialect) {
            case POSTGRESQL ->
                "INSERT INTO "
                    + table
                    + " AS s (\"key\", \"value\", \"version\", \"expires_at\", \"created_at\","
                    + " \"updated_at\", \"written_at\") VALUES (?, ?, 1, ?, CURRENT_TIMESTAMP,"
                    + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    + " ON CONFLICT (\"key\") DO UPDATE SET \"value\" = EXCLUDED.\"value\","
                    + " \"version\" = s.\"version\" + 1, \"expires_at\" = EXCLUDED.\"expires_at\","
                    + " \"created_at\" = CURRENT_TIMESTAMP, "
                    + stamp
                    + ", \"retired\" = NULL, \"lapsed_at\" = "
                    + lapse
                    + " WHERE s.\"expires_at\" <= ? AND "
                    + own("s.");
            case H2 ->
                "MERGE INTO "
                    + table
                    + " s USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS CHARACTER LARGE OBJECT),"
                    + " CAST(? AS BIGINT))) n(\"key\", \"value\", \"expires_at\")"
                    + " ON s.\"key\" = n.\"key\""
                    + " WHEN NOT MATCHED THEN INSERT (\"key\", \"value\", \"version\", \"expires_at\","
                    + " \"created_at\", \"updated_at\", \"written_at\") VALUES (n.\"key\","
                    + " n.\"value\", 1, n.\"expires_at\", CURRENT_TIMESTAMP, CURRENT_TIMESTAMP,"
                    + " CURRENT_TIMESTAMP)"
                    + " WHEN MATCHED AND s.\"expires_at\" <= CAST(? AS BIGINT) AND "
                    + own("s.")
                    + " THEN UPDATE SET"
                    + " \"value\" = n.\"value\", \"version\" = s.\"version\" + 1,"
                    + " \"expires_at\" = n.\"expires_at\", \"created_at\" = CURRENT_TIMESTAMP,"
                    + stamp
                    + ", \"retired\" = NULL, \"lapsed_at\" = "
                    + lapse.replace("?", "CAST(? AS BIGINT)");
          };
      retireRead =
          "SELECT \"value\", \"retired\", \"expires_at\", "
              + foreign
              + " FROM "
              + table
              + " s WHERE \"key\" = ? FOR UPDATE";
      // Turns a row into a marker: retired, expires_at, now (lapse), key.
      retireRow =
          "UPDATE "
              + table
              + " s SET \"value\" = NULL, \"retired\" = ?, \"expires_at\" = ?,"
              + " \"version\" = \"version\" + 1, "
              + stamp
              + ", \"lapsed_at\" = "
              + lapse
              + " WHERE \"key\" = ?";
      // The same, only from the version read: + version, updated_at, now.
      retireLive = retireRow + " AND " + sameVersion + " AND " + live;
      // A row inserted meanwhile makes it write nothing (PostgreSQL) or fail on the key (H2).
      insertMarker =
          "INSERT INTO "
              + table
              + " (\"key\", \"retired\", \"expires_at\", \"version\", \"created_at\","
              + " \"updated_at\", \"written_at\") VALUES (?, ?, ?, 1, CURRENT_TIMESTAMP,"
              + " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
              + (dialect == JdbcDialect.POSTGRESQL ? " ON CONFLICT (\"key\") DO NOTHING" : "");
      // An expired session stays for its report.
      delete =
          "DELETE FROM "
              + table
              + " WHERE \"key\" = ? AND NOT (\"retired\" IS NULL AND \"value\" IS NOT NULL"
              + " AND \"expires_at\" IS NOT NULL AND \"expires_at\" <= ? AND "
              + own
              + ")";
      deleteIfUnchanged =
          "DELETE FROM " + table + " WHERE \"key\" = ? AND " + sameVersion + " AND " + live;
      retirement = "SELECT \"retired\", \"expires_at\" FROM " + table + " WHERE \"key\" = ?";
      index =
          switch (dialect) {
            case POSTGRESQL ->
                "INSERT INTO "
                    + principals
                    + " (\"principal_hash\", \"session_key\", \"principal\", \"indexed_at\")"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";
            case H2 ->
                "MERGE INTO "
                    + principals
                    + " p USING (VALUES (CAST(? AS CHAR(64)), CAST(? AS VARCHAR(255)),"
                    + " CAST(? AS CHARACTER VARYING), CAST(? AS BIGINT)))"
                    + " n(\"principal_hash\", \"session_key\", \"principal\", \"indexed_at\")"
                    + " ON p.\"principal_hash\" = n.\"principal_hash\""
                    + " AND p.\"session_key\" = n.\"session_key\""
                    + " WHEN NOT MATCHED THEN INSERT VALUES (n.\"principal_hash\", n.\"session_key\","
                    + " n.\"principal\", n.\"indexed_at\")";
          };
      unindex =
          "DELETE FROM " + principals + " WHERE \"principal_hash\" = ? AND \"session_key\" = ?";
      indexed =
          "SELECT p.\"session_key\", p.\"indexed_at\", s.\"value\", s.\"version\","
              + " "
              + VERSION_TIME.formatted("s.")
              + ", s.\"expires_at\", s.\"retired\", "
              + foreign("s.")
              + " FROM "
              + principals
              + " p LEFT JOIN "
              + table
              + " s ON s.\"key\" = p.\"session_key\""
              + " WHERE p.\"principal_hash\" = ?"
              + " ORDER BY p.\"indexed_at\", p.\"session_key\"";
      // Expired sessions, and rows whose expired session was overwritten, not under a lease:
      // now, now, now, limit.
      claimChoose =
          "SELECT \"key\" FROM "
              + table
              + " WHERE ((\"retired\" IS NULL AND \"value\" IS NOT NULL AND \"expires_at\" <= ? AND "
              + own
              + ")"
              + " OR \"lapsed_at\" <= ?) AND (\"claimed_until\" IS NULL OR \"claimed_until\" <= ?)"
              + " ORDER BY \"key\" FETCH FIRST ? ROWS ONLY"
              + dialect.lockForCleanup;
      ackSessions =
          "DELETE FROM "
              + table
              + " WHERE \"key\" = ? AND \"retired\" IS NULL AND \"value\" IS NOT NULL"
              + " AND \"expires_at\" <= ? AND "
              + own;
      ackIndex = "DELETE FROM " + principals + " WHERE \"session_key\" = ?";
      ackLapsed =
          "UPDATE "
              + table
              + " SET \"lapsed_at\" = NULL, \"claimed_until\" = NULL WHERE \"key\" = ?"
              + " AND \"lapsed_at\" IS NOT NULL";
      // Markers past their expiry, none of them standing for a session still to be reported:
      // now, limit.
      cleanMarkers =
          batch(
              dialect,
              "DELETE FROM " + table,
              table,
              "\"retired\" IS NOT NULL AND \"expires_at\" <= ? AND \"lapsed_at\" IS NULL AND "
                  + own);
      // Rows expired longer ago than anyone reports (no instance checks, or none for an hour):
      // before, limit.
      cleanUnreported =
          batch(
              dialect,
              "DELETE FROM " + table,
              table,
              "\"expires_at\" <= ? AND (\"retired\" IS NOT NULL OR \"value\" IS NOT NULL) AND "
                  + own);
      cleanLapsed =
          batch(
              dialect,
              "UPDATE " + table + " SET \"lapsed_at\" = NULL",
              table,
              "\"lapsed_at\" <= ?");
      // Index entries older than a given time whose session is gone, retired or expired:
      // before, now, limit.
      String stale =
          " WHERE p.\"indexed_at\" <= ? AND NOT EXISTS (SELECT 1 FROM "
              + table
              + " s WHERE s.\"key\" = p.\"session_key\" AND s.\"retired\" IS NULL"
              + " AND s.\"value\" IS NOT NULL AND (s.\"expires_at\" IS NULL OR s.\"expires_at\" > ?"
              + " OR "
              + foreign("s.")
              + "))";
      cleanIndex =
          dialect == JdbcDialect.POSTGRESQL
              ? "DELETE FROM "
                  + principals
                  + " WHERE (\"principal_hash\", \"session_key\") IN (SELECT p.\"principal_hash\","
                  + " p.\"session_key\" FROM "
                  + principals
                  + " p"
                  + stale
                  + " FETCH FIRST ? ROWS ONLY FOR UPDATE OF p SKIP LOCKED)"
              : "DELETE FROM " + principals + " p" + stale + " FETCH FIRST ? ROWS ONLY";
    }

    /**
     * A statement on at most a given number of the rows {@code condition} picks (its last
     * parameter). On PostgreSQL the rows are chosen by a subquery that passes over those another
     * transaction holds; H2 limits the statement itself, as its plan for a subquery on the same
     * table reads the table once per row.
     */
    private static String batch(
        JdbcDialect dialect, String statement, String table, String condition) {
      return dialect == JdbcDialect.POSTGRESQL
          ? statement
              + " WHERE \"key\" IN (SELECT \"key\" FROM "
              + table
              + " WHERE "
              + condition
              + " FETCH FIRST ? ROWS ONLY"
              + dialect.lockForCleanup
              + ")"
          : statement + " WHERE " + condition + " FETCH FIRST ? ROWS ONLY";
    }
  }

  // ------------------------------------------------------------------------- reads and writes

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    return connectedReading(
        connection -> {
          long now = clock.millis();
          StoredBlob found;
          Version seen;
          Long expiresAt;
          boolean foreign;
          try (PreparedStatement statement = prepare(connection, sql.read)) {
            statement.setString(1, id);
            try (ResultSet row = statement.executeQuery()) {
              if (!row.next()) {
                return null;
              }
              String value = row.getString(1);
              long version = row.getLong(2);
              String updatedAt = row.getString(3);
              expiresAt = nullableLong(row, 4);
              String retired = row.getString(5);
              foreign = row.getBoolean(6);
              if (retired != null
                  || value == null
                  || (!foreign && expiresAt != null && expiresAt <= now)) {
                return null;
              }
              seen = new Version(version, updatedAt);
              found = new StoredBlob(value, Version.of(version, updatedAt));
            }
          }
          if (idleTimeout == null) {
            return found;
          }
          long next = now + idleTimeout.toMillis();
          // Read after another program's write, the session is Satchel's to expire again.
          if (foreign || refreshIsDue(expiresAt, now, idleTimeout)) {
            try (PreparedStatement statement = prepare(connection, sql.refresh)) {
              statement.setLong(1, next);
              statement.setString(2, id);
              // Alive at this moment, not at the read's: a session that expired meanwhile may have
              // been reported as expired already, and must not be kept alive after that.
              statement.setLong(3, clock.millis());
              statement.setLong(4, next);
              statement.executeUpdate();
            }
          } else if (expiresAt != null && expiresAt > next && !idleTimeout.equals(configuredIdle)) {
            try (PreparedStatement statement = prepare(connection, sql.refreshBack)) {
              statement.setLong(1, next);
              statement.setString(2, id);
              seen.bind(statement, 3);
              statement.setLong(5, next);
              statement.executeUpdate();
            }
          }
          return found;
        });
  }

  /**
   * Whether a read should push the expiry to now plus the idle timeout: only once a tenth of the
   * timeout has passed since it was last set (or when the session has no expiry yet).
   */
  static boolean refreshIsDue(Long expiresAt, long now, Duration idleTimeout) {
    if (expiresAt == null) {
      return true;
    }
    long idle = idleTimeout.toMillis();
    return expiresAt - now < idle - idle / 10 * REFRESH_AFTER_TENTHS;
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    return connected(
        connection -> {
          long now = clock.millis();
          if (expectedVersion == null) {
            return insert(connection, id, blob, expiresAt, now);
          }
          Version expected = Version.parse(expectedVersion);
          if (expected == null) {
            return false;
          }
          try (PreparedStatement statement = prepare(connection, sql.update)) {
            Long expiry = millis(expiresAt);
            statement.setString(1, blob);
            setNullableLong(statement, 2, expiry == null ? null : expiry - slack(expiry, now));
            setNullableLong(statement, 3, expiry);
            setNullableLong(statement, 4, expiry);
            statement.setString(5, id);
            expected.bind(statement, 6);
            statement.setLong(8, now);
            return statement.executeUpdate() == 1;
          }
        });
  }

  /**
   * How much earlier than {@code expiry} a commit may leave the stored expiry: the configured
   * timeout's part, but no more than the same part of the time the session is given, so that a
   * session with a shorter idle timeout of its own is held to it as closely.
   */
  private long slack(long expiry, long now) {
    return Math.min(expirySlackMillis, Math.max(0, (expiry - now) / 10 * REFRESH_AFTER_TENTHS));
  }

  /** Writes a new session where no live row is: none at all, or one that expired. */
  private boolean insert(Connection connection, String id, String blob, Instant expiresAt, long now)
      throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql.insert)) {
      statement.setString(1, id);
      statement.setString(2, blob);
      setNullableLong(statement, 3, millis(expiresAt));
      statement.setLong(4, now);
      statement.setLong(5, now);
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      // H2's MERGE of two writers at once: the second finds the key taken, as a refused write.
      if (isDuplicateKey(e)) {
        return false;
      }
      throw e;
    }
  }

  @Override
  public boolean replace(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      Instant expiresAt,
      Retirement retirement,
      Instant markerExpiresAt) {
    return transaction(
        connection -> {
          long now = clock.millis();
          boolean retired;
          if (replacedVersion == null) {
            retired = markAbsent(connection, replacedId, retirement, markerExpiresAt, now);
          } else {
            Version expected = Version.parse(replacedVersion);
            if (expected == null) {
              return false;
            }
            try (PreparedStatement statement = prepare(connection, sql.retireLive)) {
              statement.setString(1, retirement.encode());
              statement.setLong(2, markerExpiresAt.toEpochMilli());
              statement.setLong(3, now);
              statement.setString(4, replacedId);
              expected.bind(statement, 5);
              statement.setLong(7, now);
              retired = statement.executeUpdate() == 1;
            }
          }
          if (!retired || !insert(connection, id, blob, expiresAt, now)) {
            connection.rollback();
            return false;
          }
          return true;
        });
  }

  /**
   * Leaves a marker under an ID that holds no live session (none, or one that expired); {@code
   * false} when it holds a live session or a live marker.
   */
  private boolean markAbsent(
      Connection connection, String id, Retirement retirement, Instant markerExpiresAt, long now)
      throws SQLException {
    Row current = lockRow(connection, id);
    if (current != null && current.liveAt(now)) {
      return false;
    }
    writeMarker(connection, id, current, retirement, markerExpiresAt, now);
    return true;
  }

  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    return transaction(
        connection -> {
          long now = clock.millis();
          Row current = lockRow(connection, id);
          writeMarker(connection, id, current, retirement, markerExpiresAt, now);
          return current != null && current.retired() != null && current.liveAt(now)
              ? Retirement.decode(current.retired())
              : null;
        });
  }

  /** The row under {@code id}, locked until the transaction ends, or {@code null}. */
  private Row lockRow(Connection connection, String id) throws SQLException {
    try (PreparedStatement statement = prepare(connection, sql.retireRead)) {
      statement.setString(1, id);
      try (ResultSet row = statement.executeQuery()) {
        return row.next()
            ? new Row(
                row.getString(1) != null, row.getString(2), nullableLong(row, 3), row.getBoolean(4))
            : null;
      }
    }
  }

  /** What {@link #lockRow} found: enough to tell a live session or marker. */
  private record Row(boolean hasValue, String retired, Long expiresAt, boolean foreign) {
    boolean liveAt(long now) {
      return (hasValue || retired != null) && (expiresAt == null || expiresAt > now || foreign);
    }
  }

  private void writeMarker(
      Connection connection,
      String id,
      Row current,
      Retirement retirement,
      Instant markerExpiresAt,
      long now)
      throws SQLException {
    if (current != null) {
      try (PreparedStatement statement = prepare(connection, sql.retireRow)) {
        statement.setString(1, retirement.encode());
        statement.setLong(2, markerExpiresAt.toEpochMilli());
        statement.setLong(3, now);
        statement.setString(4, id);
        statement.executeUpdate();
      }
      return;
    }
    try (PreparedStatement statement = prepare(connection, sql.insertMarker)) {
      statement.setString(1, id);
      statement.setString(2, retirement.encode());
      statement.setLong(3, markerExpiresAt.toEpochMilli());
      if (statement.executeUpdate() == 0) {
        throw new Retry(null);
      }
    } catch (SQLException e) {
      if (isDuplicateKey(e)) {
        throw new Retry(e);
      }
      throw e;
    }
  }

  @Override
  public Retirement retirement(String id) {
    return connectedReading(
        connection -> {
          try (PreparedStatement statement = prepare(connection, sql.retirement)) {
            statement.setString(1, id);
            try (ResultSet row = statement.executeQuery()) {
              if (!row.next() || row.getString(1) == null) {
                return null;
              }
              Long expiresAt = nullableLong(row, 2);
              if (expiresAt != null && expiresAt <= clock.millis()) {
                return null;
              }
              return Retirement.decode(row.getString(1));
            }
          }
        });
  }

  @Override
  public void delete(String id) {
    connected(
        connection -> {
          try (PreparedStatement statement = prepare(connection, sql.delete)) {
            statement.setString(1, id);
            statement.setLong(2, clock.millis());
            return statement.executeUpdate();
          }
        });
  }

  @Override
  public boolean deleteIfUnchanged(String id, String version) {
    Version expected = Version.parse(version);
    if (expected == null) {
      return false;
    }
    return connected(
        connection -> {
          try (PreparedStatement statement = prepare(connection, sql.deleteIfUnchanged)) {
            statement.setString(1, id);
            expected.bind(statement, 2);
            statement.setLong(4, clock.millis());
            return statement.executeUpdate() == 1;
          }
        });
  }

  // -------------------------------------------------------------------- sessions by principal

  @Override
  public boolean indexesPrincipals() {
    return true;
  }

  @Override
  public void index(String principal, String id, Instant indexedAt) {
    connected(
        connection -> {
          try (PreparedStatement statement = prepare(connection, sql.index)) {
            statement.setString(1, hash(principal));
            statement.setString(2, id);
            statement.setString(3, readable(principal));
            statement.setLong(4, indexedAt.toEpochMilli());
            return statement.executeUpdate();
          } catch (SQLException e) {
            // Two requests indexing the same session at once: it is indexed.
            if (isDuplicateKey(e)) {
              return 0;
            }
            throw e;
          }
        });
  }

  @Override
  public void unindex(String principal, String id) {
    connected(
        connection -> {
          try (PreparedStatement statement = prepare(connection, sql.unindex)) {
            statement.setString(1, hash(principal));
            statement.setString(2, id);
            return statement.executeUpdate();
          }
        });
  }

  @Override
  public List<IndexedSession> indexed(String principal) {
    return connectedReading(
        connection -> {
          long now = clock.millis();
          List<IndexedSession> found = new ArrayList<>();
          try (PreparedStatement statement = prepare(connection, sql.indexed)) {
            statement.setString(1, hash(principal));
            try (ResultSet row = statement.executeQuery()) {
              while (row.next()) {
                String id = row.getString(1);
                Instant indexedAt = Instant.ofEpochMilli(row.getLong(2));
                String value = row.getString(3);
                long version = row.getLong(4);
                String updatedAt = row.getString(5);
                Long expiresAt = nullableLong(row, 6);
                String retired = row.getString(7);
                boolean live =
                    value != null
                        && retired == null
                        && (expiresAt == null || expiresAt > now || row.getBoolean(8));
                found.add(
                    live
                        ? new IndexedSession(
                            id,
                            indexedAt,
                            new StoredBlob(value, Version.of(version, updatedAt)),
                            expiresAt == null ? null : Instant.ofEpochMilli(expiresAt))
                        : new IndexedSession(id, indexedAt, null, null));
              }
            }
          }
          return found;
        });
  }

  /**
   * The key a principal is indexed under: its SHA-256, so that a name of any length or content fits
   * the key column, and the name itself is compared as well.
   */
  static String hash(String principal) {
    // Every UTF-16 unit as it is: an encoder would turn lone surrogates into one replacement
    // character, and two different names into one key.
    byte[] units = new byte[principal.length() * 2];
    for (int i = 0; i < principal.length(); i++) {
      char unit = principal.charAt(i);
      units[2 * i] = (byte) (unit >> 8);
      units[2 * i + 1] = (byte) unit;
    }
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(units));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The name as a text column takes it: PostgreSQL refuses the NUL character in text. */
  private static String readable(String principal) {
    return principal.replace('\u0000', '\uFFFD');
  }

  // --------------------------------------------------------------------------------- expiry

  @Override
  public boolean reportsExpiry() {
    return true;
  }

  @Override
  public List<String> claimExpired(Instant now, int max) {
    long at = now.toEpochMilli();
    return transaction(
        connection -> {
          List<String> claimed = new ArrayList<>();
          try (PreparedStatement statement = prepare(connection, sql.claimChoose)) {
            statement.setLong(1, at);
            statement.setLong(2, at);
            statement.setLong(3, at);
            statement.setInt(4, max);
            try (ResultSet row = statement.executeQuery()) {
              while (row.next()) {
                claimed.add(row.getString(1));
              }
            }
          }
          if (claimed.isEmpty()) {
            return claimed;
          }
          String lease =
              "UPDATE "
                  + sql.table
                  + " SET \"claimed_until\" = ? WHERE \"key\" IN ("
                  + "?, ".repeat(claimed.size() - 1)
                  + "?)";
          try (PreparedStatement statement = prepare(connection, lease)) {
            statement.setLong(1, at + CLAIM_LEASE.toMillis());
            for (int i = 0; i < claimed.size(); i++) {
              statement.setString(i + 2, claimed.get(i));
            }
            statement.executeUpdate();
          }
          return claimed;
        });
  }

  @Override
  public void acknowledgeExpired(List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    // In key order, as claims lock them, so that two acknowledgements never wait on each other.
    List<String> sorted = new ArrayList<>(new TreeSet<>(ids));
    long now = clock.millis();
    transaction(
        connection -> {
          try (PreparedStatement sessions = prepare(connection, sql.ackSessions);
              PreparedStatement lapsed = prepare(connection, sql.ackLapsed)) {
            for (String id : sorted) {
              sessions.setString(1, id);
              sessions.setLong(2, now);
              sessions.addBatch();
              lapsed.setString(1, id);
              lapsed.addBatch();
            }
            int[] deleted = sessions.executeBatch();
            lapsed.executeBatch();
            // A session gone as expired leaves no index entry behind: its user's list is short
            // without a sweep of the whole index.
            try (PreparedStatement index = prepare(connection, sql.ackIndex)) {
              boolean any = false;
              for (int i = 0; i < sorted.size(); i++) {
                if (deleted[i] > 0 || deleted[i] == java.sql.Statement.SUCCESS_NO_INFO) {
                  index.setString(1, sorted.get(i));
                  index.addBatch();
                  any = true;
                }
              }
              if (any) {
                index.executeBatch();
              }
            }
          }
          return null;
        });
  }

  // ------------------------------------------------------------------------------- clean-up

  /**
   * One pass of the clean-up, in batches of at most {@code batch} rows, each its own short
   * transaction: markers that expired, rows that expired more than {@code unreportedAfter} ago,
   * and, when {@code sweepIndex}, index entries older than {@code indexGrace} whose session is gone
   * (those of sessions reported as expired go with them; a sweep finds the rest, such as the entry
   * of a session whose first write failed, and reads the whole index, so it runs seldom).
   *
   * @return how many rows were removed
   */
  long cleanUp(
      int batch,
      Duration unreportedAfter,
      Duration indexGrace,
      boolean sweepIndex,
      long budgetNanos) {
    long started = System.nanoTime();
    long now = clock.millis();
    long removed = 0;
    removed += inBatches(sql.cleanMarkers, now, null, batch, started, budgetNanos);
    long before = now - unreportedAfter.toMillis();
    removed += inBatches(sql.cleanUnreported, before, null, batch, started, budgetNanos);
    inBatches(sql.cleanLapsed, before, null, batch, started, budgetNanos);
    if (sweepIndex) {
      removed +=
          inBatches(sql.cleanIndex, now - indexGrace.toMillis(), now, batch, started, budgetNanos);
    }
    return removed;
  }

  private long inBatches(
      String statementSql, long first, Long second, int batch, long started, long budgetNanos) {
    long total = 0;
    while (true) {
      int done =
          transaction(
              connection -> {
                try (PreparedStatement statement = prepare(connection, statementSql)) {
                  int parameter = 1;
                  statement.setLong(parameter++, first);
                  if (second != null) {
                    statement.setLong(parameter++, second);
                  }
                  statement.setInt(parameter, batch);
                  return statement.executeUpdate();
                }
              });
      total += done;
      if (done < batch || System.nanoTime() - started > budgetNanos) {
        return total;
      }
    }
  }

  @Override
  public void close() {
    if (cleanup != null) {
      cleanup.close();
    }
    if (pool != null) {
      pool.close();
    }
  }

  // -------------------------------------------------------------------------------- plumbing

  /**
   * A version: the row's counter, which Satchel's writes raise, and its {@code updated_at}, which
   * an Astro app's writes (unstorage's db0 driver) set, so that a write by either side is seen.
   */
  private record Version(long counter, String updatedAt) {
    static String of(long counter, String updatedAt) {
      return counter + "/" + (updatedAt == null ? "-" : updatedAt);
    }

    /** The version in {@code text}, or {@code null} when it is not one this driver made. */
    static Version parse(String text) {
      int slash = text.indexOf('/');
      if (slash <= 0) {
        return null;
      }
      String time = text.substring(slash + 1);
      try {
        return new Version(
            Long.parseLong(text.substring(0, slash)), time.equals("-") ? null : time);
      } catch (NumberFormatException e) {
        return null;
      }
    }

    void bind(PreparedStatement statement, int first) throws SQLException {
      statement.setLong(first, counter);
      statement.setString(first + 1, updatedAt);
    }
  }

  @FunctionalInterface
  private interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  /**
   * A transaction to run again from the start: it lost a race its statements cannot absorb (a row
   * inserted by another transaction after a look-up found none).
   */
  private static final class Retry extends RuntimeException {
    Retry(SQLException cause) {
      super("a row was written under the same key meanwhile", cause);
    }
  }

  /**
   * Runs {@code work}, which only reads (or writes what may be written twice, as an expiry), once
   * more on another connection if the first broke: a pool hands out a connection the database ended
   * moments ago (a restart, a terminated backend) without checking it.
   */
  private <T> T connectedReading(Work<T> work) {
    try {
      return connected(work);
    } catch (JdbcStoreException e) {
      if (e.getCause() instanceof SQLException cause
          && JdbcFailures.isConnectionFailure(cause)
          && !unreachable()) {
        return connected(work);
      }
      throw e;
    }
  }

  /**
   * A connection, or at once a failure while the database could not be reached moments ago: the
   * pool would make every request wait its whole timeout, tying up the server's threads, when one
   * at a time is enough to find the database back.
   */
  private Connection open() throws SQLException {
    if (unreachable()) {
      throw new SQLTransientConnectionException(
          "the database could not be reached less than "
              + FAIL_FAST.toMillis()
              + " ms ago; failing at once rather than waiting for a connection",
          "08001");
    }
    try {
      return dataSource.getConnection();
    } catch (SQLException e) {
      if (JdbcFailures.isConnectionFailure(e)) {
        unreachableUntilNanos = System.nanoTime() + FAIL_FAST.toNanos();
      }
      throw e;
    }
  }

  private boolean unreachable() {
    return System.nanoTime() - unreachableUntilNanos < 0;
  }

  /** Runs {@code work} on a connection of its own, committing if the connection does not. */
  private <T> T connected(Work<T> work) {
    try (Connection connection = open()) {
      try {
        return connection.getAutoCommit() ? work.run(connection) : committed(connection, work);
      } catch (SQLException e) {
        evictIfReadOnly(connection, e);
        throw e;
      }
    } catch (SQLException e) {
      throw JdbcFailures.translate(e, statementTimeout);
    }
  }

  /** Runs {@code work} in one transaction; work that rolls back itself still returns. */
  private <T> T transaction(Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection connection = open()) {
        boolean autoCommit = connection.getAutoCommit();
        if (autoCommit) {
          connection.setAutoCommit(false);
        }
        try {
          return committed(connection, work);
        } catch (SQLException e) {
          evictIfReadOnly(connection, e);
          throw e;
        } finally {
          if (autoCommit) {
            connection.setAutoCommit(true);
          }
        }
      } catch (Retry retry) {
        if (attempt >= 3) {
          throw new JdbcStoreException(
              "three transactions in a row lost a race for the same key", retry);
        }
      } catch (SQLException e) {
        throw JdbcFailures.translate(e, statementTimeout);
      }
    }
  }

  /**
   * Drops from the driver's own pool a connection that found its transaction read-only: a primary
   * demoted in a fail-over, or a database set read-only and back, leaves connections that keep the
   * setting while the pool would keep lending them. An application's own pool decides for itself.
   */
  private void evictIfReadOnly(Connection connection, SQLException e) {
    if (pool != null && "25006".equals(e.getSQLState())) {
      pool.evictConnection(connection);
    }
  }

  /** Runs {@code work} and commits, or rolls back what it did when it fails. */
  private static <T> T committed(Connection connection, Work<T> work) throws SQLException {
    try {
      T result = work.run(connection);
      connection.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    }
  }

  private PreparedStatement prepare(Connection connection, String statementSql)
      throws SQLException {
    PreparedStatement statement = connection.prepareStatement(statementSql);
    if (queryTimeoutSeconds > 0) {
      statement.setQueryTimeout(queryTimeoutSeconds);
    }
    return statement;
  }

  private static boolean isDuplicateKey(SQLException e) {
    return "23505".equals(e.getSQLState());
  }

  private static Long millis(Instant instant) {
    return instant == null ? null : instant.toEpochMilli();
  }

  private static Long nullableLong(ResultSet row, int column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }

  private static void setNullableLong(PreparedStatement statement, int index, Long value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.BIGINT);
    } else {
      statement.setLong(index, value);
    }
  }

  JdbcDialect dialect() {
    return dialect;
  }
}
