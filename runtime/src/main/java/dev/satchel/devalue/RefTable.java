package dev.satchel.devalue;

/**
 * The writer's table from value to entry index: open addressing with int values, so recording a
 * value allocates nothing. Keys compare by identity or by {@code equals}, as chosen at creation.
 */
final class RefTable {
  private final boolean byIdentity;
  private Object[] keys = new Object[128];
  private int[] refs = new int[128];
  private int shift = 32 - 7;
  private int size;

  RefTable(boolean byIdentity) {
    this.byIdentity = byIdentity;
  }

  /** The entry index recorded for {@code key}, or -1. */
  int get(Object key) {
    int mask = keys.length - 1;
    for (int i = slot(key); ; i = (i + 1) & mask) {
      Object k = keys[i];
      if (k == null) {
        return -1;
      }
      if (k == key || (!byIdentity && k.equals(key))) {
        return refs[i];
      }
    }
  }

  /** Records {@code key}, which must not be recorded yet. */
  void put(Object key, int ref) {
    if ((size + 1) * 2 > keys.length) {
      grow();
    }
    insert(key, ref);
    size++;
  }

  private void insert(Object key, int ref) {
    int mask = keys.length - 1;
    int i = slot(key);
    while (keys[i] != null) {
      i = (i + 1) & mask;
    }
    keys[i] = key;
    refs[i] = ref;
  }

  private void grow() {
    Object[] oldKeys = keys;
    int[] oldRefs = refs;
    keys = new Object[oldKeys.length * 2];
    refs = new int[oldKeys.length * 2];
    shift--;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        insert(oldKeys[i], oldRefs[i]);
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
