package dev.satchel.redis;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} on a free loopback port, for tests: the one on the PATH when there is
 * one, otherwise the Linux binary shipped inside the embedded-redis jar. It can be stopped and
 * started again on the same port and folder, to test what clients see through an outage. Besides a
 * plain server it starts replicas, cluster nodes, TLS servers and Sentinels; closing it stops the
 * process and removes its folder.
 */
public final class RedisServerProcess implements AutoCloseable {
  /**
   * Every server still running; a JVM that ends without closing one (a failed benchmark set-up, a
   * test run cut short) stops it on the way out.
   */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "redis-server-cleanup"));
  }

  private final Path binary;
  private final Path folder;
  private final int port;
  private final List<String> arguments;
  private final String readyLine;
  private Process process;
  private final StringBuilder log = new StringBuilder();

  private RedisServerProcess(
      Path binary, Path folder, int port, List<String> arguments, String readyLine) {
    this.binary = binary;
    this.folder = folder;
    this.port = port;
    this.arguments = List.copyOf(arguments);
    this.readyLine = readyLine;
  }

  /** The operating system's ID of the running server, for measuring what it spends. */
  public synchronized long pid() {
    return process.pid();
  }

  /** Starts a server; {@code appendOnly} makes it fsync every write to its append-only file. */
  public static RedisServerProcess start(boolean appendOnly) {
    return appendOnly ? startWith("--appendonly", "yes", "--appendfsync", "always") : startWith();
  }

  /** Starts a server on a free port with these arguments added, such as {@code --replicaof}. */
  public static RedisServerProcess startWith(String... extraArguments) {
    int port = freePort();
    Path folder = temporaryFolder();
    List<String> arguments = new ArrayList<>(serverArguments(port, folder));
    arguments.addAll(List.of(extraArguments));
    return launch(folder, port, arguments, "Ready to accept connections");
  }

  /**
   * Starts a server that speaks only TLS, on a free port, presenting {@code certificate} and {@code
   * key}; it does not ask clients for certificates.
   */
  public static RedisServerProcess startTls(Path certificate, Path key, Path authority) {
    return startTls(certificate, key, authority, false);
  }

  /**
   * Starts a server that speaks only TLS, as {@link #startTls(Path, Path, Path)} does, and with
   * {@code askClients} accepts only clients showing a certificate {@code authority} signed.
   */
  public static RedisServerProcess startTls(
      Path certificate, Path key, Path authority, boolean askClients) {
    return startTls(certificate, key, authority, askClients, new String[0]);
  }

  /**
   * Starts a server that speaks only TLS, as {@link #startTls(Path, Path, Path, boolean)} does,
   * with {@code extraArguments} added, such as those of a cluster node.
   */
  public static RedisServerProcess startTls(
      Path certificate, Path key, Path authority, boolean askClients, String... extraArguments) {
    int port = freePort();
    Path folder = temporaryFolder();
    List<String> arguments = new ArrayList<>(serverArguments(0, folder));
    arguments.addAll(
        List.of(
            "--tls-port", Integer.toString(port),
            "--tls-cert-file", certificate.toString(),
            "--tls-key-file", key.toString(),
            "--tls-ca-cert-file", authority.toString(),
            "--tls-auth-clients", askClients ? "yes" : "no"));
    arguments.addAll(List.of(extraArguments));
    return launch(folder, port, arguments, "Ready to accept connections");
  }

  /**
   * Starts a Sentinel that watches the primary on {@code primaryPort} under {@code name}, finds a
   * primary down after a second without an answer, and agrees with {@code quorum} Sentinels.
   */
  public static RedisServerProcess startSentinel(int primaryPort, String name, int quorum) {
    return startSentinel(primaryPort, name, quorum, new String[0]);
  }

  /** Starts a Sentinel as above, with {@code configuration} lines added, such as requirepass. */
  public static RedisServerProcess startSentinel(
      int primaryPort, String name, int quorum, String... configuration) {
    int port = freePort();
    Path folder = temporaryFolder();
    Path config = folder.resolve("sentinel.conf");
    try {
      Files.writeString(
          config,
          String.join(
              "\n",
              "port " + port,
              "bind 127.0.0.1",
              "dir " + folder,
              "sentinel monitor " + name + " 127.0.0.1 " + primaryPort + " " + quorum,
              "sentinel down-after-milliseconds " + name + " 1000",
              "sentinel failover-timeout " + name + " 10000",
              "sentinel parallel-syncs " + name + " 1",
              String.join("\n", configuration),
              ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return launch(folder, port, List.of(config.toString(), "--sentinel"), "+monitor master");
  }

  private static List<String> serverArguments(int port, Path folder) {
    return List.of(
        "--port", Integer.toString(port),
        "--bind", "127.0.0.1",
        "--dir", folder.toString(),
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--protected-mode", "yes",
        // A replica that connects is sent the data at once, not after waiting for others.
        "--repl-diskless-sync-delay", "0");
  }

  private static RedisServerProcess launch(
      Path folder, int port, List<String> arguments, String readyLine) {
    RedisServerProcess server =
        new RedisServerProcess(findBinary(), folder, port, arguments, readyLine);
    try {
      server.startProcess();
    } catch (RuntimeException | IOException e) {
      server.deleteFolder();
      if (e instanceof IOException io) {
        throw new UncheckedIOException(io);
      }
      throw (RuntimeException) e;
    }
    return server;
  }

  /** The URI clients connect with. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** The port. */
  public int port() {
    return port;
  }

  /** The server's folder, removed on {@link #close()}. */
  public Path folder() {
    return folder;
  }

  /** Whether the process is running. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** What the server logged so far. */
  public String log() {
    synchronized (log) {
      return log.toString();
    }
  }

  /** Stops the server at once, as a crash would (SIGKILL). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    RUNNING.remove(process);
  }

  /**
   * Freezes the server (SIGSTOP), as a long pause of its host would: connections stay open, and
   * what clients send waits, unanswered, until {@link #resume()}.
   */
  public void pause() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** Lets a {@linkplain #pause() frozen} server run again (SIGCONT). */
  public void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill " + signal + " of redis-server failed");
    }
  }

  /** Starts the server again on the same port and folder. */
  public void restart() throws IOException {
    startProcess();
  }

  private void startProcess() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(arguments);
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    RUNNING.add(process);
    CountDownLatch ready = new CountDownLatch(1);
    Process started = process;
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
                  }
                  if (line.contains(readyLine)) {
                    ready.countDown();
                  }
                }
              } catch (IOException ended) {
                // The process is gone; the wait below reports it.
              }
            },
            "redis-server-output");
    reader.setDaemon(true);
    reader.start();
    try {
      if (!ready.await(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not become ready:\n" + log());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      RUNNING.remove(process);
    }
    deleteFolder();
  }

  private void deleteFolder() {
    try (Stream<Path> paths = Files.walk(folder)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the folder is under the system's temporary directory.
    }
  }

  /** A port nothing listens on now. */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path temporaryFolder() {
    try {
      return Files.createTempDirectory("satchel-redis");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first executable named {@code name} on the PATH, or {@code null}. */
  static Path onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static Path bundled;

  private static synchronized Path findBinary() {
    Path installed = onPath("redis-server");
    if (installed != null) {
      return installed;
    }
    if (bundled != null) {
      return bundled;
    }
    String resource = "/redis-server-6.2.6-v5-linux-amd64";
    try (InputStream in = RedisServerProcess.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "no redis-server on the PATH and none in the embedded-redis jar for this platform");
      }
      Path binary = Files.createTempFile("redis-server", "");
      Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
      binary.toFile().setExecutable(true);
      binary.toFile().deleteOnExit();
      bundled = binary;
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
