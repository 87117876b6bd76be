package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.redis.RedisServerProcess;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@code Session.update} under contention: 8 threads incrementing one key of one session on the
 * redis driver, each call a request of its own. Besides updates per second, the auxiliary counters
 * give how often the change function ran: {@code attempts / updates - 1} is the retries per update.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar UpdateContentionBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
@Threads(8)
public class UpdateContentionBenchmark {

  /** The server, the application's Satchel, and the one session every thread updates. */
  @State(Scope.Benchmark)
  public static class Shared {
    RedisServerProcess server;
    Satchel satchel;
    String id;

    @Setup(Level.Trial)
    public void start() {
      server = RedisServerProcess.start(false);
      satchel = Satchel.builder().driver("redis").driverOption("url", server.url()).build();
      Session session = satchel.open((String) null, cookie -> {});
      session.set("count", 0L, ValueCodecs.longs());
      session.commit();
      id = session.id().orElseThrow();
    }

    @TearDown(Level.Trial)
    public void stop() throws InterruptedException {
      satchel.close();
      server.close();
    }
  }

  /** Per-thread counts that JMH adds up and reports beside the score. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Counts {
    public long updates;
    public long attempts;

    @Setup(Level.Iteration)
    public void reset() {
      updates = 0;
      attempts = 0;
    }
  }

  @Benchmark
  public Long updateOneKey(Shared shared, Counts counts) {
    Session session = shared.satchel.open(shared.id, cookie -> {});
    Long stored =
        session.update(
            "count",
            ValueCodecs.longs(),
            current -> {
              counts.attempts++;
              return current == null ? 1L : current + 1;
            });
    session.commit();
    counts.updates++;
    return stored;
  }
}
