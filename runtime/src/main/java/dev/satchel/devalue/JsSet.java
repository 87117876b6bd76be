package dev.satchel.devalue;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * A JavaScript {@code Set}: insertion-ordered, with members compared as JavaScript does (primitives
 * by value, objects by identity).
 */
public final class JsSet extends AbstractSet<Object> {
  private final LinkedHashMap<Object, Object> members = new LinkedHashMap<>();

  /** Creates an empty set. */
  public JsSet() {}

  /** Creates a set holding {@code members}, in their iteration order. */
  public JsSet(Collection<?> members) {
    members.forEach(this::add);
  }

  @Override
  public boolean add(Object member) {
    Object normalized = SameValueZero.normalizeKey(member);
    return members.putIfAbsent(
            SameValueZero.key(normalized), normalized == null ? NULL : normalized)
        == null;
  }

  @Override
  public boolean contains(Object member) {
    return members.containsKey(SameValueZero.key(member));
  }

  @Override
  public boolean remove(Object member) {
    return members.remove(SameValueZero.key(member)) != null;
  }

  @Override
  public Iterator<Object> iterator() {
    Iterator<Object> delegate = members.values().iterator();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return delegate.hasNext();
      }

      @Override
      public Object next() {
        Object next = delegate.next();
        return next == NULL ? null : next;
      }

      @Override
      public void remove() {
        delegate.remove();
      }
    };
  }

  @Override
  public int size() {
    return members.size();
  }

  private static final Object NULL = new Object();
}
