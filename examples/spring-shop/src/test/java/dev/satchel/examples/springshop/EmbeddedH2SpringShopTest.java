package dev.satchel.examples.springshop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The Spring Boot shop with {@code satchel.driver=jdbc} and nothing else: no {@code
 * spring.datasource.url}, so Spring Boot's embedded H2 holds the sessions, for as long as the shop
 * runs.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"satchel.driver=jdbc", "satchel.cookie.secure=false"})
@DirtiesContext
final class EmbeddedH2SpringShopTest extends SpringShopHttpTests {
  @Autowired DataSource dataSource;

  @Override
  long storedSessions() {
    return ShopOnJdbcTest.liveSessions(dataSource, clock);
  }

  @Test
  void theSessionsAreInSpringBootsEmbeddedH2() throws Exception {
    long before = storedSessions();
    assertEquals(200, browser.form("/cart/add", "item=sku-0001").statusCode());
    assertEquals(before + 1, storedSessions(), "the visitor's session, a row of the H2 table");
    try (Connection connection = dataSource.getConnection()) {
      assertTrue(connection.getMetaData().getURL().startsWith("jdbc:h2:mem:"));
    }
  }
}
