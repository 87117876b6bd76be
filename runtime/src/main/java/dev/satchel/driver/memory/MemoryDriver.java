package dev.satchel.driver.memory;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/** Sessions in a Caffeine cache weighed by blob size, with per-entry expiry and CAS by compute. */
final class MemoryDriver implements SessionDriver {
  private final Cache<String, Stored> cache;
  private final Clock clock;

  private record Stored(String blob, Instant expiresAt) {}

  MemoryDriver(long maxBytes, Clock clock) {
    this.clock = clock;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((String id, Stored stored) -> 2 * (id.length() + stored.blob().length()) + 64)
            .expireAfter(
                new Expiry<String, Stored>() {
                  @Override
                  public long expireAfterCreate(String id, Stored stored, long now) {
                    return nanosUntil(stored.expiresAt());
                  }

                  @Override
                  public long expireAfterUpdate(
                      String id, Stored stored, long now, long remaining) {
                    return nanosUntil(stored.expiresAt());
                  }

                  @Override
                  public long expireAfterRead(String id, Stored stored, long now, long remaining) {
                    return remaining;
                  }
                })
            .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
            .executor(Runnable::run)
            .build();
  }

  private long nanosUntil(Instant expiresAt) {
    if (expiresAt == null) {
      return Long.MAX_VALUE;
    }
    long millis = expiresAt.toEpochMilli() - clock.millis();
    return millis <= 0
        ? 0
        : TimeUnit.MILLISECONDS.toNanos(Math.min(millis, Long.MAX_VALUE / 1_000_000));
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    if (idleTimeout == null) {
      Stored stored = cache.getIfPresent(id);
      return stored == null ? null : StoredBlob.ofContent(stored.blob());
    }
    Instant renewed = clock.instant().plus(idleTimeout);
    Stored refreshed =
        cache.asMap().computeIfPresent(id, (key, stored) -> new Stored(stored.blob(), renewed));
    return refreshed == null ? null : StoredBlob.ofContent(refreshed.blob());
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    boolean[] written = {false};
    cache
        .asMap()
        .compute(
            id,
            (key, current) -> {
              boolean matches =
                  current == null
                      ? expectedVersion == null
                      : current.blob().equals(expectedVersion);
              if (!matches) {
                return current;
              }
              written[0] = true;
              return new Stored(blob, expiresAt);
            });
    return written[0];
  }

  @Override
  public void delete(String id) {
    cache.invalidate(id);
  }

  @Override
  public void close() {
    cache.invalidateAll();
  }
}
