package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.redis.RedisClusterProcess;
import dev.satchel.redis.RedisServerProcess;
import dev.satchel.testing.ReferenceSession;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisAdvancedClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The redis driver in production settings, each against its floor. On a local three-node Redis
 * Cluster: a request's session lifecycle (read the cart, write it back, commit: one {@code GET} and
 * one compare-and-set script, each sent to the node of the session's slot) next to a bare Lettuce
 * cluster client's {@code GET} and {@code SET} of the same blob. On a local primary with one
 * replica: the same lifecycle committing with {@code replicas-to-ack=1} (the script, then {@code
 * WAIT 1}) next to the lifecycle without it. Each thread works on its own session.
 *
 * <p>Needs {@code redis-server} and {@code redis-cli} on the PATH. Run at 1, 8 and 64 threads:
 * {@code mvn -q -pl benchmarks -am package -DskipTests && for t in 1 8 64; do java -jar
 * benchmarks/target/benchmarks.jar RedisClusterBenchmark -t $t; done}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(2)
public class RedisClusterBenchmark {

  /** The cluster, the replicated pair, the applications and the bare client. */
  @State(Scope.Benchmark)
  public static class Shared {
    RedisClusterProcess cluster;
    Satchel clusterSatchel;
    RedisClusterClient bareClient;
    StatefulRedisClusterConnection<String, String> bareConnection;
    RedisAdvancedClusterCommands<String, String> bare;
    RedisServerProcess primary;
    RedisServerProcess replica;
    Satchel acknowledged;
    Satchel unacknowledged;

    @Setup(Level.Trial)
    public void start() throws Exception {
      try {
        startAll();
      } catch (RuntimeException e) {
        stop();
        throw e;
      }
    }

    private void startAll() {
      cluster = RedisClusterProcess.start(3, 0);
      clusterSatchel = satchel(cluster.url(), false);
      List<RedisURI> seeds = new ArrayList<>();
      for (RedisServerProcess node : cluster.nodes()) {
        seeds.add(RedisURI.create(node.url()));
      }
      bareClient = RedisClusterClient.create(seeds);
      bareConnection = bareClient.connect();
      bare = bareConnection.sync();

      primary = RedisServerProcess.start(false);
      replica =
          RedisServerProcess.startWith(
              "--replicaof", "127.0.0.1", Integer.toString(primary.port()));
      acknowledged = satchel(primary.url(), true);
      unacknowledged = satchel(primary.url(), false);
      // The first acknowledged commit proves the replica is in sync.
      RedisClusterProcess.await(
          Duration.ofSeconds(30),
          () -> {
            Session session = acknowledged.open(null, cookie -> {});
            session.set("probe", true);
            session.commit();
            return true;
          },
          "the replica to confirm a commit");
    }

    private static Satchel satchel(String url, boolean acknowledged) {
      Satchel.Builder builder =
          Satchel.builder()
              .driver("redis")
              .driverOption("url", url)
              // Without the idle timeout, as the floor has none: a read is a plain GET.
              .idleTimeout(null);
      if (acknowledged) {
        builder.driverOption("replicas-to-ack", "1").driverOption("replica-ack-timeout", "PT1S");
      }
      return builder.build();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      for (AutoCloseable closeable :
          new AutoCloseable[] {
            clusterSatchel, acknowledged, unacknowledged, bareConnection, cluster, replica, primary
          }) {
        if (closeable != null) {
          closeable.close();
        }
      }
      if (bareClient != null) {
        bareClient.shutdown();
      }
    }
  }

  /** One session per thread and application, holding the reference value. */
  @State(Scope.Thread)
  public static class PerThread {
    String clusterId;
    String bareKey;
    String acknowledgedId;
    String unacknowledgedId;

    @Setup(Level.Trial)
    public void create(Shared shared) {
      clusterId = newSession(shared.clusterSatchel);
      acknowledgedId = newSession(shared.acknowledged);
      unacknowledgedId = newSession(shared.unacknowledged);
      bareKey = "bare:" + clusterId;
      shared.bare.set(bareKey, ReferenceSession.astroBlob());
    }

    private static String newSession(Satchel satchel) {
      Session session = satchel.open(null, cookie -> {});
      ReferenceSession.values().forEach(session::set);
      session.commit();
      return session.id().orElseThrow();
    }
  }

  @Benchmark
  public Session clusterLifecycle(Shared shared, PerThread thread) {
    return RedisBenchmark.request(shared.clusterSatchel, thread.clusterId);
  }

  @Benchmark
  public String clusterBareGetSet(Shared shared, PerThread thread) {
    String blob = shared.bare.get(thread.bareKey);
    return shared.bare.set(thread.bareKey, blob);
  }

  @Benchmark
  public Session lifecycleWaitingForAReplica(Shared shared, PerThread thread) {
    return RedisBenchmark.request(shared.acknowledged, thread.acknowledgedId);
  }

  @Benchmark
  public Session lifecycleNotWaiting(Shared shared, PerThread thread) {
    return RedisBenchmark.request(shared.unacknowledged, thread.unacknowledgedId);
  }

  /**
   * The contenders taking turns in one JVM, for a busy machine ({@link Interleaved}): arguments
   * threads (8), rounds (20), slice in ms (1000), and {@code cluster} (the cluster lifecycle and
   * its floor, the default), {@code durable} (the lifecycle with and without {@code
   * replicas-to-ack}) or {@code all}. The servers' CPU is that of every node started.
   */
  public static void main(String[] args) throws Exception {
    Interleaved.Arguments arguments = Interleaved.Arguments.parse(args, "cluster");
    String which = arguments.which();
    RedisClusterBenchmark benchmark = new RedisClusterBenchmark();
    Shared shared = new Shared();
    shared.start();
    try {
      PerThread[] states = new PerThread[arguments.threads()];
      for (int i = 0; i < states.length; i++) {
        states[i] = new PerThread();
        states[i].create(shared);
      }
      java.util.Map<String, Interleaved.Request> contenders = new java.util.LinkedHashMap<>();
      if (!which.equals("durable")) {
        contenders.put("clusterBareGetSet", t -> benchmark.clusterBareGetSet(shared, states[t]));
        contenders.put("clusterLifecycle", t -> benchmark.clusterLifecycle(shared, states[t]));
      }
      if (!which.equals("cluster")) {
        contenders.put(
            "lifecycleNotWaiting", t -> benchmark.lifecycleNotWaiting(shared, states[t]));
        contenders.put(
            "lifecycleWaitingForAReplica",
            t -> benchmark.lifecycleWaitingForAReplica(shared, states[t]));
      }
      List<RedisServerProcess> servers = new ArrayList<>(shared.cluster.nodes());
      servers.add(shared.primary);
      servers.add(shared.replica);
      long[] pids = servers.stream().mapToLong(RedisServerProcess::pid).toArray();
      Interleaved.run(arguments, contenders, () -> Interleaved.cpuNanos(pids, false));
    } finally {
      shared.stop();
    }
  }
}
