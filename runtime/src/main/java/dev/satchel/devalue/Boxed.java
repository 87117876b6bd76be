package dev.satchel.devalue;

/**
 * A boxed JavaScript primitive ({@code Object(42)}, {@code new String("s")}). Identity matters:
 * each box is its own object, while the primitive inside is shared by value.
 */
public final class Boxed {
  private final Object value;

  /**
   * Boxes a primitive.
   *
   * @param value a {@link String}, {@link Double}, {@link Boolean} or {@link java.math.BigInteger}
   */
  public Boxed(Object value) {
    if (!(value instanceof String
        || value instanceof Double
        || value instanceof Boolean
        || value instanceof java.math.BigInteger)) {
      throw new IllegalArgumentException("only a string, number, boolean or bigint can be boxed");
    }
    this.value = value;
  }

  /** The primitive inside. */
  public Object value() {
    return value;
  }

  @Override
  public String toString() {
    return "Object(" + value + ")";
  }
}
