package dev.satchel.devalue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** JavaScript's own-property order: array-index keys ascending, then the rest as inserted. */
final class PropertyOrder {
  private static final long MAX_ARRAY_INDEX = 4294967294L;

  private PropertyOrder() {}

  /** The entries of {@code object} in JavaScript order, without copying when already in it. */
  static <V> Iterable<Map.Entry<String, V>> entries(Map<String, V> object) {
    boolean anyIndex = false;
    for (String key : object.keySet()) {
      if (arrayIndex(key) >= 0) {
        anyIndex = true;
        break;
      }
    }
    if (!anyIndex) {
      return object.entrySet();
    }
    List<Map.Entry<String, V>> indexes = new ArrayList<>();
    List<Map.Entry<String, V>> others = new ArrayList<>();
    for (Map.Entry<String, V> entry : object.entrySet()) {
      (arrayIndex(entry.getKey()) >= 0 ? indexes : others).add(entry);
    }
    indexes.sort((a, b) -> Long.compare(arrayIndex(a.getKey()), arrayIndex(b.getKey())));
    indexes.addAll(others);
    return indexes;
  }

  /**
   * The positions, relative to {@code from}, of {@code keys[from .. from + size)} in JavaScript
   * order, or {@code null} when they are in it already.
   */
  static int[] order(String[] keys, int from, int size) {
    boolean anyIndex = false;
    for (int i = from; i < from + size; i++) {
      if (arrayIndex(keys[i]) >= 0) {
        anyIndex = true;
        break;
      }
    }
    if (!anyIndex) {
      return null;
    }
    Integer[] positions = new Integer[size];
    for (int i = 0; i < size; i++) {
      positions[i] = i;
    }
    // A stable sort: index keys by value first, the rest keep their order.
    java.util.Arrays.sort(
        positions,
        (a, b) -> {
          long x = arrayIndex(keys[from + a]);
          long y = arrayIndex(keys[from + b]);
          if (x >= 0 && y >= 0) {
            return Long.compare(x, y);
          }
          return x >= 0 ? -1 : y >= 0 ? 1 : 0;
        });
    int[] order = new int[size];
    for (int i = 0; i < size; i++) {
      order[i] = positions[i];
    }
    return order;
  }

  /** The array index a key names ({@code "0"} … {@code "4294967294"}, no leading zeros), or -1. */
  static long arrayIndex(String key) {
    int length = key.length();
    if (length == 0 || length > 10) {
      return -1;
    }
    if (length > 1 && key.charAt(0) == '0') {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < length; i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value <= MAX_ARRAY_INDEX ? value : -1;
  }
}
