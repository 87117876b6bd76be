package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.PlainObject;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.ReferenceSession;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sessions over a real Redis: round trips counted by the server, concurrency, interop. */
final class RedisSessionTest {
  private static RedisServerProcess server;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> rawConnection;
  private static RedisCommands<String, String> raw;

  @BeforeAll
  static void start() {
    server = RedisServerProcess.start(false);
    rawClient = RedisClient.create(server.url());
    rawConnection = rawClient.connect();
    raw = rawConnection.sync();
  }

  @AfterAll
  static void stop() throws Exception {
    rawConnection.close();
    rawClient.shutdown();
    server.close();
  }

  private static Satchel satchel(Consumer<Satchel.Builder> configure) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver("redis")
            .driverOption("url", server.url())
            // No check for expired sessions among the commands these tests count.
            .expiryCheckInterval(Duration.ofDays(1));
    configure.accept(builder);
    return builder.build();
  }

  /** Runs one request and returns the cookie the browser keeps. */
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

  /**
   * The commands the server ran while {@code action} did, by name. Redis counts the commands a
   * script runs too: each compare-and-set EVALSHA also shows as one GET, one EXISTS (of the
   * retirement marker) and one SET, which the expectations below spell out.
   */
  private static Map<String, Integer> commandsDuring(Runnable action) {
    raw.configResetstat();
    action.run();
    Map<String, Integer> counts = new TreeMap<>();
    for (String line : raw.info("commandstats").split("\r?\n")) {
      if (!line.startsWith("cmdstat_")) {
        continue;
      }
      String name = line.substring("cmdstat_".length(), line.indexOf(':'));
      int calls = Integer.parseInt(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
      if (calls > 0 && !name.equals("info") && !name.startsWith("config")) {
        counts.put(name, calls);
      }
    }
    return counts;
  }

  // --------------------------------------------------------------------------- round trips

  @Test
  void commandCounts_perKindOfRequest() {
    try (Satchel satchel = satchel(b -> b.idleTimeout(null))) {
      String cookie = run(satchel, null, s -> s.set("cart", List.of("a")));

      assertEquals(Map.of(), commandsDuring(() -> run(satchel, cookie, s -> {})), "untouched");
      assertEquals(
          Map.of(),
          commandsDuring(() -> run(satchel, null, s -> s.get("cart"))),
          "read without a cookie");
      assertEquals(
          Map.of("get", 1),
          commandsDuring(() -> run(satchel, cookie, s -> s.get("cart"))),
          "read-only");
      // Round trips: GET, EVALSHA. Inside the script: GET, EXISTS, SET.
      assertEquals(
          Map.of("get", 1 + 1, "evalsha", 1, "exists", 1, "set", 1),
          commandsDuring(() -> run(satchel, cookie, s -> s.set("other", 1))),
          "write-only on an existing session");
      assertEquals(
          Map.of("get", 1 + 1, "evalsha", 1, "exists", 1, "set", 1),
          commandsDuring(
              () ->
                  run(
                      satchel,
                      cookie,
                      s -> {
                        s.get("cart");
                        s.set("cart", List.of("a", "b"));
                      })),
          "read then write");
      // Round trip: EVALSHA. Inside: GET, EXISTS, SET.
      assertEquals(
          Map.of("evalsha", 1, "get", 1, "exists", 1, "set", 1),
          commandsDuring(() -> run(satchel, null, s -> s.set("k", "v"))),
          "brand-new session");
    }
  }

  @Test
  void commandCounts_regenerateAndDestroy() {
    try (Satchel satchel = satchel(b -> b.idleTimeout(null))) {
      String cookie = run(satchel, null, s -> s.set("cart", List.of("a")));
      String[] regenerated = new String[1];
      // Round trips: GET, EVALSHA (replace). Inside: GET of the old session, one EXISTS of the new
      // one and its marker, SET of the new one, DEL of the old one, SET of the old one's marker,
      // ZREM of the old one from the ledger of expiring sessions.
      assertEquals(
          Map.of("get", 1 + 1, "evalsha", 1, "exists", 1, "set", 2, "del", 1, "zrem", 1),
          commandsDuring(() -> regenerated[0] = run(satchel, cookie, Session::regenerate)),
          "regenerate");
      assertEquals(0L, raw.exists(cookie));
      // Round trips: GET of the session for its principal (this log-out had not read it), EVALSHA
      // (retire). Inside: GET of an earlier marker, DEL, SET of the marker, ZREM from the ledger.
      assertEquals(
          Map.of("evalsha", 1, "get", 2, "del", 1, "set", 1, "zrem", 1),
          commandsDuring(() -> run(satchel, regenerated[0], Session::destroy)),
          "destroy");
      assertEquals(0L, raw.exists(regenerated[0]));
    }
  }

  @Test
  void idleTimeout_readIsOneGetex() {
    try (Satchel satchel = satchel(b -> b.idleTimeout(Duration.ofMinutes(30)))) {
      String cookie = run(satchel, null, s -> s.set("k", "v"));
      assertTrue(raw.pttl(cookie) > Duration.ofMinutes(29).toMillis());
      assertEquals(Map.of("getex", 1), commandsDuring(() -> run(satchel, cookie, s -> s.get("k"))));
    }
  }

  @Test
  void unstoragesBase_storesUnderBaseColonId_asAnAstroAppWithTheSameBaseReads() {
    try (Satchel satchel = satchel(b -> b.driverOption("base", "sess"))) {
      String cookie = run(satchel, null, s -> s.set("k", "v"));
      assertEquals(1L, raw.exists("sess:" + cookie));
      assertEquals(0L, raw.exists(cookie));
    }
    for (String[] base :
        new String[][] {{"sess:", "sess:"}, {"a/b", "a:b:"}, {":x::y:", "x:y:"}, {"", ""}}) {
      assertEquals(
          base[1],
          RedisDriverProvider.keyPrefix(
              new dev.satchel.spi.DriverContext(
                  "redis", Map.of("base", base[0]), java.time.Clock.systemUTC())),
          base[0]);
    }
    IllegalArgumentException both =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () -> satchel(b -> b.driverOption("base", "sess").driverOption("prefix", "p:")));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
  }

  @Test
  void aSessionWithBytesThatAreNotUtf8_staysUsable_andItsNextWriteHolds() {
    try (Satchel satchel = satchel(b -> {})) {
      String cookie = run(satchel, null, s -> s.set("k", "vw"));
      byte[] key = cookie.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      try (io.lettuce.core.api.StatefulRedisConnection<byte[], byte[]> bytes =
          rawClient.connect(io.lettuce.core.codec.ByteArrayCodec.INSTANCE)) {
        String stored = new String(bytes.sync().get(key), java.nio.charset.StandardCharsets.UTF_8);
        byte[] damaged = stored.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = stored.indexOf("\"vw\"") + 2;
        damaged[at] = (byte) 0xff; // "vw" becomes "v" and a byte that is not UTF-8
        bytes.sync().set(key, damaged);
      }
      String next = run(satchel, cookie, s -> s.set("other", "x"));
      assertEquals(cookie, next, "the same session, not a reset");
      Session after = satchel.open(cookie, c -> {});
      assertEquals(Optional.of("v\ufffd"), after.get("k"));
      assertEquals(Optional.of("x"), after.get("other"));
    }
  }

  @Test
  void aKeyOfAnotherType_isReplaced_notAFailureForEver() {
    try (Satchel satchel = satchel(b -> {})) {
      String cookie = run(satchel, null, s -> s.set("k", "v"));
      raw.del(cookie);
      raw.rpush(cookie, "not", "a", "session");
      String next = run(satchel, cookie, s -> s.set("k", "fresh"));
      assertTrue(next != null && !next.equals(cookie));
      assertEquals(Optional.of("fresh"), satchel.open(next, c -> {}).get("k"));
      assertEquals(0L, raw.exists(cookie));
    }
  }

  @Test
  void byDefault_aSessionExpiresAfterThirtyIdleMinutes() {
    try (Satchel satchel = satchel(b -> {})) {
      String cookie = run(satchel, null, s -> s.set("forever", "v"));
      long ttl = raw.pttl(cookie);
      assertTrue(
          ttl > Duration.ofMinutes(29).toMillis() && ttl <= Duration.ofMinutes(30).toMillis(),
          "PTTL " + ttl);
    }
  }

  @Test
  void sessionsWhoseEveryKeyExpires_expireInRedisToo() {
    try (Satchel satchel = satchel(b -> b.idleTimeout(null))) {
      String cookie = run(satchel, null, s -> s.set("k", "v", Duration.ofMinutes(5)));
      long ttl = raw.pttl(cookie);
      assertTrue(ttl > 0 && ttl <= Duration.ofMinutes(5).toMillis(), "PTTL " + ttl);
      run(satchel, cookie, s -> s.set("forever", "v"));
      assertEquals(-1L, raw.pttl(cookie));
    }
  }

  // --------------------------------------------------------------------------- concurrency

  // 32 requests racing for one session is far past what a browser sends; they may retry longer.
  private static final int RACE_ATTEMPTS = 100;

  @Test
  void thirtyTwoThreads_eachSettingItsOwnKey_allSurvive() throws Exception {
    try (Satchel satchel = satchel(b -> b.maxCommitAttempts(RACE_ATTEMPTS))) {
      String cookie = run(satchel, null, s -> s.set("start", true));
      assertEquals(33, concurrentKeys(List.of(satchel), cookie, 32));
    }
  }

  @Test
  void fourApplicationInstances_sharingTheServer_loseNothing() throws Exception {
    List<Satchel> instances = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      instances.add(satchel(b -> b.maxCommitAttempts(RACE_ATTEMPTS)));
    }
    try {
      String cookie = run(instances.get(0), null, s -> s.set("start", true));
      assertEquals(33, concurrentKeys(instances, cookie, 32));
    } finally {
      instances.forEach(Satchel::close);
    }
  }

  private static int concurrentKeys(List<Satchel> instances, String cookie, int threads)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      int n = i;
      done.add(
          pool.submit(
              () -> {
                go.await();
                run(
                    instances.get(n % instances.size()),
                    cookie,
                    s -> {
                      s.get("start");
                      s.set("key" + n, n);
                    });
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    int[] keys = new int[1];
    run(instances.get(0), cookie, s -> keys[0] = s.keys().size());
    return keys[0];
  }

  // --------------------------------------------------------------------------- interop

  @Test
  void blobWrittenBySatchel_isTheExactDevalueTextForAnyRedisClient() {
    long now = System.currentTimeMillis();
    java.time.Clock fixed =
        java.time.Clock.fixed(java.time.Instant.ofEpochMilli(now), java.time.ZoneOffset.UTC);
    try (Satchel satchel = satchel(b -> b.clock(fixed))) {
      long ttl = ReferenceSession.USER_EXPIRES - now;
      String cookie =
          run(
              satchel,
              null,
              s ->
                  ReferenceSession.values()
                      .forEach(
                          (key, value) -> {
                            if (key.equals("user")) {
                              s.set(key, value, Duration.ofMillis(ttl));
                            } else {
                              s.set(key, value);
                            }
                          }));
      assertEquals(ReferenceSession.astroBlob(), raw.get(cookie));
    }
  }

  @Test
  void blobInAstrosExactForm_readsThroughTheDriver() {
    String id = SessionIds.generate();
    raw.set("astro:" + id, ReferenceSession.astroBlob());
    try (Satchel satchel = satchel(b -> b.driverOption("prefix", "astro:"))) {
      run(
          satchel,
          id,
          s -> {
            assertEquals(
                20, s.get("cart", ValueCodecs.list(ValueCodecs.strings())).orElseThrow().size());
            assertEquals("Houston", ((PlainObject) s.get("user").orElseThrow()).get("name"));
            assertEquals(
                Optional.of(java.net.URI.create("https://example.com/shop?ref=satchel")),
                s.get("homepage", ValueCodecs.uris()));
          });
    }
    assertTrue(Devalue.astro().parse(raw.get("astro:" + id)) instanceof Map);
  }

  @Test
  void unknownCookie_isNeverAdopted() {
    try (Satchel satchel = satchel(b -> {})) {
      String planted = SessionIds.generate();
      String issued = run(satchel, planted, s -> s.set("k", "v"));
      assertNotEquals(planted, issued);
      assertEquals(0L, raw.exists(planted));
    }
  }

  @Test
  void unreachableServer_failsAtStartWithTheReason() {
    Exception e =
        assertThrows(
            dev.satchel.SessionStorageException.class,
            () ->
                Satchel.builder()
                    .driver("redis")
                    .driverOption("url", "redis://127.0.0.1:1")
                    .driverOption("connect-timeout", "PT1S")
                    .build());
    assertTrue(
        e.getMessage().startsWith("Error when initializing session storage with driver `redis`."),
        e.getMessage());
    assertFalse(e.getMessage().contains("null"), e.getMessage());
  }
}
