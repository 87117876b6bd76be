package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.UserSessions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What listeners are told, on the memory driver: each change once, after it is stored, with who
 * ended a session; nothing for what did not happen; and a failing listener changes nothing.
 */
final class SessionEventsTest {
  private static final ValueCodec<String> TEXT = ValueCodecs.strings();

  private final MutableClock clock = new MutableClock();
  private final List<SessionEvent> events = new CopyOnWriteArrayList<>();
  private final Satchel satchel =
      Satchel.builder()
          .driver("memory")
          .clock(clock)
          .maxLifetime(Duration.ofHours(8))
          // Checked by the tests alone, when they choose.
          .expiryCheckInterval(null)
          .listener(events::add)
          .build();
  private final UserSessions users = new UserSessions(satchel);

  @AfterEach
  void close() {
    satchel.close();
  }

  private <T extends SessionEvent> List<T> told(Class<T> type) {
    List<T> found = new ArrayList<>();
    for (SessionEvent event : events) {
      if (type.isInstance(event)) {
        found.add(type.cast(event));
      }
    }
    return found;
  }

  private String visit() {
    Session session = users.open(null);
    session.set("cart", "socks", TEXT);
    session.commit();
    return session.id().orElseThrow();
  }

  @Test
  void firstCommit_tellsCreated_afterTheSessionIsStored() {
    List<Boolean> storedWhenTold = new ArrayList<>();
    satchel.addListener(event -> storedWhenTold.add(users.open(event.sessionId()).has("cart")));
    String id = visit();
    assertEquals(List.of(new SessionEvent.Created(id, null, clock.instant())), events);
    assertEquals(List.of(true), storedWhenTold);
  }

  @Test
  void laterCommitsAndReads_tellNothing() {
    String id = visit();
    events.clear();
    Session next = users.open(id);
    next.set("cart", "shoes", TEXT);
    next.commit();
    users.open(id).get("cart", TEXT);
    assertEquals(List.of(), events);
  }

  @Test
  void aSessionNeverWritten_tellsNothing() {
    Session session = users.open(null);
    session.get("cart", TEXT);
    session.commit();
    Session emptied = users.open(null);
    emptied.set("cart", "socks", TEXT);
    emptied.delete("cart");
    emptied.commit();
    assertEquals(List.of(), events);
  }

  @Test
  void logIn_tellsTheIdChange_withThePrincipal() {
    String id = users.logIn("alice");
    SessionEvent.Created created = told(SessionEvent.Created.class).get(0);
    SessionEvent.IdChanged changed = told(SessionEvent.IdChanged.class).get(0);
    assertEquals(created.sessionId(), changed.previousId());
    assertEquals(id, changed.sessionId());
    assertEquals("alice", changed.principal());
    assertEquals(2, events.size());
  }

  @Test
  void logOut_tellsDestroyed_withTheReasonAndPrincipal() {
    String id = users.logIn("alice");
    events.clear();
    users.logOut(id);
    assertEquals(
        List.of(
            new SessionEvent.Destroyed(id, "alice", SessionEvent.Reason.LOG_OUT, clock.instant())),
        events);
  }

  @Test
  void logOut_withoutReadingFirst_isStillTold() {
    String id = visit();
    events.clear();
    Session logout = users.open(id);
    logout.destroy();
    logout.commit();
    assertEquals(
        List.of(new SessionEvent.Destroyed(id, null, SessionEvent.Reason.LOG_OUT, clock.instant())),
        events);
  }

  @Test
  void destroyingAnIdThatHoldsNothing_tellsNothing() {
    Session forged = users.open(SessionIds.generate());
    forged.destroy();
    forged.commit();
    satchel.endSession(SessionIds.generate());
    satchel.endSession("not an id");
    assertEquals(List.of(), events);
  }

  @Test
  void aSessionEndedTwice_isToldOnce() {
    String id = visit();
    events.clear();
    satchel.endSession(id);
    satchel.endSession(id);
    users.logOut(id);
    assertEquals(1, events.size(), events.toString());
  }

  @Test
  void endingSessions_tellsWhoEndedThem() {
    String first = users.logIn("alice");
    String second = users.logIn("alice");
    String third = users.logIn("alice");
    String bobs = users.logIn("bob");
    events.clear();
    satchel.endSession(first, SessionEvent.Reason.LIMIT);
    satchel.endSession(bobs);
    assertEquals(1, satchel.endSessionsOf("alice", third));
    satchel.endSessionsOf("alice");
    List<SessionEvent.Destroyed> destroyed = told(SessionEvent.Destroyed.class);
    assertEquals(4, destroyed.size(), destroyed.toString());
    assertEquals(
        List.of(first, bobs, second, third),
        destroyed.stream().map(SessionEvent::sessionId).toList());
    assertEquals(
        List.of(
            SessionEvent.Reason.LIMIT,
            SessionEvent.Reason.ENDED,
            SessionEvent.Reason.ENDED_ALL,
            SessionEvent.Reason.ENDED_ALL),
        destroyed.stream().map(SessionEvent.Destroyed::reason).toList());
    assertEquals("bob", destroyed.get(1).principal());
  }

  @Test
  void aSessionPastItsLifetime_isToldExpired_howeverActive() {
    String id = users.logIn("alice");
    events.clear();
    for (int hour = 0; hour < 9; hour++) {
      clock.advance(Duration.ofMinutes(59));
      users.open(id).get("cart", TEXT);
    }
    assertEquals(1, satchel.checkExpiredSessions());
    assertEquals(List.of(new SessionEvent.Expired(id, clock.instant())), events);
    assertFalse(users.open(id).has("cart"));
  }

  @Test
  void aSessionPastItsLifetime_isToldEndedByLifetime_byTheRequestThatFindsIt() {
    String id = users.logIn("alice");
    events.clear();
    for (int read = 0; read < 16; read++) {
      clock.advance(Duration.ofMinutes(29));
      users.open(id).get("cart", TEXT);
    }
    clock.advance(Duration.ofMinutes(20));
    Session late = users.open(id);
    assertFalse(late.has("cart"));
    late.commit();
    assertEquals(
        List.of(
            new SessionEvent.Destroyed(id, "alice", SessionEvent.Reason.LIFETIME, clock.instant())),
        events);
  }

  @Test
  void anIdleSession_isToldExpired_byTheNextCheck_once() {
    String id = visit();
    String kept = visit();
    String ended = visit();
    satchel.endSession(ended);
    events.clear();
    clock.advance(Duration.ofMinutes(20));
    users.open(kept).get("cart", TEXT);
    clock.advance(Duration.ofMinutes(11));
    assertEquals(1, satchel.checkExpiredSessions());
    assertEquals(List.of(new SessionEvent.Expired(id, clock.instant())), events);
    assertEquals(0, satchel.checkExpiredSessions());
    assertFalse(users.open(id).has("cart"));
    assertTrue(users.open(kept).has("cart"));
  }

  @Test
  void aFailingListener_failsNothing_andTheOthersAreTold() {
    List<SessionEvent> after = new ArrayList<>();
    satchel.addListener(
        event -> {
          throw new IllegalStateException("listener bug");
        });
    satchel.addListener(after::add);
    String id = visit();
    assertTrue(users.open(id).has("cart"));
    assertEquals(1, after.size());
    users.logOut(id);
    assertEquals(2, after.size());
    assertInstanceOf(SessionEvent.Destroyed.class, after.get(1));
  }

  @Test
  void aListenerThrowingAnError_failsNeitherTheRequestNorTheExpiryCheck() {
    List<SessionEvent> after = new ArrayList<>();
    satchel.addListener(
        event -> {
          throw new AssertionError("listener bug");
        });
    satchel.addListener(after::add);
    String first = visit();
    String second = visit();
    assertTrue(users.open(first).has("cart"));
    assertEquals(2, after.size());
    clock.advance(Duration.ofMinutes(31));
    assertEquals(2, satchel.checkExpiredSessions());
    assertEquals(4, after.size(), "every claimed session is told: " + after);
    assertFalse(users.open(second).has("cart"));
  }

  @Test
  void thePeriodicCheck_goesOnAfterAListenerThrowsAnError() throws Exception {
    java.util.concurrent.BlockingQueue<String> expired =
        new java.util.concurrent.LinkedBlockingQueue<>();
    try (Satchel checked =
        Satchel.builder()
            .driver("memory")
            .clock(clock)
            .expiryCheckInterval(Duration.ofMillis(20))
            .listener(
                event -> {
                  if (event instanceof SessionEvent.Expired) {
                    throw new AssertionError("listener bug");
                  }
                })
            .listener(
                event -> {
                  if (event instanceof SessionEvent.Expired) {
                    expired.add(event.sessionId());
                  }
                })
            .build()) {
      UserSessions on = new UserSessions(checked);
      for (int round = 0; round < 3; round++) {
        Session session = on.open(null);
        session.set("cart", "socks", TEXT);
        session.commit();
        clock.advance(Duration.ofMinutes(31));
        assertEquals(
            session.id().orElseThrow(),
            expired.poll(30, java.util.concurrent.TimeUnit.SECONDS),
            "round " + round);
      }
    }
  }

  @Test
  void eventsNameSessionsByFingerprint_neverById() {
    String id = users.logIn("alice");
    users.logOut(id);
    clock.advance(Duration.ofHours(1));
    satchel.checkExpiredSessions();
    assertTrue(events.size() >= 3, events.toString());
    for (SessionEvent event : events) {
      String text = event.toString();
      assertFalse(text.contains(event.sessionId()), text);
      assertTrue(text.contains(SessionIds.fingerprint(event.sessionId())), text);
      assertFalse(text.contains("alice"), text);
    }
  }

  @Test
  void fingerprint_isShortStableAndNotTheId() {
    String id = SessionIds.generate();
    assertEquals(SessionIds.fingerprint(id), SessionIds.fingerprint(id));
    assertEquals(12, SessionIds.fingerprint(id).length());
    assertFalse(id.contains(SessionIds.fingerprint(id)));
    assertTrue(SessionIds.fingerprint(id).matches("[0-9a-f]{12}"));
    assertEquals("none", SessionIds.fingerprint(null));
    assertNull(null);
  }
}
