package dev.satchel.testing;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import dev.satchel.spi.StoredBlob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A driver written outside the runtime, the way a user adds their own store: registered in this
 * module's test {@code META-INF/services} as {@code counting}. It keeps sessions in a map, counts
 * every call, and can be told to fail, so tests can see exactly what the core asks of a driver.
 * Option {@code store} names the instance, so a test can find it with {@link #store(String)};
 * {@code index=true} makes it keep the index of sessions by principal.
 */
public final class CountingDriverProvider implements SessionDriverProvider {
  private static final Map<String, CountingDriver> STORES = new ConcurrentHashMap<>();

  /** Creates the provider; ServiceLoader calls this. */
  public CountingDriverProvider() {}

  @Override
  public String name() {
    return "counting";
  }

  @Override
  public java.util.Set<String> options() {
    return java.util.Set.of("store", "index");
  }

  @Override
  public SessionDriver create(DriverContext context) {
    CountingDriver driver =
        new CountingDriver(
            context.clock(),
            Boolean.parseBoolean(context.options().getOrDefault("index", "false")));
    STORES.put(context.requiredOption("store"), driver);
    return driver;
  }

  /** The driver created with option {@code store=name}. */
  public static CountingDriver store(String name) {
    return STORES.get(name);
  }

  /** A map-backed driver that counts and records what it is asked. */
  public static final class CountingDriver implements SessionDriver {
    private record Stored(String blob, Instant expiresAt) {}

    private final Map<String, Stored> sessions = new ConcurrentHashMap<>();
    private final Map<String, Retirement> retired = new ConcurrentHashMap<>();
    private final Clock clock;
    public final AtomicInteger reads = new AtomicInteger();
    public final AtomicInteger writes = new AtomicInteger();
    public final AtomicInteger deletes = new AtomicInteger();
    public final List<String> touchedIds = Collections.synchronizedList(new ArrayList<>());
    public final List<Instant> writeExpiries = Collections.synchronizedList(new ArrayList<>());
    private volatile String failWritesWith;
    private volatile String failUnindexWith;
    private final boolean keepsIndex;
    private final Map<String, Map<String, Instant>> index = new ConcurrentHashMap<>();
    private volatile Runnable interference;
    private final ThreadLocal<Boolean> interfering = ThreadLocal.withInitial(() -> false);

    CountingDriver(Clock clock, boolean keepsIndex) {
      this.clock = clock;
      this.keepsIndex = keepsIndex;
    }

    /**
     * Makes every later removal from the index fail with this message and the session's ID; {@code
     * null} stops it.
     */
    public void failUnindex(String message) {
      this.failUnindexWith = message;
    }

    /** Makes every later write fail with this message, as a full or unreachable store would. */
    public void failWrites(String message) {
      this.failWritesWith = message;
    }

    /**
     * Runs {@code racingWriter} before every write until closed, as another request that always
     * gets in first would.
     */
    public AutoCloseable interfere(Runnable racingWriter) {
      this.interference = racingWriter;
      return () -> this.interference = null;
    }

    /** Puts a blob in place directly, as another application would have. */
    public void put(String id, String blob) {
      sessions.put(id, new Stored(blob, null));
    }

    /** The stored blob, bypassing the counters; {@code null} if none. */
    public String blob(String id) {
      Stored stored = sessions.get(id);
      return stored == null ? null : stored.blob();
    }

    /** How many sessions are stored. */
    public int size() {
      return sessions.size();
    }

    public int calls() {
      return reads.get() + writes.get() + deletes.get();
    }

    @Override
    public synchronized StoredBlob read(String id, Duration idleTimeout) {
      reads.incrementAndGet();
      touchedIds.add(id);
      Stored stored = sessions.get(id);
      if (stored == null
          || (stored.expiresAt() != null && stored.expiresAt().isBefore(clock.instant()))) {
        return null;
      }
      if (idleTimeout != null) {
        sessions.put(id, new Stored(stored.blob(), clock.instant().plus(idleTimeout)));
      }
      return StoredBlob.ofContent(stored.blob());
    }

    @Override
    public synchronized boolean write(
        String id, String blob, String expectedVersion, Instant expiresAt) {
      Runnable racing = interference;
      if (racing != null && !interfering.get()) {
        interfering.set(true);
        try {
          racing.run();
        } finally {
          interfering.set(false);
        }
      }
      writes.incrementAndGet();
      touchedIds.add(id);
      writeExpiries.add(expiresAt);
      if (failWritesWith != null) {
        throw new IllegalStateException(failWritesWith);
      }
      Stored current = sessions.get(id);
      if (current != null
          && current.expiresAt() != null
          && current.expiresAt().isBefore(clock.instant())) {
        current = null;
      }
      boolean matches =
          current == null
              ? expectedVersion == null && !retired.containsKey(id)
              : current.blob().equals(expectedVersion);
      if (matches) {
        sessions.put(id, new Stored(blob, expiresAt));
      }
      return matches;
    }

    @Override
    public synchronized boolean replace(
        String replacedId,
        String replacedVersion,
        String id,
        String blob,
        Instant expiresAt,
        Retirement retirement,
        Instant markerExpiresAt) {
      StoredBlob old = peek(replacedId);
      if (old == null
          || !old.version().equals(replacedVersion)
          || peek(id) != null
          || retired.containsKey(id)) {
        return false;
      }
      if (!write(id, blob, null, expiresAt)) {
        return false;
      }
      retire(replacedId, retirement, markerExpiresAt);
      return true;
    }

    private StoredBlob peek(String id) {
      Stored stored = sessions.get(id);
      return stored == null
              || (stored.expiresAt() != null && stored.expiresAt().isBefore(clock.instant()))
          ? null
          : StoredBlob.ofContent(stored.blob());
    }

    @Override
    public synchronized Retirement retire(
        String id, Retirement retirement, Instant markerExpiresAt) {
      deletes.incrementAndGet();
      touchedIds.add(id);
      sessions.remove(id);
      return retired.put(id, retirement);
    }

    @Override
    public Retirement retirement(String id) {
      reads.incrementAndGet();
      return retired.get(id);
    }

    @Override
    public void delete(String id) {
      deletes.incrementAndGet();
      touchedIds.add(id);
      sessions.remove(id);
    }

    @Override
    public synchronized boolean deleteIfUnchanged(String id, String version) {
      deletes.incrementAndGet();
      touchedIds.add(id);
      Stored current = sessions.get(id);
      return current != null && current.blob().equals(version) && sessions.remove(id, current);
    }

    @Override
    public boolean indexesPrincipals() {
      return keepsIndex;
    }

    @Override
    public void index(String principal, String id, Instant indexedAt) {
      index.computeIfAbsent(principal, p -> new ConcurrentHashMap<>()).put(id, indexedAt);
    }

    @Override
    public void unindex(String principal, String id) {
      if (failUnindexWith != null) {
        // Naming the session, as a store's error message often does.
        throw new IllegalStateException(failUnindexWith + " (removing " + id + ")");
      }
      Map<String, Instant> sessions = index.get(principal);
      if (sessions != null) {
        sessions.remove(id);
      }
    }

    @Override
    public List<IndexedSession> indexed(String principal) {
      List<IndexedSession> listed = new ArrayList<>();
      index
          .getOrDefault(principal, Map.of())
          .forEach((id, at) -> listed.add(new IndexedSession(id, at, peek(id), null)));
      return listed;
    }
  }
}
