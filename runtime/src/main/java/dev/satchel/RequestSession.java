package dev.satchel;

import dev.satchel.SessionBlob.CorruptBlobException;
import dev.satchel.SessionBlob.Entry;
import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecException;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.DevalueException;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A request's session. State is guarded by this object's monitor: one request, possibly several of
 * its threads, and no lock shared with other requests.
 */
final class RequestSession implements Session {
  private static final System.Logger LOG = System.getLogger("dev.satchel");

  private final SessionSettings settings;
  private final CookieSink cookies;

  /** A valid ID from the request's cookie that has not been confirmed by a read yet. */
  private String cookieId;

  /** The session's ID; {@code null} until it needs one. */
  private String id;

  /** Whether {@link #id} came from the client and has not been seen in storage yet. */
  private boolean idUnconfirmed;

  private boolean cookieSent;

  /** What storage held for {@link #id} when read, or {@code null} while not read (partial). */
  private Snapshot stored;

  private final LinkedHashMap<String, Entry> changes = new LinkedHashMap<>();
  private final Set<String> deletions = new LinkedHashSet<>();
  private final List<String> removals = new ArrayList<>();

  /** The entries read from storage and the version they came with ({@code null}: none stored). */
  private record Snapshot(Map<String, Entry> entries, String version, boolean current) {
    static Snapshot empty() {
      return new Snapshot(Map.of(), null, true);
    }
  }

  RequestSession(SessionSettings settings, List<String> cookieValues, CookieSink cookies) {
    this(settings, cookieValues.isEmpty() ? null : cookieValues.get(0), cookies);
  }

  RequestSession(SessionSettings settings, String cookieValue, CookieSink cookies) {
    this.settings = settings;
    this.cookies = cookies;
    if (SessionIds.isValid(cookieValue)) {
      this.cookieId = cookieValue;
    } else if (cookieValue != null && !cookieValue.isEmpty()) {
      LOG.log(Level.DEBUG, "Ignoring a session cookie that is not a session ID");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Reads

  @Override
  public synchronized Optional<String> id() {
    return Optional.ofNullable(id);
  }

  @Override
  public <T> Optional<T> get(String key, ValueCodec<T> codec) {
    Entry entry;
    synchronized (this) {
      entry = lookup(key);
    }
    if (entry == null) {
      return Optional.empty();
    }
    try {
      // A copy: the entry may be shared with other requests, and a codec may return what it gets.
      return Optional.ofNullable(codec.decode(copyOf(entry.data()), CodecContext.create()));
    } catch (ValueCodecException e) {
      if (settings.undecodableValues() == UndecodableValuePolicy.FAIL) {
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
              + e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public Optional<Object> get(String key) {
    Entry entry;
    synchronized (this) {
      entry = lookup(key);
    }
    if (entry == null || ValueCodecs.isAbsent(entry.data())) {
      return Optional.empty();
    }
    return Optional.of(copyOf(entry.data()));
  }

  @Override
  public <T> T update(String key, ValueCodec<T> codec, java.util.function.UnaryOperator<T> change) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public <T> T update(
      String key, ValueCodec<T> codec, Duration ttl, java.util.function.UnaryOperator<T> change) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public synchronized boolean has(String key) {
    return lookup(key) != null;
  }

  /** One key of {@link #view()}, without building the rest. */
  private Entry lookup(String key) {
    Entry changed = changes.get(key);
    if (changed != null) {
      return changed;
    }
    ensureLoaded();
    if (deletions.contains(key)) {
      return null;
    }
    Entry entry = stored.entries().get(key);
    return entry == null || entry.isExpired(settings.clock().millis()) ? null : entry;
  }

  @Override
  public synchronized Set<String> keys() {
    return Collections.unmodifiableSet(new LinkedHashSet<>(view().keySet()));
  }

  @Override
  public List<Object> values() {
    return Collections.unmodifiableList(new ArrayList<>(entries().values()));
  }

  @Override
  public Map<String, Object> entries() {
    Map<String, Entry> view;
    synchronized (this) {
      view = view();
    }
    LinkedHashMap<String, Object> entries = new LinkedHashMap<>();
    view.forEach((key, entry) -> entries.put(key, copyOf(entry.data())));
    return Collections.unmodifiableMap(entries);
  }

  /** The session as this request sees it: what was stored, with this request's changes. */
  private LinkedHashMap<String, Entry> view() {
    ensureLoaded();
    LinkedHashMap<String, Entry> view = new LinkedHashMap<>();
    long now = settings.clock().millis();
    stored
        .entries()
        .forEach(
            (key, entry) -> {
              if (!deletions.contains(key) && !entry.isExpired(now)) {
                view.put(key, entry);
              }
            });
    view.putAll(changes);
    return view;
  }

  /** Reads the stored session once per request, when something needs it. */
  private void ensureLoaded() {
    if (stored != null) {
      return;
    }
    String target = id != null ? id : cookieId;
    if (target == null) {
      // No cookie and no ID: nothing can be stored, so the store is not asked.
      stored = Snapshot.empty();
      return;
    }
    StoredBlob blob = settings.driver().read(target, settings.idleTimeout());
    if (blob == null) {
      forgetUnknownId(target);
      stored = Snapshot.empty();
      return;
    }
    Map<String, Entry> entries = parseOrReset(target, blob);
    if (entries == null) {
      stored = Snapshot.empty();
      return;
    }
    if (id == null) {
      id = target;
    }
    idUnconfirmed = false;
    cookieId = null;
    stored = new Snapshot(entries, blob.version(), true);
  }

  /** Fixation defence: an ID the store does not know is never adopted. */
  private void forgetUnknownId(String target) {
    if (target.equals(cookieId)) {
      cookieId = null;
    }
    if (target.equals(id) && idUnconfirmed) {
      id = SessionIds.generate();
      idUnconfirmed = false;
      if (cookieSent) {
        cookies.setCookie(settings.cookie(id));
      }
    }
  }

  /** The stored entries, or {@code null} after resetting a corrupt session. */
  private Map<String, Entry> parseOrReset(String target, StoredBlob blob) {
    try {
      return settings.decoded().parse(target, blob.blob());
    } catch (CorruptBlobException e) {
      if (settings.corruptData() == CorruptDataPolicy.FAIL) {
        throw SessionStorageException.initializing(settings.driver().name(), e.getMessage(), e);
      }
      LOG.log(
          Level.WARNING,
          "Session data stored with the "
              + settings.driver().name()
              + " driver could not be read ("
              + e.getMessage()
              + "); starting a new session and removing the old data",
          e.getCause());
      removals.add(target);
      if (target.equals(cookieId)) {
        cookieId = null;
      }
      if (target.equals(id)) {
        id = null;
        idUnconfirmed = false;
      }
      if (cookieSent && !changes.isEmpty()) {
        id = SessionIds.generate();
        cookies.setCookie(settings.cookie(id));
      } else {
        cookieSent = false;
        cookies.setCookie(settings.deletionCookie());
      }
      return null;
    }
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
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("The session key was not provided.");
    }
    Object snapshot = snapshot(key, value, codec);
    Duration lifetime = explicitTtl ? ttl : settings.defaultTtl();
    synchronized (this) {
      Long expires = lifetime == null ? null : settings.clock().millis() + lifetime.toMillis();
      ensureId();
      changes.remove(key);
      changes.put(key, Entry.of(snapshot, expires));
      deletions.remove(key);
    }
  }

  /** Encodes the value now, so that later changes to the caller's object change nothing. */
  private static <T> Object snapshot(String key, T value, ValueCodec<T> codec) {
    try {
      Object model = codec.encode(value, CodecContext.create());
      return SessionBlob.DEVALUE.copy(model);
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

  /** Gives the session an ID for writing, sending the cookie on the first write. */
  private void ensureId() {
    if (id == null) {
      if (stored == null && cookieId != null) {
        // Partial mode: the cookie's session is written to without reading it first; commit
        // checks that it exists before adopting it.
        id = cookieId;
        idUnconfirmed = true;
      } else {
        id = SessionIds.generate();
        idUnconfirmed = false;
        if (stored == null) {
          // A brand-new ID has nothing stored under it: no need to ever read it.
          stored = Snapshot.empty();
        }
      }
    }
    if (!cookieSent) {
      cookieSent = true;
      cookies.setCookie(settings.cookie(id));
    }
  }

  @Override
  public synchronized void delete(String key) {
    changes.remove(key);
    if (id == null && cookieId == null) {
      return;
    }
    if (id == null) {
      id = cookieId;
      idUnconfirmed = stored == null;
    }
    deletions.add(key);
  }

  @Override
  public synchronized void regenerate() {
    LinkedHashMap<String, Entry> data = view();
    String old = id;
    if (old != null && !idUnconfirmed) {
      removals.add(old);
    }
    changes.clear();
    changes.putAll(data);
    deletions.clear();
    stored = Snapshot.empty();
    cookieId = null;
    id = SessionIds.generate();
    idUnconfirmed = false;
    cookieSent = true;
    cookies.setCookie(settings.cookie(id));
  }

  @Override
  public synchronized void destroy() {
    String target = id != null ? id : cookieId;
    if (target != null) {
      removals.add(target);
    }
    id = null;
    cookieId = null;
    idUnconfirmed = false;
    changes.clear();
    deletions.clear();
    stored = Snapshot.empty();
    cookieSent = false;
    cookies.setCookie(settings.deletionCookie());
  }

  @Override
  public synchronized boolean load(String sessionId) {
    if (!SessionIds.isValid(sessionId)) {
      return false;
    }
    StoredBlob blob = settings.driver().read(sessionId, settings.idleTimeout());
    if (blob == null) {
      return false;
    }
    Map<String, Entry> entries;
    try {
      entries = settings.decoded().parse(sessionId, blob.blob());
    } catch (CorruptBlobException e) {
      if (settings.corruptData() == CorruptDataPolicy.FAIL) {
        throw SessionStorageException.initializing(settings.driver().name(), e.getMessage(), e);
      }
      LOG.log(Level.WARNING, "Session data to load could not be read (" + e.getMessage() + ")");
      return false;
    }
    changes.clear();
    deletions.clear();
    cookieId = null;
    id = sessionId;
    idUnconfirmed = false;
    stored = new Snapshot(entries, blob.version(), true);
    cookieSent = true;
    cookies.setCookie(settings.cookie(id));
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // Commit

  @Override
  public synchronized void commit() {
    if (!changes.isEmpty() || !deletions.isEmpty()) {
      write();
    }
    removeScheduled();
  }

  private void write() {
    String driver = settings.driver().name();
    for (int attempt = 0; attempt < settings.maxCommitAttempts(); attempt++) {
      Snapshot base = stored != null && stored.current() ? stored : readBase();
      if (base.version() == null && idUnconfirmed) {
        // The cookie's session is not in the store: issue a new ID rather than adopt it.
        idUnconfirmed = false;
        if (changes.isEmpty()) {
          deletions.clear();
          return;
        }
        id = SessionIds.generate();
        cookies.setCookie(settings.cookie(id));
      }
      idUnconfirmed = false;
      LinkedHashMap<String, Entry> merged = merge(base.entries());
      String blob = SessionBlob.serialize(merged);
      // Sessions this one replaces (after a regenerate) go in the same call: one round trip on
      // stores that can, and never before the new data is safely written.
      List<String> obsolete = new ArrayList<>(removals);
      obsolete.remove(id);
      boolean written = settings.driver().write(id, blob, base.version(), expiry(merged));
      if (written) {
        removals.removeAll(obsolete);
        changes.clear();
        deletions.clear();
        obsolete.forEach(settings.decoded()::forget);
        // The written blob's version is the driver's business: the next commit reads it again.
        stored = new Snapshot(settings.decoded().keep(id, blob, merged), null, false);
        return;
      }
      stored = null;
      backOff(attempt);
    }
    throw SessionStorageException.saving(
        driver,
        "The session changed under "
            + settings.maxCommitAttempts()
            + " attempts to save it; the changes were not saved.",
        null);
  }

  /**
   * Waits a random moment, longer after each lost race, so that requests racing for one session
   * stop colliding in lockstep.
   */
  private void backOff(int attempt) {
    long bound = Math.min(64, 1L << Math.min(attempt, 6));
    try {
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(bound + 1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SessionStorageException.saving(
          settings.driver().name(), "Interrupted while saving the session.", e);
    }
  }

  private Snapshot readBase() {
    StoredBlob blob = settings.driver().read(id, null);
    if (blob == null) {
      return Snapshot.empty();
    }
    try {
      return new Snapshot(settings.decoded().parse(id, blob.blob()), blob.version(), true);
    } catch (CorruptBlobException e) {
      if (settings.corruptData() == CorruptDataPolicy.FAIL) {
        throw SessionStorageException.saving(settings.driver().name(), e.getMessage(), e);
      }
      LOG.log(
          Level.WARNING,
          "Overwriting session data that could not be read (" + e.getMessage() + ")");
      return new Snapshot(Map.of(), blob.version(), true);
    }
  }

  /** This request's changes on top of {@code base}: its keys win, the others' keys stay. */
  private LinkedHashMap<String, Entry> merge(Map<String, Entry> base) {
    long now = settings.clock().millis();
    LinkedHashMap<String, Entry> merged = new LinkedHashMap<>();
    base.forEach(
        (key, entry) -> {
          if (!deletions.contains(key) && !entry.isExpired(now)) {
            merged.put(key, changes.getOrDefault(key, entry));
          }
        });
    changes.forEach(merged::putIfAbsent);
    return merged;
  }

  /**
   * When the store may drop the session: after the idle timeout when one is set; otherwise when its
   * last expiring entry expires, or never while an entry has no TTL.
   */
  private Instant expiry(Map<String, Entry> entries) {
    Instant now = settings.clock().instant();
    if (settings.idleTimeout() != null) {
      return now.plus(settings.idleTimeout());
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

  private void removeScheduled() {
    SessionStorageException failure = null;
    for (String old : removals) {
      settings.decoded().forget(old);
      try {
        settings.driver().delete(old);
      } catch (SessionStorageException e) {
        failure = e;
      }
    }
    removals.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private static Object copyOf(Object data) {
    return SessionBlob.DEVALUE.copy(data);
  }
}
