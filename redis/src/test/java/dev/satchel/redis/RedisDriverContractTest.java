package dev.satchel.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.api.sync.RedisServerCommands;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The redis driver against one real server, through the driver contract. */
final class RedisDriverContractTest extends RedisContract {
  private static RedisServerProcess server;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> rawConnection;

  @BeforeAll
  static void startServer() {
    server = RedisServerProcess.start(false);
    rawClient = RedisClient.create(server.url());
    rawConnection = rawClient.connect();
  }

  @AfterAll
  static void stopServer() throws Exception {
    rawConnection.close();
    rawClient.shutdown();
    server.close();
  }

  @Override
  protected Map<String, String> options() {
    return Map.of("url", server.url());
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
