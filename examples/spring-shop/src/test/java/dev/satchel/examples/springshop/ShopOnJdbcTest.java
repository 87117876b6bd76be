package dev.satchel.examples.springshop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.jdbc.PostgresProcess;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Spring Boot shop with sessions in a real PostgreSQL, through the DataSource Spring Boot makes
 * from {@code spring.datasource.*}: {@code satchel.driver=jdbc} is the one Satchel setting. Every
 * test of {@link SpringShopHttpTests}, log-in and log-out included, runs over real HTTP; the
 * sessions are rows of the shop's database, reached through the shop's own pool.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"satchel.driver=jdbc", "satchel.cookie.secure=false"})
@DirtiesContext
final class ShopOnJdbcTest extends SpringShopHttpTests {
  private static PostgresProcess postgres;

  @Autowired DataSource dataSource;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    postgres = PostgresProcess.start();
    registry.add("spring.datasource.url", postgres::jdbcUrl);
    registry.add("spring.datasource.username", postgres::user);
    registry.add("spring.datasource.password", postgres::password);
  }

  @AfterAll
  static void stopPostgres() {
    if (postgres != null) {
      postgres.close();
    }
  }

  /** The jdbc driver does not count its sessions: the live rows of its table. */
  @Override
  long storedSessions() {
    return liveSessions(dataSource, clock);
  }

  /** The rows of the session table that are live sessions by {@code clock}. */
  static long liveSessions(DataSource dataSource, Clock clock) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement count =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM satchel_sessions WHERE \"retired\" IS NULL"
                    + " AND (\"expires_at\" IS NULL OR \"expires_at\" > ?)")) {
      count.setLong(1, clock.millis());
      try (ResultSet result = count.executeQuery()) {
        result.next();
        return result.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theSessionsAreRowsOfTheShopsDatabase_reachedThroughTheShopsOwnPool() throws Exception {
    assertEquals(200, browser.form("/cart/add", "item=sku-0004").statusCode());
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT \"value\" FROM satchel_sessions WHERE \"key\" = ? AND \"retired\" IS NULL")) {
      assertEquals("PostgreSQL", connection.getMetaData().getDatabaseProductName());
      select.setString(1, browser.sessionId());
      try (ResultSet row = select.executeQuery()) {
        assertTrue(row.next(), "the visitor's session is a row of the shop's database");
        assertTrue(row.getString(1).contains("sku-0004"), row.getString(1));
      }
    }
    HikariDataSource pool = assertInstanceOf(HikariDataSource.class, dataSource);
    assertNotNull(pool.getHikariPoolMXBean(), "the shop's pool runs");
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND application_name = 'satchel'");
        ResultSet result = select.executeQuery()) {
      result.next();
      assertEquals(0, result.getInt(1), "no connection of a pool of the driver's own");
    }
  }
}
