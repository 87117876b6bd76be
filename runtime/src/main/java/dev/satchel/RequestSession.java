package dev.satchel;

import dev.satchel.SessionBlob.Entry;
import dev.satchel.SessionStore.Loaded;
import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecException;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.DevalueException;
import dev.satchel.devalue.Undefined;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionIds;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;

/**
 * A request's session: this request's changes over the stored session they apply to. State is
 * guarded by this object's monitor: one request, possibly several of its threads, and no lock
 * shared with other requests.
 */
final class RequestSession implements Session {
  /**
   * The most session IDs one request is looked up by. A browser sends several only for cookies of
   * the same name on other paths or domains, a handful at most; a request carrying hundreds would
   * otherwise cost a store read each, and a log-out a marker each.
   */
  static final int MAX_SESSION_COOKIES = 8;

  private static final System.Logger LOG = System.getLogger("dev.satchel");

  /** How many moves in a row a request follows before giving up on a session. */
  private static final int MAX_MOVES_FOLLOWED = 8;

  /** The longest pause between two attempts of a commit. */
  private static final long MAX_BACK_OFF_NANOS = 50_000_000;

  private final SessionContext context;
  private final SessionStore store;
  private final RequestCookie cookie;

  /** When the request began: only a request this close to a log-in follows it. */
  private final Instant openedAt;

  /** Cookie values still to be tried when the request sent several, in the order sent. */
  private List<String> candidates;

  private final SessionIdentity identity;

  /** Whether this request began the session: its client does not know the ID yet. */
  private boolean begunHere;

  /** The stored session of {@link SessionIdentity#origin()}, or {@code null} while not read. */
  private Base base;

  /**
   * Whether this request has read a stored session, and the principal it held then: a log-in moving
   * the session to another principal is never followed by such a request.
   */
  private boolean hasRead;

  private String readPrincipal;

  /** The entries this request last read, kept when a lost race makes {@link #base} stale. */
  private Map<String, Entry> lastRead;

  private final PendingChanges pending = new PendingChanges();

  /** Sessions this request ended, and how. */
  private final Map<String, Ending> destroyed = new LinkedHashMap<>();

  /**
   * How a session ends: whether this request had read it as its own (only then does the end follow
   * a log-in's move), whether it is known to be stored ({@code null}: not known), and why.
   */
  private record Ending(boolean seen, Boolean stored, SessionEvent.Reason reason) {
    static Ending pastLifetime() {
      return new Ending(false, true, SessionEvent.Reason.LIFETIME);
    }

    Ending merge(Ending other) {
      return new Ending(
          seen || other.seen,
          Boolean.TRUE.equals(stored) || Boolean.TRUE.equals(other.stored) ? Boolean.TRUE : null,
          reason);
    }
  }

  /** The principals of the destroyed sessions this request had read, to remove from the index. */
  private final Map<String, String> destroyedPrincipals = new LinkedHashMap<>();

  /** Data this request could not read, by ID: the version judged, removed at commit if still so. */
  private final Map<String, String> corrupt = new LinkedHashMap<>();

  /**
   * What the store held when read, and the version to write against; {@code current} is false once
   * this request wrote over it (the new version is the driver's business: the next commit reads).
   */
  private record Base(Map<String, Entry> entries, String version, boolean current) {
    static final Base EMPTY = new Base(Map.of(), null, true);
  }

  RequestSession(SessionContext context, List<String> cookieValues, CookieSink cookies) {
    this.context = context;
    this.store = context.store();
    this.cookie = new RequestCookie(context, cookies);
    this.openedAt = context.clock().instant();
    List<String> valid = new ArrayList<>();
    for (String value : cookieValues) {
      if (SessionIds.isValid(value)) {
        if (valid.size() == MAX_SESSION_COOKIES) {
          LOG.log(
              Level.DEBUG,
              "Ignoring session cookies beyond the first " + MAX_SESSION_COOKIES + " IDs");
          break;
        }
        if (!valid.contains(value)) {
          valid.add(value);
        }
      } else if (value != null && !value.isEmpty()) {
        LOG.log(Level.DEBUG, "Ignoring a session cookie that is not a session ID");
      }
    }
    if (valid.size() > 1) {
      this.candidates = valid;
      this.identity = SessionIdentity.claimed(null);
    } else {
      this.identity = SessionIdentity.claimed(valid.isEmpty() ? null : valid.get(0));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public synchronized Optional<String> id() {
    return Optional.ofNullable(identity.id());
  }

  @Override
  public <T> Optional<T> get(String key, ValueCodec<T> codec) {
    Entry entry;
    synchronized (this) {
      entry = lookup(key);
    }
    return Optional.ofNullable(decode(key, entry, codec));
  }

  /** The entry's value as {@code codec} reads it, or {@code null} when absent or undecodable. */
  private <T> T decode(String key, Entry entry, ValueCodec<T> codec) {
    if (entry == null) {
      return null;
    }
    try {
      // A copy: the entry may be shared with other requests, and a codec may return what it gets.
      return codec.decode(copyOf(entry.data()), CodecContext.create());
    } catch (ValueCodecException e) {
      if (context.undecodableValues() == UndecodableValuePolicy.FAIL) {
        throw new SessionValueException(
            "The session data for "
                + key
                + " does not fit "
                + codec.describe()
                + ": "
                + e.reason()
                + " (at "
                + keyPath(key)
                + e.path()
                + ")",
            key,
            keyPath(key) + e.path(),
            e);
      }
      LOG.log(
          Level.WARNING,
          "Session key \""
              + key
              + "\" no longer fits "
              + codec.describe()
              + "; reading it as absent: "
              + LogRedaction.withoutQuotedData(e.getMessage()));
      return null;
    }
  }

  @Override
  public Optional<Object> get(String key) {
    Entry entry;
    synchronized (this) {
      entry = lookup(key);
    }
    if (entry == null || entry.data() == null || entry.data() == Undefined.INSTANCE) {
      return Optional.empty();
    }
    return Optional.of(copyOf(entry.data()));
  }

  @Override
  public synchronized boolean has(String key) {
    return lookup(key) != null;
  }

  /** One key of {@link #view()}, without building the rest. */
  private Entry lookup(String key) {
    Entry changed = pending.value(key);
    if (changed != null) {
      return changed;
    }
    ensureLoaded(true);
    if (pending.isRemoved(key)) {
      return null;
    }
    Entry entry = base.entries().get(key);
    return entry == null || entry.isExpired(context.clock().millis()) ? null : entry;
  }

  @Override
  public synchronized Set<String> keys() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(applicationView().keySet()));
  }

  @Override
  public List<Object> values() {
    return Collections.unmodifiableList(new ArrayList<>(entries().values()));
  }

  @Override
  public Map<String, Object> entries() {
    Map<String, Entry> view;
    synchronized (this) {
      view = applicationView();
    }
    LinkedHashMap<String, Object> entries = new LinkedHashMap<>();
    view.forEach((key, entry) -> entries.put(key, copyOf(entry.data())));
    return Collections.unmodifiableMap(entries);
  }

  /** The session as this request sees it: what was stored, with this request's changes. */
  private LinkedHashMap<String, Entry> view() {
    ensureLoaded(true);
    return merge(base.entries());
  }

  /** {@link #view()} without Satchel's own keys. */
  private LinkedHashMap<String, Entry> applicationView() {
    LinkedHashMap<String, Entry> view = view();
    view.keySet().removeIf(SessionMetadata::isReserved);
    return view;
  }

  /**
   * Reads the stored session when nothing has been read, or, for a write, when this request's last
   * write made what it read stale. A read for reading refreshes the idle timeout.
   */
  private void ensureLoaded(boolean forReading) {
    if (base != null && (base.current() || forReading)) {
      return;
    }
    if (candidates != null) {
      chooseCandidate();
      if (base != null) {
        return;
      }
    }
    boolean following = false;
    for (int moves = 0; ; moves++) {
      String origin = identity.origin();
      if (origin == null) {
        base = Base.EMPTY;
        return;
      }
      Loaded loaded =
          forReading
              ? store.readRefreshing(origin, context.idleTimeout())
              : store.read(origin, null);
      if (loaded != null && !loaded.isCorrupt() && isPastLifetime(loaded.entries())) {
        // As if it had expired: it ends for every request, and this one starts afresh.
        endAtCommit(origin, Ending.pastLifetime(), loaded.entries());
        startAfresh();
        return;
      }
      if (loaded != null && !loaded.isCorrupt()) {
        if (following
            && !Objects.equals(SessionMetadata.principal(loaded.entries()), readPrincipal)) {
          // A log-in moved the session to a user this request did not read it as: following
          // would let whoever holds the pre-log-in ID (fixation) write into, and read, the
          // logged-in session.
          supersede();
          return;
        }
        identity.originFound();
        noteRead(loaded.entries());
        base = new Base(loaded.entries(), loaded.version(), true);
        rollCookie();
        return;
      }
      if (loaded != null) {
        resetCorrupt(origin, loaded.version());
        return;
      }
      Retirement retirement = moves < MAX_MOVES_FOLLOWED ? store.retirement(origin) : null;
      if (retirement == null) {
        // Never stored, or expired: a new session.
        startAfresh();
        return;
      }
      switch (RetiredOrigin.decide(
          retirement,
          identity.originSeen(),
          identity.replacing() != null,
          openedAt,
          context.clock().instant())) {
        case START_AFRESH -> startAfresh();
        case SUPERSEDE -> supersede();
        case END -> {
          identity.end();
          cookie.withdraw();
          base = Base.EMPTY;
        }
        case KEEP_OWN_ID -> {
          Loaded joined = sameUsersLogIn(retirement);
          if (joined != null) {
            // The same user logging in twice at once (a form sent twice): both answers name one
            // session, the other log-in's, so that nothing written into it by requests following
            // the move is lost whichever answer the client keeps.
            identity.follow(retirement.successor());
            cookie.send(retirement.successor());
            base = new Base(joined.entries(), joined.version(), true);
          } else {
            identity.originMissing();
            base = lastRead == null ? Base.EMPTY : new Base(lastRead, null, true);
          }
        }
        case FOLLOW -> {
          followMove(retirement.successor());
          following = true;
          continue;
        }
      }
      return;
    }
  }

  /**
   * The session another log-in moved this request's origin to, when this request logs in the same
   * principal; otherwise {@code null}. Only a request that names the principal may join: the
   * logged-in session is never handed to whoever merely holds the pre-log-in ID.
   */
  private Loaded sameUsersLogIn(Retirement retirement) {
    String principal = SessionMetadata.principal(pending.value(SessionMetadata.PRINCIPAL));
    if (principal == null || retirement.successor() == null) {
      return null;
    }
    Loaded successor = store.read(retirement.successor(), null);
    return successor != null
            && !successor.isCorrupt()
            && !isPastLifetime(successor.entries())
            && principal.equals(SessionMetadata.principal(successor.entries()))
        ? successor
        : null;
  }

  /** The client's ID was replaced under this request: it reads nothing and cannot write. */
  private void supersede() {
    identity.supersede();
    cookie.withdraw();
    base = Base.EMPTY;
  }

  /** Records the principal of the first stored session this request reads. */
  private void noteRead(Map<String, Entry> entries) {
    if (!hasRead) {
      hasRead = true;
      readPrincipal = SessionMetadata.principal(entries);
    }
  }

  /** The origin is gone without a trace worth following: a new session, under a new ID. */
  private void startAfresh() {
    if (identity.originMissing()) {
      begunHere = true;
      cookie.resend(identity.id());
    }
    base = Base.EMPTY;
  }

  /** Whether the session began longer ago than the absolute lifetime allows. */
  private boolean isPastLifetime(Map<String, Entry> entries) {
    Duration lifetime = context.maxLifetime();
    Instant created = lifetime == null ? null : SessionMetadata.created(entries);
    return created != null && !context.clock().instant().isBefore(created.plus(lifetime));
  }

  /**
   * Ends {@code id} when this request commits, and removes it from its principal's sessions when
   * {@code entries}, what was stored under it, name one.
   */
  private void endAtCommit(String id, Ending ending, Map<String, Entry> entries) {
    destroyed.merge(id, ending, Ending::merge);
    String principal = entries == null ? null : SessionMetadata.principal(entries);
    if (principal != null) {
      destroyedPrincipals.put(id, principal);
    }
  }

  /**
   * Continues in the session another request moved this one to. The new ID is not sent: the client
   * has it from the response that moved the session, and an older request holding the old ID must
   * not learn it (that would undo the fixation defence).
   */
  private void followMove(String successor) {
    // Only a request that read its stored session follows (a regenerating one kept its own ID
    // above), so the cookie it may be sending names the old ID: withdraw it.
    identity.follow(successor);
    cookie.withdraw();
  }

  /** Several session cookies: the first whose session is stored wins; the others are ignored. */
  private void chooseCandidate() {
    List<String> tried = candidates;
    candidates = null;
    for (String candidate : tried) {
      Loaded loaded = store.readRefreshing(candidate, context.idleTimeout());
      if (loaded != null && !loaded.isCorrupt()) {
        if (isPastLifetime(loaded.entries())) {
          endAtCommit(candidate, Ending.pastLifetime(), loaded.entries());
          continue;
        }
        identity.adopt(candidate);
        noteRead(loaded.entries());
        base = new Base(loaded.entries(), loaded.version(), true);
        rollCookie();
        return;
      }
    }
  }

  /**
   * Stored data that cannot be read: removed at commit if still {@code version} by then, and the
   * session starts afresh under a new ID.
   */
  private void resetCorrupt(String origin, String version) {
    corrupt.put(origin, version);
    boolean regenerated = identity.replacing() != null;
    if (identity.originMissing()) {
      begunHere = true;
    }
    if (!regenerated) {
      if (cookie.sent() && pending.hasValues()) {
        cookie.send(identity.id());
      } else {
        cookie.clear();
      }
    }
    base = Base.EMPTY;
  }

  // ---------------------------------------------------------------------------------------------
  // Writes

  @Override
  public <T> void set(String key, T value, ValueCodec<T> codec) {
    set(key, value, codec, null, false);
  }

  @Override
  public <T> void set(String key, T value, ValueCodec<T> codec, Duration ttl) {
    if (ttl == null) {
      throw new NullPointerException("ttl");
    }
    set(key, value, codec, ttl, true);
  }

  @Override
  public void set(String key, Object value) {
    set(key, value, ValueCodecs.untyped(), null, false);
  }

  @Override
  public void set(String key, Object value, Duration ttl) {
    set(key, value, ValueCodecs.untyped(), ttl, true);
  }

  private <T> void set(
      String key, T value, ValueCodec<T> codec, Duration ttl, boolean explicitTtl) {
    checkKey(key);
    Object snapshot = snapshot(key, value, codec);
    synchronized (this) {
      ensureId();
      pending.set(key, Entry.of(snapshot, expiresAt(ttl, explicitTtl)));
    }
  }

  private Long expiresAt(Duration ttl, boolean explicitTtl) {
    Duration lifetime = explicitTtl ? ttl : context.defaultTtl();
    return lifetime == null ? null : context.clock().millis() + lifetime.toMillis();
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("The session key was not provided.");
    }
    if (SessionMetadata.isReserved(key)) {
      throw new IllegalArgumentException(
          "The session key \""
              + key
              + "\" is reserved: keys starting with \""
              + SessionMetadata.PREFIX
              + "\" hold what Satchel keeps about the session");
    }
  }

  @Override
  public <T> T update(String key, ValueCodec<T> codec, UnaryOperator<T> change) {
    return update(key, codec, null, false, change);
  }

  @Override
  public <T> T update(String key, ValueCodec<T> codec, Duration ttl, UnaryOperator<T> change) {
    if (ttl == null) {
      throw new NullPointerException("ttl");
    }
    return update(key, codec, ttl, true, change);
  }

  private <T> T update(
      String key, ValueCodec<T> codec, Duration ttl, boolean explicitTtl, UnaryOperator<T> change) {
    checkKey(key);
    if (change == null) {
      throw new NullPointerException("change");
    }
    synchronized (this) {
      ensureId();
      for (int attempt = 1; ; attempt++) {
        long started = System.nanoTime();
        ensureLoaded(false);
        if (identity.isEnded()) {
          dropChanges();
          return null;
        }
        PendingChanges.Pending before = pending.pending(key);
        T next = change.apply(decode(key, lookup(key), codec));
        if (next == null) {
          pending.remove(key, true);
        } else {
          pending.set(key, Entry.of(snapshot(key, next, codec), expiresAt(ttl, explicitTtl)));
        }
        Outcome outcome;
        try {
          outcome = writeOnce();
        } catch (RuntimeException e) {
          pending.restore(key, before);
          if (e instanceof SessionStorageException) {
            store.instrumentation().commit(Instrumentation.CommitOutcome.FAILED);
          }
          throw e;
        }
        if (outcome == Outcome.WRITTEN) {
          return next;
        }
        if (outcome == Outcome.DROPPED) {
          return null;
        }
        pending.restore(key, before);
        store.instrumentation().updateRetried();
        try {
          retryOrGiveUp(attempt, started);
        } catch (SessionStorageException e) {
          store.instrumentation().commit(Instrumentation.CommitOutcome.FAILED);
          throw e;
        }
      }
    }
  }

  /** Encodes the value now, so that later changes to the caller's object change nothing. */
  private static <T> Object snapshot(String key, T value, ValueCodec<T> codec) {
    try {
      Object model = codec.encode(value, CodecContext.create());
      return SessionBlob.VALUES.copy(model);
    } catch (ValueCodecException e) {
      throw notStorable(key, e.reason(), e.path(), e);
    } catch (DevalueException e) {
      throw notStorable(key, e.reason(), e.path() == null ? "" : e.path(), e);
    }
  }

  private static SessionValueException notStorable(
      String key, String reason, String path, RuntimeException cause) {
    String fullPath = keyPath(key) + path;
    return new SessionValueException(
        "The session data for "
            + key
            + " could not be serialized: "
            + reason
            + " (at "
            + fullPath
            + ")",
        key,
        fullPath,
        cause);
  }

  private static String keyPath(String key) {
    return key.matches("[A-Za-z_$][A-Za-z0-9_$]*") ? "." + key : "[\"" + key + "\"]";
  }

  /**
   * Gives the session an ID for writing, sending the cookie on the first write, as Astro does (a
   * write that lands after another request moved the session withdraws it again).
   */
  private void ensureId() {
    if (candidates != null) {
      ensureLoaded(true);
    }
    if (identity.isEnded() || identity.isSuperseded()) {
      return;
    }
    if (identity.state() == SessionIdentity.State.NONE) {
      identity.ensureId();
      begunHere = true;
      if (base == null) {
        // A brand-new ID has nothing stored under it: no need to ever read it.
        base = Base.EMPTY;
      }
    }
    cookie.sendOnce(identity.id());
  }

  /**
   * With a rolling cookie, a request that found its stored session sends the cookie again, so that
   * its Max-Age counts from the last request rather than the last write.
   */
  private void rollCookie() {
    if (context.rollingCookie() && identity.state() == SessionIdentity.State.STORED) {
      cookie.sendOnce(identity.id());
    }
  }

  @Override
  public synchronized void delete(String key) {
    checkKey(key);
    pending.remove(key, mayBeStored());
  }

  /** Whether something may be stored under the session's ID, so that a removal must reach it. */
  private boolean mayBeStored() {
    return !identity.isEnded()
        && (identity.state() != SessionIdentity.State.NONE || candidates != null);
  }

  @Override
  public synchronized void regenerate() {
    // As Astro's does, a regenerate reads the session first: it is the data carried over.
    ensureLoaded(true);
    if (identity.isEnded() || identity.isSuperseded()) {
      return;
    }
    identity.regenerate();
    cookie.send(identity.id());
  }

  @Override
  public synchronized void destroy() {
    if (candidates != null) {
      candidates.forEach(
          candidate ->
              destroyed.put(candidate, new Ending(false, null, SessionEvent.Reason.LOG_OUT)));
      candidates = null;
    }
    String origin = identity.origin();
    if (origin != null) {
      boolean seen = identity.originSeen();
      endAtCommit(
          origin,
          new Ending(seen, seen ? Boolean.TRUE : null, SessionEvent.Reason.LOG_OUT),
          seen && base != null ? base.entries() : null);
    }
    identity.destroy();
    begunHere = false;
    pending.clear();
    base = Base.EMPTY;
    cookie.clear();
  }

  @Override
  public synchronized boolean load(String sessionId) {
    if (!SessionIds.isValid(sessionId)) {
      return false;
    }
    Loaded loaded = store.readRefreshing(sessionId, context.idleTimeout());
    if (loaded == null || loaded.isCorrupt()) {
      return false;
    }
    if (isPastLifetime(loaded.entries())) {
      endAtCommit(sessionId, Ending.pastLifetime(), loaded.entries());
      return false;
    }
    candidates = null;
    pending.clear();
    identity.adopt(sessionId);
    begunHere = false;
    hasRead = true;
    readPrincipal = SessionMetadata.principal(loaded.entries());
    base = new Base(loaded.entries(), loaded.version(), true);
    cookie.send(sessionId);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // What Satchel keeps about the session

  @Override
  public synchronized void start() {
    ensureId();
    if (identity.isEnded() || identity.isSuperseded()) {
      return;
    }
    recordCreation();
  }

  private void recordCreation() {
    if (lookup(SessionMetadata.CREATED) == null) {
      pending.set(SessionMetadata.CREATED, SessionMetadata.createdEntry(context.clock().instant()));
    }
  }

  @Override
  public synchronized boolean exists() {
    ensureLoaded(true);
    return switch (identity.state()) {
      case STORED -> true;
      case FRESH -> identity.replacing() != null || !pending.isEmpty();
      default -> false;
    };
  }

  @Override
  public synchronized boolean isNew() {
    return begunHere && !identity.isEnded() && !identity.isSuperseded();
  }

  @Override
  public synchronized Optional<Instant> createdAt() {
    return Optional.ofNullable(SessionMetadata.created(lookup(SessionMetadata.CREATED)));
  }

  @Override
  public synchronized Optional<String> principal() {
    return Optional.ofNullable(SessionMetadata.principal(lookup(SessionMetadata.PRINCIPAL)));
  }

  @Override
  public synchronized Optional<Duration> idleTimeout() {
    return Optional.ofNullable(SessionMetadata.idle(lookup(SessionMetadata.IDLE)));
  }

  @Override
  public synchronized void setIdleTimeout(Duration idle) {
    Entry current = lookup(SessionMetadata.IDLE);
    if (idle == null) {
      if (current != null) {
        pending.remove(SessionMetadata.IDLE, mayBeStored());
      }
      return;
    }
    Entry next = SessionMetadata.idleEntry(idle);
    if (current != null
        && current.data() instanceof Number stored
        && stored.doubleValue() == (double) next.data()) {
      return; // as stored: set on every request, it costs no write
    }
    ensureId();
    if (identity.isEnded() || identity.isSuperseded()) {
      return;
    }
    pending.set(SessionMetadata.IDLE, next);
  }

  @Override
  public synchronized void setPrincipal(String name) {
    if (name != null && name.isEmpty()) {
      throw new IllegalArgumentException("The principal's name is empty");
    }
    if (name == null) {
      pending.remove(SessionMetadata.PRINCIPAL, mayBeStored());
      return;
    }
    ensureId();
    if (identity.isEnded() || identity.isSuperseded()) {
      return;
    }
    pending.set(SessionMetadata.PRINCIPAL, SessionMetadata.principalEntry(name));
    recordCreation();
  }

  // ---------------------------------------------------------------------------------------------
  // Commit

  @Override
  public synchronized void commit() {
    retireDestroyed();
    try {
      for (int attempt = 1; hasWrites(); attempt++) {
        long started = System.nanoTime();
        if (writeOnce() != Outcome.CONFLICT) {
          break;
        }
        retryOrGiveUp(attempt, started);
      }
    } catch (SessionStorageException e) {
      store.instrumentation().commit(Instrumentation.CommitOutcome.FAILED);
      throw e;
    }
    removeCorrupt();
  }

  private boolean hasWrites() {
    return !pending.isEmpty() || identity.replacing() != null;
  }

  private enum Outcome {
    WRITTEN,
    CONFLICT,
    DROPPED
  }

  /**
   * One compare-and-set of this request's changes over the freshest stored session: written, lost
   * to another request's write (read again and retry), or dropped because the session was destroyed
   * meanwhile.
   */
  private Outcome writeOnce() {
    ensureLoaded(false);
    if (identity.isEnded()) {
      dropChanges();
      store.instrumentation().commit(Instrumentation.CommitOutcome.DROPPED);
      return Outcome.DROPPED;
    }
    if (identity.isSuperseded()) {
      pending.clear();
      throw new SessionReplacedException(store.driverName());
    }
    LinkedHashMap<String, Entry> merged = merge(base.entries());
    String replacing = identity.replacing();
    if (replacing == null && base.version() == null && merged.isEmpty()) {
      // Nothing stored and nothing to store: a new session whose keys were all removed again.
      pending.clear();
      return Outcome.WRITTEN;
    }
    if (context.maxLifetime() != null && !merged.containsKey(SessionMetadata.CREATED)) {
      // The absolute lifetime counts from here for a session stored before it was configured.
      merged.put(SessionMetadata.CREATED, SessionMetadata.createdEntry(context.clock().instant()));
    }
    String instance = context.instanceName();
    if (instance != null && !instance.equals(SessionMetadata.instance(merged))) {
      // Only ever with a write that happens anyway: a read-only request leaves it as it was.
      merged.put(SessionMetadata.INSTANCE, SessionMetadata.instanceEntry(instance));
    }
    String blob = store.serialize(merged);
    Instant expiresAt = expiry(merged);
    String id = identity.id();
    // The principal's index gains the new entry before the session is written and loses the old
    // one only after: a listing never misses a live session, and drops an entry without one.
    String principalBefore =
        base.version() == null ? null : SessionMetadata.principal(base.entries());
    String principal = SessionMetadata.principal(merged);
    boolean newId = replacing != null || base.version() == null;
    if (principal != null && (newId || !principal.equals(principalBefore))) {
      store.index(principal, id);
    }
    Map<String, Entry> written =
        replacing == null
            ? store.write(id, blob, merged, base.version(), expiresAt)
            : store.replace(replacing, base.version(), id, blob, merged, expiresAt);
    if (written == null) {
      lastRead = base.entries();
      base = null;
      store.instrumentation().commit(Instrumentation.CommitOutcome.CONFLICTED);
      return Outcome.CONFLICT;
    }
    if (principalBefore != null && (replacing != null || !principalBefore.equals(principal))) {
      store.unindex(principalBefore, replacing != null ? replacing : id);
    }
    identity.written();
    pending.clear();
    base = new Base(written, null, false);
    store.instrumentation().commit(Instrumentation.CommitOutcome.WRITTEN);
    if (replacing != null) {
      store.events().idChanged(replacing, id, principal);
    } else if (newId) {
      store.events().created(id, principal);
    }
    return Outcome.WRITTEN;
  }

  private void dropChanges() {
    if (!pending.isEmpty()) {
      LOG.log(
          Level.DEBUG,
          "The session was destroyed by another request; this request's changes are dropped");
    }
    pending.clear();
  }

  /**
   * Pauses before the next attempt, or gives up. Each lost race means another request's write held,
   * so with the default attempts every one of that many concurrent commits gets through. The pause
   * is random, up to a multiple of the last attempt's own time that doubles with each loss: short
   * on a fast store, longer on a slow one, and never in lockstep with the other writers.
   */
  private void retryOrGiveUp(int attempt, long attemptStarted) {
    if (attempt >= context.maxCommitAttempts()) {
      throw SessionStorageException.saving(
          store.driverName(),
          "The session changed under "
              + context.maxCommitAttempts()
              + " attempts to save it; the changes were not saved.",
          null);
    }
    long attemptNanos = Math.max(1_000, System.nanoTime() - attemptStarted);
    long bound = Math.min(MAX_BACK_OFF_NANOS, attemptNanos << Math.min(attempt, 5));
    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(bound + 1));
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw SessionStorageException.saving(
          store.driverName(), "Interrupted while saving the session.", null);
    }
  }

  /** This request's changes on top of {@code stored}: its keys win, the others' keys stay. */
  private LinkedHashMap<String, Entry> merge(Map<String, Entry> stored) {
    return pending.over(stored, context.clock().millis());
  }

  /**
   * When the store may drop the session: after its idle timeout (its own, or the configured one)
   * when it has one; otherwise when its last expiring entry expires, or never while an entry has no
   * TTL.
   */
  private Instant expiry(Map<String, Entry> entries) {
    Instant byUse = expiryByUse(entries);
    Instant created = SessionMetadata.created(entries);
    if (context.maxLifetime() == null || created == null) {
      return byUse;
    }
    Instant end = created.plus(context.maxLifetime());
    return byUse == null || end.isBefore(byUse) ? end : byUse;
  }

  /** The expiry from the idle timeout, or else from the entries' own TTLs. */
  private Instant expiryByUse(Map<String, Entry> entries) {
    Instant now = context.clock().instant();
    Duration idle = SessionMetadata.idleTimeout(entries, context.idleTimeout());
    if (idle != null) {
      return now.plus(idle);
    }
    long latest = Long.MIN_VALUE;
    for (Entry entry : entries.values()) {
      if (entry.expires() == null) {
        return null;
      }
      latest = Math.max(latest, entry.expires());
    }
    return entries.isEmpty() ? now : Instant.ofEpochMilli(latest);
  }

  /**
   * Ends the sessions this request destroyed. When this request had read a session that another
   * request has since moved to a new ID (a log-in racing this log-out), the new one ends too.
   */
  private void retireDestroyed() {
    SessionStorageException failure = null;
    for (Map.Entry<String, Ending> session : destroyed.entrySet()) {
      boolean seen = session.getValue().seen();
      try {
        store.end(
            session.getKey(),
            destroyedPrincipals.get(session.getKey()),
            session.getValue().stored(),
            session.getValue().reason(),
            move -> seen && !openedAt.isBefore(move.retiredAt().minus(RetiredOrigin.RACE_WINDOW)));
      } catch (SessionStorageException e) {
        failure = e;
      }
    }
    destroyed.clear();
    destroyedPrincipals.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private void removeCorrupt() {
    corrupt.forEach(store::removeCorrupt);
    corrupt.clear();
  }

  private static Object copyOf(Object data) {
    return SessionBlob.DEVALUE.copy(data);
  }
}
