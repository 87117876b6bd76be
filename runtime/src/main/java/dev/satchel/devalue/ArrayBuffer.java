package dev.satchel.devalue;

import static java.util.Objects.requireNonNull;

/**
 * A JavaScript {@code ArrayBuffer}. Views ({@link TypedArray}) of one buffer share it, and so share
 * one entry in the encoded text.
 */
public final class ArrayBuffer {
  private final byte[] bytes;

  /** Wraps {@code bytes} without copying them. */
  public ArrayBuffer(byte[] bytes) {
    this.bytes = requireNonNull(bytes, "bytes");
  }

  /** The buffer's bytes; changes show through every view. */
  public byte[] bytes() {
    return bytes;
  }

  /** The length in bytes. */
  public int byteLength() {
    return bytes.length;
  }
}
