package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The start-up check that the server has what reads and writes use (GETEX, PXAT: Redis 6.2). */
final class RedisVersionTest {

  /** The start of {@code INFO server} as Redis prints it. */
  private static String info(String version) {
    return "# Server\r\nredis_version:"
        + version
        + "\r\nredis_git_sha1:00000000\r\nredis_mode:standalone\r\n";
  }

  @Test
  void serversFrom62On_areAccepted() {
    for (String version : new String[] {"6.2.0", "6.2.14", "7.0.15", "7.2.4", "8.0.2", "10.1.0"}) {
      assertDoesNotThrow(
          () -> RedisStartupChecks.requireSupportedVersion(info(version), "h:1"), version);
    }
  }

  @Test
  void olderServers_areRefusedWithTheReasonAndTheServer() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                RedisStartupChecks.requireSupportedVersion(info("6.0.16"), "cache.internal:6379"));
    assertEquals(
        "the redis driver needs Redis 6.2 or newer (GETEX, PXAT); the server at"
            + " cache.internal:6379 is 6.0.16",
        e.getMessage());
    for (String version : new String[] {"6.1.9", "5.0.14", "4.0.9", "3.2.12", "2.8.24"}) {
      assertThrows(
          IllegalStateException.class,
          () -> RedisStartupChecks.requireSupportedVersion(info(version), "h:1"),
          version);
    }
  }

  @Test
  void versionComponents_areComparedAsNumbers() {
    // "6.10" is after "6.2" although it sorts before it as text.
    assertDoesNotThrow(() -> RedisStartupChecks.requireSupportedVersion(info("6.10.0"), "h:1"));
    assertThrows(
        IllegalStateException.class,
        () -> RedisStartupChecks.requireSupportedVersion(info("5.99.0"), "h:1"));
  }

  @Test
  void aVersionThatCannotBeRead_isLetThrough() {
    for (String info : new String[] {null, "# Server\r\n", info("unknown"), info("7")}) {
      assertDoesNotThrow(() -> RedisStartupChecks.requireSupportedVersion(info, "h:1"), info);
    }
  }

  @Test
  void theVersion_isReadFromItsOwnLine() {
    assertEquals("7.0.15", RedisStartupChecks.redisVersion(info("7.0.15")));
    assertEquals("6.0.16", RedisStartupChecks.redisVersion("redis_version:6.0.16\n"));
    assertNull(RedisStartupChecks.redisVersion("# Server\r\nvalkey_version:8.0.1\r\n"));
    assertNull(RedisStartupChecks.redisVersion(null));
  }

  @Test
  void theInstalledServer_passesTheCheck_andTheDriverStarts() throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start(false)) {
      RedisClient client = RedisClient.create(server.url());
      String info;
      try (StatefulRedisConnection<String, String> connection = client.connect()) {
        info = connection.sync().info("server");
      } finally {
        client.shutdown();
      }
      String version = RedisStartupChecks.redisVersion(info);
      assertTrue(version != null && version.matches("\\d+\\.\\d+\\.\\d+"), version);
      assertDoesNotThrow(() -> RedisStartupChecks.requireSupportedVersion(info, server.url()));
      try (RedisDriver driver =
          RedisDriver.connect(
              server.url(), "", Duration.ofSeconds(2), Duration.ofSeconds(2), Clock.systemUTC())) {
        assertTrue(driver.write("k", "v", null, null));
        assertEquals("v", driver.read("k", null).blob());
      }
    }
  }
}
