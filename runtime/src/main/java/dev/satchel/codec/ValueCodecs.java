package dev.satchel.codec;

import static java.util.Objects.requireNonNull;

import dev.satchel.devalue.ArrayBuffer;
import dev.satchel.devalue.Hole;
import dev.satchel.devalue.InvalidDate;
import dev.satchel.devalue.JsRegExp;
import dev.satchel.devalue.JsUrl;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.TypedArray;
import dev.satchel.devalue.Undefined;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The value codecs for every type Satchel stores: scalars, dates, URLs, patterns, enums, and
 * combinators for lists, sets, maps, optionals and arrays. Records get generated codecs.
 *
 * <p>Decoding accepts what a JavaScript app may have stored for the same logical value: a {@code
 * Map<String, V>} also reads a plain object, an {@code Instant} reads any valid Date. {@code null}
 * and {@code undefined} decode to {@code null} (or {@code Optional.empty()}).
 */
public final class ValueCodecs {
  private static final long MAX_SAFE_INTEGER = 9007199254740991L;

  private ValueCodecs() {}

  private static final ValueCodec<Object> UNTYPED =
      scalar("Object", (value) -> value, (value) -> value);

  private static final ValueCodec<String> STRING =
      scalar("String", String.class, value -> value, value -> value);

  private static final ValueCodec<Boolean> BOOLEAN =
      scalar("Boolean", Boolean.class, value -> value, value -> value);

  private static final ValueCodec<Double> DOUBLE =
      scalar("Double", Double.class, value -> value, value -> value);

  private static final ValueCodec<Float> FLOAT =
      scalar("Float", Double.class, value -> value, Double::floatValue);

  private static final ValueCodec<Integer> INTEGER =
      integral("Integer", Integer.MIN_VALUE, Integer.MAX_VALUE, Long::intValue);

  private static final ValueCodec<Long> LONG =
      integral("Long", -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER, value -> value);

  private static final ValueCodec<Short> SHORT =
      integral("Short", Short.MIN_VALUE, Short.MAX_VALUE, Long::shortValue);

  private static final ValueCodec<Byte> BYTE =
      integral("Byte", Byte.MIN_VALUE, Byte.MAX_VALUE, Long::byteValue);

  private static final ValueCodec<Character> CHARACTER =
      scalar(
          "Character",
          String.class,
          String::valueOf,
          value -> {
            if (value.length() != 1) {
              throw new ValueCodecException(
                  "expected a string of one character, got " + value.length() + " characters");
            }
            return value.charAt(0);
          });

  private static final ValueCodec<BigInteger> BIG_INTEGER =
      scalar(
          "BigInteger",
          value -> value,
          value -> {
            if (value instanceof BigInteger) {
              return (BigInteger) value;
            }
            if (value instanceof Double && isIntegral((Double) value)) {
              return new BigDecimal((Double) value).toBigInteger();
            }
            throw mismatch("a bigint", value);
          });

  private static final ValueCodec<Date> DATE =
      scalar("Date", value -> value, value -> new Date(epochMillis(value)));

  private static final ValueCodec<Instant> INSTANT =
      scalar("Instant", value -> value, value -> Instant.ofEpochMilli(epochMillis(value)));

  private static final ValueCodec<URI> URI_CODEC =
      scalar(
          "URI",
          value -> value,
          value -> {
            try {
              return URI.create(href(value));
            } catch (IllegalArgumentException e) {
              throw new ValueCodecException("the stored URL is not a valid java.net.URI", e);
            }
          });

  private static final ValueCodec<URL> URL_CODEC =
      scalar(
          "URL",
          value -> value,
          value -> {
            try {
              return URI.create(href(value)).toURL();
            } catch (IllegalArgumentException | MalformedURLException e) {
              throw new ValueCodecException("the stored URL is not a valid java.net.URL", e);
            }
          });

  private static final ValueCodec<Pattern> PATTERN =
      scalar(
          "Pattern",
          JsRegExp::of,
          value -> {
            if (!(value instanceof JsRegExp)) {
              throw mismatch("a RegExp", value);
            }
            try {
              return ((JsRegExp) value).toPattern();
            } catch (PatternSyntaxException e) {
              throw new ValueCodecException(
                  "the stored RegExp is not a valid java.util.regex.Pattern: " + e.getDescription(),
                  e);
            }
          });

  private static final ValueCodec<byte[]> BYTE_ARRAY =
      scalar(
          "byte[]",
          value -> new TypedArray("Uint8Array", new ArrayBuffer(value.clone())),
          value -> {
            if (value instanceof TypedArray
                && ((TypedArray) value).byteLength() == ((TypedArray) value).length()) {
              TypedArray view = (TypedArray) value;
              byte[] bytes = new byte[view.length()];
              System.arraycopy(view.buffer().bytes(), view.byteOffset(), bytes, 0, bytes.length);
              return bytes;
            }
            if (value instanceof ArrayBuffer) {
              return ((ArrayBuffer) value).bytes().clone();
            }
            throw mismatch("a Uint8Array", value);
          });

  /** Any value, as {@link dev.satchel.devalue.Devalue} reads and writes it. */
  public static ValueCodec<Object> untyped() {
    return UNTYPED;
  }

  /** {@code String} ↔ string. */
  public static ValueCodec<String> strings() {
    return STRING;
  }

  /** {@code Boolean} ↔ boolean. */
  public static ValueCodec<Boolean> booleans() {
    return BOOLEAN;
  }

  /** {@code Double} ↔ number. */
  public static ValueCodec<Double> doubles() {
    return DOUBLE;
  }

  /** {@code Float} ↔ number. */
  public static ValueCodec<Float> floats() {
    return FLOAT;
  }

  /** {@code Integer} ↔ number; decoding refuses fractions and values outside int's range. */
  public static ValueCodec<Integer> integers() {
    return INTEGER;
  }

  /**
   * {@code Long} ↔ number, within ±(2^53−1), the integers a JavaScript number holds exactly; beyond
   * that, use {@link #bigIntegers()}.
   */
  public static ValueCodec<Long> longs() {
    return LONG;
  }

  /** {@code Short} ↔ number. */
  public static ValueCodec<Short> shorts() {
    return SHORT;
  }

  /** {@code Byte} ↔ number. */
  public static ValueCodec<Byte> bytes() {
    return BYTE;
  }

  /** {@code Character} ↔ a string of one UTF-16 unit. */
  public static ValueCodec<Character> characters() {
    return CHARACTER;
  }

  /** {@code BigInteger} ↔ BigInt; decoding also takes an integral number. */
  public static ValueCodec<BigInteger> bigIntegers() {
    return BIG_INTEGER;
  }

  /** {@code Instant} ↔ Date, at millisecond precision (finer digits are dropped). */
  public static ValueCodec<Instant> instants() {
    return INSTANT;
  }

  /** {@code java.util.Date} ↔ Date. */
  public static ValueCodec<Date> dates() {
    return DATE;
  }

  /** {@code URI} ↔ URL. */
  public static ValueCodec<URI> uris() {
    return URI_CODEC;
  }

  /** {@code URL} ↔ URL. */
  public static ValueCodec<URL> urls() {
    return URL_CODEC;
  }

  /** {@code Pattern} ↔ RegExp, with the flags both have ({@code i}, {@code m}, {@code s}). */
  public static ValueCodec<Pattern> patterns() {
    return PATTERN;
  }

  /** {@code byte[]} ↔ Uint8Array. */
  public static ValueCodec<byte[]> byteArrays() {
    return BYTE_ARRAY;
  }

  /** An enum ↔ its constant's name. */
  public static <E extends Enum<E>> ValueCodec<E> enums(String typeName, E[] constants) {
    requireNonNull(typeName, "typeName");
    Map<String, E> byName = new HashMap<>();
    for (E constant : constants) {
      byName.put(constant.name(), constant);
    }
    return scalar(
        typeName,
        String.class,
        Enum::name,
        name -> {
          E constant = byName.get(name);
          if (constant == null) {
            throw new ValueCodecException(
                "\"" + name + "\" is not a constant of " + typeName + " " + byName.keySet());
          }
          return constant;
        });
  }

  /** An enum ↔ its constant's name. */
  public static <E extends Enum<E>> ValueCodec<E> enums(Class<E> type) {
    return enums(type.getSimpleName(), type.getEnumConstants());
  }

  /**
   * A codec resolved on first use, for types that refer to themselves ({@code record
   * Node(List<Node> children)}): the generated codec for {@code Node} is still being built when its
   * own component codecs are.
   */
  public static <T> ValueCodec<T> lazy(java.util.function.Supplier<ValueCodec<T>> codec) {
    requireNonNull(codec, "codec");
    return new ValueCodec<>() {
      @Override
      public Object encode(T value, CodecContext context) {
        return codec.get().encode(value, context);
      }

      @Override
      public T decode(Object value, CodecContext context) {
        return codec.get().decode(value, context);
      }

      @Override
      public String describe() {
        return codec.get().describe();
      }
    };
  }

  /** {@code List<T>} ↔ array. Decoding gives a mutable {@code ArrayList}. */
  public static <T> ValueCodec<List<T>> list(ValueCodec<T> element) {
    requireNonNull(element, "element");
    return new ValueCodec<>() {
      @Override
      public Object encode(List<T> value, CodecContext context) {
        return value == null ? null : encodeAll(value, element, context, new ArrayList<>());
      }

      @Override
      public List<T> decode(Object value, CodecContext context) {
        if (absent(value)) {
          return null;
        }
        if (!(value instanceof List)) {
          throw mismatch("an array", value);
        }
        return decodeAll((List<?>) value, element, context, new ArrayList<>(), true);
      }

      @Override
      public String describe() {
        return "List<" + element.describe() + ">";
      }
    };
  }

  /** {@code Set<T>} ↔ Set. Decoding gives a mutable, insertion-ordered {@code LinkedHashSet}. */
  public static <T> ValueCodec<Set<T>> set(ValueCodec<T> member) {
    requireNonNull(member, "member");
    return new ValueCodec<>() {
      @Override
      public Object encode(Set<T> value, CodecContext context) {
        return value == null ? null : encodeAll(value, member, context, new LinkedHashSet<>());
      }

      @Override
      public Set<T> decode(Object value, CodecContext context) {
        if (absent(value)) {
          return null;
        }
        if (!(value instanceof Set)) {
          throw mismatch("a Set", value);
        }
        return decodeAll((Set<?>) value, member, context, new LinkedHashSet<>(), false);
      }

      @Override
      public String describe() {
        return "Set<" + member.describe() + ">";
      }
    };
  }

  /**
   * {@code Map<K, V>} ↔ Map. Decoding gives a mutable, insertion-ordered {@code LinkedHashMap}, and
   * also reads a plain object when the keys are strings.
   */
  public static <K, V> ValueCodec<Map<K, V>> map(ValueCodec<K> key, ValueCodec<V> value) {
    requireNonNull(key, "key");
    requireNonNull(value, "value");
    return new ValueCodec<>() {
      @Override
      public Object encode(Map<K, V> map, CodecContext context) {
        if (map == null) {
          return null;
        }
        context.enter();
        Map<Object, Object> encoded = new LinkedHashMap<>();
        for (Map.Entry<K, V> entry : map.entrySet()) {
          String segment = ".get(" + keyLiteral(entry.getKey()) + ")";
          try {
            encoded.put(
                key.encode(entry.getKey(), context), value.encode(entry.getValue(), context));
          } catch (ValueCodecException e) {
            throw e.under(segment);
          }
        }
        context.exit();
        return encoded;
      }

      @Override
      public Map<K, V> decode(Object stored, CodecContext context) {
        if (absent(stored)) {
          return null;
        }
        if (!(stored instanceof Map)) {
          throw mismatch("a Map", stored);
        }
        context.enter();
        Map<K, V> decoded = new LinkedHashMap<>();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) stored).entrySet()) {
          String segment = ".get(" + keyLiteral(entry.getKey()) + ")";
          try {
            decoded.put(
                key.decode(entry.getKey(), context), value.decode(entry.getValue(), context));
          } catch (ValueCodecException e) {
            throw e.under(segment);
          }
        }
        context.exit();
        return decoded;
      }

      @Override
      public String describe() {
        return "Map<" + key.describe() + ", " + value.describe() + ">";
      }
    };
  }

  /** {@code Optional<T>} ↔ the value, or {@code undefined} when empty. */
  public static <T> ValueCodec<Optional<T>> optional(ValueCodec<T> content) {
    requireNonNull(content, "content");
    return new ValueCodec<>() {
      @Override
      public Object encode(Optional<T> value, CodecContext context) {
        if (value == null || value.isEmpty()) {
          return Undefined.INSTANCE;
        }
        return content.encode(value.get(), context);
      }

      @Override
      public Optional<T> decode(Object value, CodecContext context) {
        return Optional.ofNullable(content.decode(value, context));
      }

      @Override
      public String describe() {
        return "Optional<" + content.describe() + ">";
      }
    };
  }

  /** {@code T[]} ↔ array; {@code newArray} is {@code T[]::new}. */
  public static <T> ValueCodec<T[]> array(ValueCodec<T> element, IntFunction<T[]> newArray) {
    ValueCodec<List<T>> list = list(element);
    return new ValueCodec<>() {
      @Override
      public Object encode(T[] value, CodecContext context) {
        return value == null ? null : list.encode(java.util.Arrays.asList(value), context);
      }

      @Override
      public T[] decode(Object value, CodecContext context) {
        List<T> decoded = list.decode(value, context);
        return decoded == null ? null : decoded.toArray(newArray.apply(decoded.size()));
      }

      @Override
      public String describe() {
        return element.describe() + "[]";
      }
    };
  }

  /** {@code int[]} ↔ array of numbers. */
  public static ValueCodec<int[]> intArrays() {
    return primitiveArray(
        "int[]",
        integers(),
        a -> java.util.Arrays.stream(a).boxed().toList(),
        l -> l.stream().mapToInt(Integer::intValue).toArray());
  }

  /** {@code long[]} ↔ array of numbers, each within ±(2^53−1). */
  public static ValueCodec<long[]> longArrays() {
    return primitiveArray(
        "long[]",
        longs(),
        a -> java.util.Arrays.stream(a).boxed().toList(),
        l -> l.stream().mapToLong(Long::longValue).toArray());
  }

  /** {@code double[]} ↔ array of numbers. */
  public static ValueCodec<double[]> doubleArrays() {
    return primitiveArray(
        "double[]",
        doubles(),
        a -> java.util.Arrays.stream(a).boxed().toList(),
        l -> l.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /** {@code boolean[]} ↔ array of booleans. */
  public static ValueCodec<boolean[]> booleanArrays() {
    return primitiveArray(
        "boolean[]",
        booleans(),
        a -> {
          List<Boolean> list = new ArrayList<>(a.length);
          for (boolean b : a) {
            list.add(b);
          }
          return list;
        },
        l -> {
          boolean[] a = new boolean[l.size()];
          for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
          }
          return a;
        });
  }

  private static <A, T> ValueCodec<A> primitiveArray(
      String name, ValueCodec<T> element, Function<A, List<T>> box, Function<List<T>, A> unbox) {
    ValueCodec<List<T>> list = list(nonNull(element));
    return new ValueCodec<>() {
      @Override
      public Object encode(A value, CodecContext context) {
        return value == null ? null : list.encode(box.apply(value), context);
      }

      @Override
      public A decode(Object value, CodecContext context) {
        List<T> decoded = list.decode(value, context);
        return decoded == null ? null : unbox.apply(decoded);
      }

      @Override
      public String describe() {
        return name;
      }
    };
  }

  /** A codec that refuses {@code null}, for elements of primitive arrays. */
  static <T> ValueCodec<T> nonNull(ValueCodec<T> codec) {
    return new ValueCodec<>() {
      @Override
      public Object encode(T value, CodecContext context) {
        if (value == null) {
          throw new ValueCodecException("null has no place in " + codec.describe());
        }
        return codec.encode(value, context);
      }

      @Override
      public T decode(Object value, CodecContext context) {
        T decoded = codec.decode(value, context);
        if (decoded == null) {
          throw new ValueCodecException("expected " + codec.describe() + ", got " + value);
        }
        return decoded;
      }

      @Override
      public String describe() {
        return codec.describe();
      }
    };
  }

  private static <C extends Collection<Object>, T> C encodeAll(
      Collection<T> values, ValueCodec<T> codec, CodecContext context, C out) {
    context.enter();
    int index = 0;
    for (T value : values) {
      try {
        out.add(codec.encode(value, context));
      } catch (ValueCodecException e) {
        throw e.under(out instanceof List ? "[" + index + "]" : "");
      }
      index++;
    }
    context.exit();
    return out;
  }

  private static <C extends Collection<T>, T> C decodeAll(
      Collection<?> values, ValueCodec<T> codec, CodecContext context, C out, boolean indexed) {
    context.enter();
    int index = 0;
    for (Object value : values) {
      if (value == Hole.INSTANCE) {
        throw new ValueCodecException("an array with holes has no " + codec.describe() + " form")
            .under("[" + index + "]");
      }
      context.count();
      try {
        out.add(codec.decode(value, context));
      } catch (ValueCodecException e) {
        throw e.under(indexed ? "[" + index + "]" : "");
      }
      index++;
    }
    context.exit();
    return out;
  }

  /** Whether a stored value stands for no value: {@code null} or {@code undefined}. */
  static boolean absent(Object value) {
    return value == null || value == Undefined.INSTANCE;
  }

  static String propertySegment(String name) {
    return name.matches("[A-Za-z_$][A-Za-z0-9_$]*") ? "." + name : "[\"" + name + "\"]";
  }

  private static String keyLiteral(Object key) {
    if (key instanceof String) {
      return "\"" + key + "\"";
    }
    if (key == null || key instanceof Number || key instanceof Boolean) {
      return String.valueOf(key);
    }
    if (key instanceof Enum) {
      return "\"" + ((Enum<?>) key).name() + "\"";
    }
    return "...";
  }

  private static long epochMillis(Object value) {
    if (value instanceof Date) {
      return ((Date) value).getTime();
    }
    if (value instanceof Instant) {
      return ((Instant) value).toEpochMilli();
    }
    if (value instanceof InvalidDate) {
      throw new ValueCodecException("the stored Date is invalid");
    }
    throw mismatch("a Date", value);
  }

  private static String href(Object value) {
    if (value instanceof JsUrl || value instanceof URI || value instanceof URL) {
      return value.toString();
    }
    throw mismatch("a URL", value);
  }

  private static boolean isIntegral(double value) {
    return Double.isFinite(value) && value == Math.rint(value);
  }

  private static <T> ValueCodec<T> integral(
      String name, long min, long max, Function<Long, T> narrow) {
    return scalar(
        name,
        value -> {
          long number = ((Number) value).longValue();
          if (number < min || number > max) {
            throw new ValueCodecException(
                name
                    + " "
                    + number
                    + " is outside what a JavaScript number holds exactly; use BigInteger");
          }
          return value;
        },
        value -> {
          double number;
          if (value instanceof Double) {
            number = (Double) value;
          } else if (value instanceof BigInteger && ((BigInteger) value).bitLength() < 64) {
            number = ((BigInteger) value).longValue();
            if (((BigInteger) value).longValue() < min || ((BigInteger) value).longValue() > max) {
              throw new ValueCodecException("bigint " + value + " does not fit " + name);
            }
            return narrow.apply(((BigInteger) value).longValue());
          } else {
            throw mismatch("a number", value);
          }
          if (!isIntegral(number) || number < min || number > max) {
            throw new ValueCodecException(
                "expected an integer that fits " + name + ", got " + format(number));
          }
          return narrow.apply((long) number);
        });
  }

  private static String format(double number) {
    return number == Math.rint(number) && Math.abs(number) < 1e21
        ? new BigDecimal(number).toPlainString()
        : Double.toString(number);
  }

  private interface Converter<A, B> {
    B apply(A value);
  }

  private static <T> ValueCodec<T> scalar(
      String name, Converter<T, Object> encode, Converter<Object, T> decode) {
    return new ValueCodec<>() {
      @Override
      public Object encode(T value, CodecContext context) {
        return value == null ? null : encode.apply(value);
      }

      @Override
      public T decode(Object value, CodecContext context) {
        return absent(value) ? null : decode.apply(value);
      }

      @Override
      public String describe() {
        return name;
      }
    };
  }

  private static <S, T> ValueCodec<T> scalar(
      String name, Class<S> stored, Converter<T, Object> encode, Converter<S, T> decode) {
    return scalar(
        name,
        encode,
        value -> {
          if (!stored.isInstance(value)) {
            throw mismatch(article(stored), value);
          }
          return decode.apply(stored.cast(value));
        });
  }

  private static String article(Class<?> stored) {
    if (stored == String.class) {
      return "a string";
    }
    if (stored == Double.class) {
      return "a number";
    }
    if (stored == Boolean.class) {
      return "a boolean";
    }
    return "a " + stored.getSimpleName();
  }

  static ValueCodecException mismatch(String expected, Object actual) {
    return new ValueCodecException("expected " + expected + ", got " + describeStored(actual));
  }

  private static String describeStored(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String) {
      String text = (String) value;
      return "the string \"" + (text.length() > 40 ? text.substring(0, 40) + "…" : text) + "\"";
    }
    if (value instanceof Double) {
      return "the number " + format((Double) value);
    }
    if (value instanceof Boolean || value == Undefined.INSTANCE) {
      return String.valueOf(value);
    }
    if (value instanceof PlainObject) {
      return "an object";
    }
    if (value instanceof List) {
      return "an array";
    }
    if (value instanceof Map) {
      return "a Map";
    }
    if (value instanceof Set) {
      return "a Set";
    }
    return "a " + value.getClass().getSimpleName();
  }
}
