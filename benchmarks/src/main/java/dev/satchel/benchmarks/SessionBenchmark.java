package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.Devalue;
import dev.satchel.testing.ReferenceSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One request's session lifecycle on the memory driver (open, read the cart, write it back, commit)
 * next to the codec's own read and write of the same stored session.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar SessionBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SessionBenchmark {
  private static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());

  private Satchel satchel;
  private String id;
  private String blob;
  private Map<String, Object> entries;

  @Setup
  public void setUp() {
    // Without the idle timeout, so the figures compare with those taken before it was the default.
    satchel = Satchel.builder().driver("memory").idleTimeout(null).build();
    Session first = satchel.open(null, cookie -> {});
    ReferenceSession.values().forEach(first::set);
    first.commit();
    id = first.id().orElseThrow();
    blob = ReferenceSession.astroBlob();
    entries = ReferenceSession.asAstroEntries();
  }

  @TearDown
  public void tearDown() {
    satchel.close();
  }

  @Benchmark
  public Session lifecycle() {
    Session session = satchel.open(id, cookie -> {});
    List<String> cart = session.get("cart", CART).orElseThrow();
    session.set("cart", cart, CART);
    session.commit();
    return session;
  }

  @Benchmark
  public String codecReadWrite() {
    Devalue.astro().parse(blob);
    return Devalue.astro().stringify(entries);
  }
}
