package dev.satchel;

import dev.satchel.SessionBlob.CorruptBlobException;
import dev.satchel.SessionBlob.Entry;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.StoredBlob;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

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

  /**
   * How long an index entry may name a session that is not stored before it is pruned: an entry is
   * added before its session's first write, and a commit gives up well within this.
   */
  static final Duration INDEX_GRACE = Duration.ofMinutes(1);

  /** How many moves in a row ending a session follows, as a log-in may move it meanwhile. */
  private static final int MAX_MOVES_ENDED = 8;

  private final GuardedDriver driver;
  private final DecodedSessions decoded;
  private final CorruptDataPolicy corruptData;
  private final long maxSessionSize;
  private final Clock clock;
  private final SessionEvents events;

  SessionStore(
      GuardedDriver driver,
      DecodedSessions decoded,
      CorruptDataPolicy corruptData,
      long maxSessionSize,
      Clock clock,
      SessionEvents events) {
    this.driver = driver;
    this.decoded = decoded;
    this.corruptData = corruptData;
    this.maxSessionSize = maxSessionSize;
    this.clock = clock;
    this.events = events;
  }

  SessionEvents events() {
    return events;
  }

  Instrumentation instrumentation() {
    return driver.instrumentation();
  }

  void instrument(Instrumentation instrumentation) {
    driver.instrument(instrumentation);
    decoded.instrument(instrumentation);
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
   * Reads a session and pushes its expiry forward by its idle timeout: its own ({@link
   * SessionMetadata#IDLE}) when it has one, else {@code configuredIdle} ({@code null}: no push).
   * The driver pushes by {@code configuredIdle} as it reads, since the session's own is known only
   * once read; a session whose own differs is read once more, pushing by its own (a century for
   * never, {@link SessionMetadata#NEVER_IDLE}). That second read returns the same text unless the
   * session changed meanwhile, and is parsed from the decoded-session cache.
   *
   * @return the session, or {@code null} when none is stored
   * @throws SessionStorageException when the store fails, or the data cannot be read and the policy
   *     is {@link CorruptDataPolicy#FAIL}
   */
  Loaded readRefreshing(String id, Duration configuredIdle) {
    Duration pushed = configuredIdle;
    Loaded loaded = read(id, pushed);
    // Bounded: a session whose own idle timeout keeps changing between the reads is left with the
    // push of the last read, which its next read puts right.
    for (int reads = 1; reads < 3 && loaded != null && !loaded.isCorrupt(); reads++) {
      Duration own = SessionMetadata.refreshBy(loaded.entries(), configuredIdle);
      if (Objects.equals(own, pushed)) {
        break;
      }
      pushed = own;
      loaded = read(id, pushed);
    }
    return loaded;
  }

  /**
   * Reads a session, pushing its expiry forward by {@code idleTimeout} when that is not {@code
   * null}, whatever the session's own idle timeout.
   *
   * @return the session, or {@code null} when none is stored
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
              + LogRedaction.text(e.getMessage())
              + "); it is replaced by a new session",
          LogRedaction.throwable(e.getCause()));
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
      driver.instrumentation().commit(Instrumentation.CommitOutcome.REFUSED_SIZE);
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
    driver.instrumentation().stored(blob.length());
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
    driver.instrumentation().stored(blob.length());
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

  /**
   * Ends the session stored under {@code id}, whoever's it is, as {@link #end} does, reading it
   * first (without refreshing its idle timeout) for its principal.
   */
  void endById(String id, SessionEvent.Reason reason) {
    end(id, null, null, reason, move -> true);
  }

  /** Whether the driver keeps the index of sessions by principal. */
  boolean indexesPrincipals() {
    return driver.indexesPrincipals();
  }

  /** Adds {@code id} to the sessions of {@code principal}, when the driver keeps the index. */
  void index(String principal, String id) {
    if (driver.indexesPrincipals()) {
      driver.index(principal, id, clock.instant());
    }
  }

  /** Removes {@code id} from the sessions of {@code principal}, when the driver keeps the index. */
  void unindex(String principal, String id) {
    if (driver.indexesPrincipals()) {
      driver.unindex(principal, id);
    }
  }

  /**
   * The live sessions of {@code principal}; entries whose session is gone, past its lifetime,
   * unreadable or now someone else's are pruned once they are older than {@link #INDEX_GRACE}.
   */
  List<SessionInfo> sessionsOf(String principal, SessionContext context) {
    if (!driver.indexesPrincipals()) {
      throw SessionStorageException.initializing(
          driver.name(),
          "The "
              + driver.name()
              + " driver keeps no index of sessions by principal, so a user's sessions cannot be"
              + " listed or ended; the memory, fs and redis drivers keep one.",
          null);
    }
    Instant now = clock.instant();
    List<SessionInfo> live = new ArrayList<>();
    for (IndexedSession entry : driver.indexed(principal)) {
      SessionInfo session = describe(principal, entry, context, now);
      if (session != null) {
        live.add(session);
      } else if (!entry.indexedAt().isAfter(now.minus(INDEX_GRACE))) {
        driver.unindex(principal, entry.id());
      }
    }
    return live;
  }

  /** The live session an index entry names, or {@code null} when it names none of the principal. */
  private static SessionInfo describe(
      String principal, IndexedSession entry, SessionContext context, Instant now) {
    if (entry.blob() == null) {
      return null;
    }
    Map<String, Entry> entries;
    try {
      entries = SessionBlob.parse(entry.blob().blob());
    } catch (CorruptBlobException e) {
      return null;
    }
    if (!principal.equals(SessionMetadata.principal(entries))) {
      return null;
    }
    Instant created = SessionMetadata.created(entries);
    if (created == null) {
      created = entry.indexedAt();
    }
    Instant end = context.maxLifetime() == null ? null : created.plus(context.maxLifetime());
    if (end != null && !now.isBefore(end)) {
      return null;
    }
    Instant expiresAt = entry.expiresAt();
    Duration idle = SessionMetadata.idleTimeout(entries, context.idleTimeout());
    Instant lastAccess =
        expiresAt == null || idle == null || expiresAt.equals(end) ? null : expiresAt.minus(idle);
    return new SessionInfo(
        entry.id(), principal, created, lastAccess, expiresAt, SessionMetadata.instance(entries));
  }

  /**
   * Ends a session as a log-out does, wherever it is in use, and removes it from {@code
   * principal}'s sessions when that is given. When another request's log-in had moved it to a new
   * ID meanwhile, that session ends too if {@code followsMove} accepts the move. Listeners are told
   * of each session ended that was stored: {@code stored} says whether {@code id} was, or {@code
   * null} when unknown: it is then read first, for that and for its principal.
   */
  void end(
      String id,
      String principal,
      Boolean stored,
      SessionEvent.Reason reason,
      Predicate<Retirement> followsMove) {
    boolean wasStored = stored != null && stored;
    if (stored == null) {
      // Not read by the caller: read now, for the principal's index entry and the listeners.
      StoredBlob blob = driver.read(id, null);
      wasStored = blob != null;
      if (blob != null && principal == null) {
        try {
          principal = SessionMetadata.principal(SessionBlob.parse(blob.blob()));
        } catch (CorruptBlobException e) {
          // Ended all the same; there is no user to remove it from.
        }
      }
    }
    String target = id;
    for (int moves = 0; target != null && moves <= MAX_MOVES_ENDED; moves++) {
      Retirement earlier = destroy(target);
      if (moves == 0 && principal != null) {
        unindex(principal, target);
      }
      // A marker there already means whoever retired it told of it.
      if (earlier == null && (moves > 0 || wasStored)) {
        events.destroyed(target, principal, reason);
      }
      target =
          earlier != null && !earlier.isDestroyed() && followsMove.test(earlier)
              ? earlier.successor()
              : null;
    }
  }

  /**
   * Claims the sessions that expired since the last check and tells the listeners, in batches of
   * {@code batch}, at most {@code maxBatches} of them.
   *
   * @return how many were found
   */
  boolean reportsExpiry() {
    return driver.reportsExpiry();
  }

  int claimExpired(int batch, Duration budget) {
    if (!driver.reportsExpiry()) {
      return 0;
    }
    long started = System.nanoTime();
    int found = 0;
    while (true) {
      List<String> expired = driver.claimExpired(clock.instant(), batch);
      for (String id : expired) {
        decoded.forget(id);
        events.expired(id);
      }
      if (!expired.isEmpty()) {
        // Only once told: a claim whose listeners were not told is claimed again later.
        driver.acknowledgeExpired(expired);
      }
      found += expired.size();
      if (expired.size() < batch) {
        return found;
      }
      if (budget != null && System.nanoTime() - started >= budget.toNanos()) {
        LOG.log(
            Level.WARNING,
            "More sessions expired than one check of the "
                + driver.name()
                + " store could report in "
                + budget.toSeconds()
                + " s ("
                + found
                + " reported); the rest are reported by the next checks");
        return found;
      }
    }
  }

  /** How many sessions are stored, when the driver can tell cheaply. */
  java.util.OptionalLong countSessions() {
    return driver.countSessions();
  }

  /**
   * Checks that the store answers.
   *
   * @return how long it took to answer
   * @throws SessionStorageException when it does not
   */
  Duration ping() {
    long started = System.nanoTime();
    driver.ping();
    return Duration.ofNanos(System.nanoTime() - started);
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
