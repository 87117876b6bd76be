package dev.satchel.jdbc;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A PostgreSQL server of its own for a test class, started before the class's first test and
 * stopped after its last: {@code @RegisterExtension static final PostgresServer postgres = new
 * PostgresServer();}.
 */
public final class PostgresServer implements BeforeAllCallback, AfterAllCallback {
  private PostgresProcess process;

  /** Creates the extension; the server starts when the test class does. */
  public PostgresServer() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    process = PostgresProcess.start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    process.close();
  }

  /** The JDBC URL of the {@code satchel} database. */
  public String jdbcUrl() {
    return process.jdbcUrl();
  }

  /** The user that owns the {@code satchel} database. */
  public String user() {
    return process.user();
  }

  /** The password of {@link #user()}. */
  public String password() {
    return process.password();
  }

  /** The server, to stop, kill, restart or run SQL on as the superuser. */
  public PostgresProcess process() {
    return process;
  }
}
