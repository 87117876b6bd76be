package com.example.mystore;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import dev.satchel.spi.StoredBlob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

public final class MyStoreProvider implements SessionDriverProvider {
  @Override
  public String name() {
    return "mystore";
  }

  @Override
  public Set<String> options() {
    return Set.of(); // the options it reads, such as Set.of("url"): any other fails start-up
  }

  @Override
  public SessionDriver create(DriverContext context) {
    // Options are driver.<option> or SATCHEL_DRIVER_<OPTION>: context.requiredOption("url").
    return new MyStoreDriver(context.clock());
  }
}

/** Sessions in a map: under each ID, a blob or a retirement marker, with its expiry. */
final class MyStoreDriver implements SessionDriver {
  private record Entry(String blob, Retirement retirement, Instant expiresAt) {
    boolean expiredAt(Instant now) {
      return expiresAt != null && !now.isBefore(expiresAt);
    }
  }

  private final Map<String, Entry> entries = new HashMap<>();
  private final Clock clock;

  MyStoreDriver(Clock clock) {
    this.clock = clock;
  }

  @Override
  public synchronized StoredBlob read(String id, Duration idleTimeout) {
    Entry entry = live(id);
    if (entry == null || entry.blob() == null) {
      return null;
    }
    if (idleTimeout != null) {
      entries.put(id, new Entry(entry.blob(), null, clock.instant().plus(idleTimeout)));
    }
    return StoredBlob.ofContent(entry.blob()); // the blob is its own version
  }

  @Override
  public synchronized boolean write(
      String id, String blob, String expectedVersion, Instant expiresAt) {
    if (!holds(id, expectedVersion)) {
      return false;
    }
    entries.put(id, new Entry(blob, null, expiresAt));
    return true;
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
    if (!holds(replacedId, replacedVersion) || !holds(id, null)) {
      return false;
    }
    entries.put(replacedId, new Entry(null, retirement, markerExpiresAt));
    entries.put(id, new Entry(blob, null, expiresAt));
    return true;
  }

  @Override
  public synchronized Retirement retire(
      String id, Retirement retirement, Instant markerExpiresAt) {
    Entry previous = live(id);
    entries.put(id, new Entry(null, retirement, markerExpiresAt));
    return previous == null ? null : previous.retirement(); // a log-out racing a log-in
  }

  @Override
  public synchronized Retirement retirement(String id) {
    Entry entry = live(id);
    return entry == null ? null : entry.retirement();
  }

  @Override
  public synchronized void delete(String id) {
    entries.remove(id);
  }

  /** Whether the ID holds this version, or nothing when it is null; a marker holds none. */
  private boolean holds(String id, String version) {
    Entry entry = live(id);
    if (entry == null) {
      return version == null;
    }
    return entry.blob() != null && entry.blob().equals(version);
  }

  /** The entry under the ID, dropped once expired (a real store would also sweep). */
  private Entry live(String id) {
    Entry entry = entries.get(id);
    if (entry != null && entry.expiredAt(clock.instant())) {
      entries.remove(id);
      return null;
    }
    return entry;
  }
}
