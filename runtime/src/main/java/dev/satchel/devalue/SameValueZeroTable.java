package dev.satchel.devalue;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.HashMap;
import java.util.NoSuchElementException;

/**
 * The storage behind {@link JsMap} and {@link JsSet}: keys in insertion order in one array, values
 * beside them, and an open-addressing index from hash to position, so that an entry costs no object
 * of its own. Keys compare by JavaScript's SameValueZero: strings, booleans, bigints and {@code
 * undefined} by value, every Java number as a double ({@code -0} equal to {@code 0}, {@code NaN} to
 * itself), everything else by identity.
 */
final class SameValueZeroTable {
  private static final Object REMOVED = new Object();
  private static final int[] NO_SLOTS = new int[0];
  private static final Object[] NO_ITEMS = new Object[0];

  private Object[] keys = NO_ITEMS;
  private Object[] values = NO_ITEMS;
  // Slot -> position + 1; 0 is an empty slot. A removed key's slot keeps pointing at its position.
  private int[] slots = NO_SLOTS;
  private int shift = 32;
  private int end;
  private int size;
  private int modifications;

  // Keys crafted to share a hash code ("Aa", "BB", ...) would make every probe walk all of them.
  // After a run this long, positions are found through a HashMap, whose crowded bins turn into
  // trees, so hostile data costs a logarithm per key instead of the whole table.
  private static final int MAX_PROBES = 64;
  private HashMap<Object, Integer> index;

  SameValueZeroTable() {}

  /** A table with room for {@code expected} keys before it grows. */
  SameValueZeroTable(int expected) {
    if (expected > 0) {
      resize(Integer.highestOneBit(expected) * 2);
    }
  }

  int size() {
    return size;
  }

  /** The position of {@code key}, or -1. */
  int find(Object key) {
    if (size == 0) {
      return -1;
    }
    if (index != null) {
      Integer position = index.get(indexKey(key));
      return position == null ? -1 : position;
    }
    int mask = slots.length - 1;
    int probes = 0;
    for (int i = slot(hash(key)); ; i = (i + 1) & mask) {
      int position = slots[i] - 1;
      if (position < 0) {
        return -1;
      }
      Object k = keys[position];
      if (k != REMOVED && same(k, key)) {
        return position;
      }
      if (++probes == MAX_PROBES) {
        buildIndex();
        return find(key);
      }
    }
  }

  /** Adds {@code key} with {@code value}, or replaces the value; returns the previous value. */
  Object put(Object key, Object value) {
    if (index != null) {
      return putIndexed(key, value);
    }
    int hash = hash(key);
    if (slots.length > 0) {
      int mask = slots.length - 1;
      int probes = 0;
      for (int i = slot(hash); ; i = (i + 1) & mask) {
        int position = slots[i] - 1;
        if (position < 0) {
          break;
        }
        Object k = keys[position];
        if (k != REMOVED && same(k, key)) {
          Object previous = values[position];
          values[position] = value;
          return previous;
        }
        if (++probes == MAX_PROBES) {
          buildIndex();
          return putIndexed(key, value);
        }
      }
    }
    if (end == keys.length || (end + 1) * 2 > slots.length) {
      grow();
      if (index != null) {
        return putIndexed(key, value);
      }
    }
    int position = end++;
    keys[position] = key;
    values[position] = value;
    int mask = slots.length - 1;
    int i = slot(hash);
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = position + 1;
    size++;
    modifications++;
    return null;
  }

  private Object putIndexed(Object key, Object value) {
    Object indexKey = indexKey(key);
    Integer existing = index.get(indexKey);
    if (existing != null) {
      Object previous = values[existing];
      values[existing] = value;
      return previous;
    }
    if (end == keys.length) {
      grow();
    }
    int position = end++;
    keys[position] = key;
    values[position] = value;
    index.put(indexKey, position);
    size++;
    modifications++;
    return null;
  }

  boolean indexed() {
    return index != null;
  }

  private void buildIndex() {
    index = new HashMap<>(Math.max(16, size * 2));
    for (int p = 0; p < end; p++) {
      if (keys[p] != REMOVED) {
        index.put(indexKey(keys[p]), p);
      }
    }
  }

  /** A key whose equals and hashCode are SameValueZero's, for the HashMap index. */
  private static Object indexKey(Object key) {
    if (key == null) {
      return NULL_KEY;
    }
    if (key instanceof Number && isNumber(key)) {
      double number = ((Number) key).doubleValue();
      return number == 0 ? 0.0 : number;
    }
    if (key instanceof String
        || key instanceof Boolean
        || key instanceof BigInteger
        || key instanceof Undefined) {
      return key;
    }
    return new IdentityKey(key);
  }

  private static final Object NULL_KEY = new Object();

  private static final class IdentityKey {
    private final Object value;

    IdentityKey(Object value) {
      this.value = value;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof IdentityKey && ((IdentityKey) other).value == value;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(value);
    }
  }

  Object keyAt(int position) {
    return keys[position];
  }

  Object valueAt(int position) {
    return values[position];
  }

  void setValueAt(int position, Object value) {
    values[position] = value;
  }

  void removeAt(int position) {
    if (index != null) {
      index.remove(indexKey(keys[position]));
    }
    keys[position] = REMOVED;
    values[position] = null;
    size--;
    modifications++;
  }

  void clear() {
    Arrays.fill(keys, 0, end, null);
    Arrays.fill(values, 0, end, null);
    Arrays.fill(slots, 0);
    index = null;
    end = 0;
    size = 0;
    modifications++;
  }

  private void grow() {
    resize(Math.max(4, Integer.highestOneBit(Math.max(1, size)) * 4));
  }

  private void resize(int capacity) {
    Object[] oldKeys = keys;
    Object[] oldValues = values;
    int oldEnd = end;
    keys = new Object[capacity];
    values = new Object[capacity];
    if (index != null) {
      end = 0;
      for (int p = 0; p < oldEnd; p++) {
        if (oldKeys[p] != REMOVED) {
          keys[end] = oldKeys[p];
          values[end++] = oldValues[p];
        }
      }
      buildIndex();
      return;
    }
    slots = new int[capacity * 2];
    shift = 32 - Integer.numberOfTrailingZeros(slots.length);
    int mask = slots.length - 1;
    end = 0;
    for (int p = 0; p < oldEnd; p++) {
      Object key = oldKeys[p];
      if (key == REMOVED) {
        continue;
      }
      keys[end] = key;
      values[end] = oldValues[p];
      int i = slot(hash(key));
      while (slots[i] != 0) {
        i = (i + 1) & mask;
      }
      slots[i] = ++end;
    }
  }

  // Fibonacci hashing: neighbouring hash codes (sku-0001, sku-0002) land far apart.
  private int slot(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  /** An iterator over positions in insertion order, skipping removed keys. */
  final class Cursor {
    private int next = advance(0);
    private int current = -1;
    private int expected = modifications;

    private int advance(int from) {
      while (from < end && keys[from] == REMOVED) {
        from++;
      }
      return from;
    }

    boolean hasNext() {
      return next < end;
    }

    int next() {
      if (modifications != expected) {
        throw new ConcurrentModificationException();
      }
      if (next >= end) {
        throw new NoSuchElementException();
      }
      current = next;
      next = advance(next + 1);
      return current;
    }

    void remove() {
      if (current < 0) {
        throw new IllegalStateException();
      }
      removeAt(current);
      current = -1;
      expected = modifications;
    }
  }

  Cursor cursor() {
    return new Cursor();
  }

  /** The key a JavaScript Map or Set stores for {@code key}: {@code -0} becomes {@code 0}. */
  static Object normalizeKey(Object key) {
    if (key instanceof Double && (Double) key == 0) {
      return 0.0;
    }
    return key;
  }

  static int hash(Object key) {
    if (key == null) {
      return 0;
    }
    if (key instanceof String || key instanceof Boolean || key instanceof BigInteger) {
      return key.hashCode();
    }
    if (key instanceof Number && isNumber(key)) {
      double number = ((Number) key).doubleValue();
      return Double.hashCode(number == 0 ? 0.0 : number);
    }
    if (key instanceof Undefined) {
      return 1;
    }
    return System.identityHashCode(key);
  }

  static boolean same(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (a instanceof String || a instanceof Boolean || a instanceof BigInteger) {
      return a.equals(b);
    }
    if (a instanceof Number && isNumber(a)) {
      if (!(b instanceof Number) || !isNumber(b)) {
        return false;
      }
      double x = ((Number) a).doubleValue();
      double y = ((Number) b).doubleValue();
      return x == y || (x != x && y != y);
    }
    return false;
  }

  /** The Java numbers that stand for JavaScript numbers; other Number types are objects. */
  private static boolean isNumber(Object value) {
    return value instanceof Double
        || value instanceof Float
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte;
  }
}
