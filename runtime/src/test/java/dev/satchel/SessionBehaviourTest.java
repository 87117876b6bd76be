package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Requests.Request;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.JsUrl;
import dev.satchel.devalue.PlainObject;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.ReferenceSession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Satchel's behaviour beyond Astro's tests: hostile cookies, interop, typing, expiry, threads. */
final class SessionBehaviourTest {
  private final Requests app = new Requests();

  // ---------------------------------------------------------------------------- hostile cookies

  @Test
  void cookieValuesThatAreNotSessionIds_neverReachTheDriver() {
    String[] hostile = {
      "",
      " ",
      "x".repeat(100_000),
      "../../etc/passwd",
      "..%2F..%2Fetc%2Fpasswd",
      "A1B2C3D4-E5F6-4789-ABCD-EF0123456789",
      "a1b2c3d4-e5f6-1789-abcd-ef0123456789",
      "a1b2c3d4-e5f6-4789-7bcd-ef0123456789",
      "a1b2c3d4-e5f6-4789-abcd-ef012345678\u00e9",
      "a1b2c3d4-e5f6-4789-abcd-ef0123456789\u0000",
      "a1b2c3d4e5f64789abcdef0123456789abcd",
      "{\"$ne\":null}",
    };
    for (String cookie : hostile) {
      Request request = app.request(cookie);
      request.session.get("a");
      request.session.has("a");
      request.session.set("k", "v");
      request.session.commit();
      String issued = request.session.id().orElseThrow();
      assertNotEquals(cookie, issued);
      assertTrue(SessionIds.isValid(issued));
    }
    for (String touched : app.driver.touchedIds) {
      assertTrue(SessionIds.isValid(touched), touched);
    }
    assertEquals(0, app.driver.reads.get());
  }

  @Test
  void unknownButWellFormedId_isNeverAdopted() {
    String planted = SessionIds.generate();
    Request request = app.request(planted);
    request.session.set("k", "v");
    request.session.commit();
    String issued = request.session.id().orElseThrow();
    assertNotEquals(planted, issued);
    assertNull(app.driver.blob(planted));
    assertEquals(issued, request.cookies.get(request.cookies.size() - 1).value());
  }

  @Test
  void loadOfUnknownOrMalformedId_changesNothing() {
    String cookie = app.run(null, s -> s.set("mine", "1"));
    Request request = app.request(cookie);
    assertFalse(request.session.load(SessionIds.generate()));
    assertFalse(request.session.load("../../etc/passwd"));
    assertEquals(Optional.of("1"), request.session.get("mine"));
    assertEquals(Optional.of(cookie), request.session.id());
    assertTrue(request.cookies.isEmpty());
  }

  @Test
  void loadOfAStoredSession_switchesToItAndSendsItsCookie() {
    String shared = app.run(null, s -> s.set("cart", List.of("a", "b")));
    Request request = app.request(null);
    assertTrue(request.session.load(shared));
    assertEquals(Optional.of(shared), request.session.id());
    assertEquals(shared, request.cookies.get(0).value());
    assertEquals(
        Optional.of(List.of("a", "b")),
        request.session.get("cart", ValueCodecs.list(ValueCodecs.strings())));
  }

  // ---------------------------------------------------------------------------- bad stored data

  @Test
  void validDevalueThatIsNotASession_isReset() {
    for (String blob :
        new String[] {
          "[{\"a\":1},1]",
          "[[\"Map\",1,2],\"k\",\"not an entry\"]",
          "[[\"Map\",1,2],3,{\"data\":1},\"k\"]",
          "[\"just a string\"]",
          "-1",
        }) {
      String id = SessionIds.generate();
      app.driver.put(id, blob);
      Request request = app.request(id);
      assertEquals(Optional.empty(), request.session.get("k"), blob);
      request.session.commit();
      assertNull(app.driver.blob(id), blob);
    }
  }

  @Test
  void corruptBlobThenWrite_storesUnderANewId() {
    String id = SessionIds.generate();
    app.driver.put(id, "[[\"Map\",1");
    Request request = app.request(id);
    request.session.get("k");
    request.session.set("k", "fresh");
    request.session.commit();
    String issued = request.session.id().orElseThrow();
    assertNotEquals(id, issued);
    assertNull(app.driver.blob(id));
    assertEquals(Optional.of("fresh"), app.request(issued).session.get("k"));
  }

  // ---------------------------------------------------------------------------- interop with Astro

  @Test
  void astroBlob_readsThroughTypedCodecs() {
    String id = SessionIds.generate();
    app.driver.put(id, ReferenceSession.astroBlob());
    Session session = app.request(id).session;
    assertEquals(
        20, session.get("cart", ValueCodecs.list(ValueCodecs.strings())).orElseThrow().size());
    assertEquals(
        Optional.of(Instant.parse("2026-11-26T12:34:56.789Z")),
        session.get("lastVisit", ValueCodecs.instants()));
    assertEquals(
        Optional.of(java.net.URI.create("https://example.com/shop?ref=satchel")),
        session.get("homepage", ValueCodecs.uris()));
    assertEquals(
        Optional.of(25),
        session
            .get("prefs", ValueCodecs.map(ValueCodecs.strings(), ValueCodecs.untyped()))
            .map(p -> ((Double) p.get("pageSize")).intValue()));
  }

  @Test
  void satchelBlob_isByteForByteWhatAstroStores() {
    long ttlMillis = ReferenceSession.USER_EXPIRES - app.clock.millis();
    Request request = app.request(null);
    ReferenceSession.values()
        .forEach(
            (key, value) -> {
              if (key.equals("user")) {
                request.session.set(key, value, Duration.ofMillis(ttlMillis));
              } else {
                request.session.set(key, value);
              }
            });
    request.session.commit();
    assertEquals(ReferenceSession.astroBlob(), app.driver.blob(request.session.id().orElseThrow()));
  }

  @Test
  void untypedUrl_readsAsJsUrl() {
    String cookie = app.run(null, s -> s.set("u", java.net.URI.create("https://astro.build/")));
    assertEquals(
        Optional.of(new JsUrl("https://astro.build/")), app.request(cookie).session.get("u"));
  }

  // ---------------------------------------------------------------------------- snapshots and
  // typing

  @Test
  void set_takesASnapshot() {
    Session session = app.request(null).session;
    List<String> cart = new ArrayList<>(List.of("a"));
    session.set("cart", cart, ValueCodecs.list(ValueCodecs.strings()));
    cart.add("b");
    assertEquals(
        Optional.of(List.of("a")), session.get("cart", ValueCodecs.list(ValueCodecs.strings())));
  }

  @Test
  void untypedGet_returnsACopy() {
    Session session = app.request(null).session;
    PlainObject user = new PlainObject(Map.of("name", "Ann"));
    session.set("user", user);
    ((PlainObject) session.get("user").orElseThrow()).put("name", "Mallory");
    assertEquals("Ann", ((PlainObject) session.get("user").orElseThrow()).get("name"));
  }

  @Test
  void valueThatNoLongerFits_readsAsAbsent_andOtherKeysAreUnaffected() {
    String cookie =
        app.run(
            null,
            s -> {
              s.set("count", "not a number");
              s.set("name", "Ann");
            });
    Session session = app.request(cookie).session;
    assertEquals(Optional.empty(), session.get("count", ValueCodecs.integers()));
    assertEquals(Optional.of("Ann"), session.get("name", ValueCodecs.strings()));
  }

  @Test
  void valueThatNoLongerFits_underFailPolicy_throwsWithThePath() {
    Requests strict = new Requests(b -> b.undecodableValues(UndecodableValuePolicy.FAIL));
    String cookie = strict.run(null, s -> s.set("cart", List.of("a", 1)));
    SessionValueException e =
        assertThrows(
            SessionValueException.class,
            () ->
                strict
                    .request(cookie)
                    .session
                    .get("cart", ValueCodecs.list(ValueCodecs.strings())));
    assertEquals(".cart[1]", e.path());
  }

  @Test
  void longBeyondSafeIntegers_isRefusedInSetWithThePath() {
    Session session = app.request(null).session;
    SessionValueException e =
        assertThrows(
            SessionValueException.class,
            () -> session.set("ids", List.of(1L, 1L << 60), ValueCodecs.list(ValueCodecs.longs())));
    assertEquals(".ids[1]", e.path());
    assertFalse(session.has("ids"));
  }

  // ---------------------------------------------------------------------------- TTLs and expiry

  @Test
  void defaultTtl_appliesToSetsWithoutOne() {
    Requests withTtl = new Requests(b -> b.defaultTtl(Duration.ofMinutes(5)));
    String cookie =
        withTtl.run(
            null,
            s -> {
              s.set("default", "d");
              s.set("explicit", "e", Duration.ofHours(1));
            });
    withTtl.clock.advance(Duration.ofMinutes(6));
    Session session = withTtl.request(cookie).session;
    assertFalse(session.has("default"));
    assertTrue(session.has("explicit"));
  }

  @Test
  void expiryHandedToTheDriver_withoutIdleTimeout_isTheLastEntrysOrNone() {
    Requests app = new Requests(b -> b.idleTimeout(null));
    long now = app.clock.millis();
    String cookie = app.run(null, s -> s.set("a", 1, Duration.ofMinutes(1)));
    assertEquals(Instant.ofEpochMilli(now + 60_000), last(app.driver.writeExpiries));
    app.run(cookie, s -> s.set("b", 2, Duration.ofMinutes(5)));
    assertEquals(Instant.ofEpochMilli(now + 300_000), last(app.driver.writeExpiries));
    app.run(cookie, s -> s.set("c", 3));
    assertNull(last(app.driver.writeExpiries));
  }

  @Test
  void idleTimeout_expiresInactiveSessions_andReadsKeepThemAlive() {
    Requests idle = new Requests(b -> b.idleTimeout(Duration.ofMinutes(30)));
    String cookie = idle.run(null, s -> s.set("k", "v"));
    assertEquals(
        idle.clock.instant().plus(Duration.ofMinutes(30)), last(idle.driver.writeExpiries));
    for (int i = 0; i < 4; i++) {
      idle.clock.advance(Duration.ofMinutes(20));
      assertEquals(Optional.of("v"), idle.request(cookie).session.get("k"));
    }
    assertEquals(1, idle.driver.writes.get());
    idle.clock.advance(Duration.ofMinutes(31));
    assertEquals(Optional.empty(), idle.request(cookie).session.get("k"));
  }

  private static Instant last(List<Instant> list) {
    return list.get(list.size() - 1);
  }

  // ---------------------------------------------------------------------------- concurrency

  @Test
  void manyRequestsOnOneSession_eachChangingItsOwnKey_allSurvive() throws Exception {
    Requests app = new Requests(b -> b.maxCommitAttempts(100));
    String cookie = app.run(null, s -> s.set("start", true));
    int requests = 16;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      int n = i;
      done.add(
          pool.submit(
              () -> {
                go.await();
                Request request = app.request(cookie);
                request.session.get("start");
                request.session.set("key" + n, n);
                request.session.commit();
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    Session after = app.request(cookie).session;
    for (int i = 0; i < requests; i++) {
      assertEquals(Optional.of(i), after.get("key" + i, ValueCodecs.integers()), "key" + i);
    }
  }

  @Test
  void oneSessionTouchedFromSeveralThreads_keepsEveryWrite() throws Exception {
    Request request = app.request(null);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      done.add(
          pool.submit(
              () -> {
                for (int k = 0; k < 50; k++) {
                  request.session.set("t" + thread + "k" + k, k);
                  request.session.get("t" + thread + "k" + k);
                }
              }));
    }
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    request.session.commit();
    assertEquals(1, request.cookies.size());
    assertEquals(400, app.request(request.session.id().orElseThrow()).session.keys().size());
  }

  @Test
  void commitThatKeepsLosingTheRace_failsClearlyAfterTheConfiguredAttempts() {
    Requests racy = new Requests(b -> b.maxCommitAttempts(2));
    String cookie = racy.run(null, s -> s.set("a", 1));
    Request request = racy.request(cookie);
    request.session.get("a");
    request.session.set("b", 2);
    SessionStorageException e;
    // Another request changes the session just before each of this request's attempts.
    try (AutoCloseable racing =
        racy.driver.interfere(() -> racy.run(cookie, s -> s.set("d", Math.random())))) {
      e = assertThrows(SessionStorageException.class, request.session::commit);
    } catch (Exception closing) {
      throw new AssertionError(closing);
    }
    assertTrue(e.getMessage().contains("changed under 2 attempts"), e.getMessage());
  }
}
