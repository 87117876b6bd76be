package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.redis.RedisServerProcess;
import dev.satchel.testing.ReferenceSession;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
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
 * A request's session lifecycle on the redis driver (read the cart, write it back, commit: one GET
 * and one compare-and-set script) next to the floor, a bare Lettuce GET and SET of the same blob
 * over one shared connection. A local redis-server is started for the run. Each thread works on its
 * own session. The driver holds back flushes while more writes are queued; {@code
 * bareGetSetCoalesced} is the floor with that same setting, to show what the setting alone is
 * worth. Each request reads what its thread's previous request wrote, so the read is served from
 * the decoded-session cache; {@code lifecycleUncached} turns the cache off and parses every read.
 *
 * <p>Run at 1, 8 and 64 threads: {@code mvn -q -pl benchmarks -am package -DskipTests && for t in 1
 * 8 64; do java -jar benchmarks/target/benchmarks.jar RedisBenchmark -t $t; done}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
// Lettuce and Netty take several seconds of load to reach steady speed: a short warm-up
// measures the floor still warming up.
@Warmup(iterations = 6, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(2)
public class RedisBenchmark {
  private static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());

  /** The server, the application's Satchel, and a bare client. */
  @State(Scope.Benchmark)
  public static class Shared {
    RedisServerProcess server;
    Satchel satchel;
    Satchel uncachedSatchel;
    RedisClient client;
    StatefulRedisConnection<String, String> connection;
    RedisCommands<String, String> bare;
    ClientResources coalescedResources;
    RedisClient coalescedClient;
    RedisCommands<String, String> coalesced;

    @Setup(Level.Trial)
    public void start() {
      server = RedisServerProcess.start(false);
      satchel =
          Satchel.builder()
              .driver("redis")
              .driverOption("url", server.url())
              // Without the idle timeout, as the floor has none: a read is a plain GET.
              .idleTimeout(null)
              .build();
      uncachedSatchel =
          Satchel.builder()
              .driver("redis")
              .driverOption("url", server.url())
              .decodedCacheSize(0)
              .idleTimeout(null)
              .build();
      client = RedisClient.create(server.url());
      connection = client.connect();
      bare = connection.sync();
      coalescedResources =
          ClientResources.builder()
              .nettyCustomizer(
                  new NettyCustomizer() {
                    @Override
                    public void afterChannelInitialized(Channel channel) {
                      channel.pipeline().addFirst(new FlushConsolidationHandler(256, true));
                    }
                  })
              .build();
      coalescedClient = RedisClient.create(coalescedResources, server.url());
      coalesced = coalescedClient.connect().sync();
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      connection.close();
      client.shutdown();
      coalescedClient.shutdown();
      coalescedResources.shutdown().get();
      satchel.close();
      uncachedSatchel.close();
      server.close();
    }
  }

  /** One session per thread, holding the reference value. */
  @State(Scope.Thread)
  public static class PerThread {
    String id;
    String bareKey;
    String coalescedKey;

    @Setup(Level.Trial)
    public void create(Shared shared) {
      Session session = shared.satchel.open(null, cookie -> {});
      ReferenceSession.values().forEach(session::set);
      session.commit();
      id = session.id().orElseThrow();
      bareKey = "bare:" + id;
      shared.bare.set(bareKey, ReferenceSession.astroBlob());
      coalescedKey = "coalesced:" + id;
      shared.bare.set(coalescedKey, ReferenceSession.astroBlob());
    }
  }

  @Benchmark
  public Session lifecycle(Shared shared, PerThread thread) {
    return request(shared.satchel, thread.id);
  }

  @Benchmark
  public Session lifecycleUncached(Shared shared, PerThread thread) {
    return request(shared.uncachedSatchel, thread.id);
  }

  /** One request: read the cart, write it back, commit. */
  static Session request(Satchel satchel, String id) {
    Session session = satchel.open(id, cookie -> {});
    List<String> cart = session.get("cart", CART).orElseThrow();
    session.set("cart", cart, CART);
    session.commit();
    return session;
  }

  @Benchmark
  public String bareGetSet(Shared shared, PerThread thread) {
    String blob = shared.bare.get(thread.bareKey);
    return shared.bare.set(thread.bareKey, blob);
  }

  @Benchmark
  public String bareGetSetCoalesced(Shared shared, PerThread thread) {
    String blob = shared.coalesced.get(thread.coalescedKey);
    return shared.coalesced.set(thread.coalescedKey, blob);
  }

  /**
   * The lifecycle and its floor taking turns in one JVM, for a busy machine ({@link Interleaved}):
   * arguments threads (8), rounds (20), slice in ms (1000), and {@code all} to add the floor with
   * coalesced flushes and the lifecycle without the decoded-session cache.
   */
  public static void main(String[] args) throws Exception {
    Interleaved.Arguments arguments = Interleaved.Arguments.parse(args, "");
    RedisBenchmark benchmark = new RedisBenchmark();
    Shared shared = new Shared();
    shared.start();
    try {
      PerThread[] states = new PerThread[arguments.threads()];
      for (int i = 0; i < states.length; i++) {
        states[i] = new PerThread();
        states[i].create(shared);
      }
      java.util.Map<String, Interleaved.Request> contenders = new java.util.LinkedHashMap<>();
      contenders.put("bareGetSet", t -> benchmark.bareGetSet(shared, states[t]));
      contenders.put("lifecycle", t -> benchmark.lifecycle(shared, states[t]));
      if (arguments.which().equals("all")) {
        contenders.put(
            "bareGetSetCoalesced", t -> benchmark.bareGetSetCoalesced(shared, states[t]));
        contenders.put("lifecycleUncached", t -> benchmark.lifecycleUncached(shared, states[t]));
      }
      long[] pid = {shared.server.pid()};
      Interleaved.run(arguments, contenders, () -> Interleaved.cpuNanos(pid, false));
    } finally {
      shared.stop();
    }
  }
}
