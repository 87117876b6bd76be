package dev.satchel.devalue;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URL;
import java.util.AbstractMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads and writes devalue's format, byte for byte as the JavaScript library (6.x) writes it, and
 * reads everything devalue 5.7 and later write. An instance is immutable and thread-safe. Each
 * thread that reads or writes keeps a few kilobytes of buffers for its next call; buffers grown by
 * a very large value are dropped after it, and no value is held once a call returns.
 *
 * <p>Java values map to JavaScript ones as follows when writing: {@code String}, {@code Boolean},
 * every primitive number (a {@code long} beyond ±(2^53−1) is refused), {@code BigInteger} (BigInt),
 * {@code Instant} and {@code java.util.Date} (Date), {@code List} and arrays (Array), {@code Set},
 * {@code Map}, {@link PlainObject} (plain object), {@code URI}/{@code URL}/{@link JsUrl} (URL),
 * {@code Pattern}/{@link JsRegExp} (RegExp), enums (their name), {@code Optional} (its value or
 * {@code undefined}), and the types of this package for the rest. Reading gives {@code Double},
 * {@code String}, {@code Boolean}, {@code null}, {@code BigInteger}, {@code java.util.Date} (each
 * JavaScript date its own object), {@code ArrayList}, {@link JsMap}, {@link JsSet}, {@link
 * PlainObject} and the types of this package.
 */
public final class Devalue {
  /** The input length {@link #parse} accepts by default, in characters. */
  public static final int DEFAULT_MAX_INPUT_LENGTH = 16 * 1024 * 1024;

  /** The nesting depth both directions accept by default. */
  public static final int DEFAULT_MAX_DEPTH = 500;

  private static final Function<Object, Object> ASTRO_URL_REDUCER = Devalue::astroUrl;
  private static final Function<Object, Object> ASTRO_URL_REVIVER = Devalue::reviveUrl;
  private static final Devalue STANDARD = builder().build();
  private static final Devalue ASTRO = builder().astroUrls().build();

  private final List<Map.Entry<String, Function<Object, Object>>> reducers;
  // Astro's URL reducer alone, written natively: same output, no reducer call on every value.
  private final boolean urlsAsReferences;
  // No custom type but Astro's URL, which reads back as the built-in one: copy() needs no text.
  private final boolean copiesDirectly;
  private final Map<String, Function<Object, Object>> revivers;
  private final int maxInputLength;
  private final int maxDepth;

  private Devalue(Builder builder) {
    this.urlsAsReferences =
        builder.reducers.size() == 1 && builder.reducers.get("URL") == ASTRO_URL_REDUCER;
    this.reducers =
        urlsAsReferences
            ? List.of()
            : List.copyOf(builder.reducers.entrySet().stream().map(Devalue::entry).toList());
    this.revivers = Map.copyOf(builder.revivers);
    this.copiesDirectly =
        reducers.isEmpty()
            && (revivers.isEmpty()
                || (revivers.size() == 1 && revivers.get("URL") == ASTRO_URL_REVIVER));
    this.maxInputLength = builder.maxInputLength;
    this.maxDepth = builder.maxDepth;
  }

  private static Map.Entry<String, Function<Object, Object>> entry(
      Map.Entry<String, Function<Object, Object>> e) {
    return new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue());
  }

  /** devalue with no custom types: {@code stringify(value)} and {@code parse(text)}. */
  public static Devalue standard() {
    return STANDARD;
  }

  /**
   * devalue as Astro's sessions and actions use it: URLs written through a custom {@code URL}
   * reducer, so as {@code ["URL", ref]} followed by the href as a separate entry.
   */
  public static Devalue astro() {
    return ASTRO;
  }

  /** Starts a configuration with no custom types and the default limits. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Writes {@code value} in devalue's format.
   *
   * @throws DevalueException if the value, or something inside it, has no devalue form; the
   *     exception's {@link DevalueException#path() path} says where
   */
  public String stringify(Object value) {
    try {
      return stringify(value, Integer.MAX_VALUE);
    } catch (DevalueTooLongException e) {
      throw DevalueException.writing(
          "Cannot stringify a value whose text is longer than a Java string can hold", "");
    }
  }

  /**
   * Writes {@code value} as {@link #stringify(Object)} does, unless its text is longer than {@code
   * maxLength} characters: writing then stops as soon as that is known, having spent about as much
   * as writing {@code maxLength} characters, however large the value.
   *
   * @throws DevalueTooLongException if the text would be longer than {@code maxLength}
   * @throws DevalueException as {@link #stringify(Object)} does, for a value with no devalue form
   *     found before the limit was passed
   * @throws IllegalArgumentException if {@code maxLength} is negative
   */
  public String stringify(Object value, int maxLength) {
    if (maxLength < 0) {
      throw new IllegalArgumentException("max length must not be negative, got " + maxLength);
    }
    try {
      return Flattener.stringify(value, reducers, urlsAsReferences, maxDepth, maxLength);
    } catch (StackOverflowError e) {
      throw stackTooSmall();
    }
  }

  /**
   * What {@code parse(stringify(value))} returns: a copy that shares nothing mutable with {@code
   * value}, in the types reading gives, built without the text for the usual shapes of data.
   *
   * @throws DevalueException as {@link #stringify} does, for a value with no devalue form
   */
  public Object copy(Object value) {
    if (copiesDirectly) {
      try {
        return Cloner.copy(value);
      } catch (RuntimeException e) {
        if (e != Cloner.UNSUPPORTED) {
          throw e;
        }
      }
    }
    return parse(stringify(value));
  }

  /**
   * Reads devalue text.
   *
   * @throws DevalueException if the text is not valid devalue, is longer than the configured limit
   *     or nests deeper than it
   */
  public Object parse(String text) {
    requireNonNull(text, "text");
    if (text.length() > maxInputLength) {
      throw DevalueException.beyondLimits(
          "Input too long", text.length() + " characters; the limit is " + maxInputLength);
    }
    try {
      Entries entries = Entries.acquire();
      try {
        if (Json.readEntries(text, entries, maxDepth)) {
          return Hydrator.unflatten(entries, revivers, maxDepth);
        }
        entries.clear();
        return Hydrator.unflatten(Json.parse(text, maxDepth), entries, revivers, maxDepth);
      } finally {
        entries.release();
      }
    } catch (StackOverflowError e) {
      throw stackTooSmall();
    }
  }

  // The depth limit keeps recursion well inside a normal stack; a thread created with a tiny one
  // can still run out first, and that must surface as bad input, not as an Error.
  private DevalueException stackTooSmall() {
    return DevalueException.reading(
        "Value nested too deeply for this thread's stack",
        "lower maxDepth (now " + maxDepth + ") or give the thread a larger stack");
  }

  private static Object astroUrl(Object value) {
    if (value instanceof JsUrl || value instanceof URI || value instanceof URL) {
      return value.toString();
    }
    return null;
  }

  private static Object reviveUrl(Object href) {
    if (href instanceof String && Urls.looksAbsolute((String) href)) {
      return new JsUrl((String) href);
    }
    throw new IllegalArgumentException("Invalid URL");
  }

  /** Configures custom types and limits. */
  public static final class Builder {
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.]*");

    private final LinkedHashMap<String, Function<Object, Object>> reducers = new LinkedHashMap<>();
    private final LinkedHashMap<String, Function<Object, Object>> revivers = new LinkedHashMap<>();
    private int maxInputLength = DEFAULT_MAX_INPUT_LENGTH;
    private int maxDepth = DEFAULT_MAX_DEPTH;

    private Builder() {}

    /**
     * Writes and reads URLs as {@link #astro()} does: through a custom {@code URL} type whose
     * payload is the href.
     */
    public Builder astroUrls() {
      return reducer("URL", ASTRO_URL_REDUCER).reviver("URL", ASTRO_URL_REVIVER);
    }

    /**
     * Adds a custom type for writing. Reducers run in the order added, before the built-in types,
     * on every value; the first that returns a JavaScript-truthy result claims the value, which is
     * then written as {@code ["name", ref]} with the result as the payload.
     *
     * @param name the type name, a JavaScript identifier (it is written without escaping)
     * @param reducer returns the payload, or a falsy value ({@code null}, {@code false}, {@code 0},
     *     {@code ""}) to leave the value to the next reducer
     */
    public Builder reducer(String name, Function<Object, Object> reducer) {
      reducers.put(checkName(name), requireNonNull(reducer, "reducer"));
      return this;
    }

    /**
     * Adds a custom type for reading: an entry {@code ["name", ref]} is read as {@code
     * reviver(payload)}. A reviver takes precedence over a built-in type of the same name.
     */
    public Builder reviver(String name, Function<Object, Object> reviver) {
      revivers.put(checkName(name), requireNonNull(reviver, "reviver"));
      return this;
    }

    /** The longest text {@link #parse} accepts, in characters. */
    public Builder maxInputLength(int characters) {
      if (characters < 1) {
        throw new IllegalArgumentException("max input length must be positive");
      }
      this.maxInputLength = characters;
      return this;
    }

    /** How deep values may nest, in both directions. */
    public Builder maxDepth(int levels) {
      if (levels < 1) {
        throw new IllegalArgumentException("max depth must be positive");
      }
      this.maxDepth = levels;
      return this;
    }

    /** Builds the configuration. */
    public Devalue build() {
      return new Devalue(this);
    }

    private static String checkName(String name) {
      requireNonNull(name, "name");
      if (!TYPE_NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "custom type name must be an identifier, got \"" + name + "\"");
      }
      return name;
    }
  }
}
