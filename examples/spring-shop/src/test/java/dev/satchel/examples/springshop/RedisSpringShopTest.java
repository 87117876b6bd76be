package dev.satchel.examples.springshop;

import dev.satchel.redis.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Spring Boot shop with sessions in a real {@code redis-server}, found through Spring Boot's
 * {@code spring.data.redis.host} and {@code port} rather than a {@code satchel.driver.url}.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"satchel.driver=redis", "satchel.cookie.secure=false"})
@DirtiesContext
final class RedisSpringShopTest extends SpringShopHttpTests {
  private static RedisServerProcess redis;

  @DynamicPropertySource
  static void redisServer(DynamicPropertyRegistry registry) {
    redis = RedisServerProcess.start(false);
    registry.add("spring.data.redis.host", () -> "127.0.0.1");
    registry.add("spring.data.redis.port", redis::port);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }
}
