package dev.satchel.devalue;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A JavaScript {@code Map}: insertion-ordered, with keys compared as JavaScript does (strings,
 * numbers, booleans and bigints by value, every object by identity). Two distinct but equal objects
 * are two keys here, as they are in JavaScript.
 */
public final class JsMap extends AbstractMap<Object, Object> {
  private final LinkedHashMap<Object, SimpleEntry<Object, Object>> entries = new LinkedHashMap<>();

  /** Creates an empty map. */
  public JsMap() {}

  /** Creates a map holding the entries of {@code map}, in its iteration order. */
  public JsMap(Map<?, ?> map) {
    map.forEach(this::put);
  }

  @Override
  public Object put(Object key, Object value) {
    Object normalized = SameValueZero.normalizeKey(key);
    SimpleEntry<Object, Object> previous =
        entries.putIfAbsent(SameValueZero.key(normalized), new SimpleEntry<>(normalized, value));
    return previous == null ? null : previous.setValue(value);
  }

  @Override
  public Object get(Object key) {
    SimpleEntry<Object, Object> entry = entries.get(SameValueZero.key(key));
    return entry == null ? null : entry.getValue();
  }

  @Override
  public boolean containsKey(Object key) {
    return entries.containsKey(SameValueZero.key(key));
  }

  @Override
  public Object remove(Object key) {
    SimpleEntry<Object, Object> entry = entries.remove(SameValueZero.key(key));
    return entry == null ? null : entry.getValue();
  }

  @Override
  public int size() {
    return entries.size();
  }

  @Override
  public void clear() {
    entries.clear();
  }

  @Override
  public Set<Entry<Object, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<Object, Object>> iterator() {
        Iterator<SimpleEntry<Object, Object>> delegate = entries.values().iterator();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return delegate.hasNext();
          }

          @Override
          public Entry<Object, Object> next() {
            return delegate.next();
          }

          @Override
          public void remove() {
            delegate.remove();
          }
        };
      }

      @Override
      public int size() {
        return entries.size();
      }
    };
  }
}
