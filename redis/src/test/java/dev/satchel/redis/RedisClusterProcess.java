package dev.satchel.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A real Redis Cluster on loopback ports for tests: {@code redis-server} nodes in cluster mode,
 * joined by {@code redis-cli --cluster create}. Each node's cluster state lives in its own
 * temporary folder; closing stops every node and removes the folders.
 */
public final class RedisClusterProcess implements AutoCloseable {
  private final List<RedisServerProcess> nodes;
  private final RedisClient client;
  private final boolean tls;
  private final Map<Integer, StatefulRedisConnection<String, String>> connections =
      new LinkedHashMap<>();

  private RedisClusterProcess(List<RedisServerProcess> nodes, Path authority) {
    this.nodes = nodes;
    this.client = RedisClient.create();
    this.tls = authority != null;
    if (tls) {
      client.setOptions(
          ClientOptions.builder()
              .sslOptions(SslOptions.builder().trustManager(authority.toFile()).build())
              .build());
    }
  }

  /** Whether this machine has what a cluster needs: {@code redis-cli} beside the server. */
  public static boolean available() {
    return RedisServerProcess.onPath("redis-cli") != null
        && RedisServerProcess.onPath("redis-server") != null;
  }

  /**
   * Starts {@code primaries} nodes that share the slots, each with {@code replicasEach} replicas,
   * and waits until every node sees the whole cluster working.
   */
  public static RedisClusterProcess start(int primaries, int replicasEach) {
    return start(primaries, replicasEach, null, RedisServerProcess::startWith);
  }

  /**
   * Starts a cluster as {@link #start(int, int)} does whose nodes speak only TLS, to clients, to
   * one another and to their replicas, presenting {@code certificate} signed by {@code authority}.
   */
  public static RedisClusterProcess startTls(
      int primaries, int replicasEach, Path certificate, Path key, Path authority) {
    return start(
        primaries,
        replicasEach,
        authority,
        arguments -> {
          List<String> all = new ArrayList<>(List.of(arguments));
          all.addAll(List.of("--tls-cluster", "yes", "--tls-replication", "yes"));
          return RedisServerProcess.startTls(
              certificate, key, authority, false, all.toArray(String[]::new));
        });
  }

  private static RedisClusterProcess start(
      int primaries,
      int replicasEach,
      Path authority,
      Function<String[], RedisServerProcess> startNode) {
    List<RedisServerProcess> nodes = new ArrayList<>();
    RedisClusterProcess cluster = new RedisClusterProcess(nodes, authority);
    try {
      for (int i = 0; i < primaries * (1 + replicasEach); i++) {
        nodes.add(
            startNode.apply(
                new String[] {
                  "--cluster-enabled", "yes",
                  "--cluster-config-file", "nodes.conf",
                  "--cluster-node-timeout", "1000",
                  "--cluster-port", Integer.toString(RedisServerProcess.freePort()),
                  // Any replica may take over, however long it was cut off: tests kill primaries.
                  "--cluster-replica-validity-factor", "0"
                }));
      }
      List<String> command = new ArrayList<>(List.of("redis-cli"));
      if (authority != null) {
        command.addAll(List.of("--tls", "--cacert", authority.toString()));
      }
      command.addAll(List.of("--cluster", "create"));
      for (RedisServerProcess node : nodes) {
        command.add("127.0.0.1:" + node.port());
      }
      command.addAll(
          List.of("--cluster-replicas", Integer.toString(replicasEach), "--cluster-yes"));
      run(command, Duration.ofSeconds(60));
      cluster.awaitHealthy(Duration.ofSeconds(30));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** The driver's URL for this cluster, naming two nodes as seeds. */
  public String url() {
    return (tls ? "rediss-cluster://" : "redis-cluster://")
        + "127.0.0.1:"
        + nodes.get(0).port()
        + ",127.0.0.1:"
        + nodes.get(1).port();
  }

  /** Every node, primaries first as they were created. */
  public List<RedisServerProcess> nodes() {
    return nodes;
  }

  /** A connection of its own to one node, by port. */
  public RedisCommands<String, String> node(int port) {
    return connections
        .computeIfAbsent(
            port,
            p ->
                client.connect(
                    RedisURI.builder()
                        .withHost("127.0.0.1")
                        .withPort(p)
                        .withSsl(tls)
                        .withTimeout(Duration.ofSeconds(10))
                        .build()))
        .sync();
  }

  /**
   * The ports of the nodes that are running and serve slots now, as the first live node sees it.
   */
  public List<Integer> primaryPorts() {
    List<Integer> ports = new ArrayList<>();
    for (String line : clusterNodes().split("\n")) {
      String[] fields = line.trim().split(" ");
      if (fields.length > 8 && fields[2].contains("master") && !fields[2].contains("fail")) {
        ports.add(portOf(fields[1]));
      }
    }
    return ports;
  }

  /** The port of the primary that serves {@code slot} now, as the first live node sees it. */
  public int primaryOf(int slot) {
    for (String line : clusterNodes().split("\n")) {
      String[] fields = line.trim().split(" ");
      if (fields.length <= 8 || !fields[2].contains("master") || fields[2].contains("fail")) {
        continue;
      }
      for (int i = 8; i < fields.length; i++) {
        String range = fields[i];
        if (range.startsWith("[")) {
          continue;
        }
        String[] ends = range.split("-");
        int from = Integer.parseInt(ends[0]);
        int to = ends.length > 1 ? Integer.parseInt(ends[1]) : from;
        if (slot >= from && slot <= to) {
          return portOf(fields[1]);
        }
      }
    }
    throw new IllegalStateException("no primary serves slot " + slot + ":\n" + clusterNodes());
  }

  /**
   * Moves {@code slot} to the primary on {@code toPort} as {@code redis-cli --cluster reshard}
   * does, with a pause after each step so that clients meet the slot half moved: the target imports
   * it, the source hands it over, the keys go one by one, then every primary learns its new owner.
   */
  public void migrateSlot(int slot, int toPort, Duration pause) {
    int fromPort = primaryOf(slot);
    if (fromPort == toPort) {
      return;
    }
    String fromId = nodeId(fromPort);
    String toId = nodeId(toPort);
    node(toPort).clusterSetSlotImporting(slot, fromId);
    node(fromPort).clusterSetSlotMigrating(slot, toId);
    sleep(pause);
    for (List<String> keys = node(fromPort).clusterGetKeysInSlot(slot, 100);
        !keys.isEmpty();
        keys = node(fromPort).clusterGetKeysInSlot(slot, 100)) {
      for (String key : keys) {
        node(fromPort).migrate("127.0.0.1", toPort, key, 0, 5000);
        sleep(pause);
      }
    }
    node(toPort).clusterSetSlotNode(slot, toId);
    node(fromPort).clusterSetSlotNode(slot, toId);
    for (int primary : primaryPorts()) {
      node(primary).clusterSetSlotNode(slot, toId);
    }
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A node's ID in the cluster. */
  public String nodeId(int port) {
    return node(port).clusterMyId();
  }

  private String clusterNodes() {
    for (RedisServerProcess node : nodes) {
      if (node.isAlive()) {
        return node(node.port()).clusterNodes();
      }
    }
    throw new IllegalStateException("no node is running");
  }

  private static int portOf(String address) {
    // 127.0.0.1:7000@17000[,hostname]
    String hostPort = address.split("@")[0];
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /**
   * Waits until every running node reports the cluster ok with all slots served, and every running
   * replica is in sync with its primary.
   */
  public void awaitHealthy(Duration within) {
    await(
        within,
        () ->
            nodes.stream()
                .filter(RedisServerProcess::isAlive)
                .allMatch(
                    node -> {
                      RedisCommands<String, String> commands = node(node.port());
                      String info = commands.clusterInfo();
                      if (!info.contains("cluster_state:ok")
                          || !info.contains("cluster_slots_ok:16384")) {
                        return false;
                      }
                      String replication = commands.info("replication");
                      return !replication.contains("role:slave")
                          || replication.contains("master_link_status:up");
                    }),
        "the cluster to become healthy");
  }

  /** Waits, at most {@code within}, for {@code condition}. */
  public static void await(Duration within, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (RuntimeException e) {
        last = e;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("timed out waiting for " + what, last);
  }

  /** Runs a command to its end, at most {@code within}, and returns its output. */
  static String run(List<String> command, Duration within) {
    Path output = null;
    try {
      output = Files.createTempFile("satchel-redis-cli", ".out");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(output.toFile())
              .start();
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed (" + process.exitValue() + "):\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (output != null) {
        output.toFile().delete();
      }
    }
  }

  @Override
  public void close() {
    connections.values().forEach(connection -> connection.closeAsync());
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    for (RedisServerProcess node : nodes) {
      try {
        node.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
