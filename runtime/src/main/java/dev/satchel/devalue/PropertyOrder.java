package dev.satchel.devalue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** JavaScript's own-property order: array-index keys ascending, then the rest as inserted. */
final class PropertyOrder {
  private static final long MAX_ARRAY_INDEX = 4294967294L;

  private PropertyOrder() {}

  /** {@code keys} in JavaScript order; the same list when it is already in that order. */
  static List<String> of(List<String> keys) {
    boolean anyIndex = false;
    for (String key : keys) {
      if (arrayIndex(key) >= 0) {
        anyIndex = true;
        break;
      }
    }
    if (!anyIndex) {
      return keys;
    }
    List<String> indexes = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (String key : keys) {
      (arrayIndex(key) >= 0 ? indexes : others).add(key);
    }
    indexes.sort((a, b) -> Long.compare(arrayIndex(a), arrayIndex(b)));
    indexes.addAll(others);
    return indexes;
  }

  static List<String> keysOf(Map<String, ?> object) {
    return of(new ArrayList<>(object.keySet()));
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
