package dev.satchel.devalue;

/**
 * The writer's table from value to entry index: open addressing with int values, so recording a
 * value allocates nothing. Keys compare by identity or by {@code equals}, as chosen at creation.
 */
final class RefTable {
  private final boolean byIdentity;
  // Allocated when first needed: an identity table often never gets past its list.
  private Object[] keys = new Object[0];
  private int[] refs = new int[0];
  // The slots filled, in order, so that clearing costs the number of keys, not the capacity.
  private int[] used = new int[0];
  private int shift = 32;
  private int size;

  // By identity, the first few keys are only listed and scanned: System.identityHashCode costs a
  // call into the VM for an object never hashed before, and the values written are mostly fresh
  // from a read. The table takes over once the list is full.
  private static final int LISTED = 32;
  private final Object[] listed;
  private final int[] listedRefs;
  private int listedSize;

  RefTable(boolean byIdentity) {
    this.byIdentity = byIdentity;
    this.listed = byIdentity ? new Object[LISTED] : null;
    this.listedRefs = byIdentity ? new int[LISTED] : null;
  }

  /**
   * The entry index recorded for {@code key}; or, when there is none, records {@code ref} for it
   * and returns -1. One probe sequence serves both the lookup and the insertion.
   */
  int putIfAbsent(Object key, int ref) {
    if (byValue != null) {
      Integer existing = byValue.putIfAbsent(key, ref);
      return existing == null ? -1 : existing;
    }
    if (byIdentity && listedSize >= 0) {
      for (int i = 0; i < listedSize; i++) {
        if (listed[i] == key) {
          return listedRefs[i];
        }
      }
      if (listedSize < LISTED) {
        listed[listedSize] = key;
        listedRefs[listedSize++] = ref;
        return -1;
      }
      moveListedToTable();
    }
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    Object[] keys = this.keys;
    int mask = keys.length - 1;
    if (byIdentity) {
      for (int i = (System.identityHashCode(key) * 0x9E3779B9) >>> shift; ; i = (i + 1) & mask) {
        Object k = keys[i];
        if (k == null) {
          return insertAt(i, key, ref);
        }
        if (k == key) {
          return refs[i];
        }
      }
    }
    // Strings are most of the keys: typed as such, their hashCode and equals are direct calls.
    boolean text = key instanceof String;
    int hash = text ? ((String) key).hashCode() : key.hashCode();
    int probes = 0;
    for (int i = (hash * 0x9E3779B9) >>> shift; ; i = (i + 1) & mask) {
      Object k = keys[i];
      if (k == null) {
        return insertAt(i, key, ref);
      }
      if (k == key || (text ? ((String) key).equals(k) : key.equals(k))) {
        return refs[i];
      }
      if (++probes == MAX_PROBES) {
        moveToHashMap();
        return putIfAbsent(key, ref);
      }
    }
  }

  // Strings crafted to share a hash code would make every probe walk all of them; after a run
  // this long the table hands over to a HashMap, whose crowded bins turn into trees.
  private static final int MAX_PROBES = 64;
  private java.util.HashMap<Object, Integer> byValue;

  boolean handedOver() {
    return byValue != null;
  }

  private void moveToHashMap() {
    byValue = new java.util.HashMap<>(size * 2);
    for (int i = 0; i < size; i++) {
      byValue.put(keys[used[i]], refs[used[i]]);
    }
  }

  private int insertAt(int slot, Object key, int ref) {
    keys[slot] = key;
    refs[slot] = ref;
    used[size++] = slot;
    return -1;
  }

  private void moveListedToTable() {
    int count = listedSize;
    listedSize = -1;
    for (int i = 0; i < count; i++) {
      putIfAbsent(listed[i], listedRefs[i]);
      listed[i] = null;
    }
  }

  /** Forgets every key, touching only the slots in use. */
  /** How many keys the hash table has room for; 0 while the keys fit the list. */
  int capacity() {
    return keys.length;
  }

  void clear() {
    if (byIdentity) {
      java.util.Arrays.fill(listed, 0, Math.max(listedSize, 0), null);
      listedSize = 0;
    }
    for (int i = 0; i < size; i++) {
      keys[used[i]] = null;
    }
    size = 0;
    byValue = null;
  }

  private void grow() {
    Object[] oldKeys = keys;
    int[] oldRefs = refs;
    int capacity = Math.max(32, oldKeys.length * 2);
    keys = new Object[capacity];
    refs = new int[capacity];
    used = new int[capacity / 2];
    shift = 32 - Integer.numberOfTrailingZeros(capacity);
    int mask = keys.length - 1;
    int count = 0;
    for (int j = 0; j < oldKeys.length; j++) {
      Object key = oldKeys[j];
      if (key != null) {
        int i = slot(key);
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = key;
        refs[i] = oldRefs[j];
        used[count++] = i;
      }
    }
  }

  /**
   * Fibonacci hashing: the top bits of the hash times the golden ratio. Strings that differ only in
   * their last characters ({@code sku-0001}, {@code sku-0002}) have neighbouring hash codes, which
   * would otherwise fill neighbouring slots and make long probe runs.
   */
  private int slot(Object key) {
    int h = byIdentity ? System.identityHashCode(key) : key.hashCode();
    return (h * 0x9E3779B9) >>> shift;
  }
}
