package dev.satchel.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.JsUrl;
import dev.satchel.devalue.PlainObject;
import dev.satchel.testing.ReferenceSession;
import java.net.URI;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole reference session blob written and read by the devalue codec and, side by side, the
 * same data as JSON by Jackson databind: untyped (maps and lists) and typed (into records).
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar CodecBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {

  /** The reference value as a typed Java object. */
  public record Reference(
      List<String> cart,
      BenchShop.User user,
      Instant lastVisit,
      Map<String, Object> prefs,
      Set<String> tags,
      URI homepage) {}

  private static final ValueCodec<List<String>> CART = HandWrittenCodecs.CART;
  private static final ValueCodec<Map<String, Object>> PREFS =
      ValueCodecs.map(ValueCodecs.strings(), ValueCodecs.untyped());
  private static final ValueCodec<Set<String>> TAGS = ValueCodecs.set(ValueCodecs.strings());

  private final Devalue devalue = Devalue.astro();
  private final ObjectMapper jackson = new ObjectMapper().registerModule(new JavaTimeModule());

  private Map<String, Object> entries;
  private String blob;
  private Map<String, Object> jacksonEntries;
  private String json;
  private String typedJson;

  @Setup
  public void setUp() throws Exception {
    entries = ReferenceSession.asAstroEntries();
    blob = ReferenceSession.astroBlob();
    if (!blob.equals(devalue.stringify(entries))) {
      throw new IllegalStateException("the codec no longer writes Astro's blob");
    }
    // The same data in the types Jackson handles out of the box: the date as epoch millis.
    jacksonEntries = new LinkedHashMap<>();
    ReferenceSession.values()
        .forEach(
            (key, value) -> {
              Map<String, Object> entry = new LinkedHashMap<>();
              entry.put("data", jacksonForm(value));
              entry.put("expires", key.equals("user") ? ReferenceSession.USER_EXPIRES : null);
              jacksonEntries.put(key, entry);
            });
    json = jackson.writeValueAsString(jacksonEntries);
    typedJson = jackson.writeValueAsString(readTyped());
  }

  private static Object jacksonForm(Object value) {
    if (value instanceof Instant) {
      return Date.from((Instant) value);
    }
    if (value instanceof JsUrl) {
      return value.toString();
    }
    return value;
  }

  @Benchmark
  public String devalueWrite() {
    return devalue.stringify(entries);
  }

  @Benchmark
  public Object devalueRead() {
    return devalue.parse(blob);
  }

  @Benchmark
  public String jacksonWrite() throws Exception {
    return jackson.writeValueAsString(jacksonEntries);
  }

  @Benchmark
  public Object jacksonRead() throws Exception {
    return jackson.readValue(json, Object.class);
  }

  @Benchmark
  public Reference devalueReadTyped() {
    return readTyped();
  }

  @Benchmark
  public Reference jacksonReadTyped() throws Exception {
    return jackson.readValue(typedJson, Reference.class);
  }

  private Reference readTyped() {
    Map<?, ?> stored = (Map<?, ?>) devalue.parse(blob);
    CodecContext context = CodecContext.create();
    return new Reference(
        CART.decode(data(stored, "cart"), context),
        HandWrittenCodecs.USER.decode(data(stored, "user"), context),
        ValueCodecs.instants().decode(data(stored, "lastVisit"), context),
        PREFS.decode(data(stored, "prefs"), context),
        TAGS.decode(data(stored, "tags"), context),
        ValueCodecs.uris().decode(data(stored, "homepage"), context));
  }

  private static Object data(Map<?, ?> stored, String key) {
    return ((PlainObject) stored.get(key)).get("data");
  }
}
