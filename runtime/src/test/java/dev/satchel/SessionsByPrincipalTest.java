package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.UserSessions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The index of sessions by principal as the core keeps it, on the memory driver: log-in, log-out,
 * regenerate, expiry, the absolute lifetime, ending a user's sessions, and those racing each other.
 */
final class SessionsByPrincipalTest {
  private static final ValueCodec<String> TEXT = ValueCodecs.strings();

  private final MutableClock clock = new MutableClock();
  private final Satchel satchel = Satchel.builder().driver("memory").clock(clock).build();
  private final UserSessions users = new UserSessions(satchel);

  @AfterEach
  void close() {
    satchel.close();
  }

  // ---------------------------------------------------------------------------- the index

  @Test
  void logIn_listsTheSession_withItsPrincipalAndTimes() {
    Instant before = clock.instant();
    String id = users.logIn("alice");
    List<SessionInfo> sessions = satchel.sessionsOf("alice");
    assertEquals(1, sessions.size());
    SessionInfo session = sessions.get(0);
    assertEquals(id, session.id());
    assertEquals("alice", session.principal());
    assertEquals(before.toEpochMilli(), session.createdAt().toEpochMilli());
    assertEquals(before.toEpochMilli(), session.lastAccessedAt().toEpochMilli());
    assertEquals(
        before.plus(Satchel.DEFAULT_IDLE_TIMEOUT).toEpochMilli(),
        session.expiresAt().toEpochMilli());
    assertTrue(satchel.sessionsOf("bob").isEmpty());
    assertEquals("alice", users.open(id).principal().orElseThrow());
  }

  @Test
  void instance_isRecordedOnlyWhenNamed_andOnlyWithAWrite() {
    assertEquals(null, satchel.sessionsOf("alice").stream().findFirst().orElse(null));
    String unnamed = users.logIn("alice");
    assertEquals(null, satchel.sessionsOf("alice").get(0).instance());
    try (Satchel named =
        Satchel.builder().driver("memory").clock(clock).instanceName("web-1").build()) {
      UserSessions onNamed = new UserSessions(named);
      String id = onNamed.logIn("bob");
      assertEquals("web-1", named.sessionsOf("bob").get(0).instance());
      assertEquals(Set.of("cart"), onNamed.open(id).keys(), "hidden from the application");
      Session read = onNamed.open(id);
      read.get("cart", TEXT);
      read.commit();
      assertEquals("web-1", named.sessionsOf("bob").get(0).instance());
    }
    assertNotEquals(null, unnamed);
    assertThrows(IllegalArgumentException.class, () -> Satchel.builder().instanceName("a\nb"));
    assertThrows(IllegalArgumentException.class, () -> Satchel.builder().instanceName(" "));
  }

  @Test
  void lastAccess_followsReads_withoutAWrite() {
    String id = users.logIn("alice");
    clock.advance(Duration.ofMinutes(5));
    Instant read = clock.instant();
    users.open(id).get("cart", TEXT);
    assertEquals(
        read.toEpochMilli(), satchel.sessionsOf("alice").get(0).lastAccessedAt().toEpochMilli());
  }

  @Test
  void metadata_isHiddenFromKeys_andReservedKeysAreRefused() {
    String id = users.logIn("alice");
    Session session = users.open(id);
    assertEquals(Set.of("cart"), session.keys());
    assertEquals(Set.of("cart"), session.entries().keySet());
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> session.set("satchel:principal", "eve"));
    assertTrue(refused.getMessage().contains("reserved"), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> session.delete("satchel:created"));
  }

  @Test
  void regenerate_movesTheEntry_toTheNewId() {
    String first = users.logIn("alice");
    Session again = users.open(first);
    again.regenerate();
    again.commit();
    String second = again.id().orElseThrow();
    assertNotEquals(first, second);
    assertEquals(Set.of(second), users.listed("alice"));
    assertEquals("alice", users.open(second).principal().orElseThrow());
  }

  @Test
  void changingThePrincipal_movesTheEntry() {
    String id = users.logIn("alice");
    Session switchUser = users.open(id);
    switchUser.setPrincipal("bob");
    switchUser.commit();
    assertTrue(users.listed("alice").isEmpty());
    assertEquals(Set.of(id), users.listed("bob"));
    Session anonymous = users.open(id);
    anonymous.setPrincipal(null);
    anonymous.commit();
    assertTrue(users.listed("bob").isEmpty());
    assertTrue(users.open(id).principal().isEmpty());
  }

  @Test
  void logOut_removesTheEntry() {
    String kept = users.logIn("alice");
    String ended = users.logIn("alice");
    users.logOut(ended);
    assertEquals(Set.of(kept), users.listed("alice"));
  }

  @Test
  void anExpiredSession_isNotListed_andItsEntryIsPrunedLater() {
    String id = users.logIn("alice");
    clock.advance(Satchel.DEFAULT_IDLE_TIMEOUT.plusSeconds(1));
    assertTrue(users.listed("alice").isEmpty());
    clock.advance(SessionStore.INDEX_GRACE);
    assertTrue(users.listed("alice").isEmpty());
    assertFalse(users.isLive(id));
  }

  @Test
  void endSessionsOf_endsEverySession_butTheOneKept() {
    String first = users.logIn("alice");
    String second = users.logIn("alice");
    String third = users.logIn("alice");
    String bobs = users.logIn("bob");
    assertEquals(2, satchel.endSessionsOf("alice", second));
    assertEquals(Set.of(second), users.listed("alice"));
    assertFalse(users.isLive(first));
    assertFalse(users.isLive(third));
    assertTrue(users.isLive(second));
    assertTrue(users.isLive(bobs));
    assertEquals(1, satchel.endSessionsOf("alice"));
    assertFalse(users.isLive(second));
  }

  @Test
  void endSessionsOf_leavesARequestInFlightNothingToWrite() {
    String id = users.logIn("alice");
    Session inFlight = users.open(id);
    assertEquals("socks", inFlight.get("cart", TEXT).orElseThrow());
    satchel.endSessionsOf("alice");
    inFlight.set("cart", "shoes", TEXT);
    inFlight.commit();
    assertFalse(users.isLive(id));
    assertTrue(users.listed("alice").isEmpty());
    Session after = users.open(id);
    assertTrue(after.get("cart", TEXT).isEmpty());
    after.set("cart", "hat", TEXT);
    after.commit();
    assertNotEquals(id, after.id().orElseThrow(), "a retired ID is never written again");
  }

  @Test
  void endSession_endsOneSessionById() {
    String id = users.logIn("alice");
    satchel.endSession(id);
    assertFalse(users.isLive(id));
    assertTrue(users.listed("alice").isEmpty());
  }

  @Test
  void aDriverWithoutAnIndex_failsToList_naming() {
    Requests requests = new Requests();
    SessionStorageException failure =
        assertThrows(SessionStorageException.class, () -> requests.satchel.sessionsOf("alice"));
    assertTrue(failure.getMessage().contains("keeps no index"), failure.getMessage());
    // Everything else still works, principal included.
    Session session = requests.satchel.open(null, cookie -> {});
    session.setPrincipal("alice");
    session.commit();
    assertEquals(
        "alice",
        requests.satchel.open(session.id().orElseThrow(), cookie -> {}).principal().orElseThrow());
  }

  // ---------------------------------------------------------------------- start and isNew

  @Test
  void start_storesAnEmptySession_withItsCreationTime() {
    Session session = users.open(null);
    assertFalse(session.isNew());
    session.start();
    assertTrue(session.isNew());
    session.commit();
    String id = session.id().orElseThrow();
    Session next = users.open(id);
    assertFalse(next.isNew());
    assertEquals(clock.instant().toEpochMilli(), next.createdAt().orElseThrow().toEpochMilli());
    assertTrue(next.keys().isEmpty());
  }

  @Test
  void aSessionUsedOnlyThroughKeys_recordsNoMetadata() {
    Session session = users.open(null);
    session.set("cart", "socks", TEXT);
    session.commit();
    assertTrue(users.open(session.id().orElseThrow()).createdAt().isEmpty());
  }

  // ---------------------------------------------------------------------- absolute lifetime

  @Test
  void maxLifetime_endsAnActiveSession_andItsEntry() {
    try (Satchel bounded =
        Satchel.builder().driver("memory").clock(clock).maxLifetime(Duration.ofHours(8)).build()) {
      Session visit = bounded.open(null, cookie -> {});
      visit.set("cart", "socks", TEXT);
      visit.setPrincipal("alice");
      visit.commit();
      String id = visit.id().orElseThrow();
      // Used every 25 minutes, well within the idle timeout, for 7 h 55 min.
      for (int request = 0; request < 19; request++) {
        clock.advance(Duration.ofMinutes(25));
        assertEquals("socks", bounded.open(id, cookie -> {}).get("cart", TEXT).orElseThrow());
      }
      assertEquals(1, bounded.sessionsOf("alice").size());
      clock.advance(Duration.ofMinutes(5));
      Session late = bounded.open(id, cookie -> {});
      assertTrue(late.get("cart", TEXT).isEmpty());
      late.commit();
      assertTrue(bounded.sessionsOf("alice").isEmpty());
      Session after = bounded.open(id, cookie -> {});
      after.set("cart", "hat", TEXT);
      after.commit();
      assertNotEquals(id, after.id().orElseThrow());
    }
  }

  @Test
  void maxLifetime_capsTheStoredExpiry() {
    try (Satchel bounded =
        Satchel.builder()
            .driver("memory")
            .clock(clock)
            .idleTimeout(null)
            .maxLifetime(Duration.ofHours(1))
            .build()) {
      Session visit = bounded.open(null, cookie -> {});
      visit.setPrincipal("alice");
      visit.commit();
      SessionInfo listed = bounded.sessionsOf("alice").get(0);
      assertEquals(
          clock.instant().plus(Duration.ofHours(1)).toEpochMilli(),
          listed.expiresAt().toEpochMilli());
    }
  }
}
