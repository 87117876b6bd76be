package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sentinels that ask for a password of their own, beside a primary that asks for another. */
final class RedisSentinelAuthTest {
  private static final String NAME = "guarded";

  private static RedisServerProcess primary;
  private static RedisServerProcess sentinel;

  @BeforeAll
  static void start() {
    primary = RedisServerProcess.startWith("--requirepass", "primary-secret");
    sentinel =
        RedisServerProcess.startSentinel(
            primary.port(),
            NAME,
            1,
            "sentinel auth-pass " + NAME + " primary-secret",
            "requirepass sentinel-secret");
  }

  @AfterAll
  static void stop() throws Exception {
    sentinel.close();
    primary.close();
  }

  private static SessionDriver connect(String... options) {
    Map<String, String> all = new HashMap<>();
    all.put("url", "redis-sentinel://:primary-secret@127.0.0.1:" + sentinel.port() + "/0#" + NAME);
    for (int i = 0; i < options.length; i += 2) {
      all.put(options[i], options[i + 1]);
    }
    return new RedisDriverProvider()
        .create(new DriverContext("redis", all, Clock.systemUTC(), null));
  }

  @Test
  void withTheSentinelsPassword_sessionsReachThePrimary() throws Exception {
    try (SessionDriver driver = connect("sentinel-password", "sentinel-secret");
        RedisClient client =
            RedisClient.create("redis://:primary-secret@127.0.0.1:" + primary.port());
        StatefulRedisConnection<String, String> direct = client.connect()) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "kept", null, null));
      assertEquals("kept", direct.sync().get(id), "on the primary the Sentinels name");
    }
  }

  @Test
  void withoutIt_startUpFails() {
    RuntimeException e = assertThrows(RuntimeException.class, () -> connect().close());
    assertTrue(
        e.getMessage().contains("the Sentinels at 127.0.0.1:" + sentinel.port()), e.getMessage());
    assertTrue(e.getMessage().contains("the redis option `sentinel-password`"), e.getMessage());
  }

  @Test
  void sentinelCredentials_withoutSentinels_orAUserWithoutAPassword_areMistakes() {
    IllegalArgumentException plain =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new RedisDriverProvider()
                    .create(
                        new DriverContext(
                            "redis",
                            Map.of(
                                "url",
                                "redis://127.0.0.1:" + primary.port(),
                                "sentinel-password",
                                "x"),
                            Clock.systemUTC(),
                            null)));
    assertEquals(
        "the redis option `sentinel-password` applies to Sentinels, but the redis option `url`"
            + " names none (redis-sentinel://host:26379/0#primary)",
        plain.getMessage());
    IllegalArgumentException user =
        assertThrows(IllegalArgumentException.class, () -> connect("sentinel-username", "app"));
    assertTrue(user.getMessage().contains("without"), user.getMessage());
  }
}
