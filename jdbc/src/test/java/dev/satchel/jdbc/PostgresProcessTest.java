package dev.satchel.jdbc;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

  @Test
  void runsTheBundledPostgresqlWhenToldTo() throws Exception {
    Path bin = PostgresProcess.bundledBinaries();
    assertFalse(bin.startsWith("/usr/lib/postgresql"), bin.toString());
    try (PostgresProcess server = PostgresProcess.start(bin)) {
      assertEquals(bin, server.binaries());
      assertEquals(bin.resolve("postgres").toRealPath(), serverExecutable(server));
      try (Connection connection = connect(server.jdbcUrl(), server);
          Statement statement = connection.createStatement()) {
        assertTrue(
            Integer.parseInt(single(statement, "SHOW server_version_num")) >= 130000,
            single(statement, "SELECT version()"));
        statement.execute("CREATE TABLE bundled (id int PRIMARY KEY, text varchar NOT NULL)");
        statement.execute("INSERT INTO bundled VALUES (1, 'from the artifact')");
        assertEquals("from the artifact", single(statement, "SELECT text FROM bundled"));
        assertEquals("satchel", single(statement, "SELECT current_user"));
      }
      server.kill();
      server.startAgain();
      try (Connection connection = connect(server.jdbcUrl(), server);
          Statement statement = connection.createStatement()) {
        assertEquals("from the artifact", single(statement, "SELECT text FROM bundled"));
      }
    }
  }

  /** As root, {@code nobody} stands in where there is no {@code postgres} account. */
  @Test
  void runsAsNobodyWhenToldTo() throws SQLException, IOException {
    String self = System.getProperty("user.name");
    try (PostgresProcess server =
        PostgresProcess.start(PostgresProcess.bundledBinaries(), "nobody")) {
      // PostgreSQL starts only as the owner of its data folder.
      assertEquals(
          self.equals("root") ? "nobody" : self,
          Files.getOwner(server.folder().resolve("data")).getName());
      try (Connection connection = connect(server.jdbcUrl(), server);
          Statement statement = connection.createStatement()) {
        assertEquals("2", single(statement, "SELECT 1 + 1"));
      }
      server.restart();
      assertTrue(server.isRunning());
    }
  }

  @Test
  void twoUnpackingAtOnceShareOneCopyThatLaterRunsReuse() throws Exception {
    Path cache = Files.createTempDirectory("satchel-postgres-cache-test");
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Path>> unpacked = new ArrayList<>();
      // One unpacks in Java, the other with the tar command where there is one.
      for (boolean inJava : List.of(true, false)) {
        unpacked.add(
            threads.submit(
                () -> {
                  go.await();
                  return PostgresProcess.bundledBinaries(cache, inJava);
                }));
      }
      go.countDown();
      Path bin = unpacked.get(0).get(5, TimeUnit.MINUTES);
      assertEquals(bin, unpacked.get(1).get(5, TimeUnit.MINUTES));
      Path copy = bin.getParent();
      assertEquals(cache.toRealPath(), copy.getParent().toRealPath());
      try (Stream<Path> entries = Files.list(cache)) {
        assertEquals(List.of(copy), entries.toList(), "the loser's folder is gone");
      }
      for (String tool : List.of("initdb", "postgres", "pg_ctl")) {
        assertTrue(Files.isExecutable(bin.resolve(tool)), tool);
        assertEquals(
            PosixFilePermissions.fromString("rwxr-xr-x"),
            Files.getPosixFilePermissions(bin.resolve(tool)));
      }
      assertEquals(
          PosixFilePermissions.fromString("rwxr-xr-x"), Files.getPosixFilePermissions(copy));
      assertLinksStayInside(copy);
      assertEquals(tree(PostgresProcess.bundledBinaries().getParent()), tree(copy));
      Process version =
          new ProcessBuilder(bin.resolve("postgres").toString(), "--version")
              .redirectErrorStream(true)
              .start();
      assertTrue(version.waitFor(60, TimeUnit.SECONDS));
      String printed = new String(version.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, version.exitValue(), printed);
      assertTrue(printed.startsWith("postgres (PostgreSQL) "), printed);

      Path marker = copy.resolve("marker");
      Files.writeString(marker, "kept");
      assertEquals(bin, PostgresProcess.bundledBinaries(cache));
      assertEquals("kept", Files.readString(marker), "a later run unpacks nothing again");
    } finally {
      threads.shutdownNow();
      try (Stream<Path> paths = Files.walk(cache)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void findsTheHighestInstalledVersionThenTheToolsOnThePath() throws IOException {
    Path bundled = PostgresProcess.bundledBinaries().toRealPath();
    Path folder = Files.createTempDirectory("satchel-postgres-lookup");
    try {
      Path versions = Files.createDirectories(folder.resolve("versions"));
      Path complete =
          linkTools(versions.resolve("15/bin"), bundled, "initdb", "postgres", "pg_ctl");
      linkTools(versions.resolve("16/bin"), bundled, "postgres", "pg_ctl");
      linkTools(versions.resolve("9.6/bin"), bundled, "initdb", "postgres", "pg_ctl");
      linkTools(versions.resolve("common/bin"), bundled, "initdb", "postgres", "pg_ctl");
      Path onPath = linkTools(folder.resolve("path"), bundled, "postgres");
      Path lonely = Files.createDirectories(folder.resolve("lonely"));
      Files.writeString(lonely.resolve("postgres"), "#!/bin/sh\n");
      Files.setPosixFilePermissions(
          lonely.resolve("postgres"), PosixFilePermissions.fromString("rwxr-xr-x"));
      Path nowhere = folder.resolve("no-versions");
      String path = String.join(File.pathSeparator, "", lonely.toString(), onPath.toString());

      assertEquals(Optional.of(complete), PostgresProcess.installedBinaries(versions, path));
      assertEquals(Optional.of(bundled), PostgresProcess.installedBinaries(nowhere, path));
      assertEquals(Optional.empty(), PostgresProcess.installedBinaries(nowhere, lonely.toString()));
      assertEquals(Optional.empty(), PostgresProcess.installedBinaries(nowhere, null));
    } finally {
      try (Stream<Path> paths = Files.walk(folder)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void saysWhatToInstallWhereTheBundledBinariesDoNotRun() {
    IllegalStateException mac =
        assertThrows(
            IllegalStateException.class,
            () -> PostgresProcess.checkBundlePlatform("Mac OS X", "aarch64"));
    assertTrue(mac.getMessage().contains("install PostgreSQL"), mac.getMessage());
    assertTrue(mac.getMessage().contains("not on Mac OS X aarch64"), mac.getMessage());
    assertThrows(
        IllegalStateException.class, () -> PostgresProcess.checkBundlePlatform("Linux", "aarch64"));
    assertDoesNotThrow(() -> PostgresProcess.checkBundlePlatform("Linux", "amd64"));
  }

  @Test
  void asRootRunsTheServerAsPostgresOtherwiseNobody() {
    assertEquals("postgres", PostgresProcess.serverAccount(Set.of("postgres", "nobody")::contains));
    assertEquals("nobody", PostgresProcess.serverAccount(Set.of("nobody")::contains));
    IllegalStateException none =
        assertThrows(
            IllegalStateException.class, () -> PostgresProcess.serverAccount(name -> false));
    assertTrue(none.getMessage().contains("useradd"), none.getMessage());
  }

  private static Path linkTools(Path bin, Path target, String... tools) throws IOException {
    Files.createDirectories(bin);
    for (String tool : tools) {
      Files.createSymbolicLink(bin.resolve(tool), target.resolve(tool));
    }
    return bin;
  }

  private static void assertLinksStayInside(Path copy) throws IOException {
    Path real = copy.toRealPath();
    int links = 0;
    try (Stream<Path> paths = Files.walk(copy)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        if (Files.isSymbolicLink(path)) {
          links++;
          assertTrue(path.toRealPath().startsWith(real), path.toString());
        }
      }
    }
    assertTrue(links > 0, "the libraries' links were unpacked as links");
  }

  /** Each file, folder and link under {@code root}: its kind, permissions and link target. */
  private static List<String> tree(Path root) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted()::iterator) {
        String kind =
            Files.isSymbolicLink(path)
                ? "link to " + Files.readSymbolicLink(path)
                : Files.isDirectory(path) ? "folder" : "file of " + Files.size(path) + " bytes";
        String permissions =
            Files.isSymbolicLink(path)
                ? ""
                : " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        lines.add(root.relativize(path) + ": " + kind + permissions);
      }
    }
    return lines;
  }

  /** What the server's main process runs, as Linux reports it. */
  private static Path serverExecutable(PostgresProcess server) throws IOException {
    String pid =
        Files.readAllLines(server.folder().resolve("data").resolve("postmaster.pid")).get(0).trim();
    return Path.of("/proc", pid, "exe").toRealPath();
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
