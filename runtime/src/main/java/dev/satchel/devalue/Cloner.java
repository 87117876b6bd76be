package dev.satchel.devalue;

import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.Set;

/**
 * What writing a value and reading it back gives, built without the text, for the common shapes of
 * session data: strings, numbers, booleans, lists, plain objects, maps, sets, dates and URLs, with
 * no object reached twice. Anything else is {@linkplain #UNSUPPORTED refused}, and the caller takes
 * the text round trip, which also words every error.
 */
final class Cloner {
  /** Thrown, without a stack trace, for a value the round trip must handle. */
  static final RuntimeException UNSUPPORTED =
      new RuntimeException("needs the text round trip", null, false, false) {
        private static final long serialVersionUID = 1L;
      };

  private static final int MAX_DEPTH = 64;
  // A copy is taken on every session read and write: its table is reused, as the writer's is.
  private static final ThreadLocal<Cloner> POOL = new ThreadLocal<>();
  // A table grown past this by one large copy is dropped rather than kept for the thread.
  private static final int POOLED_MAX_OBJECTS = 4096;
  // The objects met so far: a shared or cyclic reference needs the round trip's numbering.
  private final RefTable seen = new RefTable(true);
  private boolean busy;

  private Cloner() {}

  static Object copy(Object value) {
    if (value == null || value instanceof String || value == Undefined.INSTANCE) {
      return value;
    }
    boolean poolable = ThreadBuffers.poolable();
    Cloner pooled = poolable ? POOL.get() : null;
    Cloner cloner = pooled != null && !pooled.busy ? pooled : new Cloner();
    cloner.busy = true;
    try {
      return cloner.copy(value, 0);
    } finally {
      cloner.seen.clear();
      cloner.busy = false;
      if (cloner.seen.capacity() > POOLED_MAX_OBJECTS) {
        if (cloner == pooled) {
          POOL.remove();
        }
      } else if (poolable && pooled == null) {
        POOL.set(cloner);
      }
    }
  }

  private Object copy(Object value, int depth) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Double
        || value instanceof BigInteger
        || value == Undefined.INSTANCE) {
      return value;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof Long) {
      long number = (Long) value;
      if (number > Flattener.MAX_SAFE_INTEGER || number < -Flattener.MAX_SAFE_INTEGER) {
        throw UNSUPPORTED;
      }
      return (double) number;
    }
    if (value instanceof Float) {
      return (double) (Float) value;
    }
    if (value instanceof Character) {
      return value.toString();
    }
    if (value instanceof Enum) {
      return ((Enum<?>) value).name();
    }
    if (value instanceof Optional) {
      Optional<?> optional = (Optional<?>) value;
      return optional.isPresent() ? copy(optional.get(), depth) : Undefined.INSTANCE;
    }
    if (value instanceof Instant) {
      enter(value);
      long millis;
      try {
        millis = ((Instant) value).toEpochMilli();
      } catch (ArithmeticException e) {
        throw UNSUPPORTED;
      }
      return date(millis);
    }
    if (value instanceof Date) {
      enter(value);
      return date(((Date) value).getTime());
    }
    if (value instanceof JsUrl) {
      return value;
    }
    if (value instanceof URI || value instanceof URL) {
      enter(value);
      String href = value.toString();
      if (href.isEmpty() || !Urls.looksAbsolute(href)) {
        throw UNSUPPORTED;
      }
      return new JsUrl(href);
    }
    if (depth == MAX_DEPTH) {
      throw UNSUPPORTED;
    }
    if (value.getClass() == PlainObject.class) {
      enter(value);
      PlainObject source = (PlainObject) value;
      PlainObject copy = PlainObject.withCapacity(source.size());
      for (Map.Entry<String, Object> property : PropertyOrder.entries(source)) {
        if (property.getKey().equals("__proto__")) {
          throw UNSUPPORTED;
        }
        copy.put(property.getKey(), copy(property.getValue(), depth + 1));
      }
      return copy;
    }
    if (value instanceof List && value instanceof RandomAccess) {
      enter(value);
      List<?> source = (List<?>) value;
      List<Object> copy = new ArrayList<>(source.size());
      for (int i = 0; i < source.size(); i++) {
        copy.add(element(source.get(i), depth));
      }
      return copy;
    }
    if (value instanceof Object[]) {
      enter(value);
      Object[] source = (Object[]) value;
      List<Object> copy = new ArrayList<>(source.length);
      for (Object element : source) {
        copy.add(element(element, depth));
      }
      return copy;
    }
    if (value instanceof Map && !(value instanceof PlainObject)) {
      enter(value);
      Map<?, ?> source = (Map<?, ?>) value;
      JsMap copy = new JsMap(source.size());
      for (Map.Entry<?, ?> entry : source.entrySet()) {
        copy.put(copy(entry.getKey(), depth + 1), copy(entry.getValue(), depth + 1));
      }
      return copy;
    }
    if (value instanceof Set) {
      enter(value);
      Set<?> source = (Set<?>) value;
      JsSet copy = new JsSet(source.size());
      for (Object member : source) {
        copy.add(copy(member, depth + 1));
      }
      return copy;
    }
    throw UNSUPPORTED;
  }

  private Object element(Object element, int depth) {
    if (element == Hole.INSTANCE) {
      throw UNSUPPORTED;
    }
    return copy(element, depth + 1);
  }

  private static Date date(long millis) {
    if (!JsDates.inRange(millis)) {
      throw UNSUPPORTED;
    }
    return new Date(millis);
  }

  private void enter(Object container) {
    if (seen.putIfAbsent(container, 0) >= 0) {
      throw UNSUPPORTED;
    }
  }
}
