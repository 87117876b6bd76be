package dev.satchel.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.redis.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The redis driver connects where Spring Boot's {@code spring.data.redis.*} properties say, on a
 * real {@code redis-server}: the database, the password, the URL.
 */
final class SpringDataRedisTest {
  private static RedisServerProcess server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void startRedis() {
    server = RedisServerProcess.start(false);
    client = RedisClient.create(server.url());
    connection = client.connect();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    connection.close();
    client.shutdown();
    server.close();
  }

  private static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withPropertyValues("satchel.driver=redis");
  }

  /** Stores a session through the context's Satchel and returns its ID. */
  private static String store(Satchel satchel) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "sku-0001");
    session.commit();
    return session.id().orElseThrow();
  }

  private static RedisCommands<String, String> database(int index) {
    RedisCommands<String, String> commands = connection.sync();
    commands.select(index);
    return commands;
  }

  @Test
  void hostPortAndDatabase() {
    runner()
        .withPropertyValues(
            "spring.data.redis.host=127.0.0.1",
            "spring.data.redis.port=" + server.port(),
            "spring.data.redis.database=2",
            "spring.data.redis.timeout=1s")
        .run(
            context -> {
              String id = store(context.getBean(Satchel.class));
              assertNotNull(database(2).get(id), "stored in database 2");
              assertNull(database(0).get(id));
            });
  }

  @Test
  void theUrl() {
    runner()
        .withPropertyValues(
            "spring.data.redis.url=" + server.url() + "/3", "spring.data.redis.port=1")
        .run(context -> assertNotNull(database(3).get(store(context.getBean(Satchel.class)))));
  }

  @Test
  void aUsernameAndAPasswordWithCharactersAUrlMustEscape() {
    String password = "p@ss:w/rd %+?#";
    RedisCommands<String, String> admin = database(0);
    admin.configSet("requirepass", password);
    try {
      runner()
          .withPropertyValues(
              "spring.data.redis.port=" + server.port(),
              "spring.data.redis.host=127.0.0.1",
              "spring.data.redis.username=default",
              "spring.data.redis.password=" + password)
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertNotNull(admin.get(store(context.getBean(Satchel.class))));
              });
    } finally {
      admin.configSet("requirepass", "");
    }
  }

  @Test
  void satchelsOwnUrlWins() {
    runner()
        .withPropertyValues("satchel.driver.url=" + server.url() + "/4", "spring.data.redis.port=1")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertEquals("redis", context.getBean(Satchel.class).driverName());
              assertNotNull(database(4).get(store(context.getBean(Satchel.class))));
            });
  }
}
