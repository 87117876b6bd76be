package dev.satchel.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import dev.satchel.SessionReplacedException;
import dev.satchel.SessionStorageException;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.Undefined;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.ReferenceSession;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Satchel app on the jdbc driver and an Astro app whose session storage is unstorage's db0 driver
 * share one PostgreSQL table: {@link Db0Client} sends exactly the statements db0 sends, and the
 * session texts it writes are those Astro writes (produced by devalue 5.9 with Astro's URL
 * reducer).
 */
final class JdbcSharedWithAstroTest {
  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  /** Astro's text for {@code Map {a: 1, b: 2}}, no TTLs. */
  private static final String ASTRO_A_B =
      "[[\"Map\",1,2,4,5],\"a\",{\"data\":3,\"expires\":-1},1,\"b\",{\"data\":6,\"expires\":-1},2]";

  /** Astro's text for the same session after {@code session.set("c", "three")}. */
  private static final String ASTRO_A_B_C =
      "[[\"Map\",1,2,4,5,7,8],\"a\",{\"data\":3,\"expires\":-1},1,\"b\",{\"data\":6,\"expires\":-1},2,"
          + "\"c\",{\"data\":9,\"expires\":-1},\"three\"]";

  /** Astro's text for a user object, a number and a URL. */
  private static final String ASTRO_USER_URL =
      "[[\"Map\",1,2,6,7,9,10],\"user\",{\"data\":3,\"expires\":-1},{\"id\":4,\"name\":5},1,"
          + "\"Ada\",\"visits\",{\"data\":8,\"expires\":-1},2,\"home\",{\"data\":11,\"expires\":-1},"
          + "[\"URL\",12],\"https://example.com/x\"]";

  private static final String ASTRO_CART =
      "[[\"Map\",1,2],\"cart\",{\"data\":3,\"expires\":-1},[4],\"sku-1\"]";

  private static final String ASTRO_CART_VISITS =
      "[[\"Map\",1,2,5,6],\"cart\",{\"data\":3,\"expires\":-1},[4],\"sku-1\",\"visits\","
          + "{\"data\":7,\"expires\":-1},1]";

  private static final String ASTRO_CART_THEME =
      "[[\"Map\",1,2,5,6],\"cart\",{\"data\":3,\"expires\":-1},[4],\"sku-1\",\"theme\","
          + "{\"data\":7,\"expires\":-1},\"dark\"]";

  private static final String ASTRO_CART_THEME_LANG =
      "[[\"Map\",1,2,5,6,8,9],\"cart\",{\"data\":3,\"expires\":-1},[4],\"sku-1\",\"theme\","
          + "{\"data\":7,\"expires\":-1},\"dark\",\"lang\",{\"data\":10,\"expires\":-1},\"en\"]";

  private static final String ASTRO_STALE =
      "[[\"Map\",1,2],\"stale\",{\"data\":3,\"expires\":-1},true]";

  /** A table per test, so that tests sharing the server see none of each other's rows. */
  private final String table =
      "astro_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : opened) {
      closeable.close();
    }
  }

  private Db0Client db0(String tableName) throws SQLException {
    Db0Client client =
        new Db0Client(postgres.jdbcUrl(), postgres.user(), postgres.password(), tableName);
    opened.add(client);
    return client;
  }

  private Satchel satchel(String tableName, Consumer<Satchel.Builder> configure) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver("jdbc")
            .driverOption("url", postgres.jdbcUrl())
            .driverOption("username", postgres.user())
            .driverOption("password", postgres.password())
            .driverOption("table", tableName)
            .driverOption("pool-size", "4")
            .driverOption("cleanup-interval", "1d")
            .cookieName("astro-session")
            .expiryCheckInterval(Duration.ofDays(1));
    configure.accept(builder);
    Satchel satchel = builder.build();
    opened.add(satchel);
    return satchel;
  }

  private Satchel satchel() {
    return satchel(table, b -> {});
  }

  /** Runs one Satchel request and returns the cookie the browser keeps. */
  private static String run(Satchel satchel, String cookie, Consumer<Session> handler) {
    List<SessionCookie> cookies = new ArrayList<>();
    Session session = satchel.open(cookie, cookies::add);
    handler.accept(session);
    session.commit();
    if (cookies.isEmpty()) {
      return cookie;
    }
    SessionCookie last = cookies.get(cookies.size() - 1);
    return last.isDeletion() ? null : last.value();
  }

  /** One row of the table, read as the database holds it. */
  private record Row(String value, long version, LocalDateTime updatedAt, String retired) {}

  private Row row(String tableName, String key) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        PreparedStatement statement =
            connection.prepareStatement(
                "SELECT \"value\", \"version\", \"updated_at\", \"retired\" FROM "
                    + tableName
                    + " WHERE \"key\" = ?")) {
      statement.setString(1, key);
      try (ResultSet row = statement.executeQuery()) {
        return row.next()
            ? new Row(
                row.getString(1),
                row.getLong(2),
                row.getObject(3, LocalDateTime.class),
                row.getString(4))
            : null;
      }
    }
  }

  // ------------------------------------------------------- (a) one session, seen from both apps

  @Test
  void sessionAstroCreated_isReadBySatchel_andSatchelsChangeIsWhatAstroWouldHaveWritten()
      throws Exception {
    Db0Client astro = db0(table);
    Satchel satchel = satchel();
    String id = SessionIds.generate();
    astro.setItem(id, ASTRO_A_B);

    String kept =
        run(
            satchel,
            id,
            s -> {
              assertEquals(Optional.of(1.0), s.get("a"));
              assertEquals(Optional.of(2.0), s.get("b"));
              assertEquals(Optional.of(id), s.id());
              s.set("c", "three");
            });

    assertEquals(id, kept, "the browser keeps the cookie Astro gave it");
    assertEquals(ASTRO_A_B_C, astro.getItem(id));
    assertTrue(astro.hasItem(id));
  }

  @Test
  void aSessionOnlyTheAstroAppStillUses_isNotExpiredBySatchel_untilSatchelHasItAgain()
      throws Exception {
    MutableClock clock = new MutableClock();
    Db0Client astro = db0(table);
    Satchel satchel = satchel(table, b -> b.clock(clock).idleTimeout(Duration.ofMinutes(1)));
    String id = SessionIds.generate();
    astro.setItem(id, ASTRO_A_B);
    // Satchel reads it once, which gives it an expiry a minute ahead...
    run(satchel, id, s -> assertEquals(Optional.of(1.0), s.get("a")));
    // ...then only the Astro app serves it, for longer than that (db0 keeps no expiry).
    clock.advance(Duration.ofMinutes(5));
    astro.setItem(id, ASTRO_A_B_C);
    assertEquals(0, satchel.checkExpiredSessions(), "claimed while the Astro app uses it");
    assertEquals(ASTRO_A_B_C, astro.getItem(id));
    String kept = run(satchel, id, s -> assertEquals(Optional.of("three"), s.get("c")));
    assertEquals(id, kept);

    // Once Satchel has read it, its idle timeout holds again.
    clock.advance(Duration.ofMinutes(2));
    assertEquals(1, satchel.checkExpiredSessions());
    assertNull(astro.getItem(id));
  }

  @Test
  void astrosObjectsAndUrls_readBySatchel() throws Exception {
    Db0Client astro = db0(table);
    Satchel satchel = satchel();
    String plain = SessionIds.generate();
    String reference = SessionIds.generate();
    astro.setItem(plain, ASTRO_USER_URL);
    astro.setItem(reference, ReferenceSession.astroBlob());

    run(
        satchel,
        plain,
        s -> {
          assertEquals("Ada", ((PlainObject) s.get("user").orElseThrow()).get("name"));
          assertEquals(Optional.of(2.0), s.get("visits"));
          assertEquals(
              Optional.of(URI.create("https://example.com/x")), s.get("home", ValueCodecs.uris()));
        });
    run(
        satchel,
        reference,
        s -> {
          assertEquals(
              20, s.get("cart", ValueCodecs.list(ValueCodecs.strings())).orElseThrow().size());
          assertEquals("Houston", ((PlainObject) s.get("user").orElseThrow()).get("name"));
          s.set("seen", true);
        });

    // Satchel's write keeps every entry Astro wrote, its TTL included.
    Map<?, ?> stored = (Map<?, ?>) Devalue.astro().parse(astro.getItem(reference));
    assertEquals(
        List.of("cart", "user", "lastVisit", "prefs", "tags", "homepage", "seen"),
        List.copyOf(stored.keySet()));
    assertEquals(
        (double) ReferenceSession.USER_EXPIRES, ((PlainObject) stored.get("user")).get("expires"));
    assertEquals(Undefined.INSTANCE, ((PlainObject) stored.get("seen")).get("expires"));
    // A read-only request leaves Astro's text as it was.
    assertEquals(ASTRO_USER_URL, astro.getItem(plain));
  }

  @Test
  void sessionSatchelCreated_isReadByAstro_andAstrosChangesAndDestroyByTheSatchelApp()
      throws Exception {
    Satchel satchel = satchel();
    Db0Client astro = db0(table);
    String cookie = run(satchel, null, s -> s.set("cart", List.of("sku-1")));

    assertEquals(ASTRO_CART, astro.getItem(cookie), "Astro's own text for the same session");
    assertTrue(astro.hasItem(cookie));

    astro.setItem(cookie, ASTRO_CART_VISITS);
    run(
        satchel,
        cookie,
        s -> {
          assertEquals(Optional.of(1.0), s.get("visits"));
          assertEquals(
              Optional.of(List.of("sku-1")),
              s.get("cart", ValueCodecs.list(ValueCodecs.strings())));
        });

    // Astro's session.destroy(): removeItem at the end of the request.
    astro.removeItem(cookie);
    assertFalse(astro.hasItem(cookie));
    String next =
        run(
            satchel,
            cookie,
            s -> {
              assertEquals(Optional.empty(), s.get("cart"));
              s.set("cart", List.of("sku-2"));
            });
    assertNotEquals(cookie, next, "an ID the store no longer knows is never adopted");
    assertNull(astro.getItem(cookie));
    assertNotNull(astro.getItem(next));
  }

  // ------------------------------------------------------- (b) a db0 write racing a Satchel commit

  @Test
  void astroWriteBetweenSatchelsReadAndCommit_isMergedNotOverwritten() throws Exception {
    Satchel satchel = satchel();
    Db0Client astro = db0(table);
    String cookie = run(satchel, null, s -> s.set("cart", List.of("sku-1")));

    List<SessionCookie> cookies = new ArrayList<>();
    Session request = satchel.open(cookie, cookies::add);
    assertTrue(request.get("cart").isPresent()); // the version is read here
    Row before = row(table, cookie);

    astro.setItem(cookie, ASTRO_CART_THEME);
    Row between = row(table, cookie);
    assertEquals(
        before.version(), between.version(), "db0 leaves the counter: updated_at tells the write");
    assertNotEquals(before.updatedAt(), between.updatedAt());

    request.set("lang", "en");
    request.commit();

    assertEquals(ASTRO_CART_THEME_LANG, astro.getItem(cookie));
  }

  @Test
  void astroWritesRacingSatchelCommits_astrosKeysAllSurvive() throws Exception {
    Satchel satchel = satchel(table, b -> b.maxCommitAttempts(1000));
    Db0Client astro = db0(table);
    String cookie = run(satchel, null, s -> s.set("start", true));
    int rounds = 60;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      // Astro's requests, one after another: read the session, add a key, write it back whole.
      Future<?> astroSide =
          pool.submit(
              () -> {
                go.await();
                for (int i = 0; i < rounds; i++) {
                  Map<Object, Object> map = cast(Devalue.astro().parse(astro.getItem(cookie)));
                  PlainObject entry = new PlainObject();
                  entry.put("data", (double) i);
                  entry.put("expires", Undefined.INSTANCE);
                  map.put("astro-" + i, entry);
                  astro.setItem(cookie, Devalue.astro().stringify(map));
                }
                return null;
              });
      List<Future<?>> satchelSide = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        int thread = t;
        satchelSide.add(
            pool.submit(
                () -> {
                  go.await();
                  for (int i = 0; i < rounds; i++) {
                    int round = i;
                    run(satchel, cookie, s -> s.set("satchel-" + thread + "-" + round, true));
                  }
                  return null;
                }));
      }
      go.countDown();
      astroSide.get(2, TimeUnit.MINUTES);
      for (Future<?> side : satchelSide) {
        side.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }

    Set<String> keys = new TreeSet<>();
    cast(Devalue.astro().parse(astro.getItem(cookie))).keySet().forEach(k -> keys.add((String) k));
    for (int i = 0; i < rounds; i++) {
      assertTrue(keys.contains("astro-" + i), "astro-" + i + " was lost: " + keys);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> cast(Object parsed) {
    return (Map<Object, Object>) parsed;
  }

  // ------------------------------------------------------- (c) a Satchel log-in

  @Test
  void satchelLogIn_leavesAMarkerDb0ReadsAsNull_thatSatchelNeverWritesAgain() throws Exception {
    MutableClock clock = new MutableClock();
    Satchel satchel = satchel(table, b -> b.clock(clock));
    Db0Client astro = db0(table);
    String before = SessionIds.generate();
    astro.setItem(before, ASTRO_CART);

    String after =
        run(
            satchel,
            before,
            s -> {
              assertTrue(s.get("cart").isPresent());
              s.regenerate();
            });

    assertNotEquals(before, after);
    assertEquals(ASTRO_CART, astro.getItem(after), "Astro finds the session under the new cookie");
    assertNull(astro.getItem(before), "the old ID's row is a marker without a value");
    Row marker = row(table, before);
    assertNull(marker.value());
    assertNotNull(marker.retired());
    // db0's hasItem sees the marker's row; Astro's sessions never call it.
    assertTrue(astro.hasItem(before));

    // An Astro request still holding the old ID writes it again, as Astro does not compare.
    astro.setItem(before, ASTRO_STALE);
    assertEquals(ASTRO_STALE, astro.getItem(before));

    // Within seconds of the log-in: Satchel reads nothing there and refuses to write.
    Session racing = satchel.open(before, cookie -> {});
    assertEquals(Optional.empty(), racing.get("stale"));
    racing.set("x", 1);
    assertThrows(SessionReplacedException.class, racing::commit);
    // Later, the old ID is a stranger's: a new session under a new ID.
    clock.advance(Duration.ofMinutes(1));
    String stranger = run(satchel, before, s -> s.set("x", 1));
    assertNotEquals(before, stranger);
    assertNotEquals(after, stranger);

    Row untouched = row(table, before);
    assertEquals(ASTRO_STALE, untouched.value(), "Satchel never wrote the old ID");
    assertEquals(marker.retired(), untouched.retired());

    // The session lives on under the new ID, for both apps.
    astro.setItem(after, ASTRO_CART_VISITS);
    run(satchel, after, s -> assertEquals(Optional.of(1.0), s.get("visits")));
  }

  // ------------------------------------------------------- (d) a table db0 created first

  @Test
  void db0sTable_isCompletedAtStartUp_withCreateTable_andRefusedWithoutIt() throws Exception {
    String db0Table = "unstorage";
    Db0Client astro = db0(db0Table);
    String id = SessionIds.generate();
    astro.setItem(id, ASTRO_A_B); // db0 creates its table before its first statement

    SessionStorageException refused =
        assertThrows(
            SessionStorageException.class,
            () -> satchel(db0Table, b -> b.driverOption("create-table", "false")));
    assertTrue(refused.getMessage().contains("upgrade-db0-postgresql.sql"), refused.getMessage());
    assertTrue(refused.getMessage().contains("unstorage"), refused.getMessage());
    assertEquals(ASTRO_A_B, astro.getItem(id), "a refused start changes nothing");

    Satchel satchel = satchel(db0Table, b -> b.driverOption("create-table", "true"));
    run(
        satchel,
        id,
        s -> {
          assertEquals(Optional.of(1.0), s.get("a"));
          s.set("c", "three");
        });
    assertEquals(ASTRO_A_B_C, astro.getItem(id));
    String satchels = run(satchel, null, s -> s.set("cart", List.of("sku-1")));
    assertEquals(ASTRO_CART, astro.getItem(satchels));

    // db0's own CREATE TABLE IF NOT EXISTS, by an Astro instance starting now, leaves it be.
    Db0Client another = db0(db0Table);
    assertEquals(ASTRO_CART, another.getItem(satchels));
    // And a Satchel that may not create tables now starts on it.
    satchel(db0Table, b -> b.driverOption("create-table", "false")).ping();
  }

  @Test
  void db0sTable_completedByTheShippedScripts_startsWithoutCreateTable() throws Exception {
    Db0Client astro = db0(table);
    String id = SessionIds.generate();
    astro.setItem(id, ASTRO_A_B);

    // What a migration does, as the error message says: the upgrade, then the schema.
    try (Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl(), postgres.user(), postgres.password());
        Statement statement = connection.createStatement()) {
      statement.execute(resource("upgrade-db0-postgresql.sql").replace("unstorage", table));
      statement.execute(resource("schema-postgresql.sql").replace("satchel_sessions", table));
    }

    Satchel satchel = satchel(table, b -> b.driverOption("create-table", "false"));
    run(satchel, id, s -> s.set("c", "three"));
    assertEquals(ASTRO_A_B_C, astro.getItem(id));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in =
        JdbcSharedWithAstroTest.class.getResourceAsStream("/dev/satchel/jdbc/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
