package dev.satchel.jdbc;

import java.util.Map;
import java.util.UUID;

/** The jdbc driver on an in-memory H2 database, through the driver contract. */
final class JdbcH2DriverContractTest extends JdbcContract {
  /** A database per test (JUnit makes an instance per test), shared by its second instance. */
  private final String url = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";

  @Override
  protected Map<String, String> options() {
    return Map.of("url", url);
  }
}
