package dev.satchel.codec;

import static java.util.Objects.requireNonNull;

import dev.satchel.devalue.ArrayBuffer;
import dev.satchel.devalue.Hole;
import dev.satchel.devalue.InvalidDate;
import dev.satchel.devalue.JsRegExp;
import dev.satchel.devalue.JsUrl;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.TemporalValue;
import dev.satchel.devalue.TypedArray;
import dev.satchel.devalue.Undefined;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Currency;
import java.util.Date;
import java.util.HashMap;
import java.util.IllformedLocaleException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The value codecs for every type Satchel stores: scalars, dates and times, URLs, patterns, enums,
 * and combinators for lists, sets, maps, optionals and arrays. Records get generated codecs.
 *
 * <p>Decoding accepts what a JavaScript app may have stored for the same logical value: a {@code
 * Map<String, V>} also reads a plain object, an {@code Instant} reads any valid Date, a {@code
 * LocalDate} reads a {@code Temporal.PlainDate}. {@code null} and {@code undefined} decode to
 * {@code null} (or {@code Optional.empty()}).
 *
 * <p>The {@code java.time} types other than {@code Instant}, and {@code UUID}, {@code BigDecimal},
 * {@code Locale} and {@code Currency}, are stored as strings in their standard text forms, which an
 * Astro app reads without any library: devalue's {@code Temporal} entries would make {@code
 * devalue.parse} throw where {@code Temporal} is not defined (Node 20 and 22). A stored string that
 * does not parse fails with a {@link ValueCodecException} naming the type and the text.
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
      scalar(
          "Instant",
          value -> value,
          value ->
              isTemporal(value, "Temporal.Instant")
                  ? parse(
                      "Instant",
                      "an ISO-8601 instant, such as 2026-12-07T09:15:30Z",
                      value,
                      ((TemporalValue) value).text(),
                      Instant::parse)
                  : Instant.ofEpochMilli(epochMillis(value)));

  private static final ValueCodec<LocalDate> LOCAL_DATE =
      text(
          "LocalDate",
          "an ISO-8601 date, such as 2026-12-07",
          DateTimeFormatter.ISO_LOCAL_DATE::format,
          LocalDate::parse,
          "Temporal.PlainDate");

  private static final ValueCodec<LocalDateTime> LOCAL_DATE_TIME =
      text(
          "LocalDateTime",
          "an ISO-8601 date and time, such as 2026-12-07T10:15:30",
          DateTimeFormatter.ISO_LOCAL_DATE_TIME::format,
          LocalDateTime::parse,
          "Temporal.PlainDateTime");

  private static final ValueCodec<LocalTime> LOCAL_TIME =
      text(
          "LocalTime",
          "an ISO-8601 time, such as 10:15:30",
          DateTimeFormatter.ISO_LOCAL_TIME::format,
          LocalTime::parse,
          "Temporal.PlainTime");

  private static final ValueCodec<OffsetDateTime> OFFSET_DATE_TIME =
      text(
          "OffsetDateTime",
          "an ISO-8601 date and time with an offset, such as 2026-12-07T10:15:30+01:00",
          DateTimeFormatter.ISO_OFFSET_DATE_TIME::format,
          OffsetDateTime::parse,
          null);

  private static final ValueCodec<ZonedDateTime> ZONED_DATE_TIME =
      text(
          "ZonedDateTime",
          "an ISO-8601 date and time with an offset and a zone, such as"
              + " 2026-12-07T10:15:30+01:00[Europe/Paris]",
          DateTimeFormatter.ISO_ZONED_DATE_TIME::format,
          ZonedDateTime::parse,
          "Temporal.ZonedDateTime");

  private static final ValueCodec<Duration> DURATION =
      text(
          "Duration",
          "an ISO-8601 duration, such as PT30M",
          ValueCodecs::formatDuration,
          ValueCodecs::parseDuration,
          "Temporal.Duration");

  private static final ValueCodec<Period> PERIOD =
      text(
          "Period",
          "an ISO-8601 period, such as P1Y2M3D",
          ValueCodecs::formatPeriod,
          Period::parse,
          "Temporal.Duration");

  private static final ValueCodec<YearMonth> YEAR_MONTH =
      text(
          "YearMonth",
          "an ISO-8601 year and month, such as 2026-12",
          YearMonth::toString,
          YearMonth::parse,
          "Temporal.PlainYearMonth");

  private static final ValueCodec<ZoneId> ZONE_ID =
      text("ZoneId", "a time-zone ID, such as Europe/Paris", ZoneId::getId, ZoneId::of, null);

  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private static final ValueCodec<UUID> UUID_CODEC =
      text(
          "UUID",
          "a UUID, such as 123e4567-e89b-12d3-a456-426614174000",
          UUID::toString,
          text -> {
            // UUID.fromString alone reads "1-2-3-4-5" too.
            if (!UUID_TEXT.matcher(text).matches()) {
              throw new IllegalArgumentException("not 8-4-4-4-12 hexadecimal digits");
            }
            return UUID.fromString(text);
          },
          null);

  private static final String DECIMAL_FORM = "a decimal number, such as 12.50";

  private static final ValueCodec<BigDecimal> BIG_DECIMAL =
      scalar(
          "BigDecimal",
          BigDecimal::toString,
          value -> {
            if (value instanceof String) {
              return parse("BigDecimal", DECIMAL_FORM, value, (String) value, BigDecimal::new);
            }
            if (value instanceof Double && Double.isFinite((Double) value)) {
              return BigDecimal.valueOf((Double) value);
            }
            if (value instanceof BigInteger) {
              return new BigDecimal((BigInteger) value);
            }
            throw mismatch("a string holding " + DECIMAL_FORM + ", or a number", value);
          });

  private static final ValueCodec<Locale> LOCALE =
      text(
          "Locale",
          "a BCP 47 language tag, such as en-GB",
          Locale::toLanguageTag,
          text -> new Locale.Builder().setLanguageTag(text).build(),
          null);

  private static final ValueCodec<Currency> CURRENCY =
      text(
          "Currency",
          "an ISO 4217 currency code, such as EUR",
          Currency::getCurrencyCode,
          Currency::getInstance,
          null);

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

  /**
   * {@code Instant} ↔ Date, at millisecond precision (finer digits are dropped); decoding also
   * reads a {@code Temporal.Instant}.
   */
  public static ValueCodec<Instant> instants() {
    return INSTANT;
  }

  /** {@code LocalDate} ↔ {@code "2026-12-07"}; decoding also reads a {@code Temporal.PlainDate}. */
  public static ValueCodec<LocalDate> localDates() {
    return LOCAL_DATE;
  }

  /**
   * {@code LocalDateTime} ↔ {@code "2026-12-07T10:15:30"}, seconds always written and fractions
   * only when not zero; decoding also reads a {@code Temporal.PlainDateTime}.
   */
  public static ValueCodec<LocalDateTime> localDateTimes() {
    return LOCAL_DATE_TIME;
  }

  /**
   * {@code LocalTime} ↔ {@code "10:15:30"}, seconds always written and fractions only when not
   * zero; decoding also reads a {@code Temporal.PlainTime}.
   */
  public static ValueCodec<LocalTime> localTimes() {
    return LOCAL_TIME;
  }

  /** {@code OffsetDateTime} ↔ {@code "2026-12-07T10:15:30+01:00"} ({@code Z} for UTC). */
  public static ValueCodec<OffsetDateTime> offsetDateTimes() {
    return OFFSET_DATE_TIME;
  }

  /**
   * {@code ZonedDateTime} ↔ {@code "2026-12-07T10:15:30+01:00[Europe/Paris]"} (no bracket when the
   * zone is an offset); decoding also reads a {@code Temporal.ZonedDateTime}.
   */
  public static ValueCodec<ZonedDateTime> zonedDateTimes() {
    return ZONED_DATE_TIME;
  }

  /**
   * {@code Duration} ↔ {@code "PT30M"}, a negative one as {@code "-PT30M"} (as {@code Temporal}
   * writes it); decoding also reads a {@code Temporal.Duration} without years, months or weeks.
   */
  public static ValueCodec<Duration> durations() {
    return DURATION;
  }

  /**
   * {@code Period} ↔ {@code "P1Y2M3D"} ({@code "P1D"}, {@code "P0D"}), a negative one as {@code
   * "-P1D"}; decoding also reads a {@code Temporal.Duration} of whole years, months, weeks and
   * days.
   */
  public static ValueCodec<Period> periods() {
    return PERIOD;
  }

  /**
   * {@code YearMonth} ↔ {@code "2026-12"}; decoding also reads a {@code Temporal.PlainYearMonth}.
   */
  public static ValueCodec<YearMonth> yearMonths() {
    return YEAR_MONTH;
  }

  /** {@code ZoneId} ↔ its ID, {@code "Europe/Paris"} or {@code "+01:00"}. */
  public static ValueCodec<ZoneId> zoneIds() {
    return ZONE_ID;
  }

  /**
   * {@code UUID} ↔ {@code "123e4567-e89b-12d3-a456-426614174000"}, in lower case; decoding takes
   * either case.
   */
  public static ValueCodec<UUID> uuids() {
    return UUID_CODEC;
  }

  /**
   * {@code BigDecimal} ↔ its {@code toString()}, exact and keeping the scale ({@code "12.50"},
   * {@code "1E+3"}); decoding also reads a number or a BigInt.
   */
  public static ValueCodec<BigDecimal> bigDecimals() {
    return BIG_DECIMAL;
  }

  /** {@code Locale} ↔ its BCP 47 language tag, {@code "en-GB"} ({@code "und"} for the root). */
  public static ValueCodec<Locale> locales() {
    return LOCALE;
  }

  /** {@code Currency} ↔ its ISO 4217 code, {@code "EUR"}. */
  public static ValueCodec<Currency> currencies() {
    return CURRENCY;
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
   * An application's codec as generated sessions use it: {@code null} and {@code undefined} never
   * reach it (both read as {@code null}, and {@code null} is written as {@code null}), and a
   * failure other than a {@link ValueCodecException} becomes one, so that a stored value it cannot
   * read follows the {@code UndecodableValuePolicy} like any other.
   */
  public static <T> ValueCodec<T> guarded(ValueCodec<T> codec) {
    requireNonNull(codec, "codec");
    return new ValueCodec<>() {
      @Override
      public Object encode(T value, CodecContext context) {
        if (value == null) {
          return null;
        }
        Object encoded;
        try {
          encoded = codec.encode(value, context);
        } catch (ValueCodecException e) {
          throw e;
        } catch (RuntimeException e) {
          throw failed("encode a value", e);
        }
        if (encoded == null) {
          // Stored null reads as absent: the key would be there and yet read as empty.
          throw new ValueCodecException(
              codec.getClass().getName() + " encoded a value as null; encode every value given");
        }
        return encoded;
      }

      @Override
      public T decode(Object value, CodecContext context) {
        if (absent(value)) {
          return null;
        }
        try {
          return codec.decode(value, context);
        } catch (ValueCodecException e) {
          throw e;
        } catch (RuntimeException e) {
          throw failed("decode " + describeStored(value), e);
        }
      }

      @Override
      public String describe() {
        String name = codec.describe();
        return name == null ? codec.getClass().getSimpleName() : name;
      }

      private ValueCodecException failed(String what, RuntimeException e) {
        String detail = e.getMessage() == null ? "" : ": " + bounded(e.getMessage(), 100);
        return new ValueCodecException(
            codec.getClass().getName()
                + " failed to "
                + what
                + " ("
                + e.getClass().getName()
                + detail
                + ")",
            e);
      }
    };
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
        return value == null
            ? null
            : encodeAll(value, element, context, new ArrayList<>(value.size()));
      }

      @Override
      public List<T> decode(Object value, CodecContext context) {
        if (absent(value)) {
          return null;
        }
        if (!(value instanceof List)) {
          throw mismatch("an array", value);
        }
        return decodeAll(
            (List<?>) value, element, context, new ArrayList<>(((List<?>) value).size()), true);
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

  /** What a text codec reads a string with; its exceptions are turned into messages. */
  private interface Parser<T> {
    T parse(String text);
  }

  /**
   * A codec storing a type as a string; {@code temporalType}, when not null, is the {@code
   * Temporal} class whose values decoding also reads.
   */
  private static <T> ValueCodec<T> text(
      String name,
      String form,
      Converter<T, Object> format,
      Parser<T> parser,
      String temporalType) {
    return scalar(
        name,
        format,
        value -> {
          if (value instanceof String) {
            return parse(name, form, value, (String) value, parser);
          }
          if (temporalType != null && isTemporal(value, temporalType)) {
            return parse(name, form, value, ((TemporalValue) value).text(), parser);
          }
          throw mismatch(
              "a string holding " + form + (temporalType == null ? "" : ", or a " + temporalType),
              value);
        });
  }

  private static boolean isTemporal(Object value, String type) {
    return value instanceof TemporalValue && ((TemporalValue) value).type().equals(type);
  }

  /** Parses text read from {@code stored}, naming the type and the text when it does not parse. */
  private static <T> T parse(
      String name, String form, Object stored, String text, Parser<T> parser) {
    try {
      return parser.parse(text);
    } catch (DateTimeException | IllegalArgumentException | IllformedLocaleException e) {
      throw new ValueCodecException(
          describeStored(stored)
              + " is not "
              + ("AEIO".indexOf(name.charAt(0)) >= 0 ? "an " : "a ")
              + name
              + " ("
              + form
              + ")"
              + parseDetail(e));
    }
  }

  /**
   * Why text did not parse, without the text itself (already quoted, and bounded, by the caller):
   * the exceptions of java.time repeat the whole input.
   */
  private static String parseDetail(RuntimeException e) {
    String detail;
    if (e instanceof DateTimeParseException) {
      detail =
          e.getCause() != null
              ? e.getCause().getMessage()
              : "unreadable at index " + ((DateTimeParseException) e).getErrorIndex();
    } else {
      detail = e.getMessage();
    }
    return detail == null || detail.isBlank() ? "" : ": " + bounded(detail, 100);
  }

  private static String bounded(String text, int length) {
    return text.length() > length ? text.substring(0, length) + "…" : text;
  }

  /** Written with a leading sign when negative, as {@code Temporal.Duration} writes it. */
  private static String formatDuration(Duration duration) {
    if (duration.isNegative() && !duration.equals(Duration.ofSeconds(Long.MIN_VALUE))) {
      return "-" + duration.negated();
    }
    return duration.toString();
  }

  private static Duration parseDuration(String text) {
    int time = text.indexOf('T');
    String date = time < 0 ? text : text.substring(0, time);
    if (date.indexOf('Y') >= 0 || date.indexOf('M') >= 0 || date.indexOf('W') >= 0) {
      throw new DateTimeException(
          "years, months and weeks have no fixed length; store the value as a Period");
    }
    return Duration.parse(text);
  }

  /** A period whose units are all zero or negative gets a leading sign, as in Temporal. */
  private static String formatPeriod(Period period) {
    if (period.isNegative()
        && period.getYears() <= 0
        && period.getMonths() <= 0
        && period.getDays() <= 0
        && period.getYears() > Integer.MIN_VALUE
        && period.getMonths() > Integer.MIN_VALUE
        && period.getDays() > Integer.MIN_VALUE) {
      return "-" + period.negated();
    }
    return period.toString();
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
      return "the string \"" + bounded(text, 40) + "\"";
    }
    if (value instanceof TemporalValue) {
      TemporalValue temporal = (TemporalValue) value;
      return "the " + temporal.type() + " \"" + bounded(temporal.text(), 40) + "\"";
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
