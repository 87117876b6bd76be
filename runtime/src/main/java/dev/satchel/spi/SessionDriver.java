package dev.satchel.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/**
 * Stores session blobs by session ID. The core hands a driver only validated IDs (lower-case UUID
 * v4) and the text of a blob; a driver never interprets either. Implementations must be safe for
 * use by many threads at once.
 *
 * <p>Every method may throw a {@link RuntimeException} when the store fails; the core reports it as
 * a {@link dev.satchel.SessionStorageException} naming the driver.
 */
public interface SessionDriver extends AutoCloseable {

  /**
   * Reads a session.
   *
   * @param id the session ID
   * @param idleTimeout when not {@code null}, the stored session's expiry is set to now plus this,
   *     in the same operation where the store allows it, without rewriting the data; also when that
   *     is earlier than the stored expiry (a session's own idle timeout, after a read with the
   *     configured one), except that a read with the configured {@link DriverContext#idleTimeout()}
   *     may leave a later expiry, which a session's own longer timeout gave it
   * @return the blob and its version, or {@code null} when there is none or it has expired
   */
  StoredBlob read(String id, Duration idleTimeout);

  /**
   * Writes a session if it is still as the caller last read it (compare-and-set).
   *
   * @param id the session ID
   * @param blob the new blob
   * @param expectedVersion the version {@link #read} returned, or {@code null} to write only if no
   *     session is stored under {@code id}
   * @param expiresAt when the store may drop the session, or {@code null} for never
   * @return {@code true} if written; {@code false} if the stored version was not the expected one
   */
  boolean write(String id, String blob, String expectedVersion, Instant expiresAt);

  /**
   * Replaces one session by another in one atomic step, as a {@code regenerate} (log-in) does: only
   * if {@code replacedId} still holds {@code replacedVersion} and nothing is stored under {@code
   * id}, writes {@code blob} under {@code id}, removes {@code replacedId}, and leaves {@code
   * retirement} (a move to {@code id}) under {@code replacedId} until {@code markerExpiresAt}.
   * Another request that read the old session then finds, when its own compare-and-set fails, where
   * the session went; and nothing can ever be written under the old ID again.
   *
   * <p>A driver that cannot make the step atomic must still never let a reader see the old session
   * gone without its marker: write the marker first, then the new session, then remove the old.
   *
   * @param replacedId the session being replaced
   * @param replacedVersion the version of it that the caller read; a different one refuses the step
   * @param id the new session's ID, which must not exist
   * @param blob the new session
   * @param expiresAt when the store may drop the new session, or {@code null} for never
   * @param retirement the marker to leave under {@code replacedId}
   * @param markerExpiresAt when the store may drop the marker
   * @return {@code true} if done; {@code false}, changing nothing, if either check failed
   */
  boolean replace(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      Instant expiresAt,
      Retirement retirement,
      Instant markerExpiresAt);

  /**
   * Removes a session and leaves {@code retirement} under its ID until {@code markerExpiresAt}, in
   * one step as seen by readers: {@link #read} finds nothing, and {@link #retirement} finds the
   * marker. An existing marker is replaced, in the same step, and returned: a log-out racing a
   * log-in learns where the session went. Retiring an ID that holds nothing still leaves the
   * marker.
   *
   * @return the live marker this one replaced, or {@code null}
   */
  Retirement retire(String id, Retirement retirement, Instant markerExpiresAt);

  /**
   * The marker that {@link #retire} or {@link #replace} left under {@code id}, or {@code null} when
   * there is none or it has expired.
   */
  Retirement retirement(String id);

  /**
   * Removes a session without leaving a marker (data that cannot be read is removed this way);
   * removing one that does not exist is not an error.
   *
   * @param id the session ID
   */
  void delete(String id);

  /**
   * Removes a session only if it still holds {@code version}, the version {@link #read} returned,
   * in one step (compare-and-delete): whatever was written under the ID since stays. The core
   * removes data it could not read this way, so that data another program was still writing when it
   * was read, and has completed since, is never removed. A retired ID or another version is left as
   * it is. Otherwise as {@link #delete}.
   *
   * <p>The default removes nothing and answers {@code false}: a driver that cannot compare and
   * remove in one step leaves such data in place, to expire as any session does.
   *
   * @param id the session ID
   * @param version the version of the data to remove
   * @return whether the data was removed
   */
  default boolean deleteIfUnchanged(String id, String version) {
    return false;
  }

  /**
   * A token that changes whenever anything writes the stored data of {@code id}, even the same
   * bytes again (a file's change time, for instance), or {@code null} when the store cannot tell.
   * The core asks only while it reads again data that did not parse, to tell another program's
   * write in place, repeated, from data that stays unreadable. None by default.
   */
  default String changeMark(String id) {
    return null;
  }

  // ------------------------------------------------------------------------ sessions by principal

  /**
   * Whether this driver keeps an index of sessions by principal ({@link #index}, {@link #unindex},
   * {@link #indexed}). A driver that does not (the default) still works for everything else; asking
   * Satchel for a user's sessions then fails with a message naming the driver.
   */
  default boolean indexesPrincipals() {
    return false;
  }

  /**
   * Adds session {@code id} to the sessions of {@code principal}; adding it again changes nothing.
   * The core adds an entry before the session is written under it and removes it after the session
   * is retired, so an entry may briefly name a session that is not (or no longer) stored; {@link
   * #indexed} reports those with no blob and the core prunes them.
   *
   * @param principal the user's name, any non-empty text: a driver must not trust it as a key or a
   *     file name as it is
   * @param id a session ID
   * @param indexedAt when the entry is added
   */
  default void index(String principal, String id, Instant indexedAt) {
    throw new UnsupportedOperationException("This driver does not index sessions by principal");
  }

  /** Removes session {@code id} from the sessions of {@code principal}, if it is there. */
  default void unindex(String principal, String id) {
    throw new UnsupportedOperationException("This driver does not index sessions by principal");
  }

  /**
   * The sessions indexed under {@code principal}, each with what is stored under its ID now, read
   * without refreshing any idle timeout. One round trip where the store allows it, however many
   * sessions the principal has.
   */
  default List<IndexedSession> indexed(String principal) {
    throw new UnsupportedOperationException("This driver does not index sessions by principal");
  }

  // ------------------------------------------------------------------------------------- expiry

  /**
   * Whether this driver reports sessions that expired through {@link #claimExpired}. A driver that
   * does not (the default) works for everything else; Satchel then tells no {@link
   * dev.satchel.SessionEvent.Expired} events.
   */
  default boolean reportsExpiry() {
    return false;
  }

  /**
   * Claims sessions that expired: stored with an expiry that has passed, and neither retired nor
   * deleted (a session that expired before it was retired, replaced or deleted is still claimed).
   * The driver keeps track of every session it stores with an expiry (from its first write, or the
   * write that first gives it one) without help from the store's own notifications. Each expired
   * session is claimed once by one caller, among all the instances sharing the store; under a race
   * a session may rarely be claimed twice, never not at all while some instance keeps calling. A
   * session still stored (a read pushed its expiry) is not claimed: its new expiry is tracked
   * instead.
   *
   * <p>A claim is a lease: until {@link #acknowledgeExpired} confirms that the claimed sessions
   * were reported, the driver keeps them, hidden from other claims for a while (a few minutes) and
   * claimable again after it, so that a claim whose answer was lost (a timeout, a crash before the
   * listeners were told) is not lost with it. A driver whose claims cannot be lost (in-process) may
   * treat claims as final and ignore the acknowledgement.
   *
   * <p>Satchel calls it on every instance every {@code expiry-check-interval}, from one thread.
   *
   * @param now the current time by the driver's clock
   * @param max the most IDs to return; a call returning {@code max} is followed by another
   * @return the IDs claimed, possibly none
   */
  default List<String> claimExpired(Instant now, int max) {
    return List.of();
  }

  /**
   * Confirms that sessions {@link #claimExpired} returned were reported: the driver forgets them.
   * Acknowledging an ID twice, or one not claimed, is not an error. The default does nothing.
   */
  default void acknowledgeExpired(List<String> ids) {}

  /**
   * How many sessions are stored, when the driver can tell cheaply (one small call, not a scan of
   * the store); empty otherwise (the default). A count may include sessions that expired moments
   * ago and were not yet claimed.
   */
  default OptionalLong countSessions() {
    return OptionalLong.empty();
  }

  /**
   * Checks that the store answers, and throws if it does not. The default looks up the marker of an
   * ID that is never issued, which every driver can answer.
   */
  default void ping() {
    retirement("00000000-0000-4000-8000-000000000000");
  }

  /** Releases the driver's resources (connections, threads). The default does nothing. */
  @Override
  default void close() {}
}
