package dev.satchel.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, for tests: the one on the PATH when there is
 * one, otherwise the Linux binary shipped inside the embedded-redis jar. It can be stopped and
 * started again on the same port and folder, to test what clients see through an outage.
 */
public final class RedisServerProcess implements AutoCloseable {
  private final Path binary;
  private final Path folder;
  private final int port;
  private final boolean appendOnly;
  private Process process;

  private RedisServerProcess(Path binary, Path folder, int port, boolean appendOnly) {
    this.binary = binary;
    this.folder = folder;
    this.port = port;
    this.appendOnly = appendOnly;
  }

  /** Starts a server; {@code appendOnly} makes it fsync every write to its append-only file. */
  public static RedisServerProcess start(boolean appendOnly) {
    try {
      RedisServerProcess server =
          new RedisServerProcess(
              findBinary(), Files.createTempDirectory("satchel-redis"), freePort(), appendOnly);
      server.startProcess();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The URI clients connect with. */
  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** The port. */
  public int port() {
    return port;
  }

  /** Stops the server at once, as a crash would (SIGKILL). */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** Starts the server again on the same port and folder. */
  public void restart() throws IOException {
    startProcess();
  }

  private void startProcess() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", "127.0.0.1",
            "--dir", folder.toString(),
            "--save", "",
            "--daemonize", "no",
            "--protected-mode", "yes"));
    if (appendOnly) {
      command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
    }
    process = new ProcessBuilder(command).redirectErrorStream(true).start();
    java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
    StringBuilder log = new StringBuilder();
    Process started = process;
    Thread reader =
        new Thread(
            () -> {
              try (java.io.BufferedReader lines =
                  new java.io.BufferedReader(
                      new java.io.InputStreamReader(
                          started.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  synchronized (log) {
                    log.append(line).append('\n');
                  }
                  if (line.contains("Ready to accept connections")) {
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
        synchronized (log) {
          throw new IllegalStateException("redis-server did not become ready:\n" + log);
        }
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
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Path findBinary() throws IOException {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
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
      return binary;
    }
  }
}
