package dev.satchel.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import dev.satchel.testing.MutableClock;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the jdbc driver does beyond the contract: its writes, its tables, its options. */
final class JdbcDriverTest {
  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  private static final Duration IDLE = Duration.ofMinutes(30);

  private final MutableClock clock = new MutableClock();
  private final String table = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);

  private Map<String, String> options(String... more) {
    Map<String, String> options = new HashMap<>();
    options.put("url", postgres.jdbcUrl());
    options.put("username", postgres.user());
    options.put("password", postgres.password());
    options.put("table", table);
    options.put("pool-size", "2");
    options.put("cleanup-interval", "1d");
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return options;
  }

  private SessionDriver driver(Map<String, String> options) {
    return new JdbcDriverProvider().create(new DriverContext("jdbc", options, clock, IDLE));
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
  }

  /** The row's columns as the database holds them, and its xmin (which any write changes). */
  private Map<String, Object> row(String id) throws SQLException {
    try (Connection connection = connect();
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT xmin::text AS xmin, \"value\", \"version\", \"updated_at\","
                    + " \"expires_at\", \"retired\" FROM "
                    + table
                    + " WHERE \"key\" = ?")) {
      statement.setString(1, id);
      try (ResultSet result = statement.executeQuery()) {
        if (!result.next()) {
          return null;
        }
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= 6; i++) {
          row.put(result.getMetaData().getColumnName(i), result.getObject(i));
        }
        return row;
      }
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  // ------------------------------------------------------------------------ reads and refresh

  @Test
  void readsWithinATenthOfTheIdleTimeout_writeNothing_andALaterOneMovesOnlyTheExpiry()
      throws SQLException {
    try (SessionDriver driver = driver(options())) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "blob", null, clock.instant().plus(IDLE)));
      Map<String, Object> written = row(id);
      for (int minute = 0; minute < 2; minute++) {
        clock.advance(Duration.ofMinutes(1));
        assertEquals("blob", driver.read(id, IDLE).blob());
      }
      assertEquals(written, row(id), "a read 2 minutes into 30 wrote the row");

      clock.advance(Duration.ofMinutes(2));
      StoredBlob read = driver.read(id, IDLE);
      Map<String, Object> refreshed = row(id);
      assertNotEquals(written.get("xmin"), refreshed.get("xmin"), "not refreshed after 4 minutes");
      assertEquals(clock.millis() + IDLE.toMillis(), refreshed.get("expires_at"));
      for (String kept : List.of("value", "version", "updated_at")) {
        assertEquals(written.get(kept), refreshed.get(kept), kept + " changed by a refresh");
      }
      assertTrue(driver.write(id, "next", read.version(), clock.instant().plus(IDLE)));
    }
  }

  @Test
  void aReadWithTheConfiguredTimeout_leavesALongerExpiry_andOneWithAShorterOwnBringsItBack()
      throws SQLException {
    try (SessionDriver driver = driver(options())) {
      String id = SessionIds.generate();
      long month = clock.millis() + Duration.ofDays(30).toMillis();
      assertTrue(driver.write(id, "blob", null, Instant.ofEpochMilli(month)));
      Map<String, Object> written = row(id);
      // The core's first read of a session it has not seen: a longer own timeout must survive it,
      // whether or not a second read follows.
      assertEquals("blob", driver.read(id, IDLE).blob());
      assertEquals(written, row(id), "a read with the configured timeout wrote the row");
      assertEquals("blob", driver.read(id, Duration.ofMinutes(10)).blob());
      assertEquals(clock.millis() + Duration.ofMinutes(10).toMillis(), row(id).get("expires_at"));
    }
  }

  @Test
  void aShorterOwnTimeout_bringsNothingBack_whenTheSessionChangedSinceTheRead() throws Exception {
    try (SessionDriver driver = driver(options())) {
      String id = SessionIds.generate();
      long month = clock.millis() + Duration.ofDays(30).toMillis();
      assertTrue(driver.write(id, "blob", null, Instant.ofEpochMilli(month)));
      ExecutorService reader = Executors.newSingleThreadExecutor();
      try (Connection writer = connect()) {
        // Another request's commit, under way: the read sees the row as it was, and its UPDATE
        // waits for this one to end, then finds another version.
        writer.setAutoCommit(false);
        try (PreparedStatement change =
            writer.prepareStatement(
                "UPDATE " + table + " SET \"version\" = \"version\" + 1 WHERE \"key\" = ?")) {
          change.setString(1, id);
          assertEquals(1, change.executeUpdate());
        }
        Future<StoredBlob> read = reader.submit(() -> driver.read(id, Duration.ofMinutes(10)));
        awaitTheDriverWaitingOnALock();
        writer.commit();
        assertEquals("blob", read.get().blob(), "the version before the commit");
      } finally {
        reader.shutdownNow();
      }
      assertEquals(month, row(id).get("expires_at"), "brought back over a newer version");
    }
  }

  /**
   * Returns once a statement of the driver's pool waits for another transaction's lock: the
   * database itself watches for it, in one statement that ends when it sees it (or fails after 30
   * s).
   */
  private void awaitTheDriverWaitingOnALock() throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      statement.execute("SET statement_timeout = '30s'");
      statement.execute(
          "DO $$ BEGIN WHILE NOT EXISTS (SELECT 1 FROM pg_stat_activity"
              + " WHERE application_name = 'satchel' AND wait_event_type = 'Lock') LOOP"
              + " PERFORM pg_stat_clear_snapshot(); END LOOP; END $$");
    }
  }

  @Test
  void aSessionThatExpiresWhileItIsRead_isServed_butItsExpiryIsNotPushed() throws SQLException {
    java.util.concurrent.atomic.AtomicBoolean reading =
        new java.util.concurrent.atomic.AtomicBoolean();
    Clock stepping =
        new Clock() {
          @Override
          public long millis() {
            // While reading, each look at the clock finds two seconds gone: a slow read.
            long now = clock.millis();
            if (reading.get()) {
              clock.advance(Duration.ofSeconds(2));
            }
            return now;
          }

          @Override
          public Instant instant() {
            return Instant.ofEpochMilli(millis());
          }

          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
          }
        };
    try (SessionDriver driver =
        new JdbcDriverProvider().create(new DriverContext("jdbc", options(), stepping, IDLE))) {
      String id = SessionIds.generate();
      long expiry = clock.millis() + 1_000;
      assertTrue(driver.write(id, "blob", null, Instant.ofEpochMilli(expiry)));
      reading.set(true);
      assertEquals("blob", driver.read(id, IDLE).blob(), "alive when read");
      reading.set(false);
      assertTrue(clock.millis() > expiry, "expired by the time the read would push it");
      assertEquals(expiry, row(id).get("expires_at"), "an expiry check may have reported it");
    }
  }

  @Test
  void commitsWithinATenthOfTheIdleTimeout_keepTheStoredExpiry_soTheRowIsRewrittenInPlace()
      throws SQLException {
    try (SessionDriver driver = driver(options())) {
      String id = SessionIds.generate();
      long first = clock.millis() + IDLE.toMillis();
      assertTrue(driver.write(id, "v1", null, clock.instant().plus(IDLE)));
      clock.advance(Duration.ofMinutes(3));
      assertTrue(
          driver.write(id, "v2", driver.read(id, IDLE).version(), clock.instant().plus(IDLE)));
      assertEquals(first, row(id).get("expires_at"), "a commit 3 minutes into 30 moved the expiry");
      assertEquals("v2", row(id).get("value"));

      clock.advance(Duration.ofMillis(1));
      StoredBlob read = driver.read(id, IDLE);
      assertTrue(driver.write(id, "v3", read.version(), clock.instant().plus(IDLE)));
      assertEquals(clock.millis() + IDLE.toMillis(), row(id).get("expires_at"));

      // An earlier expiry than the stored one is always taken: a session never outlives it.
      Instant sooner = clock.instant().plus(Duration.ofMinutes(5));
      assertTrue(driver.write(id, "v4", driver.read(id, IDLE).version(), sooner));
      assertEquals(sooner.toEpochMilli(), row(id).get("expires_at"));
      assertTrue(driver.write(id, "v5", driver.read(id, IDLE).version(), null));
      assertEquals(null, row(id).get("expires_at"));
    }
  }

  @Test
  void refreshIsDue_onlyOnceATenthOfTheTimeoutHasPassed() {
    long now = 1_000_000;
    long idle = IDLE.toMillis();
    assertFalse(JdbcDriver.refreshIsDue(now + idle, now, IDLE));
    assertFalse(JdbcDriver.refreshIsDue(now + idle - idle / 10, now, IDLE));
    assertTrue(JdbcDriver.refreshIsDue(now + idle - idle / 10 - 1, now, IDLE));
    assertTrue(JdbcDriver.refreshIsDue(null, now, IDLE));
  }

  @Test
  void aVersionTheDriverNeverMade_isRefused_notAnError() {
    try (SessionDriver driver = driver(options())) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "blob", null, null));
      for (String version :
          List.of(
              "blob",
              "",
              "x/y",
              "1/not-a-time",
              "/",
              "9/-",
              "1/2026-01-01 00:00:00x",
              "1/1' OR '1'='1")) {
        assertFalse(driver.write(id, "next", version, null), version);
        assertFalse(driver.deleteIfUnchanged(id, version), version);
      }
      assertEquals("blob", driver.read(id, null).blob());
    }
  }

  @Test
  void aLogIn_turnsTheOldRowIntoAMarker_inPlace() throws SQLException {
    try (SessionDriver driver = driver(options())) {
      String old = SessionIds.generate();
      String next = SessionIds.generate();
      driver.write(old, "blob", null, clock.instant().plus(IDLE));
      String version = driver.read(old, null).version();
      Retirement moved = Retirement.movedTo(next, clock.instant());
      assertTrue(
          driver.replace(
              old,
              version,
              next,
              "blob",
              clock.instant().plus(IDLE),
              moved,
              clock.instant().plus(Duration.ofMinutes(10))));
      Map<String, Object> marker = row(old);
      assertNull(marker.get("value"));
      assertEquals(moved.encode(), marker.get("retired"));
      assertEquals("blob", row(next).get("value"));
    }
  }

  // ---------------------------------------------------------------------------------- clean-up

  @Test
  void cleanUp_removesExpiredMarkers_unreportedSessions_andLeftoverIndexEntries()
      throws SQLException {
    try (SessionDriver driver = driver(options())) {
      JdbcDriver jdbc = (JdbcDriver) driver;
      String live = SessionIds.generate();
      String expired = SessionIds.generate();
      String retired = SessionIds.generate();
      String lasting = SessionIds.generate();
      driver.write(live, "blob", null, clock.instant().plus(Duration.ofDays(1)));
      driver.write(expired, "blob", null, clock.instant().plus(Duration.ofMinutes(1)));
      driver.retire(
          retired, Retirement.destroyed(clock.instant()), clock.instant().plusSeconds(60));
      driver.retire(
          lasting, Retirement.destroyed(clock.instant()), clock.instant().plus(Duration.ofDays(1)));
      String forever = SessionIds.generate();
      driver.write(forever, "blob", null, null);
      driver.index("ann", forever, clock.instant());
      driver.index("ann", live, clock.instant());
      driver.index("ann", expired, clock.instant());
      driver.index("bob", SessionIds.generate(), clock.instant());

      clock.advance(Duration.ofMinutes(30));
      jdbc.cleanUp(2, JdbcCleanup.UNREPORTED_AFTER, JdbcCleanup.INDEX_GRACE, true, Long.MAX_VALUE);
      assertNull(row(retired), "an expired marker stays");
      assertNotNull(row(expired), "an expired session went before anyone could report it");
      assertNotNull(row(lasting));
      assertEquals(2, driver.indexed("ann").size(), "ann's entry of an expired session stays");
      assertEquals(0, driver.indexed("bob").size(), "bob's entry without any session stays");

      clock.advance(JdbcCleanup.UNREPORTED_AFTER);
      jdbc.cleanUp(2, JdbcCleanup.UNREPORTED_AFTER, JdbcCleanup.INDEX_GRACE, true, Long.MAX_VALUE);
      assertNull(row(expired), "an expired session nobody reported for an hour stays");
      assertNotNull(row(live));
      assertEquals(
          java.util.Set.of(forever, live),
          driver.indexed("ann").stream()
              .map(s -> s.id())
              .collect(java.util.stream.Collectors.toSet()));
    }
  }

  @Test
  void aSessionReportedAsExpired_leavesNoIndexEntry() {
    try (SessionDriver driver = driver(options())) {
      String expiring = SessionIds.generate();
      String lasting = SessionIds.generate();
      driver.write(expiring, "blob", null, clock.instant().plusSeconds(60));
      driver.write(lasting, "blob", null, clock.instant().plus(Duration.ofDays(1)));
      driver.index("ann", expiring, clock.instant());
      driver.index("ann", lasting, clock.instant());
      clock.advance(Duration.ofMinutes(2));
      List<String> claimed = driver.claimExpired(clock.instant(), 10);
      assertEquals(List.of(expiring), claimed);
      driver.acknowledgeExpired(claimed);
      assertEquals(List.of(lasting), driver.indexed("ann").stream().map(s -> s.id()).toList());
    }
  }

  @Test
  void cleanUp_inSmallBatches_removesEverythingDue() throws SQLException {
    try (SessionDriver driver = driver(options())) {
      for (int i = 0; i < 25; i++) {
        driver.retire(
            SessionIds.generate(),
            Retirement.destroyed(clock.instant()),
            clock.instant().plusSeconds(1));
      }
      clock.advance(Duration.ofSeconds(2));
      long removed =
          ((JdbcDriver) driver)
              .cleanUp(
                  4, JdbcCleanup.UNREPORTED_AFTER, JdbcCleanup.INDEX_GRACE, true, Long.MAX_VALUE);
      assertEquals(25, removed);
    }
  }

  // ------------------------------------------------------------------------------- the tables

  @Test
  void aMissingTable_withCreateTableOff_failsSayingWhatToRun() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> driver(options("create-table", "false")));
    assertTrue(e.getMessage().contains("the table " + table + " does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("dev/satchel/jdbc/schema-postgresql.sql"), e.getMessage());
    assertTrue(e.getMessage().contains("create-table=true"), e.getMessage());
  }

  @Test
  void theShippedSchema_runByTheApplication_isAccepted() throws SQLException {
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : JdbcSchema.statements(JdbcSchema.script("schema-postgresql.sql", table))) {
        statement.execute(sql);
      }
    }
    try (SessionDriver driver = driver(options("create-table", "false"))) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "blob", null, null));
    }
  }

  @Test
  void tableNames_containingTheScriptsOwnNames_areCreatedAndUpgradedUnderExactlyThatName()
      throws SQLException {
    String suffix = table.substring(1, 9);
    for (String name :
        List.of("unstorage_" + suffix, "app_unstorage_" + suffix, "satchel_sessions_" + suffix)) {
      try (SessionDriver driver = driver(options("table", name, "create-table", "true"))) {
        String id = SessionIds.generate();
        assertTrue(driver.write(id, "blob", null, null), name);
        assertEquals("blob", driver.read(id, null).blob(), name);
      }
    }
    // A table db0 made under such a name is completed, not copied to another name.
    String db0Made = "unstorage_db0_" + suffix;
    try (Db0Client astro =
        new Db0Client(postgres.jdbcUrl(), postgres.user(), postgres.password(), db0Made)) {
      astro.ensureTable();
    }
    try (SessionDriver driver = driver(options("table", db0Made, "create-table", "true"))) {
      assertTrue(driver.write(SessionIds.generate(), "blob", null, null));
    }
    try (Connection connection = connect();
        Statement statement = connection.createStatement();
        ResultSet tables =
            statement.executeQuery(
                "SELECT table_name FROM information_schema.tables WHERE table_name LIKE '%"
                    + suffix
                    + "%' ORDER BY table_name")) {
      List<String> names = new java.util.ArrayList<>();
      while (tables.next()) {
        names.add(tables.getString(1));
      }
      assertEquals(
          List.of(
              "app_unstorage_" + suffix,
              "app_unstorage_" + suffix + "_principals",
              "satchel_sessions_" + suffix,
              "satchel_sessions_" + suffix + "_principals",
              "unstorage_" + suffix,
              "unstorage_" + suffix + "_principals",
              "unstorage_db0_" + suffix,
              "unstorage_db0_" + suffix + "_principals"),
          names,
          "each table under its own name, and no other");
    }
  }

  @Test
  void aTableWhoseTimesCarryAZone_comparesVersionsExactly_inASessionOutsideUtc()
      throws SQLException {
    // A table made by hand or by another tool, with timestamptz where db0 has timestamp.
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      for (String sql : JdbcSchema.statements(JdbcSchema.script("schema-postgresql.sql", table))) {
        statement.execute(sql.replaceAll("\\bTIMESTAMP\\b", "TIMESTAMPTZ"));
      }
    }
    String url = postgres.jdbcUrl() + "?options=-c%20TimeZone%3DAsia/Kolkata";
    try (SessionDriver driver = driver(options("url", url, "create-table", "false"))) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "v1", null, null));
      StoredBlob read = driver.read(id, null);
      assertTrue(driver.write(id, "v2", read.version(), null), "the version read matches");
      assertFalse(driver.write(id, "stale", read.version(), null), "and only that one");
      assertEquals("v2", driver.read(id, null).blob());
    }
  }

  @Test
  void theIndexTableMissing_withCreateTableOff_fails() throws SQLException {
    driver(options()).close();
    execute("DROP TABLE " + table + "_principals");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> driver(options("create-table", "false")));
    assertTrue(e.getMessage().contains(table + "_principals does not exist"), e.getMessage());
    driver(options()).close();
  }

  @Test
  void aTableLackingOneOfSatchelsColumns_isNamedPrecisely_andCompletedWhenAllowed()
      throws SQLException {
    driver(options()).close();
    execute("ALTER TABLE " + table + " DROP COLUMN \"written_at\"");
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> driver(options("create-table", "false")));
    assertTrue(
        e.getMessage().contains("lacks Satchel's columns \"written_at\" (made by an older"),
        e.getMessage());
    assertTrue(e.getMessage().contains("upgrade-db0-postgresql.sql"), e.getMessage());
    try (SessionDriver driver = driver(options())) {
      assertTrue(driver.write(SessionIds.generate(), "blob", null, null));
    }
  }

  @Test
  void aTableOfAnotherLayout_isRefused_evenWhenTheDriverMayCreateTables() throws SQLException {
    execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, name TEXT)");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> driver(options()));
    assertTrue(e.getMessage().contains("is not a session table"), e.getMessage());
  }

  @Test
  void startingManyInstancesAtOnce_onAnEmptyDatabase_createsTheTablesOnce() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    for (int i = 0; i < 6; i++) {
      Thread thread =
          new Thread(
              () -> {
                try (SessionDriver driver = driver(options())) {
                  assertTrue(driver.write(SessionIds.generate(), "blob", null, null));
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(List.of(), failures);
  }

  // --------------------------------------------------------------------------------- options

  @Test
  void theApplicationsDataSource_isUsed_andLeftOpen() throws SQLException {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    Map<String, String> options = Map.of("cleanup-interval", "1d");
    DriverContext context =
        new DriverContext(
            "jdbc", options, Map.of(), clock, IDLE, Map.of(javax.sql.DataSource.class, dataSource));
    String id = SessionIds.generate();
    try (SessionDriver driver = new JdbcDriverProvider().create(context)) {
      assertTrue(driver.write(id, "blob", null, null));
    }
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "SELECT \"value\" FROM satchel_sessions WHERE \"key\" = '" + id + "'")) {
      assertTrue(row.next());
      assertEquals("blob", row.getString(1));
    }
  }

  @Test
  void withoutAUrlOrADataSource_startUpSaysWhatToSet() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> driver(Map.of()));
    assertTrue(e.getMessage().contains("`url`"), e.getMessage());
    assertTrue(e.getMessage().contains("driverResource(DataSource.class"), e.getMessage());
  }

  @Test
  void poolOptionsWithoutAUrl_areRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> driver(Map.of("pool-size", "4")));
    assertTrue(e.getMessage().contains("`pool-size`"), e.getMessage());
  }

  @Test
  void badOptions_areRefusedNamingThem() {
    for (String[] bad :
        new String[][] {
          {"table", "sessions; DROP TABLE x"},
          {"table", "public.sessions"},
          {"table", "select"},
          {"table", "Order"},
          {"table", "user"},
          {"pool-size", "0"},
          {"pool-timeout", "10ms"},
          {"statement-timeout", "0s"},
          {"cleanup-interval", "500ms"},
          {"create-table", "yes"},
        }) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> driver(options(bad[0], bad[1])), bad[1]);
      assertTrue(e.getMessage().contains("`" + bad[0] + "`"), e.getMessage());
    }
    IllegalArgumentException url =
        assertThrows(
            IllegalArgumentException.class,
            () -> driver(options("url", "postgresql://u:secret@localhost/app")));
    assertFalse(url.getMessage().contains("secret"), url.getMessage());
    for (String withSecret :
        List.of(
            "jdbc:postgresql://u:secret@localhost/app",
            "jdbc:mysql://localhost/app?password=secret")) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> driver(options("url", withSecret)));
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
      assertNull(e.getCause(), "a cause could quote the password");
    }
  }

  @Test
  void aDatabaseThatCannotBeReached_failsStartUpNamingTheUrl_withoutThePassword() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                driver(
                    options(
                        "url",
                        "jdbc:postgresql://127.0.0.1:1/app?password=secret",
                        "pool-timeout",
                        "500ms")));
    assertTrue(e.getMessage().contains("127.0.0.1:1"), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void aPrincipalOfAnyLength_isIndexed() {
    try (SessionDriver driver = driver(options())) {
      String id = SessionIds.generate();
      String principal = "x".repeat(100_000) + "\u0000é";
      driver.write(id, "blob", null, null);
      driver.index(principal, id, Instant.now());
      driver.index(principal, id, Instant.now());
      assertEquals(1, driver.indexed(principal).size());
      assertEquals(0, driver.indexed("x".repeat(100_000)).size());
    }
  }

  @Test
  void principalsThatDifferOnlyInLoneSurrogates_areKeptApart() {
    try (SessionDriver driver = driver(options())) {
      String id = SessionIds.generate();
      driver.write(id, "blob", null, null);
      driver.index("a\uD800", id, Instant.now());
      assertEquals(0, driver.indexed("a\uDC00").size());
      assertEquals(0, driver.indexed("a?").size());
      assertEquals(0, driver.indexed("a\uFFFD").size());
      assertEquals(1, driver.indexed("a\uD800").size());
    }
  }

  @Test
  void aStatementWaitingOnALock_isCancelledAfterTheStatementTimeout_onEitherKindOfPool()
      throws Exception {
    org.postgresql.ds.PGSimpleDataSource application = new org.postgresql.ds.PGSimpleDataSource();
    application.setURL(postgres.jdbcUrl());
    application.setUser(postgres.user());
    application.setPassword(postgres.password());
    Map<String, String> shared = new HashMap<>(options());
    for (String own : List.of("url", "username", "password", "pool-size")) {
      shared.remove(own);
    }
    shared.put("statement-timeout", "1s");
    DriverContext applications =
        new DriverContext(
            "jdbc", shared, Map.of(), clock, IDLE, Map.of(javax.sql.DataSource.class, application));
    try (SessionDriver own = driver(options("statement-timeout", "1s"));
        SessionDriver viaApplication = new JdbcDriverProvider().create(applications)) {
      for (SessionDriver driver : List.of(own, viaApplication)) {
        String id = SessionIds.generate();
        assertTrue(driver.write(id, "blob", null, null));
        String version = driver.read(id, null).version();
        try (Connection holder = connect()) {
          holder.setAutoCommit(false);
          try (Statement lock = holder.createStatement()) {
            lock.execute("SELECT 1 FROM " + table + " WHERE \"key\" = '" + id + "' FOR UPDATE");
          }
          JdbcStoreException e =
              assertThrows(JdbcStoreException.class, () -> driver.write(id, "next", version, null));
          assertEquals("57014", e.sqlState());
          assertTrue(e.getMessage().contains("statement-timeout (1000 ms)"), e.getMessage());
          holder.rollback();
        }
        assertEquals("blob", driver.read(id, null).blob(), "a cancelled write wrote");
        assertTrue(driver.write(id, "next", version, null));
      }
    }
  }
}
