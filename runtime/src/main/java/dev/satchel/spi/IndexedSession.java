package dev.satchel.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * One entry of a principal's index as a driver read it, with what is stored under its session ID
 * now.
 *
 * @param id the session ID
 * @param indexedAt when the entry was added
 * @param blob the session stored under {@code id} now, or {@code null} when none is (it expired, or
 *     was ended and its entry not yet removed, or is about to be written)
 * @param expiresAt when the store will drop the session as it stands, or {@code null} for never or
 *     when the driver cannot tell
 */
public record IndexedSession(String id, Instant indexedAt, StoredBlob blob, Instant expiresAt) {

  /** Checks that the ID and the time of indexing are present. */
  public IndexedSession {
    requireNonNull(id, "id");
    requireNonNull(indexedAt, "indexedAt");
  }
}
