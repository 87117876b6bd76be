package dev.satchel;

import dev.satchel.SessionBlob.Entry;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** The keys one request has set or removed and not yet stored. */
final class PendingChanges {
  private final LinkedHashMap<String, Entry> set = new LinkedHashMap<>();
  private final Set<String> removed = new LinkedHashSet<>();

  /** What was pending for one key, to put back when an update's try fails. */
  record Pending(Entry entry, boolean removed) {}

  boolean isEmpty() {
    return set.isEmpty() && removed.isEmpty();
  }

  boolean hasValues() {
    return !set.isEmpty();
  }

  /** The value set for {@code key}, or {@code null}. */
  Entry value(String key) {
    return set.get(key);
  }

  boolean isRemoved(String key) {
    return removed.contains(key);
  }

  /** Sets {@code key}, moving it after the keys set before it, as a new key would be. */
  void set(String key, Entry entry) {
    set.remove(key);
    set.put(key, entry);
    removed.remove(key);
  }

  /** Removes {@code key}: from what this request set, and from the store when {@code stored}. */
  void remove(String key, boolean stored) {
    set.remove(key);
    if (stored) {
      removed.add(key);
    }
  }

  Pending pending(String key) {
    return new Pending(set.get(key), removed.contains(key));
  }

  void restore(String key, Pending pending) {
    set.remove(key);
    if (pending.entry() != null) {
      set.put(key, pending.entry());
    }
    if (pending.removed()) {
      removed.add(key);
    } else {
      removed.remove(key);
    }
  }

  void clear() {
    set.clear();
    removed.clear();
  }

  /**
   * These changes on top of {@code stored}: the keys set here win, the keys removed here and those
   * expired at {@code nowMillis} go, the other stored keys stay in their order, and new keys come
   * last.
   */
  LinkedHashMap<String, Entry> over(Map<String, Entry> stored, long nowMillis) {
    LinkedHashMap<String, Entry> merged = new LinkedHashMap<>();
    stored.forEach(
        (key, entry) -> {
          if (!removed.contains(key) && !entry.isExpired(nowMillis)) {
            merged.put(key, set.getOrDefault(key, entry));
          }
        });
    set.forEach(merged::putIfAbsent);
    return merged;
  }
}
