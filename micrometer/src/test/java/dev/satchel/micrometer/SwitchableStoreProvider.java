package dev.satchel.micrometer;

import dev.satchel.driver.memory.MemoryDriverProvider;
import dev.satchel.spi.DriverContext;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import dev.satchel.spi.StoredBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory driver behind a switch that makes every call fail, standing in for a store that goes
 * down (real Redis outages are tested with the redis driver): registered in this module's test
 * {@code META-INF/services} as {@code switchable}; option {@code store} names the instance.
 */
public final class SwitchableStoreProvider implements SessionDriverProvider {
  private static final Map<String, SwitchableStore> STORES = new ConcurrentHashMap<>();

  /** Created by ServiceLoader. */
  public SwitchableStoreProvider() {}

  @Override
  public String name() {
    return "switchable";
  }

  @Override
  public Set<String> options() {
    return Set.of("store");
  }

  @Override
  public SessionDriver create(DriverContext context) {
    SwitchableStore store = new SwitchableStore(new MemoryDriverProvider().create(context));
    STORES.put(context.requiredOption("store"), store);
    return store;
  }

  static SwitchableStore store(String name) {
    return STORES.get(name);
  }

  /** Delegates to the memory driver while up; throws while down. */
  static final class SwitchableStore implements SessionDriver {
    private final SessionDriver memory;
    private volatile boolean down;

    SwitchableStore(SessionDriver memory) {
      this.memory = memory;
    }

    void down(boolean down) {
      this.down = down;
    }

    private SessionDriver up() {
      if (down) {
        throw new IllegalStateException("the store does not answer");
      }
      return memory;
    }

    @Override
    public StoredBlob read(String id, Duration idleTimeout) {
      return up().read(id, idleTimeout);
    }

    @Override
    public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
      return up().write(id, blob, expectedVersion, expiresAt);
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
      return up().replace(
              replacedId, replacedVersion, id, blob, expiresAt, retirement, markerExpiresAt);
    }

    @Override
    public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
      return up().retire(id, retirement, markerExpiresAt);
    }

    @Override
    public Retirement retirement(String id) {
      return up().retirement(id);
    }

    @Override
    public void delete(String id) {
      up().delete(id);
    }

    @Override
    public boolean indexesPrincipals() {
      return memory.indexesPrincipals();
    }

    @Override
    public void index(String principal, String id, Instant indexedAt) {
      up().index(principal, id, indexedAt);
    }

    @Override
    public void unindex(String principal, String id) {
      up().unindex(principal, id);
    }

    @Override
    public List<IndexedSession> indexed(String principal) {
      return up().indexed(principal);
    }

    @Override
    public boolean reportsExpiry() {
      return memory.reportsExpiry();
    }

    @Override
    public List<String> claimExpired(Instant now, int max) {
      return up().claimExpired(now, max);
    }

    @Override
    public OptionalLong countSessions() {
      return up().countSessions();
    }

    @Override
    public void close() {
      memory.close();
    }
  }
}
