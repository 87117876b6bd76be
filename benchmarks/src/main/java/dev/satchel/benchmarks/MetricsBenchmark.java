package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.micrometer.SatchelMetrics;
import dev.satchel.testing.ReferenceSession;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code satchel-micrometer} costs a request: {@link SessionBenchmark}'s lifecycle on the
 * memory driver (open, read the cart, write it back, commit: a store read and a write, a decoded
 * cache hit, a commit and a size), with no metrics, with {@link SatchelMetrics} bound to a {@link
 * PrometheusMeterRegistry}, and bound to a {@link SimpleMeterRegistry}.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar MetricsBenchmark}
 *
 * <p>On a machine busy with other work, where throughput swings by more than the difference sought,
 * {@code java -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.MetricsBenchmark
 * [prometheus|simple] [rounds]} runs the lifecycle without and with metrics in one JVM, alternating
 * short batches, and compares the thread CPU time per lifecycle at the 10th and 25th percentiles of
 * the batches, which other processes' load leaves least disturbed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsBenchmark {
  private static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());

  /** Where {@link #main}'s lifecycles go, so that none is optimized away. */
  private static Object sink;

  @Param({"off", "prometheus", "simple"})
  public String metrics;

  private Satchel satchel;
  private MeterRegistry registry;
  private String id;

  @Setup
  public void setUp() {
    // As SessionBenchmark sets it up, so that "off" compares with its lifecycle.
    satchel = Satchel.builder().driver("memory").idleTimeout(null).build();
    registry =
        switch (metrics) {
          case "off" -> null;
          case "prometheus" -> new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
          case "simple" -> new SimpleMeterRegistry();
          default -> throw new IllegalArgumentException(metrics);
        };
    if (registry != null) {
      new SatchelMetrics(satchel).bindTo(registry);
    }
    Session first = satchel.open(null, cookie -> {});
    ReferenceSession.values().forEach(first::set);
    first.commit();
    id = first.id().orElseThrow();
  }

  @TearDown
  public void tearDown() {
    if (registry != null) {
      // The lifecycle ran, and was counted: a benchmark that measured nothing fails here.
      double commits = registry.get("satchel.commits").tag("outcome", "written").counter().count();
      if (commits < 2) {
        throw new IllegalStateException("no commits counted: " + commits);
      }
      registry.close();
    }
    satchel.close();
  }

  @Benchmark
  public Session lifecycle() {
    return lifecycle(satchel, id);
  }

  private static Session lifecycle(Satchel satchel, String id) {
    Session session = satchel.open(id, cookie -> {});
    List<String> cart = session.get("cart", CART).orElseThrow();
    session.set("cart", cart, CART);
    session.commit();
    return session;
  }

  /** The interleaved comparison in thread CPU time; see the class comment. */
  public static void main(String[] args) {
    String metrics = args.length > 0 ? args[0] : "prometheus";
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 400;
    MetricsBenchmark off = new MetricsBenchmark();
    off.metrics = "off";
    off.setUp();
    MetricsBenchmark on = new MetricsBenchmark();
    on.metrics = metrics;
    on.setUp();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long warmUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < warmUntil) {
      cpuNanosPerLifecycle(threads, off);
      cpuNanosPerLifecycle(threads, on);
    }
    double[] without = new double[rounds];
    double[] with = new double[rounds];
    for (int round = 0; round < rounds; round++) {
      // Alternating which goes first, so that neither always follows the other's garbage.
      if (round % 2 == 0) {
        without[round] = cpuNanosPerLifecycle(threads, off);
        with[round] = cpuNanosPerLifecycle(threads, on);
      } else {
        with[round] = cpuNanosPerLifecycle(threads, on);
        without[round] = cpuNanosPerLifecycle(threads, off);
      }
    }
    Arrays.sort(without);
    Arrays.sort(with);
    for (int percentile : new int[] {10, 25, 50}) {
      double a = without[rounds * percentile / 100];
      double b = with[rounds * percentile / 100];
      System.out.printf(
          Locale.ROOT,
          "p%d: off %.0f ns, %s %.0f ns per lifecycle (CPU): %+.1f ns, ratio %.4f%n",
          percentile,
          a,
          metrics,
          b,
          b - a,
          b / a);
    }
    off.tearDown();
    on.tearDown();
  }

  private static double cpuNanosPerLifecycle(ThreadMXBean threads, MetricsBenchmark state) {
    int batch = 2_000;
    long started = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < batch; i++) {
      sink = lifecycle(state.satchel, state.id);
    }
    return (threads.getCurrentThreadCpuTime() - started) / (double) batch;
  }
}
