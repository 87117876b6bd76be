package dev.satchel;

import static dev.satchel.RetiredOrigin.Decision.END;
import static dev.satchel.RetiredOrigin.Decision.FOLLOW;
import static dev.satchel.RetiredOrigin.Decision.KEEP_OWN_ID;
import static dev.satchel.RetiredOrigin.Decision.START_AFRESH;
import static dev.satchel.RetiredOrigin.Decision.SUPERSEDE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.satchel.RetiredOrigin.Decision;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionIds;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a request does on finding its session retired, row by row: whether it had read the session,
 * whether it is regenerating itself, the kind of retirement, and when the request opened and asks
 * relative to the retirement.
 */
final class RetiredOriginTest {
  private static final Instant RETIRED = Instant.parse("2026-12-01T12:00:00Z");
  private static final Retirement MOVED = Retirement.movedTo(SessionIds.generate(), RETIRED);
  private static final Retirement DESTROYED = Retirement.destroyed(RETIRED);

  /** Seconds relative to the retirement. */
  private static Instant at(long seconds) {
    return RETIRED.plus(Duration.ofSeconds(seconds));
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        // row, retirement, seen, regenerating, opened, asks, decision
        row("unseen, destroyed: a new visitor", DESTROYED, false, false, -1, 1, START_AFRESH),
        row("unseen, moved moments ago: nothing", MOVED, false, false, 0, 1, SUPERSEDE),
        row("unseen, moved at the window's end", MOVED, false, false, 9, 10, SUPERSEDE),
        row("unseen, moved long ago: a new visitor", MOVED, false, false, 11, 11, START_AFRESH),
        row("seen, destroyed: ended", DESTROYED, true, false, -1, 1, END),
        row("seen, destroyed long ago: ended", DESTROYED, true, false, -60, 60, END),
        row("seen, two log-ins: keeps its own ID", MOVED, true, true, -1, 1, KEEP_OWN_ID),
        row("seen, racing the log-in: follows", MOVED, true, false, -1, 1, FOLLOW),
        row("seen, opened at the window's start", MOVED, true, false, -10, 1, FOLLOW),
        row("seen, held open across it", MOVED, true, false, -11, 1, SUPERSEDE),
        row("seen, asking long after it", MOVED, true, false, -1, 11, SUPERSEDE),
        row("seen, regenerating, destroyed: ended", DESTROYED, true, true, -1, 1, END));
  }

  private static Arguments row(
      String name,
      Retirement retirement,
      boolean seen,
      boolean regenerating,
      long openedSeconds,
      long asksSeconds,
      Decision decision) {
    return Arguments.of(
        name, retirement, seen, regenerating, at(openedSeconds), at(asksSeconds), decision);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decides(
      String name,
      Retirement retirement,
      boolean seen,
      boolean regenerating,
      Instant opened,
      Instant asks,
      Decision decision) {
    assertEquals(
        decision, RetiredOrigin.decide(retirement, seen, regenerating, opened, asks), name);
  }
}
