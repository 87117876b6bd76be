package dev.satchel;

/**
 * What a metrics or tracing library is told about a {@link Satchel}'s work, through {@link
 * Satchel#instrument}. Every method has a default that does nothing, and none may throw: they run
 * on requests' threads, around or right after store calls. Session events (created, expired, …)
 * come through {@link SessionListener} instead.
 *
 * <p>{@code satchel-micrometer} implements it on Micrometer; an application rarely implements it.
 */
public interface Instrumentation {
  /** Instruments nothing. */
  Instrumentation NONE = new Instrumentation() {};

  /**
   * A call to the driver is starting.
   *
   * @param operation what the call does: {@code read}, {@code write}, {@code replace}, {@code
   *     retire}, {@code retirement}, {@code delete}, {@code index}, {@code unindex}, {@code
   *     indexed}, {@code claim-expired}, {@code acknowledge-expired}, {@code count} or {@code ping}
   * @return told when the call ends
   */
  default StoreCall storeCall(String operation) {
    return StoreCall.NONE;
  }

  /** A driver call in progress. */
  interface StoreCall {
    /** Ignores the call. */
    StoreCall NONE = failure -> {};

    /**
     * The call returned, or failed with {@code failure}.
     *
     * @param failure what the driver threw, or {@code null}
     */
    void end(Throwable failure);
  }

  /** How a request's commit (or a {@link Session#update}) ended. */
  enum CommitOutcome {
    /** The changes were stored. */
    WRITTEN,
    /** Another request's change won the compare-and-set; the commit was tried again. */
    CONFLICTED,
    /** The session would have been larger than the maximum size; nothing was stored. */
    REFUSED_SIZE,
    /** The store failed, or the session kept changing under every attempt; nothing was stored. */
    FAILED,
    /** The session had been ended by another request; the changes were dropped. */
    DROPPED
  }

  /** One attempt of a commit ended so. Called once per attempt: a retried commit reports each. */
  default void commit(CommitOutcome outcome) {}

  /** A {@link Session#update} lost a race to another request's change and runs its change again. */
  default void updateRetried() {}

  /** A session was written with this many characters of stored text. */
  default void stored(int characters) {}

  /**
   * A stored session was read, and its decoded form was found in the decoded-session cache ({@code
   * hit}) or had to be parsed.
   */
  default void decodedCache(boolean hit) {}
}
