package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodec;
import java.util.ArrayList;
import java.util.List;
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
 * Get and set of a 20-item cart and a user through the generated {@code BenchShopSession}, next to
 * the same calls on the untyped {@link Session} with hand-picked codecs.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar GeneratedAccessBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GeneratedAccessBenchmark {
  private static final ValueCodec<List<String>> CART = HandWrittenCodecs.CART;
  private static final ValueCodec<BenchShop.User> USER = HandWrittenCodecs.USER;

  private Satchel satchel;
  private Session session;
  private List<String> cart;
  private BenchShop.User user;

  @Setup
  public void setUp() {
    satchel = Satchel.builder().driver("memory").build();
    session = satchel.open(null, cookie -> {});
    cart = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      cart.add(String.format("sku-%04d", i));
    }
    user = new BenchShop.User("u-12345", "Houston", "houston@example.com");
    session.set("cart", cart, CART);
    session.set("user", user, USER);
  }

  @TearDown
  public void tearDown() {
    satchel.close();
  }

  @Benchmark
  public Object generated() {
    BenchShopSession shop = BenchShopSession.of(session);
    List<String> read = shop.cart().orElseThrow();
    BenchShop.User who = shop.user().orElseThrow();
    shop.setCart(read);
    shop.setUser(who);
    return read;
  }

  @Benchmark
  public Object handWritten() {
    List<String> read = session.get("cart", CART).orElseThrow();
    BenchShop.User who = session.get("user", USER).orElseThrow();
    session.set("cart", read, CART);
    session.set("user", who, USER);
    return read;
  }
}
