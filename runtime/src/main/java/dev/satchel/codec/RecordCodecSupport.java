package dev.satchel.codec;

import dev.satchel.devalue.PlainObject;

/**
 * What the record codecs the annotation processor generates call: reading and writing record
 * components as the properties of a stored plain object. Application code uses {@link ValueCodecs}
 * instead.
 */
public final class RecordCodecSupport {
  private RecordCodecSupport() {}

  /**
   * Reads one property of a stored plain object for a record component: a property that is missing
   * (the record gained a component since the value was stored) reads as {@code null}. Generated
   * record codecs call this.
   */
  public static <T> T component(
      PlainObject object, String name, ValueCodec<T> codec, CodecContext context) {
    try {
      return codec.decode(object.get(name), context);
    } catch (ValueCodecException e) {
      throw e.under(ValueCodecs.propertySegment(name));
    }
  }

  /** Writes one record component into the plain object a generated record codec builds. */
  public static <T> void putComponent(
      PlainObject object, String name, ValueCodec<T> codec, T value, CodecContext context) {
    try {
      object.put(name, codec.encode(value, context));
    } catch (ValueCodecException e) {
      throw e.under(ValueCodecs.propertySegment(name));
    }
  }

  /** Checks that a stored value is a plain object, as records are stored. */
  public static PlainObject expectObject(Object value, String typeName) {
    if (!(value instanceof PlainObject)) {
      throw ValueCodecs.mismatch("an object for " + typeName, value);
    }
    return (PlainObject) value;
  }

  /** Whether a stored value stands for no value: {@code null} or {@code undefined}. */
  public static boolean isAbsent(Object value) {
    return ValueCodecs.absent(value);
  }
}
