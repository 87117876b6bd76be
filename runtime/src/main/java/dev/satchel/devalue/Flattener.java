package dev.satchel.devalue;

import java.lang.reflect.Array;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * devalue's {@code stringify}: depth-first, pre-order numbering, every value written once
 * (primitives shared by value, objects by identity), reducers tried before the built-in types.
 */
final class Flattener {
  static final int UNDEFINED = -1;
  static final int HOLE = -2;
  static final int NAN = -3;
  static final int POSITIVE_INFINITY = -4;
  static final int NEGATIVE_INFINITY = -5;
  static final int NEGATIVE_ZERO = -6;
  static final int SPARSE = -7;

  private static final long MAX_SAFE_INTEGER = 9007199254740991L;
  private static final Object NULL_KEY = new Object();

  private final List<Map.Entry<String, Function<Object, Object>>> reducers;
  private final int maxDepth;

  private final RefTable objects = new RefTable(true);
  private final RefTable primitives = new RefTable(false);
  // An entry is formatted text, or a string value still to be quoted (kept raw so that quoting
  // writes straight into the output, with no intermediate copy).
  private CharSequence[] entries = new CharSequence[16];
  private boolean[] quoted = new boolean[16];
  private int count;

  // The path to the value being written, kept as raw segments and formatted only for an error.
  private Object[] pathKeys = new Object[16];
  private byte[] pathKinds = new byte[16];
  private int depth;

  private static final byte PROPERTY = 0;
  private static final byte INDEX = 1;
  private static final byte MAP_KEY = 2;
  private static final byte NONE = 3;

  Flattener(List<Map.Entry<String, Function<Object, Object>>> reducers, int maxDepth) {
    this.reducers = reducers;
    this.maxDepth = maxDepth;
  }

  String stringify(Object value) {
    int root = flatten(value);
    if (root < 0) {
      return Integer.toString(root);
    }
    int length = 2 + count - 1;
    for (int i = 0; i < count; i++) {
      length += entries[i].length() + (quoted[i] ? 2 : 0);
    }
    StringBuilder out = new StringBuilder(length + 16);
    out.append('[');
    for (int i = 0; i < count; i++) {
      if (i > 0) {
        out.append(',');
      }
      if (quoted[i]) {
        JsStrings.quote((String) entries[i], out);
      } else {
        out.append(entries[i]);
      }
    }
    return out.append(']').toString();
  }

  private int flatten(Object thing) {
    while (thing instanceof Optional) {
      thing = ((Optional<?>) thing).isPresent() ? ((Optional<?>) thing).get() : Undefined.INSTANCE;
    }
    if (thing == Undefined.INSTANCE) {
      return UNDEFINED;
    }
    if (thing instanceof Hole) {
      throw error("Cannot stringify a hole outside an array");
    }
    Object key;
    if (thing == null) {
      key = NULL_KEY;
    } else if (thing instanceof String || thing instanceof Boolean || thing instanceof BigInteger) {
      key = thing;
    } else if (thing instanceof Number) {
      double number = toDouble((Number) thing);
      if (number != number) {
        return NAN;
      }
      if (number == Double.POSITIVE_INFINITY) {
        return POSITIVE_INFINITY;
      }
      if (number == Double.NEGATIVE_INFINITY) {
        return NEGATIVE_INFINITY;
      }
      if (number == 0 && 1 / number < 0) {
        return NEGATIVE_ZERO;
      }
      thing = number;
      key = thing;
    } else if (thing instanceof Character) {
      thing = thing.toString();
      key = thing;
    } else if (thing instanceof Enum) {
      thing = ((Enum<?>) thing).name();
      key = thing;
    } else {
      key = null;
    }
    int existing = key == null ? objects.get(thing) : primitives.get(key);
    if (existing >= 0) {
      return existing;
    }
    int index = reserve();
    if (key == null) {
      objects.put(thing, index);
    } else {
      primitives.put(key, index);
    }
    if (!reducers.isEmpty() && reduce(thing, index)) {
      return index;
    }
    if (thing instanceof String) {
      entries[index] = (String) thing;
      quoted[index] = true;
      return index;
    }
    CharSequence entry = describe(thing);
    entries[index] = entry;
    return index;
  }

  private boolean reduce(Object thing, int index) {
    for (Map.Entry<String, Function<Object, Object>> reducer : reducers) {
      Object payload = reducer.getValue().apply(thing);
      if (isTruthy(payload)) {
        // Built before the store: writing the payload may grow the entry table.
        String entry = "[\"" + reducer.getKey() + "\"," + child(payload) + "]";
        entries[index] = entry;
        return true;
      }
    }
    return false;
  }

  private static boolean isTruthy(Object value) {
    if (value == null || value == Undefined.INSTANCE || Boolean.FALSE.equals(value)) {
      return false;
    }
    if (value instanceof String) {
      return !((String) value).isEmpty();
    }
    if (value instanceof Number && !(value instanceof BigInteger)) {
      double number = ((Number) value).doubleValue();
      return number == number && number != 0;
    }
    if (value instanceof BigInteger) {
      return ((BigInteger) value).signum() != 0;
    }
    if (value instanceof Optional) {
      return ((Optional<?>) value).isPresent();
    }
    return true;
  }

  private CharSequence describe(Object thing) {
    if (thing == null) {
      return "null";
    }
    if (thing instanceof Double) {
      return JsNumbers.toString((Double) thing);
    }
    if (thing instanceof Boolean) {
      return thing.toString();
    }
    if (thing instanceof BigInteger) {
      return "[\"BigInt\",\"" + thing + "\"]";
    }
    if (thing instanceof PlainObject) {
      return thing instanceof NullPrototypeObject
          ? nullPrototypeObject((NullPrototypeObject) thing)
          : plainObject((PlainObject) thing);
    }
    if (thing instanceof List) {
      List<?> list = (List<?>) thing;
      return array(list.size(), list::get);
    }
    if (thing instanceof Object[]) {
      Object[] array = (Object[]) thing;
      return array(array.length, i -> array[i]);
    }
    if (thing.getClass().isArray()) {
      return array(Array.getLength(thing), i -> Array.get(thing, i));
    }
    if (thing instanceof SparseArray) {
      return sparseArray((SparseArray) thing);
    }
    if (thing instanceof Set) {
      return set((Set<?>) thing);
    }
    if (thing instanceof Map) {
      return map((Map<?, ?>) thing);
    }
    if (thing instanceof Instant) {
      return date(epochMillis((Instant) thing));
    }
    if (thing instanceof Date) {
      return date(((Date) thing).getTime());
    }
    if (thing instanceof InvalidDate) {
      return "[\"Date\",\"\"]";
    }
    if (thing instanceof JsRegExp) {
      return regExp((JsRegExp) thing);
    }
    if (thing instanceof Pattern) {
      return regExp(RegExps.fromPattern((Pattern) thing));
    }
    if (thing instanceof JsUrl || thing instanceof URI || thing instanceof URL) {
      return "[\"URL\"," + JsStrings.quote(thing.toString()) + "]";
    }
    if (thing instanceof JsUrlSearchParams) {
      return "[\"URLSearchParams\"," + JsStrings.quote(thing.toString()) + "]";
    }
    if (thing instanceof Boxed) {
      return "[\"Object\"," + flatten(((Boxed) thing).value()) + "]";
    }
    if (thing instanceof ArrayBuffer) {
      return "[\"ArrayBuffer\",\""
          + Base64.getEncoder().encodeToString(((ArrayBuffer) thing).bytes())
          + "\"]";
    }
    if (thing instanceof TypedArray) {
      return typedArray((TypedArray) thing);
    }
    if (thing instanceof TemporalValue) {
      TemporalValue temporal = (TemporalValue) thing;
      return "[\"" + temporal.type() + "\"," + JsStrings.quote(temporal.text()) + "]";
    }
    throw error("Cannot stringify arbitrary non-POJOs");
  }

  private double toDouble(Number number) {
    if (number instanceof Double
        || number instanceof Float
        || number instanceof Integer
        || number instanceof Short
        || number instanceof Byte) {
      return number.doubleValue();
    }
    if (number instanceof Long
        || number instanceof java.util.concurrent.atomic.AtomicLong
        || number instanceof java.util.concurrent.atomic.AtomicInteger) {
      long value = number.longValue();
      if (value > MAX_SAFE_INTEGER || value < -MAX_SAFE_INTEGER) {
        throw error(
            "Cannot stringify the long "
                + value
                + ": JavaScript numbers hold integers exactly only up to ±(2^53−1); use BigInteger");
      }
      return value;
    }
    throw error("Cannot stringify a " + number.getClass().getSimpleName() + ": no JavaScript form");
  }

  private long epochMillis(Instant instant) {
    long millis;
    try {
      millis = instant.toEpochMilli();
    } catch (ArithmeticException e) {
      millis = Long.MAX_VALUE;
    }
    if (!JsDates.inRange(millis)) {
      throw error("Cannot stringify a date outside JavaScript's range (±8.64e15 ms): " + instant);
    }
    return millis;
  }

  private String date(long epochMillis) {
    if (!JsDates.inRange(epochMillis)) {
      throw error("Cannot stringify a date outside JavaScript's range (±8.64e15 ms)");
    }
    return "[\"Date\",\"" + JsDates.toIsoString(epochMillis) + "\"]";
  }

  private CharSequence regExp(JsRegExp regExp) {
    StringBuilder out = new StringBuilder("[\"RegExp\",");
    JsStrings.quote(regExp.source(), out);
    if (!regExp.flags().isEmpty()) {
      out.append(",\"").append(regExp.flags()).append('"');
    }
    return out.append(']');
  }

  private CharSequence plainObject(PlainObject object) {
    if (object.containsKey("__proto__")) {
      throw error("Cannot stringify objects with __proto__ keys");
    }
    StringBuilder out = new StringBuilder(object.size() * 12 + 2).append('{');
    boolean first = true;
    for (Map.Entry<String, Object> property : PropertyOrder.entries(object)) {
      if (!first) {
        out.append(',');
      }
      first = false;
      JsStrings.quote(property.getKey(), out);
      out.append(':');
      push(PROPERTY, property.getKey());
      out.append(flatten(property.getValue()));
      pop();
    }
    return out.append('}');
  }

  private CharSequence nullPrototypeObject(NullPrototypeObject object) {
    if (object.containsKey("__proto__")) {
      throw error("Cannot stringify objects with __proto__ keys");
    }
    StringBuilder out = new StringBuilder("[\"null\"");
    for (Map.Entry<String, Object> property : PropertyOrder.entries(object)) {
      out.append(',');
      JsStrings.quote(property.getKey(), out);
      out.append(',');
      push(PROPERTY, property.getKey());
      out.append(flatten(property.getValue()));
      pop();
    }
    return out.append(']');
  }

  private interface Element {
    Object at(int index);
  }

  private CharSequence array(int length, Element elements) {
    int present = length;
    for (int i = 0; i < length; i++) {
      if (elements.at(i) == Hole.INSTANCE) {
        present--;
      }
    }
    if (present < length && preferSparse(length, present)) {
      StringBuilder out = new StringBuilder().append('[').append(SPARSE).append(',').append(length);
      for (int i = 0; i < length; i++) {
        Object element = elements.at(i);
        if (element != Hole.INSTANCE) {
          out.append(',').append(i).append(',').append(indexed(i, element));
        }
      }
      return out.append(']');
    }
    StringBuilder out = new StringBuilder(length * 4 + 2).append('[');
    for (int i = 0; i < length; i++) {
      if (i > 0) {
        out.append(',');
      }
      Object element = elements.at(i);
      out.append(element == Hole.INSTANCE ? HOLE : indexed(i, element));
    }
    return out.append(']');
  }

  private CharSequence sparseArray(SparseArray array) {
    long length = array.length();
    Map<Long, Object> elements = array.elements();
    int present = elements.size();
    if (present == length) {
      return array((int) length, i -> elements.get((long) i));
    }
    if (preferSparse(length, present)) {
      StringBuilder out = new StringBuilder().append('[').append(SPARSE).append(',').append(length);
      for (Map.Entry<Long, Object> element : elements.entrySet()) {
        long index = element.getKey();
        out.append(',').append(index).append(',').append(indexed(index, element.getValue()));
      }
      return out.append(']');
    }
    // Dense with holes is only chosen when holes are few, so the length is small here.
    return array(
        (int) length, i -> elements.containsKey((long) i) ? elements.get((long) i) : Hole.INSTANCE);
  }

  /** devalue's choice, made at the first hole: the sparse form when it is shorter. */
  private static boolean preferSparse(long length, long present) {
    int digits = Long.toString(length).length();
    long holeCost = (length - present) * 3;
    long sparseCost = 4 + digits + present * (digits + 1);
    return holeCost > sparseCost;
  }

  private int indexed(long index, Object element) {
    push(INDEX, index);
    int ref = flatten(element);
    pop();
    return ref;
  }

  private CharSequence set(Set<?> set) {
    StringBuilder out = new StringBuilder(set.size() * 4 + 8).append("[\"Set\"");
    push(NONE, null);
    for (Object member : set) {
      out.append(',').append(flatten(member));
    }
    pop();
    return out.append(']');
  }

  private CharSequence map(Map<?, ?> map) {
    StringBuilder out = new StringBuilder(map.size() * 8 + 8).append("[\"Map\"");
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      push(MAP_KEY, entry.getKey());
      out.append(',').append(flatten(entry.getKey()));
      out.append(',').append(flatten(entry.getValue()));
      pop();
    }
    return out.append(']');
  }

  private CharSequence typedArray(TypedArray view) {
    push(NONE, null);
    int buffer = flatten(view.buffer());
    pop();
    StringBuilder out = new StringBuilder("[\"").append(view.type()).append("\",").append(buffer);
    if (view.byteLength() != view.buffer().byteLength()) {
      out.append(',').append(view.byteOffset()).append(',').append(view.length());
    }
    return out.append(']');
  }

  private int child(Object payload) {
    push(NONE, null);
    int ref = flatten(payload);
    pop();
    return ref;
  }

  private int reserve() {
    if (count == entries.length) {
      entries = java.util.Arrays.copyOf(entries, count * 2);
      quoted = java.util.Arrays.copyOf(quoted, count * 2);
    }
    return count++;
  }

  private void push(byte kind, Object key) {
    if (depth == maxDepth) {
      throw error("Cannot stringify a value nested deeper than " + maxDepth + " levels");
    }
    if (depth == pathKeys.length) {
      pathKeys = java.util.Arrays.copyOf(pathKeys, depth * 2);
      pathKinds = java.util.Arrays.copyOf(pathKinds, depth * 2);
    }
    pathKinds[depth] = kind;
    pathKeys[depth] = key;
    depth++;
  }

  private void pop() {
    depth--;
  }

  private DevalueException error(String reason) {
    return DevalueException.writing(reason, path());
  }

  private String path() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < depth; i++) {
      Object key = pathKeys[i];
      switch (pathKinds[i]) {
        case PROPERTY:
          String name = (String) key;
          if (isIdentifier(name)) {
            out.append('.').append(name);
          } else {
            out.append('[').append(JsStrings.quote(name)).append(']');
          }
          break;
        case INDEX:
          out.append('[').append(key).append(']');
          break;
        case MAP_KEY:
          out.append(".get(").append(literal(key)).append(')');
          break;
        default:
          break;
      }
    }
    return out.toString();
  }

  private static String literal(Object key) {
    if (key instanceof Optional) {
      key = ((Optional<?>) key).isPresent() ? ((Optional<?>) key).get() : Undefined.INSTANCE;
    }
    if (key instanceof String || key instanceof Character || key instanceof Enum) {
      return JsStrings.quote(key instanceof Enum ? ((Enum<?>) key).name() : key.toString());
    }
    if (key == Undefined.INSTANCE) {
      return "-1";
    }
    if (key == null || key instanceof Boolean) {
      return String.valueOf(key);
    }
    if (key instanceof Number && !(key instanceof BigInteger)) {
      double number = ((Number) key).doubleValue();
      return Double.isFinite(number) ? JsNumbers.toString(number) : String.valueOf(number);
    }
    if (key instanceof BigInteger) {
      return key + "n";
    }
    return "...";
  }

  private static boolean isIdentifier(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
      if (!letter && !(i > 0 && c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }
}
