package dev.satchel.codec;

/**
 * Converts one Java type to and from the values {@link dev.satchel.devalue.Devalue} reads and
 * writes. Codecs compose ({@code ValueCodecs.list(ValueCodecs.strings())}), hold no state and are
 * safe to share between threads.
 *
 * @param <T> the Java type
 */
public interface ValueCodec<T> {

  /**
   * Converts a Java value to one the devalue writer accepts.
   *
   * @param value the value, possibly {@code null}
   * @param context tracks depth and the path for error messages
   * @throws ValueCodecException if the value has no devalue form
   */
  Object encode(T value, CodecContext context);

  /**
   * Converts a value read by {@link dev.satchel.devalue.Devalue#parse} to the Java type.
   *
   * @param value the value read; {@code null} or {@link dev.satchel.devalue.Undefined} for none
   * @param context tracks depth, work done and the path for error messages
   * @throws ValueCodecException if the value does not fit the type
   */
  T decode(Object value, CodecContext context);

  /** The Java type, as error messages show it ({@code List<String>}). */
  String describe();
}
