package dev.satchel;

import static dev.satchel.SessionIdentity.State.CLAIMED;
import static dev.satchel.SessionIdentity.State.ENDED;
import static dev.satchel.SessionIdentity.State.FRESH;
import static dev.satchel.SessionIdentity.State.NONE;
import static dev.satchel.SessionIdentity.State.STORED;
import static dev.satchel.SessionIdentity.State.SUPERSEDED;
import static dev.satchel.SessionIdentityTest.Is.CLIENT;
import static dev.satchel.SessionIdentityTest.Is.NEW;
import static dev.satchel.SessionIdentityTest.Is.NULL;
import static dev.satchel.SessionIdentityTest.Is.OTHER;
import static dev.satchel.SessionIdentityTest.Is.START;
import static dev.satchel.SessionIdentityTest.Is.UNCHANGED;
import static dev.satchel.SessionIdentityTest.Move.ADOPT;
import static dev.satchel.SessionIdentityTest.Move.DESTROY;
import static dev.satchel.SessionIdentityTest.Move.END;
import static dev.satchel.SessionIdentityTest.Move.ENSURE_ID;
import static dev.satchel.SessionIdentityTest.Move.FOLLOW;
import static dev.satchel.SessionIdentityTest.Move.ORIGIN_FOUND;
import static dev.satchel.SessionIdentityTest.Move.ORIGIN_MISSING;
import static dev.satchel.SessionIdentityTest.Move.REGENERATE;
import static dev.satchel.SessionIdentityTest.Move.SUPERSEDE;
import static dev.satchel.SessionIdentityTest.Move.WRITTEN;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionIdentity.State;
import dev.satchel.spi.SessionIds;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The session identity's state machine, as a table: from each state, every move {@link
 * RequestSession} can make there, and what the identity is afterwards. A few rows chain moves to
 * pin the rules: a client's ID is never adopted before the store shows it, an ID that was stored
 * and is gone is never written again, and a regenerated session reads its old ID until the new one
 * is written.
 */
final class SessionIdentityTest {
  /** The ID the client sent. */
  private static final String CLIENT_ID = SessionIds.generate();

  /** The ID another request moved the session to, or the one {@code load} switches to. */
  private static final String OTHER_ID = SessionIds.generate();

  /** The transitions, as RequestSession calls them; the value is what the transition returns. */
  enum Move {
    ORIGIN_FOUND("originFound", identity -> run(identity::originFound)),
    ORIGIN_MISSING("originMissing", SessionIdentity::originMissing),
    ENSURE_ID("ensureId", identity -> run(identity::ensureId)),
    REGENERATE("regenerate", identity -> run(identity::regenerate)),
    WRITTEN("written", identity -> run(identity::written)),
    FOLLOW("follow(other)", identity -> run(() -> identity.follow(OTHER_ID))),
    SUPERSEDE("supersede", identity -> run(identity::supersede)),
    END("end", identity -> run(identity::end)),
    DESTROY("destroy", identity -> run(identity::destroy)),
    ADOPT("adopt(other)", identity -> run(() -> identity.adopt(OTHER_ID)));

    private final String label;
    private final Function<SessionIdentity, Boolean> transition;

    Move(String label, Function<SessionIdentity, Boolean> transition) {
      this.label = label;
      this.transition = transition;
    }

    /** Makes the move; {@code null} for a transition that returns nothing. */
    Boolean apply(SessionIdentity identity) {
      return transition.apply(identity);
    }

    private static Boolean run(Runnable transition) {
      transition.run();
      return null;
    }

    @Override
    public String toString() {
      return label;
    }
  }

  /** What an ID (the session's, its origin, or the one it replaces) is expected to be. */
  enum Is {
    /** None. */
    NULL,
    /** The client's ID. */
    CLIENT,
    /** The ID given to follow or adopt. */
    OTHER,
    /** The session's ID in the start state. */
    START,
    /** The session's ID just before the last move. */
    UNCHANGED,
    /** A valid session ID made by the last move: none of the above. */
    NEW
  }

  /**
   * One row: a start state (see {@link #start}), the moves made from it, and what the identity is
   * after the last one. {@code returns} is what the last move returned, {@code null} for a move
   * that returns nothing.
   */
  record Row(
      String start,
      List<Move> moves,
      State state,
      Is id,
      Is origin,
      Is replacing,
      boolean originSeen,
      Boolean returns) {
    Row returns(boolean value) {
      return new Row(start, moves, state, id, origin, replacing, originSeen, value);
    }

    @Override
    public String toString() {
      return start
          + " → "
          + moves.stream().map(Move::toString).collect(Collectors.joining(", "))
          + " ⇒ "
          + state;
    }
  }

  private static Row row(
      String start, Move move, State state, Is id, Is origin, Is replacing, boolean seen) {
    return row(start, List.of(move), state, id, origin, replacing, seen);
  }

  private static Row row(
      String start, List<Move> moves, State state, Is id, Is origin, Is replacing, boolean seen) {
    return new Row(start, moves, state, id, origin, replacing, seen, null);
  }

  private static List<Move> then(Move... moves) {
    return List.of(moves);
  }

  /** The start states, each built through the identity's own transitions. */
  private static SessionIdentity start(String name) {
    return switch (name) {
      // The request sent no ID.
      case "none" -> SessionIdentity.claimed(null);
      // The request sent CLIENT_ID, not read yet.
      case "claimed" -> SessionIdentity.claimed(CLIENT_ID);
      // CLIENT_ID was found in the store.
      case "stored" -> make(start("claimed"), ORIGIN_FOUND);
      // An ID made for a request that sent none, nothing written yet.
      case "fresh" -> make(start("none"), ENSURE_ID);
      // An ID this request made and wrote.
      case "written" -> make(start("fresh"), WRITTEN);
      // The stored CLIENT_ID, regenerated: a fresh ID carrying CLIENT_ID's data.
      case "regenerated" -> make(start("stored"), REGENERATE);
      // CLIENT_ID, read, then destroyed by another request.
      case "ended" -> make(start("stored"), END);
      // CLIENT_ID, replaced by a log-in before this request read it.
      case "superseded" -> make(start("claimed"), SUPERSEDE);
      default -> throw new IllegalArgumentException("No start state " + name);
    };
  }

  private static SessionIdentity make(SessionIdentity identity, Move move) {
    move.apply(identity);
    return identity;
  }

  static Stream<Row> rows() {
    return Stream.of(
        // Columns: start, move(s), state, id, origin, replacing, originSeen; .returns(...) for
        // originMissing, which says whether the ID changed.

        // No ID. RequestSession has no origin to read, so only gives it an ID, regenerates,
        // destroys, or loads another session.
        row("none", ENSURE_ID, FRESH, NEW, NULL, NULL, false),
        row("none", REGENERATE, FRESH, NEW, NULL, NULL, false),
        row("none", DESTROY, NONE, NULL, NULL, NULL, false),
        row("none", ADOPT, STORED, OTHER, OTHER, NULL, true),

        // The client's ID, not read yet: it is read first (found, missing, or replaced a moment
        // ago), or destroyed or switched away from unread. Never adopted unread.
        row("claimed", ORIGIN_FOUND, STORED, CLIENT, CLIENT, NULL, true),
        row("claimed", ORIGIN_MISSING, FRESH, NEW, NULL, NULL, false).returns(true),
        row("claimed", SUPERSEDE, SUPERSEDED, NULL, NULL, NULL, false),
        row("claimed", DESTROY, NONE, NULL, NULL, NULL, false),
        row("claimed", ADOPT, STORED, OTHER, OTHER, NULL, true),

        // The client's ID, found in the store.
        row("stored", ORIGIN_FOUND, STORED, CLIENT, CLIENT, NULL, true),
        row("stored", ORIGIN_MISSING, FRESH, NEW, NULL, NULL, false).returns(true),
        row("stored", REGENERATE, FRESH, NEW, CLIENT, CLIENT, true),
        row("stored", WRITTEN, STORED, CLIENT, CLIENT, NULL, true),
        row("stored", FOLLOW, STORED, OTHER, OTHER, NULL, true),
        row("stored", SUPERSEDE, SUPERSEDED, NULL, NULL, NULL, false),
        row("stored", END, ENDED, NULL, NULL, NULL, false),
        row("stored", DESTROY, NONE, NULL, NULL, NULL, false),
        row("stored", ADOPT, STORED, OTHER, OTHER, NULL, true),

        // A new ID, nothing stored under it: there is no origin to read.
        row("fresh", REGENERATE, FRESH, NEW, NULL, NULL, false),
        row("fresh", WRITTEN, STORED, UNCHANGED, UNCHANGED, NULL, true),
        row("fresh", DESTROY, NONE, NULL, NULL, NULL, false),
        row("fresh", ADOPT, STORED, OTHER, OTHER, NULL, true),

        // An ID this request wrote: stored like the client's.
        row("written", ORIGIN_FOUND, STORED, UNCHANGED, UNCHANGED, NULL, true),
        row("written", ORIGIN_MISSING, FRESH, NEW, NULL, NULL, false).returns(true),
        row("written", REGENERATE, FRESH, NEW, UNCHANGED, UNCHANGED, true),
        row("written", WRITTEN, STORED, UNCHANGED, UNCHANGED, NULL, true),
        row("written", FOLLOW, STORED, OTHER, OTHER, NULL, true),
        row("written", SUPERSEDE, SUPERSEDED, NULL, NULL, NULL, false),
        row("written", END, ENDED, NULL, NULL, NULL, false),
        row("written", DESTROY, NONE, NULL, NULL, NULL, false),
        row("written", ADOPT, STORED, OTHER, OTHER, NULL, true),

        // Regenerated: the fresh ID reads CLIENT_ID's data until written. A move of the origin by
        // another request is handled as originMissing, never followed; nor is it superseded.
        row("regenerated", ORIGIN_FOUND, FRESH, UNCHANGED, CLIENT, CLIENT, true),
        row("regenerated", ORIGIN_MISSING, FRESH, UNCHANGED, NULL, NULL, false).returns(false),
        row("regenerated", REGENERATE, FRESH, NEW, CLIENT, CLIENT, true),
        row("regenerated", WRITTEN, STORED, UNCHANGED, UNCHANGED, NULL, true),
        row("regenerated", END, ENDED, NULL, NULL, NULL, false),
        row("regenerated", DESTROY, NONE, NULL, NULL, NULL, false),
        row("regenerated", ADOPT, STORED, OTHER, OTHER, NULL, true),

        // Ended or superseded: RequestSession writes nothing, reads nothing and regenerates
        // nothing; only destroy and load move on.
        row("ended", DESTROY, NONE, NULL, NULL, NULL, false),
        row("ended", ADOPT, STORED, OTHER, OTHER, NULL, true),
        row("superseded", DESTROY, NONE, NULL, NULL, NULL, false),
        row("superseded", ADOPT, STORED, OTHER, OTHER, NULL, true),

        // Sequences.
        // After a regenerate, the old ID stays the origin until the new one is written: a re-read
        // (after a lost race) reads it again, and only written() retires it.
        row("stored", then(REGENERATE, ORIGIN_FOUND), FRESH, UNCHANGED, CLIENT, CLIENT, true),
        row(
            "stored",
            then(REGENERATE, ORIGIN_FOUND, WRITTEN),
            STORED,
            UNCHANGED,
            UNCHANGED,
            NULL,
            true),
        // A second regenerate makes another ID but still replaces the first one.
        row("stored", then(REGENERATE, REGENERATE), FRESH, NEW, CLIENT, CLIENT, true),
        row("written", then(REGENERATE, REGENERATE), FRESH, NEW, START, START, true),
        // A regenerated session whose origin is gone keeps its fresh ID, and writes it as a
        // session of its own; a later regenerate has nothing to replace.
        row(
            "stored",
            then(REGENERATE, ORIGIN_MISSING, WRITTEN),
            STORED,
            UNCHANGED,
            UNCHANGED,
            NULL,
            true),
        row("stored", then(REGENERATE, ORIGIN_MISSING, REGENERATE), FRESH, NEW, NULL, NULL, false),
        // A missing client or stored ID is never carried on: not as the ID, not as the origin of
        // a regenerate, not after a destroy.
        row("claimed", then(ORIGIN_MISSING, REGENERATE), FRESH, NEW, NULL, NULL, false),
        row("stored", then(ORIGIN_MISSING, REGENERATE), FRESH, NEW, NULL, NULL, false),
        row("stored", then(DESTROY, ENSURE_ID), FRESH, NEW, NULL, NULL, false),
        // Follow and adopt land on the given ID as stored: it is read, regenerated, or lost as
        // any stored ID is.
        row("stored", then(FOLLOW, ORIGIN_FOUND), STORED, OTHER, OTHER, NULL, true),
        row("stored", then(FOLLOW, ORIGIN_MISSING), FRESH, NEW, NULL, NULL, false).returns(true),
        row("stored", then(FOLLOW, REGENERATE), FRESH, NEW, OTHER, OTHER, true),
        row("none", then(ADOPT, REGENERATE), FRESH, NEW, OTHER, OTHER, true),
        // Adopting drops a pending regenerate: the write goes to the adopted session.
        row("regenerated", then(ADOPT, WRITTEN), STORED, OTHER, OTHER, NULL, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void transition(Row row) {
    SessionIdentity identity = start(row.start());
    String startId = identity.id();
    String before = startId;
    Boolean returned = null;
    for (Move move : row.moves()) {
      before = identity.id();
      returned = move.apply(identity);
    }
    String idBefore = before;
    Boolean result = returned;
    State state = identity.state();
    assertAll(
        row.toString(),
        () -> assertEquals(row.state(), state, "state"),
        () -> expect(row.id(), identity.id(), startId, idBefore, "id"),
        () -> expect(row.origin(), identity.origin(), startId, idBefore, "origin"),
        () -> expect(row.replacing(), identity.replacing(), startId, idBefore, "replacing"),
        () -> assertEquals(row.originSeen(), identity.originSeen(), "originSeen"),
        () -> assertEquals(row.returns(), result, "returned"),
        () -> assertEquals(state == ENDED, identity.isEnded(), "isEnded"),
        () -> assertEquals(state == SUPERSEDED, identity.isSuperseded(), "isSuperseded"),
        () -> {
          if (identity.replacing() != null) {
            assertNotEquals(identity.replacing(), identity.id(), "an ID replacing itself");
          }
        });
  }

  private static void expect(
      Is expected, String actual, String startId, String before, String what) {
    switch (expected) {
      case NULL -> assertNull(actual, what);
      case CLIENT -> assertEquals(CLIENT_ID, actual, what + " is the client's ID");
      case OTHER -> assertEquals(OTHER_ID, actual, what + " is the given ID");
      case START -> {
        assertTrue(startId != null, "the row's start has no ID to compare " + what + " with");
        assertEquals(startId, actual, what + " is the start's ID");
      }
      case UNCHANGED -> {
        assertTrue(before != null, "the row's last move had no ID to compare " + what + " with");
        assertEquals(before, actual, what + " is the ID before the last move");
      }
      case NEW -> {
        assertTrue(SessionIds.isValid(actual), what + " is a valid session ID: " + actual);
        Set<String> old = new TreeSet<>();
        for (String id : new String[] {CLIENT_ID, OTHER_ID, startId, before}) {
          if (id != null) {
            old.add(id);
          }
        }
        assertTrue(!old.contains(actual), what + " is a new ID, not one of " + old);
      }
    }
  }

  @Test
  void startStatesAreWhatTheyAreNamed() {
    assertAll(
        () -> assertStart("none", NONE, null, null, false),
        () -> assertStart("claimed", CLAIMED, CLIENT_ID, null, false),
        () -> assertStart("stored", STORED, CLIENT_ID, null, true),
        () -> assertStart("fresh", FRESH, null, null, false),
        () -> assertStart("written", STORED, null, null, true),
        () -> assertStart("regenerated", FRESH, null, CLIENT_ID, true),
        () -> assertStart("ended", ENDED, null, null, false),
        () -> assertStart("superseded", SUPERSEDED, null, null, false));
  }

  /**
   * {@code id} is checked when given; a start with a made ID has a valid one that is not the
   * client's. The origin is what was replaced, else the ID while it may be stored.
   */
  private static void assertStart(
      String name, State state, String id, String replacing, boolean originSeen) {
    SessionIdentity identity = start(name);
    assertEquals(state, identity.state(), name);
    assertEquals(replacing, identity.replacing(), name + ": replacing");
    assertEquals(originSeen, identity.originSeen(), name + ": originSeen");
    String origin =
        replacing != null ? replacing : state == CLAIMED || state == STORED ? identity.id() : null;
    assertEquals(origin, identity.origin(), name + ": origin");
    if (id != null) {
      assertEquals(id, identity.id(), name + ": id");
    } else if (state == FRESH || state == STORED) {
      assertTrue(SessionIds.isValid(identity.id()), name + ": a made ID");
      assertNotEquals(CLIENT_ID, identity.id(), name + ": a made ID");
    } else {
      assertNull(identity.id(), name + ": id");
    }
  }

  @Test
  void theTableCoversEveryStartAndEveryMove() {
    List<Row> rows = rows().toList();
    Set<String> starts = rows.stream().map(Row::start).collect(Collectors.toSet());
    assertEquals(
        Set.of(
            "none", "claimed", "stored", "fresh", "written", "regenerated", "ended", "superseded"),
        starts);
    Set<Move> lastMoves = EnumSet.noneOf(Move.class);
    rows.forEach(row -> lastMoves.add(row.moves().get(row.moves().size() - 1)));
    assertEquals(EnumSet.allOf(Move.class), lastMoves);
    assertEquals(rows.size(), new HashSet<>(rows).size(), "no row twice");
  }
}
