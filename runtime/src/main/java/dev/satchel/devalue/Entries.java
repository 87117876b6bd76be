package dev.satchel.devalue;

import java.util.Arrays;

/**
 * devalue's entry table as the reader tokenizes it. The entries devalue writes are flat: an array
 * or object of integer references, or a type tag followed by references. Those are kept as int
 * ranges, with no boxing and no per-entry array; anything else is kept as the JSON value the
 * general reader gives ({@link #GENERIC}). Instances are reused per thread, so every reference to a
 * value read is dropped on {@link #release()}.
 */
final class Entries {
  /** A scalar or any other JSON value, in {@link #values}. */
  static final byte GENERIC = 0;

  /** An array of integers: {@code refs[first .. first + count)}. */
  static final byte INT_ARRAY = 1;

  /** A type tag (in {@link #values}) followed by integers in {@code refs}. */
  static final byte TAGGED = 2;

  /** An object whose values are integers: names in {@code names}, values in {@code refs}. */
  static final byte INT_OBJECT = 3;

  private static final ThreadLocal<Entries> POOL = new ThreadLocal<>();
  private static final int POOLED_MAX_ENTRIES = 4096;
  private static final int POOLED_MAX_CHARS = 64 * 1024;

  byte[] kinds = new byte[32];
  Object[] values = new Object[32];
  int[] firsts = new int[32];
  int[] counts = new int[32];
  int size;

  int[] refs = new int[64];
  String[] names = new String[64];
  int refCount;

  char[] chars = new char[0];

  private boolean busy;

  /** This thread's tables, or fresh ones when they are in use (a reviver that reads again). */
  static Entries acquire() {
    if (!ThreadBuffers.poolable()) {
      Entries entries = new Entries();
      entries.busy = true;
      return entries;
    }
    Entries pooled = POOL.get();
    if (pooled != null && !pooled.busy) {
      pooled.busy = true;
      return pooled;
    }
    Entries entries = new Entries();
    entries.busy = true;
    if (pooled == null) {
      POOL.set(entries);
    }
    return entries;
  }

  /** Drops every value read; tables that grew large are not kept for the next read. */
  void release() {
    clear();
    busy = false;
    if (values.length > POOLED_MAX_ENTRIES
        || names.length > POOLED_MAX_ENTRIES * 4
        || chars.length > POOLED_MAX_CHARS) {
      if (POOL.get() == this) {
        POOL.remove();
      }
    }
  }

  /** Copies {@code text} into the reusable character buffer. */
  char[] load(String text) {
    if (chars.length < text.length()) {
      chars = new char[Math.max(text.length(), chars.length * 2)];
    }
    text.getChars(0, text.length(), chars, 0);
    return chars;
  }

  int add(byte kind, Object value, int first, int count) {
    if (size == kinds.length) {
      int capacity = size * 2;
      kinds = Arrays.copyOf(kinds, capacity);
      values = Arrays.copyOf(values, capacity);
      firsts = Arrays.copyOf(firsts, capacity);
      counts = Arrays.copyOf(counts, capacity);
    }
    kinds[size] = kind;
    values[size] = value;
    firsts[size] = first;
    counts[size] = count;
    return size++;
  }

  void addRef(String name, int ref) {
    if (refCount == refs.length) {
      refs = Arrays.copyOf(refs, refCount * 2);
      names = Arrays.copyOf(names, refCount * 2);
    }
    names[refCount] = name;
    refs[refCount++] = ref;
  }

  /** Forgets the references added since {@code mark}, for an entry reread the general way. */
  void dropRefs(int mark) {
    Arrays.fill(names, mark, refCount, null);
    refCount = mark;
  }

  void clear() {
    Arrays.fill(values, 0, size, null);
    dropRefs(0);
    size = 0;
  }

  /** Fills the table from the general reader's result: every entry {@link #GENERIC}. */
  void addAll(Object[] parsed) {
    for (Object value : parsed) {
      add(GENERIC, value, 0, 0);
    }
  }

  /**
   * Entry {@code index} as the general reader would have given it ({@code Object[]} with {@code
   * Double} references, or {@link Json.JsonObject}); the entry becomes {@link #GENERIC}.
   */
  Object generic(int index) {
    byte kind = kinds[index];
    if (kind == GENERIC) {
      return values[index];
    }
    int first = firsts[index];
    int count = counts[index];
    Object value;
    if (kind == INT_OBJECT) {
      Json.JsonObject object = new Json.JsonObject();
      for (int i = first; i < first + count; i++) {
        object.put(names[i], (double) refs[i]);
      }
      value = object;
    } else {
      int offset = kind == TAGGED ? 1 : 0;
      Object[] array = new Object[count + offset];
      if (kind == TAGGED) {
        array[0] = values[index];
      }
      for (int i = 0; i < count; i++) {
        array[offset + i] = (double) refs[first + i];
      }
      value = array;
    }
    kinds[index] = GENERIC;
    values[index] = value;
    return value;
  }
}
