package dev.satchel.devalue;

import java.util.HashMap;

/**
 * The writer's table from number to entry index, keyed by the bits of the double, so that a number
 * is looked up without being boxed. {@code 0} and {@code 1.0} are the same key as {@code 0} and
 * {@code 1}, as they are in JavaScript; the writer keeps {@code -0} and {@code NaN} out of it.
 */
final class NumberRefTable {
  // Numbers crafted to share a slot would make every probe walk all of them; after a run this long
  // the table hands over to a HashMap, whose crowded bins turn into trees.
  private static final int MAX_PROBES = 64;

  private long[] keys = new long[0];
  // Entry index + 1; 0 is an empty slot.
  private int[] refs = new int[0];
  // The slots filled, in order, so that clearing costs the number of keys, not the capacity.
  private int[] used = new int[0];
  private int shift = 64;
  private int size;
  private HashMap<Long, Integer> byValue;

  /**
   * The entry index recorded for {@code number}; or, when there is none, records {@code ref} for it
   * and returns -1.
   */
  int putIfAbsent(double number, int ref) {
    long key = Double.doubleToRawLongBits(number);
    if (byValue != null) {
      Integer existing = byValue.putIfAbsent(key, ref);
      return existing == null ? -1 : existing;
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    int mask = keys.length - 1;
    int probes = 0;
    for (int i = slot(key); ; i = (i + 1) & mask) {
      int found = refs[i];
      if (found == 0) {
        keys[i] = key;
        refs[i] = ref + 1;
        used[size++] = i;
        return -1;
      }
      if (keys[i] == key) {
        return found - 1;
      }
      if (++probes == MAX_PROBES) {
        byValue = new HashMap<>(size * 2);
        for (int j = 0; j < size; j++) {
          byValue.put(keys[used[j]], refs[used[j]] - 1);
        }
        return putIfAbsent(number, ref);
      }
    }
  }

  boolean handedOver() {
    return byValue != null;
  }

  /** Forgets every number, touching only the slots in use. */
  void clear() {
    for (int i = 0; i < size; i++) {
      refs[used[i]] = 0;
    }
    size = 0;
    byValue = null;
  }

  private void grow() {
    long[] oldKeys = keys;
    int[] oldRefs = refs;
    int capacity = Math.max(16, oldKeys.length * 2);
    keys = new long[capacity];
    refs = new int[capacity];
    used = new int[capacity / 2];
    shift = 64 - Integer.numberOfTrailingZeros(capacity);
    int mask = capacity - 1;
    int count = 0;
    for (int j = 0; j < oldKeys.length; j++) {
      if (oldRefs[j] != 0) {
        int i = slot(oldKeys[j]);
        while (refs[i] != 0) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[j];
        refs[i] = oldRefs[j];
        used[count++] = i;
      }
    }
  }

  /** Fibonacci hashing over all 64 bits: small integers differ only in a double's high bits. */
  private int slot(long key) {
    return (int) ((key * 0x9E3779B97F4A7C15L) >>> shift);
  }
}
