package dev.satchel.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresProcessTest {
  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  @Test
  void servesTheSatchelDatabaseToTheSatchelUserOverTcp() throws SQLException {
    assertEquals(
        "jdbc:postgresql://127.0.0.1:" + postgres.process().port() + "/satchel",
        postgres.jdbcUrl());
    try (Connection connection = connect(postgres.jdbcUrl(), postgres.process());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE greeting (id int PRIMARY KEY, text varchar NOT NULL)");
      statement.execute("INSERT INTO greeting VALUES (1, 'hello')");
      assertEquals("hello", single(statement, "SELECT text FROM greeting WHERE id = 1"));
      assertEquals("satchel", single(statement, "SELECT current_user"));
      assertEquals("satchel", single(statement, "SELECT current_database()"));
      assertEquals("127.0.0.1/32", single(statement, "SELECT inet_server_addr()::text"));
      assertEquals("on", single(statement, "SHOW synchronous_commit"));
      assertEquals("off", single(statement, "SHOW fsync"));
      assertEquals("300", single(statement, "SHOW max_connections"));
    }
  }

  @Test
  void refusesAWrongPassword() {
    SQLException refused =
        assertThrows(
            SQLException.class,
            () -> DriverManager.getConnection(postgres.jdbcUrl(), "satchel", "not-the-password"));
    assertEquals("28P01", refused.getSQLState());
  }

  @Test
  void executeRunsAsSuperuserAndCanEndTheSatchelUsersConnections() throws SQLException {
    try (Connection connection = connect(postgres.jdbcUrl(), postgres.process());
        Statement statement = connection.createStatement()) {
      assertEquals("1", single(statement, "SELECT 1"));
      postgres
          .process()
          .execute(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'satchel'");
      SQLException ended = assertThrows(SQLException.class, () -> single(statement, "SELECT 1"));
      assertTrue(ended.getSQLState().startsWith("57P") || ended.getSQLState().startsWith("08"));
    }
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> postgres.process().execute("SELEC 1"));
    assertTrue(refused.getMessage().contains("SELEC 1"));
  }

  @Test
  void createsDatabasesOwnedByTheSatchelUser() throws SQLException {
    String url = postgres.process().createDatabase("isolated_one");
    assertEquals("jdbc:postgresql://127.0.0.1:" + postgres.process().port() + "/isolated_one", url);
    try (Connection connection = connect(url, postgres.process());
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE only_here (id int)");
      statement.execute("INSERT INTO only_here VALUES (7)");
      assertEquals("7", single(statement, "SELECT id FROM only_here"));
      assertEquals(
          "satchel",
          single(
              statement,
              "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'isolated_one'"));
    }
    try (Connection connection = connect(postgres.jdbcUrl(), postgres.process());
        Statement statement = connection.createStatement()) {
      assertEquals("f", single(statement, "SELECT to_regclass('only_here') IS NOT NULL"));
    }
    assertThrows(
        IllegalArgumentException.class, () -> postgres.process().createDatabase("x; DROP"));
  }

  @Test
  void aCommittedRowSurvivesAKillAndTheServerComesBackOnTheSamePort() throws SQLException {
    try (PostgresProcess server = PostgresProcess.start()) {
      int port = server.port();
      try (Connection connection = connect(server.jdbcUrl(), server);
          Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE durable (id int PRIMARY KEY, text varchar)");
        statement.execute("INSERT INTO durable VALUES (1, 'committed')");
        connection.setAutoCommit(false);
        statement.execute("INSERT INTO durable VALUES (2, 'never committed')");

        server.kill();

        assertFalse(server.isRunning());
        assertThrows(SQLException.class, () -> single(statement, "SELECT 1"));
      }
      assertThrows(SQLException.class, () -> connect(server.jdbcUrl(), server).close());

      server.startAgain();

      assertTrue(server.isRunning());
      assertEquals(port, server.port());
      try (Connection connection = connect(server.jdbcUrl(), server);
          Statement statement = connection.createStatement()) {
        assertEquals("1", single(statement, "SELECT count(*) FROM durable"));
        assertEquals("committed", single(statement, "SELECT text FROM durable WHERE id = 1"));
      }
      assertTrue(server.log().contains("database system was interrupted"), server.log());
    }
  }

  @Test
  void stopsAndRestartsAndTakesAlterSystemOnRestart() throws SQLException {
    try (PostgresProcess server = PostgresProcess.start()) {
      server.execute("ALTER SYSTEM SET max_connections = 120");
      server.restart();
      try (Connection connection = connect(server.jdbcUrl(), server);
          Statement statement = connection.createStatement()) {
        assertEquals("120", single(statement, "SHOW max_connections"));
        statement.execute("CREATE TABLE kept (id int)");
        statement.execute("INSERT INTO kept VALUES (3)");
      }
      server.stop();
      assertFalse(server.isRunning());
      server.stop();
      assertThrows(SQLException.class, () -> connect(server.jdbcUrl(), server).close());
      server.startAgain();
      assertThrows(IllegalStateException.class, server::startAgain);
      try (Connection connection = connect(server.jdbcUrl(), server);
          Statement statement = connection.createStatement()) {
        assertEquals("3", single(statement, "SELECT id FROM kept"));
      }
    }
  }

  @Test
  void twoServersRunAtOnceOnDifferentPorts() throws SQLException {
    List<PostgresProcess> servers = new ArrayList<>();
    try {
      servers.add(PostgresProcess.start());
      servers.add(PostgresProcess.start());
      PostgresProcess first = servers.get(0);
      PostgresProcess second = servers.get(1);
      assertNotEquals(first.port(), second.port());
      assertNotEquals(first.folder(), second.folder());
      try (Connection one = connect(first.jdbcUrl(), first);
          Connection two = connect(second.jdbcUrl(), second);
          Statement inOne = one.createStatement();
          Statement inTwo = two.createStatement()) {
        inOne.execute("CREATE TABLE mine (id int)");
        assertEquals("t", single(inOne, "SELECT to_regclass('mine') IS NOT NULL"));
        assertEquals("f", single(inTwo, "SELECT to_regclass('mine') IS NOT NULL"));
        assertEquals(
            String.valueOf(first.port()), single(inOne, "SELECT inet_server_port()::text"));
        assertEquals(
            String.valueOf(second.port()), single(inTwo, "SELECT inet_server_port()::text"));
      }
    } finally {
      servers.forEach(PostgresProcess::close);
    }
    for (PostgresProcess server : servers) {
      assertFalse(server.isRunning());
      assertFalse(Files.exists(server.folder()));
    }
  }

  @Test
  void closingRemovesTheFolder() {
    Path folder;
    try (PostgresProcess server = PostgresProcess.start()) {
      folder = server.folder();
      assertTrue(Files.isDirectory(folder.resolve("data")));
    }
    assertFalse(Files.exists(folder));
  }

  private static Connection connect(String url, PostgresProcess server) throws SQLException {
    return DriverManager.getConnection(url, server.user(), server.password());
  }

  private static String single(Statement statement, String sql) throws SQLException {
    try (ResultSet rows = statement.executeQuery(sql)) {
      assertTrue(rows.next(), sql);
      String value = rows.getString(1);
      assertFalse(rows.next(), sql);
      return value;
    }
  }
}
