package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
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

  @AfterEach
  void close() {
    satchel.close();
  }

  private Session open(String id) {
    return satchel.open(id, cookie -> {});
  }

  /** A log-in: a visitor's session, regenerated and given the principal. */
  private String logIn(String principal) {
    Session visit = open(null);
    visit.set("cart", "socks", TEXT);
    visit.commit();
    Session login = open(visit.id().orElseThrow());
    login.regenerate();
    login.setPrincipal(principal);
    login.commit();
    return login.id().orElseThrow();
  }

  private void logOut(String id) {
    Session logout = open(id);
    logout.get("cart", TEXT);
    logout.destroy();
    logout.commit();
  }

  private Set<String> listed(String principal) {
    Set<String> ids = new TreeSet<>();
    satchel.sessionsOf(principal).forEach(session -> ids.add(session.id()));
    return ids;
  }

  private boolean isLive(String id) {
    return open(id).get("cart", TEXT).isPresent();
  }

  // ---------------------------------------------------------------------------- the index

  @Test
  void logIn_listsTheSession_withItsPrincipalAndTimes() {
    Instant before = clock.instant();
    String id = logIn("alice");
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
    assertEquals("alice", open(id).principal().orElseThrow());
  }

  @Test
  void lastAccess_followsReads_withoutAWrite() {
    String id = logIn("alice");
    clock.advance(Duration.ofMinutes(5));
    Instant read = clock.instant();
    open(id).get("cart", TEXT);
    assertEquals(
        read.toEpochMilli(), satchel.sessionsOf("alice").get(0).lastAccessedAt().toEpochMilli());
  }

  @Test
  void metadata_isHiddenFromKeys_andReservedKeysAreRefused() {
    String id = logIn("alice");
    Session session = open(id);
    assertEquals(Set.of("cart"), session.keys());
    assertEquals(Set.of("cart"), session.entries().keySet());
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> session.set("satchel:principal", "eve"));
    assertTrue(refused.getMessage().contains("reserved"), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> session.delete("satchel:created"));
  }

  @Test
  void regenerate_movesTheEntry_toTheNewId() {
    String first = logIn("alice");
    Session again = open(first);
    again.regenerate();
    again.commit();
    String second = again.id().orElseThrow();
    assertNotEquals(first, second);
    assertEquals(Set.of(second), listed("alice"));
    assertEquals("alice", open(second).principal().orElseThrow());
  }

  @Test
  void changingThePrincipal_movesTheEntry() {
    String id = logIn("alice");
    Session switchUser = open(id);
    switchUser.setPrincipal("bob");
    switchUser.commit();
    assertTrue(listed("alice").isEmpty());
    assertEquals(Set.of(id), listed("bob"));
    Session anonymous = open(id);
    anonymous.setPrincipal(null);
    anonymous.commit();
    assertTrue(listed("bob").isEmpty());
    assertTrue(open(id).principal().isEmpty());
  }

  @Test
  void logOut_removesTheEntry() {
    String kept = logIn("alice");
    String ended = logIn("alice");
    logOut(ended);
    assertEquals(Set.of(kept), listed("alice"));
  }

  @Test
  void anExpiredSession_isNotListed_andItsEntryIsPrunedLater() {
    String id = logIn("alice");
    clock.advance(Satchel.DEFAULT_IDLE_TIMEOUT.plusSeconds(1));
    assertTrue(listed("alice").isEmpty());
    clock.advance(SessionStore.INDEX_GRACE);
    assertTrue(listed("alice").isEmpty());
    assertFalse(isLive(id));
  }

  @Test
  void endSessionsOf_endsEverySession_butTheOneKept() {
    String first = logIn("alice");
    String second = logIn("alice");
    String third = logIn("alice");
    String bobs = logIn("bob");
    assertEquals(2, satchel.endSessionsOf("alice", second));
    assertEquals(Set.of(second), listed("alice"));
    assertFalse(isLive(first));
    assertFalse(isLive(third));
    assertTrue(isLive(second));
    assertTrue(isLive(bobs));
    assertEquals(1, satchel.endSessionsOf("alice"));
    assertFalse(isLive(second));
  }

  @Test
  void endSessionsOf_leavesARequestInFlightNothingToWrite() {
    String id = logIn("alice");
    Session inFlight = open(id);
    assertEquals("socks", inFlight.get("cart", TEXT).orElseThrow());
    satchel.endSessionsOf("alice");
    inFlight.set("cart", "shoes", TEXT);
    inFlight.commit();
    assertFalse(isLive(id));
    assertTrue(listed("alice").isEmpty());
    Session after = open(id);
    assertTrue(after.get("cart", TEXT).isEmpty());
    after.set("cart", "hat", TEXT);
    after.commit();
    assertNotEquals(id, after.id().orElseThrow(), "a retired ID is never written again");
  }

  @Test
  void endSession_endsOneSessionById() {
    String id = logIn("alice");
    satchel.endSession(id);
    assertFalse(isLive(id));
    assertTrue(listed("alice").isEmpty());
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
    Session session = open(null);
    assertFalse(session.isNew());
    session.start();
    assertTrue(session.isNew());
    session.commit();
    String id = session.id().orElseThrow();
    Session next = open(id);
    assertFalse(next.isNew());
    assertEquals(clock.instant().toEpochMilli(), next.createdAt().orElseThrow().toEpochMilli());
    assertTrue(next.keys().isEmpty());
  }

  @Test
  void aSessionUsedOnlyThroughKeys_recordsNoMetadata() {
    Session session = open(null);
    session.set("cart", "socks", TEXT);
    session.commit();
    assertTrue(open(session.id().orElseThrow()).createdAt().isEmpty());
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
