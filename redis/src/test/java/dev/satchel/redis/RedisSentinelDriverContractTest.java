package dev.satchel.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.api.sync.RedisServerCommands;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The redis driver through a real Sentinel, through the driver contract: the driver asks the
 * Sentinel for the primary, and runs there what it runs on one server.
 */
final class RedisSentinelDriverContractTest extends RedisContract {
  private static final String NAME = "contract";

  private static RedisServerProcess primary;
  private static RedisServerProcess sentinel;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> rawConnection;

  @BeforeAll
  static void startServers() {
    primary = RedisServerProcess.start(false);
    sentinel = RedisServerProcess.startSentinel(primary.port(), NAME, 1);
    rawClient = RedisClient.create(primary.url());
    rawConnection = rawClient.connect();
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (rawConnection != null) {
      rawConnection.close();
      rawClient.shutdown();
    }
    for (RedisServerProcess process : new RedisServerProcess[] {sentinel, primary}) {
      if (process != null) {
        process.close();
      }
    }
  }

  @Override
  protected Map<String, String> options() {
    return Map.of("url", "redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#" + NAME);
  }

  @Override
  protected RedisCommands<String, String> raw() {
    return rawConnection.sync();
  }

  @Override
  protected List<? extends RedisServerCommands<String, String>> primaries() {
    return List.of(rawConnection.sync());
  }
}
