package dev.satchel.devalue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The real devalue library's outputs and errors, and the Java side of its custom types. */
final class Fixtures {
  private Fixtures() {}

  static JsonNode load(String resource) {
    try (InputStream in = Fixtures.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fixtures' {@code Vector} class. */
  static final class Vector {
    final Object x;
    final Object y;

    Vector(Object x, Object y) {
      this.x = x;
      this.y = y;
    }
  }

  /** A JavaScript function, as the {@code Fn} reducer case carries it. */
  record JsFunction(String source) {}

  /**
   * The Java counterpart of each case's {@code reducers} and {@code revivers}, keyed by the
   * JavaScript text so that a new fixture with unknown custom types fails loudly.
   */
  static Devalue configurationFor(String reducers, String revivers) {
    Devalue.Builder builder = Devalue.builder();
    if (reducers == null && revivers == null) {
      return builder.build();
    }
    String key = reducers != null ? reducers : revivers;
    if (key.contains("Vector: (v) => v instanceof Vector && [v.x, v.y]")
        || key.contains("Vector: ([x, y]) => new Vector(x, y)")) {
      builder.reducer(
          "Vector", v -> v instanceof Vector ? List.of(((Vector) v).x, ((Vector) v).y) : null);
      builder.reviver("Vector", Fixtures::vectorFromList);
    } else if (key.contains("`${v.x},${v.y}`")) {
      builder.reducer(
          "Vector",
          v -> v instanceof Vector ? number(((Vector) v).x) + "," + number(((Vector) v).y) : null);
      builder.reviver(
          "Vector",
          s -> {
            String[] parts = ((String) s).split(",");
            return new Vector(Double.parseDouble(parts[0]), Double.parseDouble(parts[1]));
          });
    } else if (key.contains("First:")) {
      builder.reducer("First", v -> v instanceof Vector ? "first" : null);
      builder.reducer("Second", v -> v instanceof Vector ? "second" : null);
      builder.reviver("First", s -> new Vector(1.0, 2.0));
      builder.reviver("Second", s -> new Vector(1.0, 2.0));
    } else if (key.contains("Bang:")) {
      builder.reducer(
          "Bang",
          v ->
              v instanceof String && ((String) v).startsWith("!")
                  ? ((String) v).substring(1)
                  : null);
      builder.reviver("Bang", s -> "!" + s);
    } else if (key.contains("Date:")) {
      builder.reducer(
          "Date",
          d -> d instanceof java.util.Date ? (double) ((java.util.Date) d).getTime() + 1 : null);
      builder.reviver("Date", t -> new java.util.Date(((Double) t).longValue() - 1));
    } else if (key.contains("URL:")) {
      return Devalue.astro();
    } else if (key.contains("Fn:")) {
      builder.reducer("Fn", f -> f instanceof JsFunction ? ((JsFunction) f).source() : null);
      builder.reviver("Fn", src -> new JsFunction((String) src));
    } else {
      throw new IllegalStateException("no Java counterpart for the custom types " + key);
    }
    return builder.build();
  }

  private static Object vectorFromList(Object payload) {
    List<?> list = (List<?>) payload;
    return new Vector(list.get(0), list.size() > 1 ? list.get(1) : Undefined.INSTANCE);
  }

  private static String number(Object value) {
    return JsNumbers.toString((Double) value);
  }
}
