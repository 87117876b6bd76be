package dev.satchel.spi;

import java.time.Duration;
import java.time.Instant;

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
   * @param idleTimeout when not {@code null}, the stored session's expiry is pushed to now plus
   *     this, in the same operation where the store allows it, without rewriting the data
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
   * Writes as {@link #write} does and, if the write held, removes sessions that it replaces (the
   * old ID after a regenerate). Stores that can do both in one round trip should override this; the
   * default calls {@link #write}, then {@link #delete} for each.
   *
   * @param obsoleteIds sessions to remove once the write has held
   * @return whether the write held; nothing is removed when it did not
   */
  default boolean writeReplacing(
      String id,
      String blob,
      String expectedVersion,
      Instant expiresAt,
      java.util.Collection<String> obsoleteIds) {
    if (!write(id, blob, expectedVersion, expiresAt)) {
      return false;
    }
    for (String obsolete : obsoleteIds) {
      delete(obsolete);
    }
    return true;
  }

  /**
   * Removes a session; removing one that does not exist is not an error.
   *
   * @param id the session ID
   */
  void delete(String id);

  /** Releases the driver's resources (connections, threads). The default does nothing. */
  @Override
  default void close() {}
}
