package dev.satchel.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * What became of a session ID that is no longer live: it was replaced by {@link #successor()} (a
 * {@code regenerate}, as at log-in) or destroyed (log-out). A driver keeps this marker beside the
 * ID for a while after the session's removal, so that a request still holding the old ID can tell
 * "moved" and "destroyed" from "never existed", and so that the old ID is never written again.
 *
 * @param successor the ID that replaced this one, or {@code null} when the session was destroyed
 * @param retiredAt when the session was retired; a request opened after this never follows a move
 */
public record Retirement(String successor, Instant retiredAt) {

  /** Checks the parts: a successor, when present, is a session ID. */
  public Retirement {
    requireNonNull(retiredAt, "retiredAt");
    if (successor != null && !SessionIds.isValid(successor)) {
      throw new IllegalArgumentException("the successor is not a session ID");
    }
  }

  /** The marker of a session replaced by {@code successor} at {@code at}. */
  public static Retirement movedTo(String successor, Instant at) {
    return new Retirement(requireNonNull(successor, "successor"), at);
  }

  /** The marker of a session destroyed at {@code at}. */
  public static Retirement destroyed(Instant at) {
    return new Retirement(null, at);
  }

  /** Whether the session was destroyed rather than replaced. */
  public boolean isDestroyed() {
    return successor == null;
  }

  /**
   * The marker as one short line of text, for drivers that store text: the retirement time in epoch
   * milliseconds, a space, and the successor or {@code -}.
   */
  public String encode() {
    return retiredAt.toEpochMilli() + " " + (successor == null ? "-" : successor);
  }

  /**
   * Reads what {@link #encode()} wrote.
   *
   * @throws IllegalArgumentException if {@code text} is not such a marker
   */
  public static Retirement decode(String text) {
    int space = text.indexOf(' ');
    if (space <= 0) {
      throw new IllegalArgumentException("not a retirement marker");
    }
    long millis;
    try {
      millis = Long.parseLong(text.substring(0, space));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a retirement marker", e);
    }
    String successor = text.substring(space + 1);
    return new Retirement(successor.equals("-") ? null : successor, Instant.ofEpochMilli(millis));
  }
}
