package dev.satchel;

import dev.satchel.SessionBlob.CorruptBlobException;
import dev.satchel.SessionBlob.Entry;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.StoredBlob;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where request sessions meet the driver: reads and writes sessions in their stored form, keeps
 * recently used ones decoded, enforces the size limit, applies the corrupt-data policy, and retires
 * IDs. One per {@link Satchel}, shared by all requests.
 */
final class SessionStore {
  private static final System.Logger LOG = System.getLogger("dev.satchel");

  /**
   * How long a retired ID's marker is kept: longer than any request that read the session before it
   * was retired can still be running, so that such a request's commit learns where it went.
   */
  static final Duration MARKER_LIFETIME = Duration.ofMinutes(10);

  private final GuardedDriver driver;
  private final DecodedSessions decoded;
  private final CorruptDataPolicy corruptData;
  private final long maxSessionSize;
  private final Clock clock;

  SessionStore(
      GuardedDriver driver,
      DecodedSessions decoded,
      CorruptDataPolicy corruptData,
      long maxSessionSize,
      Clock clock) {
    this.driver = driver;
    this.decoded = decoded;
    this.corruptData = corruptData;
    this.maxSessionSize = maxSessionSize;
    this.clock = clock;
  }

  /**
   * A stored session as read: its entries ({@code null} when the data could not be read and the
   * policy is to reset it) and the version to write against.
   */
  record Loaded(Map<String, Entry> entries, String version) {
    boolean isCorrupt() {
      return entries == null;
    }
  }

  String driverName() {
    return driver.name();
  }

  /**
   * Reads a session, or {@code null} when none is stored.
   *
   * @throws SessionStorageException when the store fails, or the data cannot be read and the policy
   *     is {@link CorruptDataPolicy#FAIL}
   */
  Loaded read(String id, Duration idleTimeout) {
    StoredBlob blob = driver.read(id, idleTimeout);
    if (blob == null) {
      return null;
    }
    try {
      return new Loaded(decoded.parse(id, blob.blob()), blob.version());
    } catch (CorruptBlobException e) {
      if (corruptData == CorruptDataPolicy.FAIL) {
        throw SessionStorageException.initializing(driver.name(), e.getMessage(), e);
      }
      LOG.log(
          Level.WARNING,
          "Session data stored with the "
              + driver.name()
              + " driver could not be read ("
              + e.getMessage()
              + "); it is replaced by a new session",
          e.getCause());
      return new Loaded(null, blob.version());
    }
  }

  /**
   * The stored form of {@code entries}.
   *
   * @throws SessionSizeException when it is longer than the configured maximum
   */
  String serialize(Map<String, Entry> entries) {
    String blob = SessionBlob.serialize(entries);
    if (blob.length() > maxSessionSize) {
      throw new SessionSizeException(blob.length(), maxSessionSize);
    }
    return blob;
  }

  /** Writes with compare-and-set; on success, keeps the entries decoded and returns them. */
  Map<String, Entry> write(
      String id,
      String blob,
      LinkedHashMap<String, Entry> entries,
      String expectedVersion,
      Instant expiresAt) {
    if (!driver.write(id, blob, expectedVersion, expiresAt)) {
      return null;
    }
    return decoded.keep(id, blob, entries);
  }

  /**
   * Moves the session {@code replacedId} (as read at {@code replacedVersion}) to {@code id} with
   * new content, leaving a marker; on success, keeps the entries decoded and returns them.
   */
  Map<String, Entry> replace(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      LinkedHashMap<String, Entry> entries,
      Instant expiresAt) {
    Instant now = clock.instant();
    if (!driver.replace(
        replacedId,
        replacedVersion,
        id,
        blob,
        expiresAt,
        Retirement.movedTo(id, now),
        now.plus(MARKER_LIFETIME))) {
      return null;
    }
    decoded.forget(replacedId);
    return decoded.keep(id, blob, entries);
  }

  /**
   * Ends a session: removes it and leaves a "destroyed" marker.
   *
   * @return the marker this one replaced, if the session had been retired already
   */
  Retirement destroy(String id) {
    decoded.forget(id);
    Instant now = clock.instant();
    return driver.retire(id, Retirement.destroyed(now), now.plus(MARKER_LIFETIME));
  }

  /** What became of a session that is no longer stored, if it was retired recently. */
  Retirement retirement(String id) {
    return driver.retirement(id);
  }

  /** Removes data that could not be read, leaving no marker: the ID was never a live session. */
  void removeCorrupt(String id) {
    decoded.forget(id);
    driver.delete(id);
  }

  void close() {
    driver.close();
  }
}
