package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The redis driver against a real server, through the driver contract. Redis keeps time by its own
 * clock, so the contract's clock-moving expiry tests are replaced here by checks of the expiry
 * Redis was handed (its own PTTL) and one test that waits for Redis to drop a key.
 */
final class RedisDriverContractTest extends SessionDriverContract {
  private static RedisServerProcess server;
  private static RedisClient raw;
  private static StatefulRedisConnection<String, String> rawConnection;

  @BeforeAll
  static void startServer() {
    server = RedisServerProcess.start(false);
    raw = RedisClient.create(server.url());
    rawConnection = raw.connect();
  }

  @AfterAll
  static void stopServer() throws Exception {
    rawConnection.close();
    raw.shutdown();
    server.close();
  }

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    // Expiry is Redis's business: the driver compares against real time.
    return new RedisDriverProvider()
        .create(new DriverContext("redis", Map.of("url", server.url()), Clock.systemUTC()));
  }

  private long pttl(String id) {
    return rawConnection.sync().pttl(id);
  }

  @Test
  @Override
  protected void expiry_inTheFuture_keepsTheSessionUntilThen() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().plus(Duration.ofMinutes(10)));
    long ttl = pttl(id);
    assertTrue(
        ttl > Duration.ofMinutes(9).toMillis() && ttl <= Duration.ofMinutes(10).toMillis(),
        "PTTL " + ttl);
    assertNotNull(driver.read(id, null));
  }

  @Test
  @Override
  protected void expiry_passed_makesTheSessionAbsentForWritesToo() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().minusSeconds(1));
    assertNull(driver.read(id, null));
    assertTrue(driver.write(id, "fresh", null, null));
    assertEquals("fresh", driver.read(id, null).blob());
  }

  @Test
  @Override
  protected void noExpiry_keepsTheSessionForever() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, null);
    assertEquals(-1L, pttl(id));
  }

  @Test
  @Override
  protected void idleTimeout_readRefreshesTheExpiry() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().plus(Duration.ofMinutes(1)));
    assertNotNull(driver.read(id, Duration.ofMinutes(30)));
    long ttl = pttl(id);
    assertTrue(ttl > Duration.ofMinutes(29).toMillis(), "PTTL " + ttl);
  }

  @Test
  void shortExpiry_redisDropsTheSession() {
    String id = SessionIds.generate();
    driver.write(id, "blob", null, java.time.Instant.now().plusMillis(200));
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (driver.read(id, null) != null && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertNull(driver.read(id, null));
  }

  @Test
  void storedValue_isThePlainBlob() {
    String id = SessionIds.generate();
    driver.write(id, "[[\"Map\"]]", null, null);
    assertEquals("[[\"Map\"]]", rawConnection.sync().get(id));
  }

  @Test
  void storedValue_beyondAscii_isTheSameTextForAPlainClient() {
    String id = SessionIds.generate();
    String blob = "[\"caf\u00e9 \u65e5\u672c \ud83d\uded2\"]";
    driver.write(id, blob, null, null);
    assertEquals(blob, rawConnection.sync().get(id));
    String astroWritten = "[\"\u00fcber \ud83d\udcb3\"]";
    rawConnection.sync().set(id, astroWritten);
    assertEquals(astroWritten, driver.read(id, null).blob());
  }

  @Test
  void scriptCacheFlushed_writesStillCompareAndSet() {
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "first", null, null));
    String version = driver.read(id, null).version();
    rawConnection.sync().scriptFlush();
    assertTrue(driver.write(id, "second", version, null));
    assertEquals("second", rawConnection.sync().get(id));
    rawConnection.sync().scriptFlush();
    assertFalse(driver.write(id, "third", version, null));
    assertEquals("second", rawConnection.sync().get(id));
  }

  @Test
  void prefix_isPutBeforeTheId() {
    SessionDriver prefixed =
        new RedisDriverProvider()
            .create(
                new DriverContext(
                    "redis", Map.of("url", server.url(), "prefix", "shop:"), Clock.systemUTC()));
    String id = SessionIds.generate();
    prefixed.write(id, "blob", null, null);
    assertEquals("blob", rawConnection.sync().get("shop:" + id));
    assertNull(rawConnection.sync().get(id));
    prefixed.close();
  }
}
