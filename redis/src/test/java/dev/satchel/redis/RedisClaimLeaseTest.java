package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * A claim whose answer never reaches the driver loses no session: Redis, frozen while the claim
 * waits for it, runs the claim once it resumes, after the client gave up; the sessions it claimed
 * are hidden for the lease, then claimed again.
 */
final class RedisClaimLeaseTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  @Test
  void aClaimThatTimedOutWhileRedisWasFrozen_isMadeAgainAfterTheLease() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start(false);
        RedisDriver driver =
            RedisDriver.connect(
                RedisSettings.of(server.url(), "", Duration.ofMillis(500), Duration.ofSeconds(2)),
                Clock.systemUTC(),
                LEASE)) {
      Set<String> ids = new TreeSet<>();
      for (int i = 0; i < 20; i++) {
        String id = SessionIds.generate();
        ids.add(id);
        assertTrue(driver.write(id, "blob", null, Instant.now().plusMillis(200)));
      }
      RedisClusterProcess.await(
          java.time.Duration.ofSeconds(30),
          () -> ids.stream().allMatch(id -> driver.read(id, null) == null),
          "the expiry");
      assertEquals(20L, driver.countSessions().getAsLong());

      server.pause();
      try {
        assertThrows(
            RedisCommandTimeoutException.class, () -> driver.claimExpired(Instant.now(), 100));
      } finally {
        server.resume();
      }
      // On the same connection, so Redis answers it after running the claim nobody waits for.
      assertEquals(20L, driver.countSessions().getAsLong(), "the lost claim kept them, leased");
      assertEquals(List.of(), driver.claimExpired(Instant.now(), 100), "hidden for the lease");

      java.util.concurrent.atomic.AtomicReference<List<String>> found =
          new java.util.concurrent.atomic.AtomicReference<>(List.of());
      RedisClusterProcess.await(
          java.time.Duration.ofSeconds(30),
          () -> !found.updateAndGet(none -> driver.claimExpired(Instant.now(), 100)).isEmpty(),
          "the lease's end");
      List<String> claimed = found.get();
      assertEquals(ids, new TreeSet<>(claimed), "claimed again once the lease ran out");
      assertEquals(ids.size(), claimed.size());
      driver.acknowledgeExpired(claimed);
      assertEquals(0L, driver.countSessions().getAsLong());
    }
  }
}
