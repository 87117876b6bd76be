package dev.satchel.devalue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * devalue's {@code unflatten}: rebuilds the value graph from the entry table, one object per entry
 * (so shared references and cycles come back as they were), with every check devalue makes and a
 * bound on nesting depth.
 */
final class Hydrator {
  // Cached entries are never null in the cache: a hydrated null is stored as this marker, so an
  // untouched slot (null) means "not hydrated yet" and the cache needs no filling up front.
  private static final Object NULL = new Object();

  private final Map<String, Function<Object, Object>> revivers;
  private final int maxDepth;
  private final Entries entries;
  private final Object[] hydrated;
  // The entries whose revivers are running, to refuse a reviver's payload that contains itself.
  private int[] reviving = new int[4];
  private int revivingCount;
  private int depth;

  private Hydrator(Entries entries, Map<String, Function<Object, Object>> revivers, int maxDepth) {
    this.entries = entries;
    this.revivers = revivers;
    this.maxDepth = maxDepth;
    this.hydrated = new Object[entries.size];
  }

  /** Rebuilds the value from entries the fast tokenizer filled (at least one). */
  static Object unflatten(
      Entries entries, Map<String, Function<Object, Object>> revivers, int maxDepth) {
    return new Hydrator(entries, revivers, maxDepth).hydrateRef(0, -1);
  }

  /** Rebuilds the value from the general JSON reader's result, using {@code entries} as tables. */
  static Object unflatten(
      Object parsed,
      Entries entries,
      Map<String, Function<Object, Object>> revivers,
      int maxDepth) {
    if (parsed instanceof Double) {
      Object sentinel = sentinel((Double) parsed);
      if (sentinel == null) {
        throw DevalueException.reading("Invalid input", "the root is a bare number");
      }
      return sentinel;
    }
    if (!(parsed instanceof Object[]) || ((Object[]) parsed).length == 0) {
      throw DevalueException.reading("Invalid input", "the root must be a non-empty array");
    }
    entries.addAll((Object[]) parsed);
    return unflatten(entries, revivers, maxDepth);
  }

  private static Object sentinel(double ref) {
    if (ref == Flattener.UNDEFINED) {
      return Undefined.INSTANCE;
    }
    if (ref == Flattener.NAN) {
      return Double.NaN;
    }
    if (ref == Flattener.POSITIVE_INFINITY) {
      return Double.POSITIVE_INFINITY;
    }
    if (ref == Flattener.NEGATIVE_INFINITY) {
      return Double.NEGATIVE_INFINITY;
    }
    if (ref == Flattener.NEGATIVE_ZERO) {
      return -0.0;
    }
    return null;
  }

  /** Hydrates the entry a reference names; {@code from} is the entry holding it, for errors. */
  Object hydrate(Object reference, int from) {
    if (!(reference instanceof Double)) {
      throw invalid(from);
    }
    double ref = (Double) reference;
    Object sentinel = sentinel(ref);
    if (sentinel != null) {
      return sentinel;
    }
    if (ref >= entries.size) {
      throw invalid(from);
    }
    int index = (int) ref;
    if (ref < 0 || index != ref) {
      // JavaScript reads values[-8] or values[0.5] as undefined rather than failing.
      return Undefined.INSTANCE;
    }
    return hydrateRef(index, from);
  }

  /** {@link #hydrate} for a reference the tokenizer read as an integer. */
  private Object hydrateRef(int ref, int from) {
    if (ref < 0) {
      Object sentinel = sentinel(ref);
      return sentinel != null ? sentinel : Undefined.INSTANCE;
    }
    if (ref >= entries.size) {
      throw invalid(from);
    }
    if (ref < hydrated.length && hydrated[ref] != null) {
      Object cached = hydrated[ref];
      return cached == NULL ? null : cached;
    }
    if (++depth > maxDepth) {
      throw DevalueException.beyondLimits(
          "Invalid input", "nested deeper than " + maxDepth + " levels at entry " + ref);
    }
    try {
      return build(ref);
    } finally {
      depth--;
    }
  }

  private Object valueAt(int index) {
    return entries.generic(index);
  }

  private Object build(int index) {
    switch (entries.kinds[index]) {
      case Entries.INT_ARRAY:
        if (entries.counts[index] == 0 || entries.refs[entries.firsts[index]] != Flattener.SPARSE) {
          return refArray(index);
        }
        break;
      case Entries.INT_OBJECT:
        return refObject(index);
      case Entries.TAGGED:
        String tag = (String) entries.values[index];
        if (tag.equals("Map") && !revivers.containsKey(tag)) {
          return refMap(index);
        }
        if (tag.equals("Set") && !revivers.containsKey(tag)) {
          return refSet(index);
        }
        break;
      default:
        break;
    }
    Object value = valueAt(index);
    if (value instanceof Object[]) {
      Object[] array = (Object[]) value;
      if (array.length > 0 && array[0] instanceof String) {
        return tagged(index, array);
      }
      if (array.length > 0 && array[0] instanceof Double && (Double) array[0] == Flattener.SPARSE) {
        return sparse(index, array);
      }
      List<Object> list = new ArrayList<>(array.length);
      cache(index, list);
      for (Object element : array) {
        boolean hole = element instanceof Double && (Double) element == Flattener.HOLE;
        list.add(hole ? Hole.INSTANCE : hydrate(element, index));
      }
      return list;
    }
    if (value instanceof Json.JsonObject) {
      Json.JsonObject json = (Json.JsonObject) value;
      PlainObject object = new PlainObject();
      cache(index, object);
      int[] order = PropertyOrder.order(json.keys, 0, json.size);
      for (int j = 0; j < json.size; j++) {
        int i = order == null ? j : order[j];
        if (json.keys[i].equals("__proto__")) {
          throw DevalueException.reading(
              "Cannot parse an object with a `__proto__` property", "at entry " + index);
        }
        object.put(json.keys[i], hydrate(json.values[i], index));
      }
      return object;
    }
    return cache(index, value);
  }

  private List<Object> refArray(int index) {
    int first = entries.firsts[index];
    int count = entries.counts[index];
    List<Object> list = new ArrayList<>(count);
    cache(index, list);
    for (int i = first; i < first + count; i++) {
      int ref = entries.refs[i];
      list.add(ref == Flattener.HOLE ? Hole.INSTANCE : hydrateRef(ref, index));
    }
    return list;
  }

  private PlainObject refObject(int index) {
    int first = entries.firsts[index];
    int count = entries.counts[index];
    PlainObject object = PlainObject.withCapacity(count);
    cache(index, object);
    String[] names = entries.names;
    int[] order = PropertyOrder.order(names, first, count);
    for (int j = 0; j < count; j++) {
      int i = first + (order == null ? j : order[j]);
      if (names[i].equals("__proto__")) {
        throw DevalueException.reading(
            "Cannot parse an object with a `__proto__` property", "at entry " + index);
      }
      object.put(names[i], hydrateRef(entries.refs[i], index));
    }
    return object;
  }

  private JsMap refMap(int index) {
    int first = entries.firsts[index];
    int count = entries.counts[index];
    JsMap map = new JsMap(count / 2);
    cache(index, map);
    for (int i = first; i < first + count; i += 2) {
      Object key = hydrateRef(entries.refs[i], index);
      if (i + 1 == first + count) {
        throw invalid(index);
      }
      map.put(key, hydrateRef(entries.refs[i + 1], index));
    }
    return map;
  }

  private JsSet refSet(int index) {
    int first = entries.firsts[index];
    int count = entries.counts[index];
    JsSet set = new JsSet(count);
    cache(index, set);
    for (int i = first; i < first + count; i++) {
      set.add(hydrateRef(entries.refs[i], index));
    }
    return set;
  }

  private Object cache(int index, Object value) {
    if (index < hydrated.length) {
      hydrated[index] = value == null ? NULL : value;
    }
    return value;
  }

  private Object tagged(int index, Object[] entry) {
    String type = (String) entry[0];
    Function<Object, Object> reviver = revivers.get(type);
    if (reviver != null) {
      return revive(index, entry, type, reviver);
    }
    Object payload = entry.length > 1 ? entry[1] : Undefined.INSTANCE;
    switch (type) {
      case "Date":
        return cache(index, date(payload));
      case "Set":
        {
          JsSet set = new JsSet();
          cache(index, set);
          for (int i = 1; i < entry.length; i++) {
            set.add(hydrate(entry[i], index));
          }
          return set;
        }
      case "Map":
        {
          JsMap map = new JsMap();
          cache(index, map);
          for (int i = 1; i < entry.length; i += 2) {
            Object key = hydrate(entry[i], index);
            map.put(key, hydrate(i + 1 < entry.length ? entry[i + 1] : Undefined.INSTANCE, index));
          }
          return map;
        }
      case "RegExp":
        return cache(index, regExp(index, entry));
      case "Object":
        return cache(index, boxed(index, payload));
      case "BigInt":
        return cache(index, bigInt(index, payload));
      case "null":
        return nullPrototypeObject(index, entry);
      case "URL":
        return cache(index, url(index, payload));
      case "URLSearchParams":
        if (!(payload instanceof String)) {
          throw invalid(index);
        }
        return cache(index, new JsUrlSearchParams((String) payload));
      case "ArrayBuffer":
        if (!(payload instanceof String)) {
          throw DevalueException.reading("Invalid ArrayBuffer encoding", "at entry " + index);
        }
        return cache(index, new ArrayBuffer(decodeBase64((String) payload)));
      default:
        if (TypedArray.elementSize(type) > 0) {
          return cache(index, typedArray(index, type, entry));
        }
        if (TemporalValue.isTemporalType(type) && payload instanceof String) {
          return cache(index, new TemporalValue(type, (String) payload));
        }
        throw DevalueException.reading("Unknown type " + type, "at entry " + index);
    }
  }

  private Object revive(int index, Object[] entry, String type, Function<Object, Object> reviver) {
    Object payload = entry.length > 1 ? entry[1] : Undefined.INSTANCE;
    int target;
    if (payload instanceof Double) {
      double ref = (Double) payload;
      target = ref >= 0 && ref == (int) ref ? (int) ref : -1;
    } else {
      // An inline payload (a built-in's form handed to a reviver) becomes an entry of its own.
      target = entries.add(Entries.GENERIC, payload == Undefined.INSTANCE ? null : payload, 0, 0);
      payload = (double) target;
    }
    boolean cached = target >= 0 && target < hydrated.length && hydrated[target] != null;
    if (target >= 0 && isReviving(target) && !cached) {
      throw DevalueException.reading("Invalid circular reference", "at entry " + index);
    }
    if (revivingCount == reviving.length) {
      reviving = Arrays.copyOf(reviving, revivingCount * 2);
    }
    reviving[revivingCount++] = target;
    Object argument = hydrate(payload, index);
    Object revived;
    try {
      revived = reviver.apply(argument);
    } catch (RuntimeException e) {
      if (e instanceof DevalueException) {
        throw e;
      }
      throw DevalueException.reading(
          "Reviver " + type + " failed: " + e.getMessage(), "at entry " + index, e);
    } finally {
      revivingCount--;
    }
    return cache(index, revived);
  }

  private boolean isReviving(int target) {
    for (int i = 0; i < revivingCount; i++) {
      if (reviving[i] == target) {
        return true;
      }
    }
    return false;
  }

  private static Object date(Object payload) {
    Long millis;
    if (payload instanceof String) {
      millis = JsDates.parse((String) payload);
    } else if (payload instanceof Double) {
      double time = (Double) payload;
      millis =
          Double.isFinite(time) && Math.abs(time) <= JsDates.MAX_EPOCH_MILLIS ? (long) time : null;
    } else if (payload == null) {
      millis = 0L;
    } else if (payload instanceof Boolean) {
      millis = (Boolean) payload ? 1L : 0L;
    } else {
      millis = null;
    }
    // java.util.Date, not Instant: Instant.ofEpochMilli(0) is a shared constant, and two
    // distinct JavaScript dates must stay two objects.
    return millis == null ? new InvalidDate() : new Date(millis);
  }

  private JsRegExp regExp(int index, Object[] entry) {
    Object source = entry.length > 1 ? entry[1] : Undefined.INSTANCE;
    String text;
    if (source instanceof String) {
      text = (String) source;
    } else if (source == Undefined.INSTANCE) {
      text = "(?:)";
    } else if (source instanceof Double) {
      text = JsNumbers.toString((Double) source);
    } else {
      text = String.valueOf(source);
    }
    String problem = RegExps.syntaxError(text);
    if (problem != null) {
      throw DevalueException.reading(
          "Invalid regular expression: /" + text + "/: " + problem, "at entry " + index);
    }
    Object flags = entry.length > 2 ? entry[2] : "";
    if (!(flags instanceof String)) {
      throw DevalueException.reading(
          "Invalid flags supplied to RegExp constructor '" + flags + "'", "at entry " + index);
    }
    try {
      return new JsRegExp(text.isEmpty() ? "(?:)" : text, (String) flags);
    } catch (IllegalArgumentException e) {
      throw DevalueException.reading(e.getMessage(), "at entry " + index);
    }
  }

  private Boxed boxed(int index, Object payload) {
    if (payload instanceof Double) {
      double ref = (Double) payload;
      Object sentinel = sentinel(ref);
      if (sentinel instanceof Double) {
        return new Boxed(sentinel);
      }
      if (ref >= 0 && ref < entries.size && ref == (int) ref && ref != index) {
        Object raw = valueAt((int) ref);
        boolean primitive =
            raw instanceof String || raw instanceof Double || raw instanceof Boolean;
        boolean bigInt =
            raw instanceof Object[]
                && ((Object[]) raw).length > 0
                && "BigInt".equals(((Object[]) raw)[0]);
        if (primitive || bigInt) {
          return new Boxed(hydrate(payload, index));
        }
      }
    }
    throw invalid(index);
  }

  private static BigInteger bigInt(int index, Object payload) {
    if (payload instanceof Double) {
      double number = (Double) payload;
      if (Double.isFinite(number) && number == Math.rint(number)) {
        return new java.math.BigDecimal(number).toBigInteger();
      }
      throw DevalueException.reading(
          "The number " + payload + " cannot be converted to a BigInt because it is not an integer",
          "at entry " + index);
    }
    if (payload instanceof Boolean) {
      return (Boolean) payload ? BigInteger.ONE : BigInteger.ZERO;
    }
    if (payload instanceof String) {
      BigInteger parsed = parseBigInt(((String) payload).strip());
      if (parsed != null) {
        return parsed;
      }
    }
    throw DevalueException.reading(
        "Cannot convert " + payload + " to a BigInt", "at entry " + index);
  }

  /** JavaScript's StringToBigInt: decimal with an optional sign, or 0x / 0o / 0b unsigned. */
  private static BigInteger parseBigInt(String text) {
    if (text.isEmpty()) {
      return BigInteger.ZERO;
    }
    int radix = 10;
    String digits = text;
    if (text.length() > 2 && text.charAt(0) == '0') {
      char prefix = Character.toLowerCase(text.charAt(1));
      radix = prefix == 'x' ? 16 : prefix == 'o' ? 8 : prefix == 'b' ? 2 : 10;
      if (radix != 10) {
        digits = text.substring(2);
      }
    }
    int start = radix == 10 && (digits.startsWith("-") || digits.startsWith("+")) ? 1 : 0;
    if (start == digits.length()) {
      return null;
    }
    for (int i = start; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), radix) < 0 || digits.charAt(i) > 'z') {
        return null;
      }
    }
    return new BigInteger(digits.startsWith("+") ? digits.substring(1) : digits, radix);
  }

  private NullPrototypeObject nullPrototypeObject(int index, Object[] entry) {
    NullPrototypeObject object = new NullPrototypeObject();
    cache(index, object);
    for (int i = 1; i < entry.length; i += 2) {
      if (!(entry[i] instanceof String)) {
        throw DevalueException.reading(
            "Cannot parse an object with a non-string key", "at entry " + index);
      }
      String key = (String) entry[i];
      if (key.equals("__proto__")) {
        throw DevalueException.reading(
            "Cannot parse an object with a `__proto__` property", "at entry " + index);
      }
      object.put(key, hydrate(i + 1 < entry.length ? entry[i + 1] : Undefined.INSTANCE, index));
    }
    return object;
  }

  /** Both of devalue's URL forms: the built-in inline href, and Astro's reducer reference. */
  private JsUrl url(int index, Object payload) {
    Object href = payload;
    if (payload instanceof Double) {
      double ref = (Double) payload;
      href = ref >= 0 && ref < entries.size && ref == (int) ref ? valueAt((int) ref) : null;
    }
    if (href instanceof String) {
      try {
        return new JsUrl((String) href);
      } catch (IllegalArgumentException e) {
        // Reported below, in devalue's words.
      }
    }
    throw DevalueException.reading("Invalid URL", "at entry " + index);
  }

  private TypedArray typedArray(int index, String type, Object[] entry) {
    Object payload = entry.length > 1 ? entry[1] : Undefined.INSTANCE;
    if (!(payload instanceof Double)) {
      throw invalid(index);
    }
    double ref = (Double) payload;
    if (ref < 0 || ref >= entries.size || ref != (int) ref || ref == index) {
      throw invalid(index);
    }
    Object raw = valueAt((int) ref);
    if (!(raw instanceof Object[])
        || ((Object[]) raw).length == 0
        || !"ArrayBuffer".equals(((Object[]) raw)[0])) {
      throw invalid(index);
    }
    ArrayBuffer buffer = (ArrayBuffer) hydrate(payload, index);
    try {
      if (entry.length <= 2) {
        return new TypedArray(type, buffer);
      }
      int offset = toIndex(entry[2], index);
      int size = TypedArray.elementSize(type);
      if (offset % size != 0) {
        throw new IllegalArgumentException(
            "start offset of " + type + " should be a multiple of " + size);
      }
      int length =
          entry.length > 3 && entry[3] != null
              ? toIndex(entry[3], index)
              : (buffer.byteLength() - offset) / size;
      return new TypedArray(type, buffer, offset, length);
    } catch (IllegalArgumentException e) {
      throw DevalueException.reading(e.getMessage(), "at entry " + index);
    }
  }

  private static int toIndex(Object value, int index) {
    if (value instanceof Double) {
      double number = (Double) value;
      if (number >= 0 && number <= Integer.MAX_VALUE && number == Math.rint(number)) {
        return (int) number;
      }
    }
    throw DevalueException.reading("Invalid typed array length: " + value, "at entry " + index);
  }

  /** Node's forgiving base64: characters outside the alphabet are skipped, padding optional. */
  private static byte[] decodeBase64(String text) {
    StringBuilder clean = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '=') {
        break;
      }
      if (c == '-') {
        c = '+';
      } else if (c == '_') {
        c = '/';
      }
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '+'
          || c == '/') {
        clean.append(c);
      }
    }
    if (clean.length() % 4 == 1) {
      clean.setLength(clean.length() - 1);
    }
    return Base64.getDecoder().decode(padded(clean));
  }

  private static String padded(StringBuilder base64) {
    while (base64.length() % 4 != 0) {
      base64.append('=');
    }
    return base64.toString();
  }

  private SparseArray sparse(int index, Object[] entry) {
    Object declared = entry.length > 1 ? entry[1] : null;
    if (!(declared instanceof Double)) {
      throw invalid(index);
    }
    double length = (Double) declared;
    if (length < 0 || length > SparseArray.MAX_LENGTH || length != Math.rint(length)) {
      throw invalid(index);
    }
    SparseArray array = new SparseArray((long) length);
    cache(index, array);
    for (int i = 2; i < entry.length; i += 2) {
      Object position = entry[i];
      if (!(position instanceof Double)) {
        throw invalid(index);
      }
      double at = (Double) position;
      if (at < 0 || at >= length || at != Math.rint(at)) {
        throw invalid(index);
      }
      array.set(
          (long) at, hydrate(i + 1 < entry.length ? entry[i + 1] : Undefined.INSTANCE, index));
    }
    return array;
  }

  private static DevalueException invalid(int index) {
    return DevalueException.reading("Invalid input", index < 0 ? "" : "at entry " + index);
  }
}
