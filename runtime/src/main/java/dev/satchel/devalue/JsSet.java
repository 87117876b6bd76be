package dev.satchel.devalue;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Iterator;

/**
 * A JavaScript {@code Set}: insertion-ordered, with members compared as JavaScript does (primitives
 * by value, objects by identity).
 */
public final class JsSet extends AbstractSet<Object> {
  private final SameValueZeroTable table;

  /** Creates an empty set. */
  public JsSet() {
    table = new SameValueZeroTable();
  }

  /** An empty set with room for {@code expected} members before it grows. */
  JsSet(int expected) {
    table = new SameValueZeroTable(expected);
  }

  /** Creates a set holding {@code members}, in their iteration order. */
  public JsSet(Collection<?> members) {
    this(members.size());
    members.forEach(this::add);
  }

  @Override
  public boolean add(Object member) {
    int before = table.size();
    table.put(SameValueZeroTable.normalizeKey(member), null);
    return table.size() != before;
  }

  @Override
  public boolean contains(Object member) {
    return table.find(member) >= 0;
  }

  @Override
  public boolean remove(Object member) {
    int position = table.find(member);
    if (position < 0) {
      return false;
    }
    table.removeAt(position);
    return true;
  }

  @Override
  public void clear() {
    table.clear();
  }

  @Override
  public Iterator<Object> iterator() {
    SameValueZeroTable.Cursor cursor = table.cursor();
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return cursor.hasNext();
      }

      @Override
      public Object next() {
        return table.keyAt(cursor.next());
      }

      @Override
      public void remove() {
        cursor.remove();
      }
    };
  }

  @Override
  public int size() {
    return table.size();
  }
}
