package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import io.lettuce.core.RedisException;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Reconnection after an outage: the driver keeps trying at most a second apart, so a server that
 * comes back after a long absence is used again at once, not after a back-off grown to half a
 * minute.
 */
final class RedisReconnectTest {

  @Test
  void reconnectDelay_neverExceedsOneSecond_andStartsShort() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start(false);
        RedisDriver driver = connect(server)) {
      Delay delay = driver.clientResources().reconnectDelay();
      for (int attempt = 1; attempt <= 100; attempt++) {
        Duration wait = delay.createDelay(attempt);
        assertTrue(wait.compareTo(Duration.ofSeconds(1)) <= 0, "attempt " + attempt + ": " + wait);
      }
      // A blip (a failover, a dropped connection) is still retried almost at once.
      assertTrue(delay.createDelay(1).toMillis() <= 1, "first attempt: " + delay.createDelay(1));
      assertEquals(Duration.ofSeconds(1), delay.createDelay(100));
    }
  }

  /**
   * The server is away for 10 s, then back on the same port. With Lettuce's default back-off
   * (doubling from 1 ms up to 30 s) the attempts during those 10 s fall at about 4 s and 8 s, and
   * the next one at about 16 s: the first request to succeed would come 6 s after the restart, some
   * 60 polls below. Attempts at most a second apart reconnect within about 10 polls. The bound of
   * 30 sits between the two, far from both.
   */
  @Test
  void afterALongOutage_requestsSucceedSoonAfterTheServerIsBack() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start(true);
        RedisDriver driver = connect(server)) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "kept", null, null));

      server.kill();
      long outageEnds = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int failedWhileDown = 0;
      while (System.nanoTime() < outageEnds) {
        assertThrows(RedisException.class, () -> driver.read(id, null), "while down");
        failedWhileDown++;
        Thread.sleep(100);
      }
      assertTrue(failedWhileDown > 10, "requests while down: " + failedWhileDown);

      server.restart();
      StoredBlob read = null;
      boolean answered = false;
      for (int poll = 0; poll < 30 && !answered; poll++) {
        try {
          read = driver.read(id, null);
          answered = true;
        } catch (RedisException stillUnreachable) {
          Thread.sleep(100);
        }
      }
      assertTrue(answered, "no request succeeded within 30 polls of the restart");
      assertEquals("kept", read.blob());
    }
  }

  private static RedisDriver connect(RedisServerProcess server) {
    return RedisDriver.connect(
        server.url(), "", Duration.ofSeconds(1), Duration.ofSeconds(1), Clock.systemUTC());
  }
}
