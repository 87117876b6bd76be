package dev.satchel;

import dev.satchel.spi.Retirement;
import java.time.Duration;
import java.time.Instant;

/**
 * What a request does when the session it reads from turns out to have been retired by another
 * request (a log-in moved it, a log-out ended it). A pure decision, so that the rules stand in one
 * place: the old ID's holder gains nothing, and nothing a client was told was stored is lost.
 */
final class RetiredOrigin {
  /**
   * How long around a log-in or log-out requests count as racing it: a request opened this long
   * before it may follow the session to its new ID, and one that first asks for the old ID this
   * long after it is refused rather than made a new visitor.
   */
  static final Duration RACE_WINDOW = Duration.ofSeconds(10);

  enum Decision {
    /** A new session under a new ID, as for an ID never stored. */
    START_AFRESH,
    /** Read nothing and write nothing: the client has a newer ID. */
    SUPERSEDE,
    /** The session was destroyed while this request had it: store nothing. */
    END,
    /** Two log-ins of one session: keep this request's own new ID and the data it read. */
    KEEP_OWN_ID,
    /** Continue in the session the log-in moved this one to. */
    FOLLOW
  }

  private RetiredOrigin() {}

  /**
   * The decision for a request opened at {@code openedAt} that finds {@code retirement} at {@code
   * now}.
   *
   * @param originSeen whether the request had read the session before it was retired
   * @param regenerating whether the request itself is moving the session to a new ID
   */
  static Decision decide(
      Retirement retirement,
      boolean originSeen,
      boolean regenerating,
      Instant openedAt,
      Instant now) {
    boolean recent = !now.isAfter(retirement.retiredAt().plus(RACE_WINDOW));
    if (!originSeen) {
      // Ended, or replaced long ago (a log-in whose answer never arrived): a new visitor. Replaced
      // moments ago, before this request saw it: it may have been sent in the same breath as the
      // log-in, or by whoever planted the pre-log-in ID. It must neither follow (that would hand
      // the logged-in session to the old ID's holder) nor fork a session the client, which has
      // the new ID, would lose.
      return retirement.isDestroyed() || !recent ? Decision.START_AFRESH : Decision.SUPERSEDE;
    }
    if (retirement.isDestroyed()) {
      return Decision.END;
    }
    if (regenerating) {
      // Never writes into the session the other log-in made for its own client.
      return Decision.KEEP_OWN_ID;
    }
    if (!recent || openedAt.isBefore(retirement.retiredAt().minus(RACE_WINDOW))) {
      // A request held open across the log-in: following would let a slow request carry the old
      // ID's holder into the logged-in session.
      return Decision.SUPERSEDE;
    }
    return Decision.FOLLOW;
  }
}
