package dev.satchel.driver.memory;

import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.PriorityQueue;

/**
 * Sessions in this JVM's heap, bounded by size, evicting the least recently used session when a
 * write would pass the bound. Every write is admitted: a session whose commit returned is there for
 * the next request unless that many newer sessions were used since. Retirement markers live in the
 * same table, so a marker and the removal it records happen in one step.
 *
 * <p>The index of sessions by principal is a map beside the table, under the same lock; it is not
 * counted against the bound, as its entries are a few dozen bytes per logged-in session.
 *
 * <p>Expired sessions are reported from a queue of the expiries sessions were first stored with,
 * checked against the table when due, and from the sessions dropped as expired or evicted for room
 * on the way; a session evicted for room counts as expired, as it ended without anyone ending it.
 *
 * <p>One lock guards the table. Each operation is a hash lookup and a link move, far shorter than
 * the request around it, and a plain lock makes the order of use exact.
 */
final class MemoryDriver implements SessionDriver {
  private static final System.Logger LOG = System.getLogger("dev.satchel.driver.memory");

  /**
   * How often, at most, an index call removes the index entries of sessions no longer in the table,
   * and how old such an entry must be: the core adds one just before its session's first write.
   */
  private static final long INDEX_SWEEP_INTERVAL_MILLIS = 60_000;

  /** How often, at most, a write looks through the whole table for expired entries. */
  private static final long SWEEP_INTERVAL_MILLIS = 1_000;

  private final long maxBytes;
  private final Clock clock;
  private final LinkedHashMap<String, Stored> table = new LinkedHashMap<>(256, 0.75f, true);
  private final Map<String, LinkedHashMap<String, Instant>> principals = new HashMap<>();
  private long usedBytes;
  private long sessionCount;

  /** Sessions by the expiry they were last tracked with, earliest first. */
  private final PriorityQueue<Tracked> expiries =
      new PriorityQueue<>(Comparator.comparingLong(Tracked::expiresAt));

  /** Sessions that left the table without being retired: expired, or evicted for room. */
  private final ArrayDeque<String> gone = new ArrayDeque<>();

  /**
   * The most sessions kept in {@link #gone} for the next claim: past it, when no check runs for a
   * long while, the oldest are dropped unreported rather than held without bound.
   */
  static final int MAX_GONE = 100_000;

  private long goneDropped;

  private record Tracked(String id, long expiresAt) {}

  private long lastSweep;
  private long lastIndexSweep;

  /**
   * A session's blob, or the marker of a retired ID ({@code blob} null), with its expiry in epoch
   * milliseconds ({@link Long#MAX_VALUE} for never).
   */
  private record Stored(String blob, Retirement retirement, long expiresAt, long bytes) {
    static Stored session(String id, String blob, long expiresAt) {
      return new Stored(blob, null, expiresAt, weigh(id, blob.length()));
    }

    static Stored marker(String id, Retirement retirement, long expiresAt) {
      return new Stored(null, retirement, expiresAt, weigh(id, 48));
    }

    boolean isSession() {
      return blob != null;
    }
  }

  MemoryDriver(long maxBytes, Clock clock) {
    this.maxBytes = maxBytes;
    this.clock = clock;
  }

  /** What an entry costs: its characters at two bytes each, plus the table's own objects. */
  private static long weigh(String id, int characters) {
    return 2L * (id.length() + characters) + 64;
  }

  private static long millis(Instant instant) {
    return instant == null ? Long.MAX_VALUE : instant.toEpochMilli();
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    synchronized (table) {
      Stored stored = live(id);
      if (stored == null || !stored.isSession()) {
        return null;
      }
      if (idleTimeout != null) {
        put(id, Stored.session(id, stored.blob(), clock.millis() + idleTimeout.toMillis()));
      }
      return StoredBlob.ofContent(stored.blob());
    }
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    Stored next = Stored.session(id, blob, millis(expiresAt));
    checkFits(next);
    synchronized (table) {
      if (!holds(id, expectedVersion)) {
        return false;
      }
      track(id, next);
      store(id, next);
      return true;
    }
  }

  @Override
  public boolean replace(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      Instant expiresAt,
      Retirement retirement,
      Instant markerExpiresAt) {
    Stored next = Stored.session(id, blob, millis(expiresAt));
    checkFits(next);
    synchronized (table) {
      if (!holds(replacedId, replacedVersion) || !holds(id, null)) {
        return false;
      }
      store(replacedId, Stored.marker(replacedId, retirement, millis(markerExpiresAt)));
      track(id, next);
      store(id, next);
      return true;
    }
  }

  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    synchronized (table) {
      Stored previous = live(id);
      store(id, Stored.marker(id, retirement, millis(markerExpiresAt)));
      return previous == null ? null : previous.retirement();
    }
  }

  @Override
  public Retirement retirement(String id) {
    synchronized (table) {
      Stored stored = live(id);
      return stored == null ? null : stored.retirement();
    }
  }

  @Override
  public void delete(String id) {
    synchronized (table) {
      // An expired one is dropped as expired, and so reported.
      Stored stored = live(id);
      if (stored != null) {
        table.remove(id);
        removed(stored);
      }
    }
  }

  @Override
  public boolean deleteIfUnchanged(String id, String version) {
    synchronized (table) {
      Stored stored = live(id);
      if (stored == null || !stored.isSession() || !stored.blob().equals(version)) {
        return false;
      }
      table.remove(id);
      removed(stored);
      return true;
    }
  }

  @Override
  public boolean reportsExpiry() {
    return true;
  }

  @Override
  public List<String> claimExpired(Instant now, int max) {
    List<String> claimed = new ArrayList<>();
    synchronized (table) {
      if (goneDropped > 0) {
        LOG.log(
            System.Logger.Level.WARNING,
            goneDropped
                + " sessions that left the memory store went unreported: more than "
                + MAX_GONE
                + " left it between two checks for expired sessions");
        goneDropped = 0;
      }
      long at = now.toEpochMilli();
      while (claimed.size() < max && !gone.isEmpty()) {
        claimed.add(gone.poll());
      }
      while (claimed.size() < max && !expiries.isEmpty() && expiries.peek().expiresAt() <= at) {
        Tracked due = expiries.poll();
        Stored stored = table.get(due.id());
        if (stored == null || !stored.isSession()) {
          // Retired, deleted, or already reported as it left the table.
          continue;
        }
        if (stored.expiresAt() > at) {
          // A read or a write pushed its expiry: due again then.
          if (stored.expiresAt() != Long.MAX_VALUE) {
            expiries.add(new Tracked(due.id(), stored.expiresAt()));
          }
          continue;
        }
        table.remove(due.id());
        usedBytes -= stored.bytes();
        sessionCount--;
        claimed.add(due.id());
      }
    }
    return claimed;
  }

  @Override
  public OptionalLong countSessions() {
    synchronized (table) {
      return OptionalLong.of(sessionCount);
    }
  }

  @Override
  public boolean indexesPrincipals() {
    return true;
  }

  @Override
  public void index(String principal, String id, Instant indexedAt) {
    synchronized (table) {
      long now = clock.millis();
      if (now - lastIndexSweep >= INDEX_SWEEP_INTERVAL_MILLIS) {
        lastIndexSweep = now;
        sweepIndex(now - INDEX_SWEEP_INTERVAL_MILLIS);
      }
      principals
          .computeIfAbsent(principal, name -> new LinkedHashMap<>())
          .putIfAbsent(id, indexedAt);
    }
  }

  /**
   * Removes the index entries made before {@code madeBefore} whose session has left the table
   * (expired, evicted or removed), so that users who never list their sessions leave nothing
   * behind. Looks the IDs up without counting as a use, which would upset the eviction order.
   */
  private void sweepIndex(long madeBefore) {
    Iterator<LinkedHashMap<String, Instant>> users = principals.values().iterator();
    while (users.hasNext()) {
      LinkedHashMap<String, Instant> sessions = users.next();
      sessions
          .entrySet()
          .removeIf(
              entry ->
                  entry.getValue().toEpochMilli() < madeBefore
                      && !table.containsKey(entry.getKey()));
      if (sessions.isEmpty()) {
        users.remove();
      }
    }
  }

  @Override
  public void unindex(String principal, String id) {
    synchronized (table) {
      Map<String, Instant> sessions = principals.get(principal);
      if (sessions != null && sessions.remove(id) != null && sessions.isEmpty()) {
        principals.remove(principal);
      }
    }
  }

  @Override
  public List<IndexedSession> indexed(String principal) {
    synchronized (table) {
      Map<String, Instant> sessions = principals.getOrDefault(principal, new LinkedHashMap<>());
      List<IndexedSession> found = new ArrayList<>(sessions.size());
      sessions.forEach(
          (id, indexedAt) -> {
            // Counts as a use for eviction, as the listed sessions are about to be shown or ended.
            Stored stored = table.get(id);
            boolean live =
                stored != null && stored.isSession() && stored.expiresAt() > clock.millis();
            found.add(
                live
                    ? new IndexedSession(
                        id,
                        indexedAt,
                        StoredBlob.ofContent(stored.blob()),
                        stored.expiresAt() == Long.MAX_VALUE
                            ? null
                            : Instant.ofEpochMilli(stored.expiresAt()))
                    : new IndexedSession(id, indexedAt, null, null));
          });
      return found;
    }
  }

  @Override
  public void close() {
    synchronized (table) {
      table.clear();
      principals.clear();
      expiries.clear();
      gone.clear();
      usedBytes = 0;
      sessionCount = 0;
    }
  }

  /** Whether {@code id} holds {@code version}, or nothing at all when it is {@code null}. */
  private boolean holds(String id, String version) {
    Stored current = live(id);
    if (current == null) {
      return version == null;
    }
    // A marker is never absent: a retired ID is not written again.
    return current.isSession() && current.blob().equals(version);
  }

  /** The entry under {@code id}, dropping it when expired. */
  private Stored live(String id) {
    Stored stored = table.get(id);
    if (stored != null && stored.expiresAt() <= clock.millis()) {
      table.remove(id);
      left(id, stored);
      return null;
    }
    return stored;
  }

  /**
   * Tracks the expiry of a session about to be stored, when it was not tracked already: new, given
   * an expiry for the first time, or given an earlier one. Its later pushes are found when it falls
   * due.
   */
  private void track(String id, Stored next) {
    if (next.expiresAt() == Long.MAX_VALUE) {
      return;
    }
    Stored current = table.get(id);
    if (current == null
        || !current.isSession()
        || current.expiresAt() <= clock.millis()
        || next.expiresAt() < current.expiresAt()) {
      expiries.add(new Tracked(id, next.expiresAt()));
      if (expiries.size() > 2 * sessionCount + 1024) {
        compactExpiries();
      }
    }
  }

  /**
   * Rebuilds the queue of expiries from the table: entries of sessions retired, deleted or evicted
   * (and older expiries of sessions tracked again) otherwise stay until they fall due. Runs when
   * the queue holds twice as many entries as there are sessions, so its cost is spread over as many
   * writes.
   */
  private void compactExpiries() {
    expiries.clear();
    table.forEach(
        (id, stored) -> {
          if (stored.isSession() && stored.expiresAt() != Long.MAX_VALUE) {
            expiries.add(new Tracked(id, stored.expiresAt()));
          }
        });
  }

  /** An entry left the table by expiry or for room: a session among them is reported. */
  private void left(String id, Stored stored) {
    removed(stored);
    if (stored.isSession()) {
      if (gone.size() >= MAX_GONE) {
        gone.poll();
        goneDropped++;
      }
      gone.add(id);
    }
  }

  private void removed(Stored stored) {
    usedBytes -= stored.bytes();
    if (stored.isSession()) {
      sessionCount--;
    }
  }

  private void checkFits(Stored next) {
    if (next.bytes() > maxBytes) {
      throw new IllegalStateException(
          "the session needs "
              + next.bytes()
              + " bytes, more than the memory store holds in all (max-bytes "
              + maxBytes
              + ")");
    }
  }

  private void store(String id, Stored next) {
    put(id, next);
    evictBeyondBound();
  }

  private void put(String id, Stored next) {
    Stored previous = table.put(id, next);
    if (previous != null) {
      removed(previous);
    }
    usedBytes += next.bytes();
    if (next.isSession()) {
      sessionCount++;
    }
  }

  private void evictBeyondBound() {
    if (usedBytes <= maxBytes) {
      return;
    }
    long now = clock.millis();
    if (now - lastSweep >= SWEEP_INTERVAL_MILLIS) {
      lastSweep = now;
      dropExpired(now);
    }
    // The entry just stored is the most recently used, so it is the last to go, and it fits.
    Iterator<Map.Entry<String, Stored>> eldest = table.entrySet().iterator();
    while (usedBytes > maxBytes && eldest.hasNext()) {
      Map.Entry<String, Stored> evicted = eldest.next();
      eldest.remove();
      left(evicted.getKey(), evicted.getValue());
    }
  }

  private void dropExpired(long now) {
    Iterator<Map.Entry<String, Stored>> entries = table.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<String, Stored> entry = entries.next();
      if (entry.getValue().expiresAt() <= now) {
        entries.remove();
        left(entry.getKey(), entry.getValue());
      }
    }
  }
}
