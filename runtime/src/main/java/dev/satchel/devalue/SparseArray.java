package dev.satchel.devalue;

import java.util.Collections;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * A JavaScript array read from devalue's sparse form ({@code [-7, length, index, value, …]}). Its
 * length may reach 2^32−1, so it keeps only the elements present.
 */
public final class SparseArray {
  /** The largest length a JavaScript array can have. */
  public static final long MAX_LENGTH = 4294967295L;

  private final long length;
  private final NavigableMap<Long, Object> elements = new TreeMap<>();

  /**
   * Creates an array of {@code length} holes.
   *
   * @throws IllegalArgumentException if the length is negative or above {@link #MAX_LENGTH}
   */
  public SparseArray(long length) {
    if (length < 0 || length > MAX_LENGTH) {
      throw new IllegalArgumentException("Invalid array length: " + length);
    }
    this.length = length;
  }

  /** The array's length, holes included. */
  public long length() {
    return length;
  }

  /** Sets the element at {@code index}. */
  public SparseArray set(long index, Object value) {
    if (index < 0 || index >= length) {
      throw new IndexOutOfBoundsException("index " + index + " outside length " + length);
    }
    elements.put(index, value);
    return this;
  }

  /** The elements present, by index. */
  public NavigableMap<Long, Object> elements() {
    return Collections.unmodifiableNavigableMap(elements);
  }

  @Override
  public String toString() {
    return "SparseArray(length=" + length + ", " + elements + ")";
  }
}
