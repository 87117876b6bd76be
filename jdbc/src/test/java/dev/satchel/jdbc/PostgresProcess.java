package dev.satchel.jdbc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests, from the operating system's packages ({@code
 * /usr/lib/postgresql/<version>/bin}, the highest version there): a fresh cluster in a temporary
 * folder, listening on a free port of 127.0.0.1 only, with a database {@code satchel} owned by a
 * user {@code satchel} whose password is {@code satchel}. It is tuned for tests (no fsync) but
 * keeps {@code synchronous_commit} on, so a committed row survives {@link #kill()}. It can be
 * stopped, killed and started again on the same port and data folder, to test what clients see
 * through an outage. Closing it stops the server and removes its folder.
 *
 * <p>PostgreSQL refuses to run as root; when the tests do, the server and its tools run as the
 * {@code postgres} account through {@code runuser}.
 */
public final class PostgresProcess implements AutoCloseable {
  private static final String USER = "satchel";
  private static final String PASSWORD = "satchel";
  private static final String DATABASE = "satchel";
  private static final String SUPERUSER = "postgres";
  private static final String SUPERUSER_PASSWORD = "satchel-superuser";
  private static final long READY_TIMEOUT_SECONDS = 30;
  private static final long STOP_TIMEOUT_SECONDS = 60;
  private static final int LOG_LIMIT = 1 << 20;
  private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

  /**
   * Every server not yet closed; a JVM that ends without closing one (a test run cut short) stops
   * it on the way out, as a crash would, and removes its folder.
   */
  private static final Set<PostgresProcess> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> OPEN.forEach(PostgresProcess::killOnExit), "postgres-server-cleanup"));
  }

  private final Path binaries;
  private final Path folder;
  private final Path data;
  private int port;
  private volatile Process process;
  private final StringBuilder log = new StringBuilder();

  private PostgresProcess(Path binaries, Path folder) {
    this.binaries = binaries;
    this.folder = folder;
    this.data = folder.resolve("data");
  }

  /**
   * Creates a cluster in a new temporary folder and starts it on a free port; returns once a client
   * can connect.
   *
   * @throws IllegalStateException when PostgreSQL is not installed or does not start
   */
  public static PostgresProcess start() {
    Path binaries = findBinaries();
    Path folder = temporaryFolder();
    PostgresProcess server = new PostgresProcess(binaries, folder);
    OPEN.add(server);
    try {
      server.initialise();
      server.launchOnFreePort();
      server.createUserAndDatabase();
    } catch (RuntimeException e) {
      try {
        server.close();
      } catch (RuntimeException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    return server;
  }

  /** The JDBC URL of the {@code satchel} database. */
  public String jdbcUrl() {
    return jdbcUrl(DATABASE);
  }

  /** The user that owns the {@code satchel} database: {@code satchel}. */
  public String user() {
    return USER;
  }

  /** The password of {@link #user()}: {@code satchel}. */
  public String password() {
    return PASSWORD;
  }

  /** The port, the same for the life of this object, across restarts. */
  public int port() {
    return port;
  }

  /** The folder that holds the cluster, removed on {@link #close()}. */
  public Path folder() {
    return folder;
  }

  /** Whether the server process is running. */
  public boolean isRunning() {
    Process running = process;
    return running != null && running.isAlive();
  }

  /** What the server logged so far (the most recent megabyte). */
  public String log() {
    synchronized (log) {
      return log.toString();
    }
  }

  /**
   * Creates a database owned by {@link #user()}, for a test that wants one of its own.
   *
   * @param name a lower-case SQL identifier
   * @return the new database's JDBC URL
   */
  public String createDatabase(String name) {
    if (!DATABASE_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "a database name here is a lower-case identifier of at most 63 characters: " + name);
    }
    execute("CREATE DATABASE " + name + " OWNER " + USER);
    return jdbcUrl(name);
  }

  /**
   * Runs SQL as the superuser, connected to the {@code satchel} database, in autocommit: {@code
   * ALTER SYSTEM}, {@code SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE
   * usename='satchel'} and the like. Several statements may be separated by semicolons.
   *
   * @throws IllegalStateException when the statement fails
   */
  public void execute(String sql) {
    try (Connection connection = superuserConnection(DATABASE, 10);
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("PostgreSQL refused: " + sql, e);
    }
  }

  /**
   * Stops the server the fast way ({@code pg_ctl stop -m fast}): open transactions roll back,
   * connections are closed, and the data is checkpointed. Does nothing when it is not running.
   */
  public synchronized void stop() {
    shutDown("fast");
  }

  /**
   * Stops the server at once, as a crash would ({@code pg_ctl stop -m immediate}): the next start
   * recovers from the write-ahead log. Does nothing when it is not running.
   */
  public synchronized void kill() {
    shutDown("immediate");
  }

  /**
   * Starts a stopped or killed server again, on the same port and data folder; returns once a
   * client can connect.
   *
   * @throws IllegalStateException when it is running, or does not start
   */
  public synchronized void startAgain() {
    if (isRunning()) {
      throw new IllegalStateException("PostgreSQL on port " + port + " is already running");
    }
    launch();
  }

  /** Stops the server the fast way if it runs, then {@linkplain #startAgain() starts it again}. */
  public synchronized void restart() {
    stop();
    launch();
  }

  /** Stops the server (immediately: its data goes with the folder) and removes its folder. */
  @Override
  public synchronized void close() {
    try {
      shutDown("immediate");
    } finally {
      Process running = process;
      if (running != null) {
        running.destroyForcibly();
      }
      OPEN.remove(this);
      deleteFolder();
    }
  }

  private String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
  }

  private void initialise() {
    try {
      Path passwordFile = folder.resolve("superuser-password");
      Files.writeString(passwordFile, SUPERUSER_PASSWORD + "\n");
      if (ROOT) {
        run(List.of("chown", "-R", SUPERUSER + ":", folder.toString()), false);
      }
      run(
          List.of(
              binaries.resolve("initdb").toString(),
              "--pgdata=" + data,
              "--username=" + SUPERUSER,
              "--pwfile=" + passwordFile,
              "--auth-host=scram-sha-256",
              // The socket is in the server's own folder, which only its owner can enter.
              "--auth-local=trust",
              "--encoding=UTF8",
              "--locale=C",
              "--no-sync"),
          true);
      Files.delete(passwordFile);
      // In postgresql.conf rather than on the command line, so that ALTER SYSTEM still overrides
      // them after a restart.
      Files.writeString(
          data.resolve("postgresql.conf"),
          String.join(
              "\n",
              "",
              "# satchel test settings",
              "listen_addresses = '127.0.0.1'",
              "unix_socket_directories = '" + folder + "'",
              "max_connections = 300",
              "shared_buffers = 32MB",
              // A test's data need not survive a power cut, only a crash of the server.
              "fsync = off",
              "full_page_writes = off",
              "synchronous_commit = on",
              "log_destination = 'stderr'",
              "logging_collector = off",
              ""),
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Another process may take the free port between the look and the bind; a server that finds it
   * taken tries another.
   */
  private void launchOnFreePort() {
    for (int attempt = 1; ; attempt++) {
      port = freePort();
      try {
        Files.writeString(
            data.resolve("postgresql.conf"), "port = " + port + "\n", StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      int logged = log().length();
      try {
        launch();
        return;
      } catch (IllegalStateException e) {
        String attemptLog = log();
        boolean portTaken =
            !isRunning()
                && attemptLog
                    .substring(Math.min(logged, attemptLog.length()))
                    .contains("could not bind");
        if (!portTaken || attempt == 3) {
          throw e;
        }
      }
    }
  }

  private void launch() {
    Process started;
    try {
      started =
          new ProcessBuilder(
                  asServerUser(
                      List.of(binaries.resolve("postgres").toString(), "-D", data.toString())))
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    process = started;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(
                      new InputStreamReader(started.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  synchronized (log) {
                    log.append(line).append('\n');
                    if (log.length() > LOG_LIMIT) {
                      log.delete(0, log.length() - LOG_LIMIT / 2);
                    }
                  }
                }
              } catch (IOException ended) {
                // The process is gone; whoever waits for it reports that.
              }
            },
            "postgres-output-" + port);
    reader.setDaemon(true);
    reader.start();
    awaitReady(started);
  }

  /** Polls with a real connection: the server accepts sockets before it accepts logins. */
  private void awaitReady(Process started) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
    SQLException last = null;
    while (true) {
      if (!started.isAlive()) {
        waitForOutput(started);
        throw new IllegalStateException(
            "PostgreSQL on port "
                + port
                + " exited while starting (status "
                + started.exitValue()
                + "):\n"
                + logTail());
      }
      try {
        superuserConnection("postgres", 2).close();
        return;
      } catch (SQLException e) {
        last = e;
      }
      if (System.nanoTime() - deadline > 0) {
        shutDown("immediate");
        started.destroyForcibly();
        throw new IllegalStateException(
            "PostgreSQL on port "
                + port
                + " did not accept connections within "
                + READY_TIMEOUT_SECONDS
                + " s:\n"
                + logTail(),
            last);
      }
      pause(50);
    }
  }

  private void createUserAndDatabase() {
    try (Connection connection = superuserConnection("postgres", 10);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
      statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
    } catch (SQLException e) {
      throw new IllegalStateException("could not create the satchel user and database", e);
    }
  }

  private Connection superuserConnection(String database, int timeoutSeconds) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", SUPERUSER);
    properties.setProperty("password", SUPERUSER_PASSWORD);
    properties.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
    properties.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
    properties.setProperty("socketTimeout", "120");
    return DriverManager.getConnection(jdbcUrl(database), properties);
  }

  private void shutDown(String mode) {
    Process running = process;
    if (running == null || !running.isAlive()) {
      return;
    }
    try {
      run(
          List.of(
              binaries.resolve("pg_ctl").toString(),
              "stop",
              "--pgdata=" + data,
              "--mode=" + mode,
              "--wait",
              "--timeout=" + STOP_TIMEOUT_SECONDS),
          true);
    } catch (IllegalStateException e) {
      // The server may have ended on its own meanwhile; only one still running is a failure.
      if (running.isAlive()) {
        throw e;
      }
    }
    try {
      if (!running.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "PostgreSQL on port " + port + " did not exit after pg_ctl stop:\n" + logTail());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** On the way out of the JVM: SIGQUIT is what {@code pg_ctl -m immediate} sends. */
  private void killOnExit() {
    Process running = process;
    if (running != null && running.isAlive()) {
      try {
        List<String> pidFile = Files.readAllLines(data.resolve("postmaster.pid"));
        if (!pidFile.isEmpty()) {
          new ProcessBuilder("kill", "-QUIT", pidFile.get(0).trim())
              .redirectErrorStream(true)
              .start()
              .waitFor(5, TimeUnit.SECONDS);
        }
        running.waitFor(10, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException e) {
        // Best effort: the JVM is ending.
      }
      running.destroyForcibly();
    }
    deleteFolder();
  }

  private static List<String> asServerUser(List<String> command) {
    if (!ROOT) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SUPERUSER, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /** Runs a tool to its end, failing with its output when it fails. */
  private static void run(List<String> command, boolean asServerUser) {
    List<String> full = asServerUser ? asServerUser(command) : command;
    Path output = null;
    try {
      output = Files.createTempFile("satchel-postgres-command", ".log");
      Process tool =
          new ProcessBuilder(full)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!tool.waitFor(STOP_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS)) {
        tool.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", full) + " did not finish:\n" + Files.readString(output));
      }
      if (tool.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", full)
                + " failed (status "
                + tool.exitValue()
                + "):\n"
                + Files.readString(output));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (output != null) {
        output.toFile().delete();
      }
    }
  }

  private String logTail() {
    String all = log();
    String[] lines = all.split("\n");
    int from = Math.max(0, lines.length - 40);
    return String.join("\n", List.of(lines).subList(from, lines.length));
  }

  /** Lets the reader thread take in the last lines of a process that ended. */
  private static void waitForOutput(Process ended) {
    try {
      ended.waitFor(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    pause(100);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private void deleteFolder() {
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the folder is under the system's temporary directory.
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory("satchel-postgres");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bin folder of the highest PostgreSQL version installed under /usr/lib/postgresql. */
  private static Path findBinaries() {
    Path root = Path.of("/usr/lib/postgresql");
    Path best = null;
    int[] bestVersion = null;
    if (Files.isDirectory(root)) {
      try (DirectoryStream<Path> versions = Files.newDirectoryStream(root)) {
        for (Path version : versions) {
          Path bin = version.resolve("bin");
          int[] number = versionOf(version.getFileName().toString());
          if (number != null
              && Files.isExecutable(bin.resolve("initdb"))
              && Files.isExecutable(bin.resolve("postgres"))
              && Files.isExecutable(bin.resolve("pg_ctl"))
              && (bestVersion == null || compare(number, bestVersion) > 0)) {
            best = bin;
            bestVersion = number;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (best == null) {
      throw new IllegalStateException(
          "no PostgreSQL server under /usr/lib/postgresql/<version>/bin (initdb, postgres, pg_ctl);"
              + " install the apt package postgresql");
    }
    return best;
  }

  private static int[] versionOf(String name) {
    if (!name.matches("\\d+(\\.\\d+)*")) {
      return null;
    }
    String[] parts = name.split("\\.");
    int[] number = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      number[i] = Integer.parseInt(parts[i]);
    }
    return number;
  }

  private static int compare(int[] a, int[] b) {
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      int x = i < a.length ? a[i] : 0;
      int y = i < b.length ? b[i] : 0;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }
}
