package dev.satchel.devalue;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A JavaScript {@code Map}: insertion-ordered, with keys compared as JavaScript does (strings,
 * numbers, booleans and bigints by value, every object by identity). Two distinct but equal objects
 * are two keys here, as they are in JavaScript.
 */
public final class JsMap extends AbstractMap<Object, Object> {
  private final SameValueZeroTable table;

  /** Creates an empty map. */
  public JsMap() {
    table = new SameValueZeroTable();
  }

  /** An empty map with room for {@code expected} members before it grows. */
  JsMap(int expected) {
    table = new SameValueZeroTable(expected);
  }

  /** Creates a map holding the entries of {@code map}, in its iteration order. */
  public JsMap(Map<?, ?> map) {
    this(map.size());
    map.forEach(this::put);
  }

  SameValueZeroTable table() {
    return table;
  }

  @Override
  public Object put(Object key, Object value) {
    return table.put(SameValueZeroTable.normalizeKey(key), value);
  }

  @Override
  public Object get(Object key) {
    int position = table.find(key);
    return position < 0 ? null : table.valueAt(position);
  }

  @Override
  public boolean containsKey(Object key) {
    return table.find(key) >= 0;
  }

  @Override
  public Object remove(Object key) {
    int position = table.find(key);
    if (position < 0) {
      return null;
    }
    Object previous = table.valueAt(position);
    table.removeAt(position);
    return previous;
  }

  @Override
  public int size() {
    return table.size();
  }

  @Override
  public void clear() {
    table.clear();
  }

  @Override
  public Set<Entry<Object, Object>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<Object, Object>> iterator() {
        SameValueZeroTable.Cursor cursor = table.cursor();
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            return cursor.hasNext();
          }

          @Override
          public Entry<Object, Object> next() {
            return new TableEntry(cursor.next());
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
    };
  }

  /** An entry that reads and writes through to the table, as a map's entries do. */
  private final class TableEntry extends SimpleEntry<Object, Object> {
    private static final long serialVersionUID = 1L;
    private final int position;

    TableEntry(int position) {
      super(table.keyAt(position), table.valueAt(position));
      this.position = position;
    }

    @Override
    public Object setValue(Object value) {
      table.setValueAt(position, value);
      return super.setValue(value);
    }
  }
}
