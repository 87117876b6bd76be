package dev.satchel.devalue;

import static java.util.Objects.requireNonNull;

/**
 * A view of an {@link ArrayBuffer}: a JavaScript typed array ({@code Uint8Array} …) or a {@code
 * DataView}. Multi-byte elements are little-endian, as on every platform JavaScript runs on.
 */
public final class TypedArray {
  private final String type;
  private final ArrayBuffer buffer;
  private final int byteOffset;
  private final int length;

  /**
   * Creates a view.
   *
   * @param type the class name, such as {@code "Uint16Array"} or {@code "DataView"}
   * @param buffer the buffer viewed
   * @param byteOffset where the view starts, a multiple of the element size
   * @param length the number of elements (bytes, for a {@code DataView})
   * @throws IllegalArgumentException if the view does not fit the buffer
   */
  public TypedArray(String type, ArrayBuffer buffer, int byteOffset, int length) {
    this.type = requireNonNull(type, "type");
    this.buffer = requireNonNull(buffer, "buffer");
    int size = elementSize(type);
    if (size == 0) {
      throw new IllegalArgumentException("not a typed array type: " + type);
    }
    if (byteOffset < 0 || byteOffset % size != 0) {
      throw new IllegalArgumentException(
          "start offset of " + type + " should be a multiple of " + size);
    }
    if (length < 0 || (long) byteOffset + (long) length * size > buffer.byteLength()) {
      throw new IllegalArgumentException("Invalid typed array length: " + length);
    }
    this.byteOffset = byteOffset;
    this.length = length;
  }

  /** A view of the whole buffer. */
  public TypedArray(String type, ArrayBuffer buffer) {
    this(type, buffer, 0, wholeLength(type, buffer));
  }

  private static int wholeLength(String type, ArrayBuffer buffer) {
    int size = elementSize(type);
    if (size == 0) {
      throw new IllegalArgumentException("not a typed array type: " + type);
    }
    if (buffer.byteLength() % size != 0) {
      throw new IllegalArgumentException(
          "byte length of " + type + " should be a multiple of " + size);
    }
    return buffer.byteLength() / size;
  }

  /** The bytes per element of a view type, or 0 when {@code type} is not one. */
  static int elementSize(String type) {
    switch (type) {
      case "Int8Array":
      case "Uint8Array":
      case "Uint8ClampedArray":
      case "DataView":
        return 1;
      case "Int16Array":
      case "Uint16Array":
      case "Float16Array":
        return 2;
      case "Int32Array":
      case "Uint32Array":
      case "Float32Array":
        return 4;
      case "Float64Array":
      case "BigInt64Array":
      case "BigUint64Array":
        return 8;
      default:
        return 0;
    }
  }

  /** The class name. */
  public String type() {
    return type;
  }

  /** The buffer viewed. */
  public ArrayBuffer buffer() {
    return buffer;
  }

  /** Where the view starts in the buffer. */
  public int byteOffset() {
    return byteOffset;
  }

  /** The number of elements (bytes, for a {@code DataView}). */
  public int length() {
    return length;
  }

  /** The number of bytes viewed. */
  public int byteLength() {
    return length * elementSize(type);
  }
}
