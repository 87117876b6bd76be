package dev.satchel.devalue;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JavaScript plain object ({@code {"key": value}}). A plain {@link Map} is written as a
 * JavaScript {@code Map}; this subclass marks the entries as object properties instead. Keys are
 * written in JavaScript's property order (array-index keys first, ascending), whatever the
 * insertion order.
 */
public class PlainObject extends LinkedHashMap<String, Object> {

  /** Creates an empty object. */
  public PlainObject() {}

  private PlainObject(int initialCapacity) {
    super(initialCapacity);
  }

  /** An empty object sized for {@code properties} properties. */
  static PlainObject withCapacity(int properties) {
    return new PlainObject(Math.max(2, (int) (properties / 0.75f) + 1));
  }

  /** Creates an object holding a copy of {@code properties}. */
  public PlainObject(Map<String, ?> properties) {
    super(properties);
  }
}
