package dev.satchel;

import dev.satchel.SessionBlob.BlobBeyondLimitsException;
import dev.satchel.SessionBlob.CorruptBlobException;
import dev.satchel.SessionBlob.Entry;
import dev.satchel.devalue.DevalueTooLongException;
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
import java.util.concurrent.locks.LockSupport;
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

  /**
   * How long data that cannot be parsed must stay the same before it is judged unreadable: longer
   * than another program's write in place takes between its truncation and its last byte, even on a
   * busy machine.
   */
  static final Duration UNREADABLE_FOR = Duration.ofMillis(500);

  /** How long data that keeps changing without ever parsing is read again before it is judged. */
  static final Duration REREAD_AT_MOST = Duration.ofSeconds(3);

  private static final long FIRST_PAUSE_NANOS = 2_000_000;
  private static final long MAX_PAUSE_NANOS = 64_000_000;

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
   * The driver pushes as it reads, by the idle timeout of the session as this application last saw
   * it (the decoded-session cache), or by {@code configuredIdle} when it has not seen it; a session
   * whose own turns out to differ is read once more, pushing by its own (a century for never,
   * {@link SessionMetadata#NEVER_IDLE}), which a driver applies even when it is shorter than the
   * push before. That second read returns the same text unless the session changed meanwhile, and
   * is parsed from the decoded-session cache.
   *
   * @return the session, or {@code null} when none is stored
   * @throws SessionStorageException when the store fails, or the data cannot be read and the policy
   *     is {@link CorruptDataPolicy#FAIL}
   */
  Loaded readRefreshing(String id, Duration configuredIdle) {
    // The session as this application last saw it tells its own idle timeout, so that the first
    // read usually pushes the expiry by the right one and no second read is needed.
    Map<String, Entry> lastSeen = decoded.known(id);
    Duration pushed =
        lastSeen == null ? configuredIdle : SessionMetadata.refreshBy(lastSeen, configuredIdle);
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
    } catch (BlobBeyondLimitsException e) {
      throw beyondLimits(e);
    } catch (CorruptBlobException e) {
      return readAgain(id, blob, e);
    }
  }

  /**
   * Data longer or deeper than Satchel reads may be a valid session another program (an Astro app)
   * reads: it is neither reset nor removed, and every request for it fails, saying why.
   */
  private SessionStorageException beyondLimits(BlobBeyondLimitsException e) {
    LOG.log(
        Level.WARNING,
        "A session stored with the " + driver.name() + " driver is left unread: " + e.getMessage());
    return SessionStorageException.initializing(driver.name(), e.getMessage(), e);
  }

  /**
   * Reads data that could not be parsed again until it parses, is gone, or has stayed the same for
   * {@link #UNREADABLE_FOR}: another program may be writing it in place (Astro's {@code fs} store
   * truncates a file, then writes it), and what it read was that write half done. Pauses between
   * reads double from {@link #FIRST_PAUSE_NANOS}; data that keeps changing without ever parsing is
   * judged after {@link #REREAD_AT_MOST}. Data judged unreadable is reset or fails, by the policy;
   * its version is the one to remove ({@link #removeCorrupt}), only if still stored.
   */
  private Loaded readAgain(String id, StoredBlob unreadable, CorruptBlobException failure) {
    LOG.log(
        Level.DEBUG,
        "Session data stored with the "
            + driver.name()
            + " driver could not be read; reading it again, as another program may be writing it");
    // Judged only on a read made at least UNREADABLE_FOR after the same data was first read: a
    // pause of this thread alone (a collection, a busy machine) never passes for a stalled writer.
    // The driver's change mark tells a writer that writes the same bytes again and again.
    long started = System.nanoTime();
    long firstSeen = started;
    long pause = FIRST_PAUSE_NANOS;
    StoredBlob blob = unreadable;
    String mark = driver.changeMark(id);
    boolean judged = false;
    while (System.nanoTime() - started < REREAD_AT_MOST.toNanos()) {
      LockSupport.parkNanos(pause);
      if (Thread.currentThread().isInterrupted()) {
        judged = true; // judged on what was read: the request is being stopped
        break;
      }
      pause = Math.min(2 * pause, MAX_PAUSE_NANOS);
      long readAt = System.nanoTime();
      StoredBlob again = driver.read(id, null);
      if (again == null) {
        return null; // removed meanwhile, as a reader coming now would find it
      }
      String markAgain = driver.changeMark(id);
      if (!again.version().equals(blob.version())) {
        firstSeen = System.nanoTime();
        blob = again;
        mark = markAgain;
        try {
          return new Loaded(decoded.parse(id, again.blob()), again.version());
        } catch (BlobBeyondLimitsException e) {
          throw beyondLimits(e);
        } catch (CorruptBlobException e) {
          failure = e;
        }
      } else if (!Objects.equals(mark, markAgain)) {
        firstSeen = System.nanoTime(); // written again with the same bytes: still being written
        mark = markAgain;
      } else if (readAt - firstSeen >= UNREADABLE_FOR.toNanos()) {
        judged = true;
        break;
      }
    }
    if (!judged) {
      // Still changing, never whole: another program is writing it. Nothing is judged or
      // removed; the request fails and a retry reads it again.
      throw SessionStorageException.initializing(
          driver.name(),
          "the session's data kept changing for "
              + REREAD_AT_MOST.toSeconds()
              + " s without ever being readable; another program may be writing it",
          null);
    }
    if (corruptData == CorruptDataPolicy.FAIL) {
      throw SessionStorageException.initializing(driver.name(), failure.getMessage(), failure);
    }
    LOG.log(
        Level.WARNING,
        "Session data stored with the "
            + driver.name()
            + " driver could not be read ("
            + LogRedaction.withoutQuotedData(failure.getMessage())
            + "); it is replaced by a new session");
    // The parser's own failure quotes the data, which may hold credentials: at DEBUG only.
    LOG.log(Level.DEBUG, "Why the session data could not be read", LogRedaction.throwable(failure));
    return new Loaded(null, blob.version());
  }

  /**
   * The stored form of {@code entries}, as {@link SessionBlob#serialize} writes it.
   *
   * @throws SessionSizeException when it is longer than the configured maximum: known as soon as
   *     the limit is passed, so an oversized value costs no more than the limit to refuse
   */
  String serialize(Map<String, Entry> entries) {
    try {
      return SessionBlob.serialize(entries, (int) Math.min(maxSessionSize, Integer.MAX_VALUE));
    } catch (DevalueTooLongException e) {
      driver.instrumentation().commit(Instrumentation.CommitOutcome.REFUSED_SIZE);
      throw new SessionSizeException(e.minimumLength(), maxSessionSize);
    }
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

  /**
   * Removes {@code id} from the sessions of {@code principal}, when the driver keeps the index. It
   * runs after the write or the removal it follows has taken effect, so a failure here must not
   * fail that: the entry left behind names a session that is gone or now someone else's, which a
   * listing drops ({@link #sessionsOf}), so it is logged and left.
   */
  void unindex(String principal, String id) {
    if (!driver.indexesPrincipals()) {
      return;
    }
    try {
      driver.unindex(principal, id);
    } catch (SessionStorageException e) {
      // At DEBUG: the store's failure itself is logged, and throttled, where it happened.
      LOG.log(
          Level.DEBUG,
          "A session's entry in its user's index could not be removed ("
              + LogRedaction.withoutQuotedData(e.getMessage())
              + "); the change it follows held, and listing the user's sessions drops the entry");
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

  /**
   * Removes data that could not be read, leaving no marker (the ID was never a live session), if it
   * is still {@code version}: data written under the ID since, by another program completing its
   * write or by anyone, stays. A failure is only logged (the store's outage is reported already):
   * the request's own changes are saved, and the data is left to expire.
   */
  void removeCorrupt(String id, String version) {
    decoded.forget(id);
    try {
      if (!driver.deleteIfUnchanged(id, version)) {
        LOG.log(
            Level.DEBUG,
            "Session data that could not be read was left in the "
                + driver.name()
                + " store: it changed since it was read, or the driver removes none");
      }
    } catch (SessionStorageException e) {
      LOG.log(Level.DEBUG, "Session data that could not be read was not removed", e);
    }
  }

  void close() {
    driver.close();
  }
}
