package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Requests.Request;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.Undefined;
import dev.satchel.spi.SessionIds;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Astro's own session tests (T1–T35) and the suggested extra scenarios (X1–X8), ported: the same
 * behaviour, with Astro's known bugs fixed where DESIGN.md says so.
 */
final class AstroScenariosTest {
  private final Requests app = new Requests();

  private static PlainObject user(int id, String name) {
    PlainObject user = new PlainObject();
    user.put("id", (double) id);
    user.put("name", name);
    return user;
  }

  /** A stored session written directly, as an Astro app would have left it. */
  private String stored(Map<String, Object> entries) {
    String id = SessionIds.generate();
    java.util.LinkedHashMap<String, PlainObject> map = new java.util.LinkedHashMap<>();
    entries.forEach(
        (key, value) -> {
          PlainObject entry = new PlainObject();
          entry.put("data", value);
          map.put(key, entry);
        });
    app.driver.put(id, Devalue.astro().stringify(map));
    return id;
  }

  // ------------------------------------------------------------------------------ T1–T4: basics

  @Test
  void t1_setThenGet_returnsAnEqualValue() {
    Session session = app.request(null).session;
    session.set("user", user(1, "Test User"));
    assertEquals(Optional.of(user(1, "Test User")), session.get("user"));
  }

  @Test
  void t2_has() {
    Session session = app.request(null).session;
    session.set("key", "value");
    assertTrue(session.has("key"));
    assertFalse(session.has("nonexistent"));
  }

  @Test
  void t3_setThenDelete_getsNothing() {
    Session session = app.request(null).session;
    session.set("key", "value");
    session.delete("key");
    assertEquals(Optional.empty(), session.get("key"));
  }

  @Test
  void t4_keys_inInsertionOrder() {
    Session session = app.request(null).session;
    session.set("key1", "value1");
    session.set("key2", "value2");
    assertEquals(List.of("key1", "key2"), List.copyOf(session.keys()));
  }

  // ------------------------------------------------------------------------------ T5–T6: cookies

  @Test
  void t5_firstSet_sendsTheCookie() {
    Request request = app.request(null);
    request.session.set("key", "value");
    request.session.set("other", "value");
    assertEquals(1, request.cookies.size());
    assertEquals(request.session.id().orElseThrow(), request.cookies.get(0).value());
  }

  @Test
  void t6_destroy_sendsTheDeletionCookieOnPathRoot() {
    Request request = app.request(null);
    request.session.set("key", "value");
    request.session.destroy();
    SessionCookie deletion = request.cookies.get(request.cookies.size() - 1);
    assertTrue(deletion.isDeletion());
    assertEquals(Satchel.DEFAULT_COOKIE_NAME, deletion.name());
    assertEquals(Optional.of("/"), deletion.path());
  }

  // ------------------------------------------------------------------------------ T7–T8:
  // regenerate

  @Test
  void t7_regenerate_keepsTheData() {
    Session session = app.request(null).session;
    session.set("key", "value");
    session.regenerate();
    assertEquals(Optional.of("value"), session.get("key"));
  }

  @Test
  void t8_regenerate_changesTheId() {
    Session session = app.request(null).session;
    session.set("key", "value");
    String before = session.id().orElseThrow();
    session.regenerate();
    assertNotEquals(before, session.id().orElseThrow());
  }

  // ------------------------------------------------------------------------------ T9–T11: storage

  @Test
  void t9_commit_writesABlobHoldingTheValue() {
    Request request = app.request(null);
    request.session.set("key", "value");
    request.session.commit();
    String blob = app.driver.blob(request.session.id().orElseThrow());
    assertTrue(blob.contains("\"value\""), blob);
    assertEquals("[[\"Map\",1,2],\"key\",{\"data\":3,\"expires\":-1},\"value\"]", blob);
  }

  @Test
  void t10_storedSession_reads() {
    String id = stored(Map.of("key", "value"));
    assertEquals(Optional.of("value"), app.request(id).session.get("key", ValueCodecs.strings()));
  }

  @Test
  void t11_expiredStoredEntry_readsAsAbsent() {
    String id = SessionIds.generate();
    app.driver.put(id, "[[\"Map\",1,2],\"key\",{\"data\":3,\"expires\":4},\"value\",-1]");
    assertEquals(Optional.empty(), app.request(id).session.get("key"));
  }

  // ------------------------------------------------------------------------------ T12–T13: errors

  @Test
  void t12_unserializableValue_failsInSetNamingTheKey() {
    Session session = app.request(null).session;
    PlainObject value = new PlainObject();
    value.put("fun", new Thread());
    SessionValueException e =
        assertThrows(SessionValueException.class, () -> session.set("key", value));
    assertTrue(e.getMessage().contains("could not be serialized"), e.getMessage());
    assertEquals(".key.fun", e.path());
  }

  @Test
  void t13_emptyKey_isRefused() {
    Session session = app.request(null).session;
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> session.set("", "value"));
    assertTrue(e.getMessage().contains("key was not provided"));
  }

  // ------------------------------------------------------------------------------ T14: bad blob

  @Test
  void t14_invalidJson_underFailPolicy_failsTheRead() {
    Requests strict = new Requests(b -> b.corruptData(CorruptDataPolicy.FAIL));
    String id = SessionIds.generate();
    strict.driver.put(id, "invalid-json");
    SessionStorageException e =
        assertThrows(SessionStorageException.class, () -> strict.request(id).session.get("key"));
    assertTrue(e.getMessage().contains("could not be parsed"), e.getMessage());
  }

  // ------------------------------------------------------------------------------ T15–T16: config

  @Test
  void t15_customCookieName() {
    Requests custom = new Requests(b -> b.cookieName("custom-session"));
    Request request = custom.request(null);
    request.session.set("key", "value");
    assertEquals("custom-session", request.cookies.get(0).name());
  }

  @Test
  void t16_defaultCookieName() {
    Request request = app.request(null);
    request.session.set("key", "value");
    assertEquals("satchel-session", request.cookies.get(0).name());
  }

  // ------------------------------------------------------------------------------ T17–T20: partial

  @Test
  void t17_partialWrites_mergeOntoTheStoredSession() {
    String id = stored(Map.of("keep", "original", "delete", "gone", "update", "old"));
    String cookie =
        app.run(
            id,
            s -> {
              s.delete("delete");
              s.set("update", "new");
              s.set("new", "value");
            });
    Session next = app.request(cookie).session;
    assertEquals(Optional.of("original"), next.get("keep"));
    assertEquals(Optional.empty(), next.get("delete"));
    assertEquals(Optional.of("new"), next.get("update"));
    assertEquals(Optional.of("value"), next.get("new"));
  }

  @Test
  void t18_deletedKey_staysDeletedWithinTheRequest() {
    String id = stored(Map.of("key", "value"));
    Session session = app.request(id).session;
    session.delete("key");
    assertFalse(session.has("key"));
    assertEquals(Optional.empty(), session.get("key"));
    session.set("other", "x");
    assertFalse(session.has("key"));
    assertEquals(Optional.empty(), session.get("key"));
  }

  @Test
  void t19_deletedKey_isGoneForTheNextRequest() {
    String id = stored(Map.of("key", "value", "other", "stay"));
    String cookie = app.run(id, s -> s.delete("key"));
    assertFalse(app.request(cookie).session.has("key"));
    assertTrue(app.request(cookie).session.has("other"));
  }

  @Test
  void t20_overwritingAStoredKey_leavesOneKey() {
    String id = stored(Map.of("key", "old"));
    Session session = app.request(id).session;
    session.set("key", "new");
    assertEquals(Optional.of("new"), session.get("key"));
    assertEquals(List.of("key"), List.copyOf(session.keys()));
  }

  // ------------------------------------------------------------------------------ T21: cleanup

  @Test
  void t21_destroy_removesTheStoredSessionAtCommit() {
    String id = stored(Map.of("key", "value"));
    Request request = app.request(id);
    request.session.set("key", "changed");
    request.session.destroy();
    request.session.commit();
    assertNull(app.driver.blob(id));
    assertEquals(1, app.driver.deletes.get());
  }

  // ------------------------------------------------------------------------------ T22–T24:
  // security

  @Test
  void t22_cookieIsAlwaysHttpOnly() {
    Request request = app.request(null);
    request.session.set("key", "value");
    assertTrue(request.cookies.get(0).httpOnly());
    assertTrue(request.cookies.get(0).toHeaderValue().contains("; HttpOnly"));
  }

  @Test
  void t23_secureAndLaxByDefault() {
    Request request = app.request(null);
    request.session.set("key", "value");
    assertTrue(request.cookies.get(0).secure());
    assertEquals(SameSite.LAX, request.cookies.get(0).sameSite());
  }

  @Test
  void t24_secureCanBeTurnedOffForPlainHttp() {
    Requests plain = new Requests(b -> b.secure(false));
    Request request = plain.request(null);
    request.session.set("key", "value");
    assertFalse(request.cookies.get(0).secure());
    assertFalse(request.cookies.get(0).toHeaderValue().contains("Secure"));
    assertEquals(SameSite.LAX, request.cookies.get(0).sameSite());
  }

  // ------------------------------------------------------------------------------ T25–T26: storage
  // errors

  @Test
  void t25_storageFull_commitFails() {
    app.driver.failWrites("Storage full");
    Request request = app.request(null);
    request.session.set("key", "value");
    SessionStorageException e =
        assertThrows(SessionStorageException.class, request.session::commit);
    assertTrue(e.getMessage().contains("Storage full"), e.getMessage());
    assertTrue(e.getMessage().startsWith("Error when saving session data with driver `counting`."));
  }

  @Test
  void t26_storedValueThatIsNotAMap_underFailPolicy_isAnInvalidType() {
    Requests strict = new Requests(b -> b.corruptData(CorruptDataPolicy.FAIL));
    String id = SessionIds.generate();
    strict.driver.put(id, "[{\"notAMap\":1},true]");
    SessionStorageException e =
        assertThrows(SessionStorageException.class, () -> strict.request(id).session.get("key"));
    assertTrue(e.getMessage().contains("The session data was an invalid type"), e.getMessage());
  }

  // ------------------------------------------------------------------------------ T27–T35: Astro
  // HEAD

  @Test
  void t27_regenerateAlone_storesTheDataUnderTheNewId() {
    String cookie = app.run(null, s -> s.set("user", "alice"));
    String regenerated = app.run(cookie, Session::regenerate);
    assertNotEquals(cookie, regenerated);
    assertEquals(Optional.of("alice"), app.request(regenerated).session.get("user"));
    assertNull(app.driver.blob(cookie));
  }

  @Test
  void t28_deleteAsTheOnlyChange_isStored() {
    String id = stored(Map.of("token", "secret", "other", "kept"));
    app.run(id, s -> s.delete("token"));
    assertEquals(Optional.empty(), app.request(id).session.get("token"));
    assertEquals(Optional.of("kept"), app.request(id).session.get("other"));
  }

  @Test
  void t29_destroyOnANeverReadSession_removesTheCookiesSession() {
    String id = stored(Map.of("key", "value"));
    app.run(id, Session::destroy);
    assertEquals(1, app.driver.deletes.get());
    assertNull(app.driver.blob(id));
  }

  @Test
  void t30_destroyWithACookieThatIsNotAnId_removesNothing() {
    app.run("unrelated-storage-key", Session::destroy);
    assertEquals(0, app.driver.calls());
  }

  @Test
  void t31_cookieThatIsNotAnId_getsAFreshId() {
    Request request = app.request("not-a-uuid-at-all");
    request.session.set("key", "value");
    String id = request.session.id().orElseThrow();
    assertNotEquals("not-a-uuid-at-all", id);
    assertTrue(SessionIds.isValid(id));
  }

  @Test
  void t32_noCookie_getMakesNoDriverCall() {
    assertEquals(Optional.empty(), app.request(null).session.get("nonexistent"));
    assertEquals(0, app.driver.calls());
  }

  @Test
  void t33_withACookie_getReadsStorageOnce() {
    String id = stored(Map.of("user", "alice"));
    Session session = app.request(id).session;
    assertEquals(Optional.of("alice"), session.get("user"));
    assertEquals(Optional.of("alice"), session.get("user"));
    session.has("other");
    session.keys();
    assertEquals(1, app.driver.reads.get());
  }

  @Test
  void t34_noCookie_setThenGet() {
    Session session = app.request(null).session;
    session.set("key", "expected");
    assertEquals(Optional.of("expected"), session.get("key"));
    assertEquals(0, app.driver.calls());
  }

  @Test
  void t35_regenerateOverCorruptData_startsCleanAndReadsNoMore() {
    String id = SessionIds.generate();
    app.driver.put(id, "[1,2,3]");
    Session session = app.request(id).session;
    session.regenerate();
    int reads = app.driver.reads.get();
    assertEquals(Optional.empty(), session.get("foo"));
    assertEquals(reads, app.driver.reads.get());
    session.commit();
    assertNull(app.driver.blob(id));
  }

  // ------------------------------------------------------------------------------ X1–X8

  @Test
  void x1_getOnlyWithoutCookie_noCookieNoWriteNoId() {
    Request request = app.request(null);
    request.session.get("a");
    request.session.commit();
    assertTrue(request.cookies.isEmpty());
    assertEquals(Optional.empty(), request.session.id());
    assertEquals(0, app.driver.calls());
  }

  @Test
  void x2_expiredValue_invisibleButStoredUntilTheNextWrite() {
    String cookie =
        app.run(
            null,
            s -> {
              s.set("short", "v", Duration.ofSeconds(10));
              s.set("long", "v");
            });
    app.clock.advance(Duration.ofSeconds(11));
    app.run(cookie, s -> assertEquals(Optional.empty(), s.get("short")));
    assertTrue(app.driver.blob(cookie).contains("\"short\""));
    assertEquals(cookie, app.run(cookie, s -> s.set("other", "x")));
    assertFalse(app.driver.blob(cookie).contains("\"short\""));
    assertTrue(app.driver.blob(cookie).contains("\"long\""));
  }

  @Test
  void x3_undefinedValue_isPresentAndSurvives() {
    String cookie = app.run(null, s -> s.set("k", Undefined.INSTANCE));
    Session session = app.request(cookie).session;
    assertTrue(session.has("k"));
    assertEquals(Optional.empty(), session.get("k"));
    assertTrue(app.driver.blob(cookie).contains("{\"data\":-1"));
  }

  @Test
  void x4_keysValuesAndEntries() {
    Session session = app.request(null).session;
    session.set("a", "1");
    session.set("b", List.of("2"));
    assertEquals(List.of("a", "b"), List.copyOf(session.keys()));
    assertEquals(List.of("1", List.of("2")), session.values());
    assertEquals(Map.of("a", "1", "b", List.of("2")), session.entries());
  }

  @Test
  void x5_overlappingRequests_differentKeysBothSurvive_sameKeyLastWriterWins() {
    String cookie = app.run(null, s -> s.set("start", 0));
    Request first = app.request(cookie);
    Request second = app.request(cookie);
    first.session.get("start");
    second.session.get("start");
    first.session.set("a", "first");
    second.session.set("b", "second");
    first.session.set("same", "first");
    second.session.set("same", "second");
    first.session.commit();
    second.session.commit();
    Session after = app.request(cookie).session;
    assertEquals(Optional.of("first"), after.get("a"));
    assertEquals(Optional.of("second"), after.get("b"));
    assertEquals(Optional.of("second"), after.get("same"));
  }

  @Test
  void x6_corruptBlob_resetsTheSessionClearsTheCookieAndRemovesTheBlob() {
    String id = SessionIds.generate();
    app.driver.put(id, "{not devalue");
    Request request = app.request(id);
    assertEquals(Optional.empty(), request.session.get("key"));
    assertTrue(request.cookies.get(0).isDeletion());
    request.session.commit();
    assertNull(app.driver.blob(id));
  }

  @Test
  void x7_cookieHeaders_exactly() {
    Request request = app.request(null);
    request.session.set("k", "v");
    String id = request.session.id().orElseThrow();
    assertEquals(
        "satchel-session=" + id + "; Path=/; HttpOnly; Secure; SameSite=Lax",
        request.cookies.get(0).toHeaderValue());
    request.session.destroy();
    assertEquals(
        "satchel-session=deleted; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax",
        request.cookies.get(1).toHeaderValue());

    Requests custom =
        new Requests(
            b -> b.cookieMaxAge(Duration.ofHours(1)).cookieDomain("example.com").secure(false));
    Request other = custom.request(null);
    other.session.set("k", "v");
    assertEquals(
        "satchel-session="
            + other.session.id().orElseThrow()
            + "; Max-Age=3600; Domain=example.com; Path=/; HttpOnly; SameSite=Lax",
        other.cookies.get(0).toHeaderValue());
  }

  @Test
  void x8_quirk64_deleteThenSet_keepsTheSet() {
    String id = stored(Map.of("a", "stored"));
    app.run(
        id,
        s -> {
          s.delete("a");
          s.set("a", 9);
        });
    assertEquals(Optional.of(9), app.request(id).session.get("a", ValueCodecs.integers()));
  }

  @Test
  void x8_quirk65_setAfterDestroy_startsANewSessionAndSendsItsCookie() {
    String id = stored(Map.of("a", "old"));
    Request request = app.request(id);
    request.session.set("a", "changed");
    request.session.destroy();
    request.session.set("b", "new");
    request.session.commit();
    String newId = request.session.id().orElseThrow();
    assertNotEquals(id, newId);
    SessionCookie last = request.cookies.get(request.cookies.size() - 1);
    assertEquals(newId, last.value());
    assertNull(app.driver.blob(id));
    assertEquals(Optional.of("new"), app.request(newId).session.get("b"));
    assertFalse(app.request(newId).session.has("a"));
  }

  @Test
  void x8_quirk66_loadDoesNotInheritPendingDeletes() {
    String shared = stored(Map.of("x", "shared"));
    String mine = app.run(null, s -> s.set("x", "mine"));
    Request request = app.request(mine);
    request.session.delete("x");
    assertTrue(request.session.load(shared));
    assertEquals(Optional.of("shared"), request.session.get("x"));
    request.session.commit();
    assertEquals(Optional.of("shared"), app.request(shared).session.get("x"));
  }

  @Test
  void x8_quirk66_regenerateWhoseWriteFails_losesNothing() {
    String cookie = app.run(null, s -> s.set("cart", "3 items"));
    app.driver.failWrites("down");
    Request request = app.request(cookie);
    request.session.regenerate();
    assertThrows(SessionStorageException.class, request.session::commit);
    assertNotNull(app.driver.blob(cookie));
    assertTrue(app.driver.blob(cookie).contains("3 items"));
  }
}
