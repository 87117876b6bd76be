package dev.satchel.it;

import dev.satchel.Satchel;
import dev.satchel.devalue.Devalue;
import dev.satchel.jdbc.PostgresServer;
import dev.satchel.redis.RedisClusterProcess;
import dev.satchel.spi.Retirement;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A jdbc store of its own for one test, on PostgreSQL ({@code jdbc-postgresql}: a fresh table on
 * the test class's server) or H2 ({@code jdbc-h2}: a fresh in-memory database), with the clean-up
 * running every second; and a connection of the test's own, to see the table from outside the
 * driver. Everything the jdbc driver logs at WARNING or above (a failed clean-up) is kept, for the
 * test to assert there was none.
 *
 * <p>So that the clean-up has work to do while a test races, {@link #leaveLeftovers} fills the
 * tables with what it removes: expired markers, sessions expired long ago, and old index entries of
 * sessions that are gone, under keys of their own that no request uses. Every pass removes the
 * first two, so a test waits for them to go; the index is swept on the first pass and then hourly
 * (and {@code sessionsOf} prunes it), so its entries are only load.
 */
public final class JdbcStores implements AutoCloseable {
  private static final Logger DRIVER_LOG = Logger.getLogger("dev.satchel.jdbc");

  private final String driver;
  private final Map<String, String> options = new LinkedHashMap<>();
  private final String table;
  private final Connection connection;
  private final Capture warnings = new Capture();

  private JdbcStores(String driver, PostgresServer postgres) throws SQLException {
    this.driver = driver;
    String url;
    String user;
    String password;
    switch (driver) {
      case "jdbc-postgresql" -> {
        table = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        url = postgres.jdbcUrl();
        user = postgres.user();
        password = postgres.password();
        options.put("username", user);
        options.put("password", password);
        options.put("table", table);
      }
      case "jdbc-h2" -> {
        table = "satchel_sessions";
        url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        user = "";
        password = "";
      }
      default -> throw new IllegalArgumentException("not a jdbc store: " + driver);
    }
    options.put("url", url);
    options.put("cleanup-interval", "1s");
    connection = DriverManager.getConnection(url, user, password);
    DRIVER_LOG.addHandler(warnings);
  }

  /** Whether {@code driver} names a jdbc store: {@code jdbc-postgresql} or {@code jdbc-h2}. */
  public static boolean isJdbc(String driver) {
    return driver.startsWith("jdbc-");
  }

  /**
   * A store for {@code driver} ({@code jdbc-postgresql} or {@code jdbc-h2}); {@code postgres} is
   * the test class's server, used for the first only.
   */
  public static JdbcStores create(String driver, PostgresServer postgres) throws SQLException {
    return new JdbcStores(driver, postgres);
  }

  /** Points {@code builder} at this store: the jdbc driver and its options. */
  public Satchel.Builder configure(Satchel.Builder builder) {
    builder.driver("jdbc");
    options.forEach(builder::driverOption);
    return builder;
  }

  /**
   * The row under {@code id} as it is in the table, or {@code null} when there is none.
   *
   * @param value the session's devalue text, {@code null} in a marker
   * @param retired the retirement marker's text, {@code null} in a session
   */
  public record Row(String value, String retired, Long expiresAt, long version) {
    /** Whether the row holds a session that has not expired. */
    public boolean isLive() {
      return retired == null
          && value != null
          && (expiresAt == null || expiresAt > System.currentTimeMillis());
    }

    /** Whether the row is a retirement marker: retired set, no value. */
    public boolean isMarker() {
      return retired != null && value == null;
    }

    /** The marker's retirement. */
    public Retirement retirement() {
      return Retirement.decode(retired);
    }

    /** The session's keys and their data, read from the devalue text as Astro would. */
    public Map<String, Object> data() {
      Map<String, Object> data = new LinkedHashMap<>();
      ((Map<?, ?>) Devalue.astro().parse(value))
          .forEach((key, stored) -> data.put((String) key, ((Map<?, ?>) stored).get("data")));
      return data;
    }
  }

  /** The row under {@code id}, read over a connection of the test's own. */
  public synchronized Row row(String id) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT \"value\", \"retired\", \"expires_at\", \"version\" FROM "
                + table
                + " WHERE \"key\" = ?")) {
      statement.setString(1, id);
      try (ResultSet row = statement.executeQuery()) {
        if (!row.next()) {
          return null;
        }
        long expiresAt = row.getLong(3);
        return new Row(
            row.getString(1), row.getString(2), row.wasNull() ? null : expiresAt, row.getLong(4));
      }
    }
  }

  /** Whether the table holds a live session under {@code id}. */
  public boolean isLive(String id) throws SQLException {
    Row row = row(id);
    return row != null && row.isLive();
  }

  /** The cart that the table holds under {@code id}; empty when it holds none. */
  public List<String> cart(String id) throws SQLException {
    Row row = row(id);
    if (row == null || !row.isLive()) {
      return List.of();
    }
    List<String> cart = new ArrayList<>();
    Object stored = row.data().get("cart");
    if (stored != null) {
      for (Object item : (List<?>) stored) {
        cart.add((String) item);
      }
    }
    return cart;
  }

  /** The session IDs the index table lists for {@code principal}, live or not. */
  public synchronized List<String> indexed(String principal) throws SQLException {
    List<String> ids = new ArrayList<>();
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT \"session_key\" FROM "
                + table
                + "_principals WHERE \"principal\" = ? ORDER BY \"session_key\"")) {
      statement.setString(1, principal);
      try (ResultSet row = statement.executeQuery()) {
        while (row.next()) {
          ids.add(row.getString(1));
        }
      }
    }
    return ids;
  }

  /** The session IDs indexed for {@code principal} whose rows hold live sessions. */
  public List<String> liveIndexed(String principal) throws SQLException {
    List<String> live = new ArrayList<>();
    for (String id : indexed(principal)) {
      if (isLive(id)) {
        live.add(id);
      }
    }
    return live;
  }

  /** How many rows of each kind {@link #leaveLeftovers} writes: a few batches of the clean-up. */
  public static final int LEFTOVERS = 1200;

  private static final String LEFTOVER = "leftover-";

  /**
   * Writes {@link #LEFTOVERS} expired markers, as many sessions that expired two hours ago, and as
   * many index entries for {@code principal}, ten minutes old, of sessions that do not exist: all
   * of it the clean-up's to remove.
   */
  public synchronized void leaveLeftovers(String principal) throws SQLException {
    long now = System.currentTimeMillis();
    String emptySession = Devalue.astro().stringify(new LinkedHashMap<>());
    try (PreparedStatement markers =
            connection.prepareStatement(
                "INSERT INTO "
                    + table
                    + " (\"key\", \"retired\", \"expires_at\", \"version\") VALUES (?, ?, ?, 1)");
        PreparedStatement sessions =
            connection.prepareStatement(
                "INSERT INTO "
                    + table
                    + " (\"key\", \"value\", \"expires_at\", \"version\") VALUES (?, ?, ?, 1)");
        PreparedStatement index =
            connection.prepareStatement(
                "INSERT INTO "
                    + table
                    + "_principals (\"principal_hash\", \"session_key\", \"principal\","
                    + " \"indexed_at\") VALUES (?, ?, ?, ?)")) {
      String hash = sha256(principal);
      for (int i = 0; i < LEFTOVERS; i++) {
        markers.setString(1, LEFTOVER + "marker-" + i);
        markers.setString(2, Retirement.destroyed(Instant.ofEpochMilli(now)).encode());
        markers.setLong(3, now - 1_000);
        markers.addBatch();
        sessions.setString(1, LEFTOVER + "session-" + i);
        sessions.setString(2, emptySession);
        sessions.setLong(3, now - 2 * 3_600_000);
        sessions.addBatch();
        index.setString(1, hash);
        index.setString(2, LEFTOVER + "gone-" + i);
        index.setString(3, principal);
        index.setLong(4, now - 10 * 60_000);
        index.addBatch();
      }
      for (PreparedStatement batch : List.of(markers, sessions, index)) {
        int written = 0;
        for (int count : batch.executeBatch()) {
          written += count == Statement.SUCCESS_NO_INFO ? 1 : count;
        }
        if (written != LEFTOVERS) {
          throw new IllegalStateException("wrote " + written + " leftovers of " + LEFTOVERS);
        }
      }
    }
    // As the driver marks its own writes: a row whose updated_at moved past written_at was written
    // by another program (an Astro app through db0), and the clean-up leaves it alone.
    try (PreparedStatement own =
        connection.prepareStatement(
            "UPDATE " + table + " SET \"written_at\" = \"updated_at\" WHERE \"key\" LIKE ?")) {
      own.setString(1, LEFTOVER + "%");
      own.executeUpdate();
    }
  }

  /** How many of the markers and sessions {@link #leaveLeftovers} wrote are still there. */
  public synchronized long leftovers() throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE \"key\" LIKE ?")) {
      statement.setString(1, LEFTOVER + "%");
      try (ResultSet row = statement.executeQuery()) {
        row.next();
        return row.getLong(1);
      }
    }
  }

  /**
   * Waits until the clean-up has removed every leftover marker and session, for up to {@code
   * timeout}; how many remain then (0 once it is done).
   */
  public long awaitLeftoversRemoved(Duration timeout) throws SQLException {
    try {
      RedisClusterProcess.await(timeout, () -> leftoversUnchecked() == 0, "the clean-up");
    } catch (IllegalStateException timedOut) {
      // Reported as the count that remains, which the caller asserts.
    }
    return leftovers();
  }

  private long leftoversUnchecked() {
    try {
      return leftovers();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What the jdbc driver logged at WARNING or above since this store was made. */
  public List<String> warnings() {
    List<String> lines = new ArrayList<>();
    for (LogRecord record : warnings.records) {
      lines.add(record.getLevel() + " " + record.getMessage());
    }
    return lines;
  }

  /** The store's name in the test: {@code jdbc-postgresql} or {@code jdbc-h2}. */
  public String driver() {
    return driver;
  }

  /** Drops the test's tables (PostgreSQL) or database (H2); call after closing the Satchel. */
  @Override
  public synchronized void close() throws SQLException {
    DRIVER_LOG.removeHandler(warnings);
    try (Statement statement = connection.createStatement()) {
      statement.execute(
          driver.equals("jdbc-h2")
              ? "SHUTDOWN"
              : "DROP TABLE IF EXISTS " + table + ", " + table + "_principals");
    } finally {
      connection.close();
    }
  }

  private static final class Capture extends Handler {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
        records.add(record);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
