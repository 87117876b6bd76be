package dev.satchel.jdbc;

import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The jdbc driver on a real PostgreSQL server, through the driver contract. */
final class JdbcPostgresDriverContractTest extends JdbcContract {
  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  /** A table per test (JUnit makes an instance per test), so that no test claims another's rows. */
  private final String table = "s" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);

  @Override
  protected Map<String, String> options() {
    return Map.of(
        "url",
        postgres.jdbcUrl(),
        "username",
        postgres.user(),
        "password",
        postgres.password(),
        "table",
        table,
        "pool-size",
        "4");
  }
}
