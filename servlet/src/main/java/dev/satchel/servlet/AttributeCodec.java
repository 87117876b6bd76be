package dev.satchel.servlet;

import static java.util.Objects.requireNonNull;

import java.util.function.Function;

/**
 * Stores {@code HttpSession} attributes of one Java type that are not devalue's own values
 * (strings, numbers, booleans, lists and maps of these). The stored value is a small object holding
 * the codec's {@link #name()} and what {@link #encode} made, so an Astro app sharing the store
 * reads it as plain data, and Satchel knows which codec reads it back. Register codecs with {@link
 * SatchelFilter#attributeCodec}; Java serialization is never used.
 *
 * @param <T> the attribute type
 */
public interface AttributeCodec<T> {

  /**
   * The name stored with each value: short, stable across releases, and unique among the codecs of
   * one filter, such as {@code spring-security-context}.
   */
  String name();

  /** The type this codec stores: values of this class and of its subclasses. */
  Class<T> type();

  /**
   * The stored form of {@code value}: devalue's own values only, usually a {@code String} of JSON.
   *
   * @throws RuntimeException if the value cannot be stored; {@code setAttribute} then fails
   */
  Object encode(T value);

  /**
   * Reads back what {@link #encode} stored.
   *
   * @throws RuntimeException if it cannot (the class changed); the attribute then reads as absent
   */
  T decode(Object stored);

  /** A codec from two functions. */
  static <T> AttributeCodec<T> of(
      String name,
      Class<T> type,
      Function<? super T, ?> encode,
      Function<Object, ? extends T> decode) {
    requireNonNull(name, "name");
    requireNonNull(type, "type");
    requireNonNull(encode, "encode");
    requireNonNull(decode, "decode");
    return new AttributeCodec<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public Class<T> type() {
        return type;
      }

      @Override
      public Object encode(T value) {
        return encode.apply(value);
      }

      @Override
      public T decode(Object stored) {
        return decode.apply(stored);
      }
    };
  }
}
