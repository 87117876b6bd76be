package dev.satchel;

import dev.satchel.spi.SessionIds;

/**
 * A request session's ID and what the store is known to hold under it, with the only moves allowed
 * between those states. The rules it keeps: an ID from the client is never adopted before the store
 * shows it; an ID that was stored and is gone is never written again; after a regenerate, the old
 * ID stays the source of the data until the new one is written in its place.
 */
final class SessionIdentity {
  enum State {
    /** No ID: the request sent none, or the session was destroyed. */
    NONE,
    /** An ID the client sent, not yet found in the store. */
    CLAIMED,
    /** An ID found in the store, or written by this request. */
    STORED,
    /** An ID this request made; nothing is stored under it yet. */
    FRESH,
    /** Destroyed by another request while this one ran: nothing is written any more. */
    ENDED,
    /**
     * The client's ID had already been replaced (a log-in in another request) when this request
     * first asked for it: the request reads an empty session and must not write.
     */
    SUPERSEDED
  }

  private String id;
  private State state;

  /** The ID whose stored data this session carries to its fresh ID (after a regenerate). */
  private String replacing;

  private SessionIdentity(String id, State state) {
    this.id = id;
    this.state = state;
  }

  /** The identity of a request that sent {@code cookieId}, a valid session ID, or none. */
  static SessionIdentity claimed(String cookieId) {
    return cookieId == null
        ? new SessionIdentity(null, State.NONE)
        : new SessionIdentity(cookieId, State.CLAIMED);
  }

  String id() {
    return id;
  }

  State state() {
    return state;
  }

  boolean isEnded() {
    return state == State.ENDED;
  }

  boolean isSuperseded() {
    return state == State.SUPERSEDED;
  }

  /**
   * Whether this request has seen its origin in the store: only such a request belongs to the
   * session as it was, and follows it when another request moves or destroys it.
   */
  boolean originSeen() {
    return replacing != null || state == State.STORED;
  }

  /** The ID being replaced by a regenerate, or {@code null}. */
  String replacing() {
    return replacing;
  }

  /**
   * The ID whose stored data is this session's base: the one being replaced, else the ID itself
   * while it may be stored; {@code null} when nothing can be stored for it.
   */
  String origin() {
    if (replacing != null) {
      return replacing;
    }
    return state == State.CLAIMED || state == State.STORED ? id : null;
  }

  /** The origin was found in the store. */
  void originFound() {
    if (replacing == null) {
      state = State.STORED;
    }
  }

  /**
   * The origin is not in the store (never was, expired, or removed without a marker). Its data is
   * gone; the session continues under a fresh ID, so the old one is never written again.
   *
   * @return whether the ID changed
   */
  boolean originMissing() {
    if (replacing != null) {
      replacing = null;
      return false;
    }
    if (state == State.CLAIMED || state == State.STORED) {
      id = SessionIds.generate();
      state = State.FRESH;
      return true;
    }
    return false;
  }

  /** Gives the session an ID to write under, making one if it has none. */
  void ensureId() {
    if (state == State.NONE) {
      id = SessionIds.generate();
      state = State.FRESH;
    }
  }

  /** A new ID; the current stored one, if any, becomes the one it replaces. */
  void regenerate() {
    if (replacing == null && (state == State.CLAIMED || state == State.STORED)) {
      replacing = id;
    }
    id = SessionIds.generate();
    state = State.FRESH;
  }

  /** The session was written under its ID, and what it replaced is retired. */
  void written() {
    replacing = null;
    state = State.STORED;
  }

  /** Another request moved the session to {@code successor}: continue there. */
  void follow(String successor) {
    id = successor;
    replacing = null;
    state = State.STORED;
  }

  /** The client's ID was replaced before this request saw it. */
  void supersede() {
    id = null;
    replacing = null;
    state = State.SUPERSEDED;
  }

  /** Another request destroyed the session. */
  void end() {
    id = null;
    replacing = null;
    state = State.ENDED;
  }

  /** This request destroys the session; from here on it has no ID until it writes again. */
  void destroy() {
    id = null;
    replacing = null;
    state = State.NONE;
  }

  /** This request switches to the stored session {@code storedId}. */
  void adopt(String storedId) {
    id = storedId;
    replacing = null;
    state = State.STORED;
  }
}
