package dev.satchel.examples.springshop;

import dev.satchel.spring.boot.SatchelBuilderCustomizer;
import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;

/**
 * The example shop as a Spring Boot application: the same pages, API and actions as the Jetty shop
 * ({@code examples/shop}), with sessions from the Satchel starter, configured in {@code
 * application.properties}. Controllers take the generated {@link ShopDataSession} as a parameter.
 * Logging in is Spring Security's form log-in ({@link ShopSecurity}: user {@code ann}, password
 * {@code satchel} unless {@code SHOP_DEMO_PASSWORD} says otherwise), its state in the same Satchel
 * session as the cart.
 *
 * <p>Run: {@code mvn -q -pl examples/spring-shop -am package -DskipTests && java -jar
 * examples/spring-shop/target/spring-shop.jar}, then open http://localhost:8080. {@code PORT} and
 * {@code HOST} choose where it listens, as for the Jetty shop; {@code SATCHEL_DRIVER=redis
 * SATCHEL_DRIVER_URL=redis://localhost:6379} (or {@code --satchel.driver=redis
 * --spring.data.redis.host=localhost}) another store. {@code --satchel.driver=jdbc} keeps the
 * sessions in the shop's DataSource: Spring Boot's in-memory H2 as it is, or PostgreSQL with {@code
 * --spring.datasource.url=jdbc:postgresql://localhost:5432/shop} and {@code
 * spring.datasource.username} and {@code password}; the driver creates its tables there.
 */
@SpringBootApplication
public class SpringShopApplication {
  public static void main(String[] args) {
    SpringApplication.run(SpringShopApplication.class, args);
  }

  /** The time the shop records as a visit; the sessions measure expiry by it too. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }

  /** One clock for the pages and the sessions, so that tests can move both. */
  @Bean
  SatchelBuilderCustomizer sessionClock(Clock clock) {
    return builder -> builder.clock(clock);
  }
}
