package dev.satchel.devalue;

import java.math.BigInteger;

/**
 * JavaScript's SameValueZero as a hash key: primitives compare by value (every Java number as a
 * double, {@code -0} as {@code 0}, {@code NaN} equal to itself), everything else by identity.
 */
final class SameValueZero {
  private static final Object NULL = new Object();

  private SameValueZero() {}

  static Object key(Object value) {
    if (value == null) {
      return NULL;
    }
    if (value instanceof String
        || value instanceof Boolean
        || value instanceof BigInteger
        || value instanceof Undefined) {
      return value;
    }
    if (value instanceof Double || value instanceof Float || isSmallInteger(value)) {
      double number = ((Number) value).doubleValue();
      return number == 0 ? 0.0 : number;
    }
    if (value instanceof Long) {
      return (double) (Long) value;
    }
    return new Identity(value);
  }

  /** The value a JavaScript Map stores for {@code key}: {@code -0} becomes {@code 0}. */
  static Object normalizeKey(Object key) {
    if (key instanceof Double && (Double) key == 0) {
      return 0.0;
    }
    return key;
  }

  private static boolean isSmallInteger(Object value) {
    return value instanceof Integer || value instanceof Short || value instanceof Byte;
  }

  private static final class Identity {
    private final Object value;

    Identity(Object value) {
      this.value = value;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Identity && ((Identity) other).value == value;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(value);
    }
  }
}
