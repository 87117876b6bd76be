package dev.satchel.servlet;

import dev.satchel.devalue.PlainObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How {@code HttpSession} attributes are stored: devalue's own values as they are, other types
 * through the {@link AttributeCodec} registered for them, wrapped in an object that names the
 * codec. Also the attributes that name the session's principal. Values are never logged: they may
 * hold credentials.
 */
final class SessionAttributes {
  private static final System.Logger LOG = System.getLogger("dev.satchel.servlet");

  /** The key, inside a stored attribute object, that names the codec that wrote it. */
  static final String CODEC_KEY = "satchel:codec";

  /** The key, inside a stored attribute object, that holds what the codec wrote. */
  static final String VALUE_KEY = "value";

  private final List<AttributeCodec<?>> codecs = new ArrayList<>();
  private final Map<String, AttributeCodec<?>> byName = new LinkedHashMap<>();
  private final Map<String, Function<Object, String>> principals = new LinkedHashMap<>();

  void add(AttributeCodec<?> codec) {
    AttributeCodec<?> existing = byName.putIfAbsent(codec.name(), codec);
    if (existing != null && existing != codec) {
      throw new IllegalArgumentException(
          "Two attribute codecs are named \"" + codec.name() + "\"; a name must be unique");
    }
    if (existing == null) {
      codecs.add(codec);
    }
  }

  void principalFrom(String attribute, Function<Object, String> principal) {
    principals.put(attribute, principal);
  }

  /** Whether setting {@code attribute} says who the session belongs to. */
  boolean namesPrincipal(String attribute) {
    return principals.containsKey(attribute);
  }

  /** The principal {@code value} of {@code attribute} names, or {@code null}. */
  String principal(String attribute, Object value) {
    String name = principals.get(attribute).apply(value);
    return name == null || name.isEmpty() ? null : name;
  }

  /**
   * The stored form of {@code value}: through the first codec registered for its class or a
   * superclass, else the value itself, which the session then checks is one of devalue's own.
   *
   * @throws IllegalArgumentException if the codec fails, naming the attribute and the type
   */
  Object encode(String attribute, Object value) {
    AttributeCodec<?> codec = codecFor(value.getClass());
    if (codec == null) {
      return value;
    }
    Object encoded;
    try {
      encoded = encodeWith(codec, value);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "The session attribute \""
              + attribute
              + "\" could not be stored: the "
              + codec.name()
              + " codec refused a "
              + value.getClass().getName()
              + " ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
    PlainObject stored = new PlainObject();
    stored.put(CODEC_KEY, codec.name());
    stored.put(VALUE_KEY, encoded);
    return stored;
  }

  /**
   * A stored codec name as a log line may show it: anyone who can write the store (an Astro app
   * storing a visitor's object) chooses it, so control characters, which would forge log lines, are
   * escaped and the length is bounded.
   */
  static String printable(String name) {
    StringBuilder shown = new StringBuilder();
    for (int i = 0; i < name.length() && shown.length() < 64; i++) {
      char c = name.charAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
        shown.append(String.format("\\u%04x", (int) c));
      } else {
        shown.append(c);
      }
    }
    return name.length() > 64 ? shown + "…" : shown.toString();
  }

  private static <T> Object encodeWith(AttributeCodec<T> codec, Object value) {
    return codec.encode(codec.type().cast(value));
  }

  private AttributeCodec<?> codecFor(Class<?> type) {
    for (AttributeCodec<?> codec : codecs) {
      if (codec.type().isAssignableFrom(type)) {
        return codec;
      }
    }
    return null;
  }

  /**
   * The attribute's Java value from its stored form, or {@code null} when the codec that wrote it
   * is not registered or can no longer read it (both logged, without the value).
   */
  Object decode(String attribute, Object stored) {
    if (!(stored instanceof PlainObject object)
        || !(object.get(CODEC_KEY) instanceof String name)) {
      return stored;
    }
    AttributeCodec<?> codec = byName.get(name);
    if (codec == null) {
      LOG.log(
          Level.WARNING,
          "Session attribute \""
              + attribute
              + "\" was stored by the attribute codec \""
              + printable(name)
              + "\", which is not registered; reading it as absent");
      return null;
    }
    try {
      return codec.decode(object.get(VALUE_KEY));
    } catch (RuntimeException e) {
      LOG.log(
          Level.WARNING,
          "Session attribute \""
              + attribute
              + "\" can no longer be read by the attribute codec \""
              + printable(name)
              + "\" ("
              + e.getClass().getName()
              + "); reading it as absent");
      return null;
    }
  }
}
