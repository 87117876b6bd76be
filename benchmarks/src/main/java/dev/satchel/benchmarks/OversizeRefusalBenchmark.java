package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionSizeException;
import java.util.ArrayList;
import java.util.List;
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
 * What refusing an item of about 50 MB costs a request: the key is set, and the commit throws
 * {@link SessionSizeException} under the default max-session-size (1 MiB). {@code string} is one
 * 50-million-character string, {@code list} a million distinct 50-character strings (the blob would
 * take about 60 million characters). Refusing stops writing once the limit is passed, so what
 * remains is mostly the copy {@code set} takes of the value.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar OversizeRefusalBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = "-Xmx4g")
public class OversizeRefusalBenchmark {
  @Param({"string", "list"})
  public String shape;

  private Satchel satchel;
  private Object item;

  @Setup
  public void setUp() {
    satchel = Satchel.builder().driver("memory").build();
    if (shape.equals("string")) {
      item = "x".repeat(50_000_000);
    } else {
      List<String> lines = new ArrayList<>(1_000_000);
      for (int i = 0; i < 1_000_000; i++) {
        lines.add(String.format("line-%07d-", i) + "y".repeat(37));
      }
      item = lines;
    }
  }

  @TearDown
  public void tearDown() {
    satchel.close();
  }

  @Benchmark
  public long refused() {
    Session session = satchel.open(null, cookie -> {});
    session.set("big", item);
    try {
      session.commit();
    } catch (SessionSizeException e) {
      return e.size();
    }
    throw new IllegalStateException("a " + shape + " of about 50 MB was stored");
  }
}
