package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecException;
import dev.satchel.codec.ValueCodecs;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random values survive a round trip; random damage to valid text fails only with our exception.
 */
class DevalueProperties {
  private static final Devalue DEVALUE = Devalue.standard();

  @Property(tries = 500)
  void randomValue_survivesWriteThenRead(@ForAll("values") Object value) {
    String text = DEVALUE.stringify(value);
    Object read = DEVALUE.parse(text);
    assertEquals(canonical(value), canonical(read));
    assertEquals(text, DEVALUE.stringify(read));
  }

  @Property(tries = 1000)
  void copy_isWhatWritingAndReadingGive(@ForAll("values") Object value) {
    for (Devalue devalue : List.of(DEVALUE, Devalue.astro())) {
      Object roundTrip = devalue.parse(devalue.stringify(value));
      Object copy = devalue.copy(value);
      assertEquals(shape(roundTrip), shape(copy));
      assertEquals(devalue.stringify(roundTrip), devalue.stringify(copy));
    }
  }

  /** The value with the Java class of every part: a copy must match the round trip in types too. */
  static String shape(Object value) {
    if (value == null) {
      return "null";
    }
    String type = value.getClass().getSimpleName();
    if (value instanceof Double) {
      return type + ":" + Double.doubleToRawLongBits((Double) value);
    }
    if (value instanceof Date) {
      return type + ":" + ((Date) value).getTime();
    }
    if (value instanceof Map) {
      StringBuilder out = new StringBuilder(type).append('{');
      ((Map<?, ?>) value)
          .forEach((k, v) -> out.append(shape(k)).append('=').append(shape(v)).append(','));
      return out.append('}').toString();
    }
    if (value instanceof Iterable) {
      StringBuilder out = new StringBuilder(type).append('[');
      for (Object item : (Iterable<?>) value) {
        out.append(shape(item)).append(',');
      }
      return out.append(']').toString();
    }
    return type + ":" + value;
  }

  @Property(tries = 2000)
  void damagedText_readsOrFailsWithDevalueException(
      @ForAll("values") Object value, @ForAll("damage") List<int[]> damage) {
    StringBuilder text = new StringBuilder(DEVALUE.stringify(value));
    for (int[] change : damage) {
      int at = text.length() == 0 ? 0 : Math.floorMod(change[1], text.length() + 1);
      char c = DAMAGE_CHARS.charAt(Math.floorMod(change[2], DAMAGE_CHARS.length()));
      switch (change[0]) {
        case 0 -> text.insert(at, c);
        case 1 -> {
          if (at < text.length()) {
            text.deleteCharAt(at);
          }
        }
        default -> {
          if (at < text.length()) {
            text.setCharAt(at, c);
          }
        }
      }
    }
    try {
      Object read = DEVALUE.parse(text.toString());
      DEVALUE.stringify(read);
    } catch (DevalueException expected) {
      // The one failure a caller has to handle.
    }
  }

  @Property(tries = 500)
  void damagedText_readsThroughTypedCodecsOrFailsWithCodecExceptions(
      @ForAll("values") Object value, @ForAll("damage") List<int[]> damage) {
    String text = DEVALUE.stringify(value);
    StringBuilder damaged = new StringBuilder(text);
    for (int[] change : damage) {
      if (damaged.length() > 0) {
        int at = Math.floorMod(change[1], damaged.length());
        damaged.setCharAt(at, DAMAGE_CHARS.charAt(Math.floorMod(change[2], DAMAGE_CHARS.length())));
      }
    }
    List<ValueCodec<?>> codecs =
        List.of(
            ValueCodecs.list(ValueCodecs.strings()),
            ValueCodecs.map(ValueCodecs.strings(), ValueCodecs.list(ValueCodecs.integers())),
            ValueCodecs.set(ValueCodecs.instants()),
            ValueCodecs.optional(ValueCodecs.longs()),
            ValueCodecs.array(ValueCodecs.bigIntegers(), BigInteger[]::new),
            ValueCodecs.uris(),
            ValueCodecs.patterns());
    Object read;
    try {
      read = DEVALUE.parse(damaged.toString());
    } catch (DevalueException e) {
      return;
    }
    for (ValueCodec<?> codec : codecs) {
      try {
        codec.decode(read, CodecContext.create());
      } catch (ValueCodecException expected) {
        // A stored value that does not fit the type.
      }
    }
  }

  @Property(tries = 300)
  void typedValues_roundTripThroughTheirCodecs(
      @ForAll("stringLists") List<String> cart, @ForAll("instants") Instant when) {
    ValueCodec<List<String>> cartCodec = ValueCodecs.list(ValueCodecs.strings());
    String text = DEVALUE.stringify(cartCodec.encode(cart, CodecContext.create()));
    assertEquals(cart, cartCodec.decode(DEVALUE.parse(text), CodecContext.create()));
    ValueCodec<Instant> instantCodec = ValueCodecs.instants();
    String instantText = DEVALUE.stringify(instantCodec.encode(when, CodecContext.create()));
    assertEquals(when, instantCodec.decode(DEVALUE.parse(instantText), CodecContext.create()));
  }

  private static final String DAMAGE_CHARS = "[]{},:\"\\-0123456789.eE-7-2 tfnaxu";

  @Provide
  Arbitrary<List<int[]>> damage() {
    Arbitrary<int[]> change =
        Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers(),
                Arbitraries.integers().between(0, 1000))
            .as((kind, at, c) -> new int[] {kind, at, c});
    return change.list().ofMinSize(1).ofMaxSize(4);
  }

  @Provide
  Arbitrary<List<String>> stringLists() {
    return strings().list().ofMaxSize(8);
  }

  @Provide
  Arbitrary<Instant> instants() {
    return Arbitraries.longs()
        .between(-JsDates.MAX_EPOCH_MILLIS, JsDates.MAX_EPOCH_MILLIS)
        .map(Instant::ofEpochMilli);
  }

  private static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(12),
        Arbitraries.of(
            "", "a", "__proto", "<", "</script>", "\u2028", "\ud800", "sku-0001", "0", "10"));
  }

  @Provide
  Arbitrary<Object> values() {
    return Arbitraries.recursive(this::leaves, this::containers, 0, 4);
  }

  private Arbitrary<Object> leaves() {
    return Arbitraries.oneOf(
        strings().map(s -> (Object) s),
        Arbitraries.doubles()
            .withSpecialValue(Double.NaN)
            .withSpecialValue(-0.0)
            .withSpecialValue(Double.POSITIVE_INFINITY)
            .withSpecialValue(5e-324)
            .map(d -> (Object) d),
        Arbitraries.integers().map(i -> (Object) i),
        Arbitraries.longs().between(-9007199254740991L, 9007199254740991L).map(l -> (Object) l),
        Arbitraries.of(true, false).map(b -> (Object) b),
        Arbitraries.just((Object) null),
        Arbitraries.just((Object) Undefined.INSTANCE),
        Arbitraries.bigIntegers()
            .between(BigInteger.TWO.pow(80).negate(), BigInteger.TWO.pow(80))
            .map(b -> (Object) b),
        instants().map(i -> (Object) i),
        Arbitraries.of(
                new JsUrl("https://example.com/a?b=1"),
                new JsRegExp("a\\/b", "gi"),
                new InvalidDate())
            .map(v -> (Object) v));
  }

  private Arbitrary<Object> containers(Arbitrary<Object> element) {
    return Arbitraries.oneOf(
        element.list().ofMaxSize(5).map(l -> (Object) new ArrayList<>(l)),
        Arbitraries.maps(strings().filter(k -> !k.equals("__proto__")), element)
            .ofMaxSize(5)
            .map(m -> (Object) new PlainObject(m)),
        Arbitraries.maps(strings(), element).ofMaxSize(5).map(m -> (Object) new JsMap(m)),
        element.list().ofMaxSize(5).map(l -> (Object) new JsSet(l)));
  }

  /** A comparable form: numbers by bits, dates by time, objects by key, Maps and Sets in order. */
  private static Object canonical(Object value) {
    if (value instanceof Number && !(value instanceof BigInteger)) {
      double d = ((Number) value).doubleValue();
      return Double.isNaN(d) ? "NaN" : "number:" + Double.doubleToLongBits(d);
    }
    if (value instanceof Instant) {
      return "date:" + ((Instant) value).toEpochMilli();
    }
    if (value instanceof Date) {
      return "date:" + ((Date) value).getTime();
    }
    if (value instanceof InvalidDate) {
      return "date:invalid";
    }
    if (value instanceof PlainObject) {
      java.util.TreeMap<String, Object> sorted = new java.util.TreeMap<>();
      ((PlainObject) value).forEach((k, v) -> sorted.put(k, canonical(v)));
      return sorted;
    }
    if (value instanceof Map) {
      List<Object> entries = new ArrayList<>();
      ((Map<?, ?>) value)
          .forEach(
              (k, v) ->
                  entries.add(List.of(String.valueOf(canonical(k)), String.valueOf(canonical(v)))));
      return "map:" + entries;
    }
    if (value instanceof Set || value instanceof List) {
      List<Object> items = new ArrayList<>();
      for (Object item : (Iterable<?>) value) {
        items.add(String.valueOf(canonical(item)));
      }
      return (value instanceof Set ? "set:" : "list:") + items;
    }
    return value == null ? "null" : value;
  }
}
