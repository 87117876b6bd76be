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

  static final long MAX_SAFE_INTEGER = 9007199254740991L;
  private static final Object NULL_KEY = new Object();
  private static final int PROTO_HASH = "__proto__".hashCode();

  private static final ThreadLocal<Flattener> POOL = new ThreadLocal<>();
  // A pooled writer keeps its buffers between calls; one that grew past these is not kept.
  private static final int POOLED_MAX_ENTRIES = 4096;
  private static final int POOLED_MAX_CHARS = 64 * 1024;

  private List<Map.Entry<String, Function<Object, Object>>> reducers;
  private int maxDepth;
  private boolean urlsAsReferences;
  private boolean hasReducers;
  private boolean busy;

  private final RefTable objects = new RefTable(true);
  private final RefTable primitives = new RefTable(false);
  private final NumberRefTable numbers = new NumberRefTable();

  // Entry i is the range starts[i] .. ends[i] of the scratch buffer, which a comma follows. A
  // string's entry is written
  // when the string is first seen; a container's once its children have their numbers, which is
  // after their own entries: scratch is in post-order, the output in pre-order.
  private int[] starts = new int[32];
  private int[] ends = new int[32];
  private int count;

  private char[] scratch = new char[512];
  private int scratchLength;
  // The output is '[' then scratch with its last comma as ']': scratchLength + 1 characters, so
  // with a budget of n characters scratch holds at most n - 1. The buffer is never longer than
  // that, so the check every write makes for room also finds a write past the budget.
  private long budget;
  // This thread's buffer, set aside while a budget smaller than it applies.
  private char[] setAside;
  private char[] output = new char[512];

  // Children of the containers being written, shared by all of them as a stack.
  private int[] childRefs = new int[16];
  private Object[] childKeys = new Object[16];
  private int children;

  private int depth;

  private Flattener() {}

  /**
   * Writes {@code value}, reusing this thread's buffers unless a reducer re-enters.
   *
   * @param maxLength the longest text to write; once the text is known to be longer, writing stops
   *     and {@link DevalueTooLongException} says how long it would have been at least
   */
  static String stringify(
      Object value,
      List<Map.Entry<String, Function<Object, Object>>> reducers,
      boolean urlsAsReferences,
      int maxDepth,
      int maxLength) {
    boolean poolable = ThreadBuffers.poolable();
    Flattener pooled = poolable ? POOL.get() : null;
    Flattener flattener = pooled != null && !pooled.busy ? pooled : new Flattener();
    flattener.reducers = reducers;
    flattener.hasReducers = !reducers.isEmpty();
    flattener.urlsAsReferences = urlsAsReferences;
    flattener.maxDepth = maxDepth;
    flattener.budget = maxLength;
    if (flattener.scratch.length > maxLength - 1L) {
      flattener.setAside = flattener.scratch;
      flattener.scratch = new char[(int) Math.max(0, Math.min(512, maxLength - 1L))];
    }
    flattener.busy = true;
    try {
      return flattener.stringify(value);
    } catch (WriteError e) {
      throw DevalueException.writing(e.getMessage(), e.path());
    } finally {
      boolean keep = flattener.release();
      if (flattener == pooled && !keep) {
        POOL.remove();
      } else if (poolable && pooled == null && keep) {
        POOL.set(flattener);
      }
    }
  }

  /** Forgets every value seen, so that nothing is retained; says whether to keep the buffers. */
  private boolean release() {
    objects.clear();
    primitives.clear();
    numbers.clear();
    java.util.Arrays.fill(childKeys, 0, children, null);
    reducers = null;
    busy = false;
    if (setAside != null) {
      scratch = setAside;
      setAside = null;
    }
    boolean keep =
        starts.length <= POOLED_MAX_ENTRIES
            && scratch.length <= POOLED_MAX_CHARS
            && output.length <= POOLED_MAX_CHARS;
    count = 0;
    children = 0;
    depth = 0;
    scratchLength = 0;
    return keep;
  }

  private String stringify(Object value) {
    int root = flatten(value);
    if (root < 0) {
      String text = Integer.toString(root);
      if (text.length() > budget) {
        throw new DevalueTooLongException(text.length(), (int) budget);
      }
      return text;
    }
    if (output.length < scratchLength + 1) {
      output = new char[Math.max(scratchLength + 1, output.length * 2)];
    }
    char[] output = this.output;
    int at = 0;
    output[at++] = '[';
    // Each entry is followed by a comma in scratch: a run of entries that lie there in index order
    // (a list's strings, say) is copied at once.
    for (int first = 0; first < count; ) {
      int last = first;
      while (last + 1 < count && starts[last + 1] == ends[last] + 1) {
        last++;
      }
      int size = ends[last] - starts[first];
      System.arraycopy(scratch, starts[first], output, at, size);
      at += size;
      output[at++] = ',';
      first = last + 1;
    }
    output[at - 1] = ']';
    return new String(output, 0, at);
  }

  private int flatten(Object thing) {
    // The commonest values first, each with a table of its own.
    if (thing instanceof String) {
      return string((String) thing);
    }
    if (thing instanceof Number && !(thing instanceof BigInteger)) {
      return number((Number) thing);
    }
    if (thing instanceof Optional) {
      return flatten(unwrap(thing));
    }
    if (thing == Undefined.INSTANCE) {
      return UNDEFINED;
    }
    if (thing instanceof Hole) {
      throw error("Cannot stringify a hole outside an array");
    }
    if (thing instanceof Character) {
      return string(thing.toString());
    }
    if (thing instanceof Enum) {
      return string(((Enum<?>) thing).name());
    }
    boolean primitive = thing == null || thing instanceof Boolean || thing instanceof BigInteger;
    int existing =
        primitive
            ? primitives.putIfAbsent(thing == null ? NULL_KEY : thing, count)
            : objects.putIfAbsent(thing, count);
    if (existing >= 0) {
      return existing;
    }
    int index = reserve();
    if (!hasReducers || !reduce(thing, index)) {
      describe(thing, index);
    }
    return index;
  }

  /** The value inside (nested) optionals; {@code undefined} for an empty one. */
  private static Object unwrap(Object thing) {
    while (thing instanceof Optional) {
      thing = ((Optional<?>) thing).isPresent() ? ((Optional<?>) thing).get() : Undefined.INSTANCE;
    }
    return thing;
  }

  private int string(String text) {
    int existing = primitives.putIfAbsent(text, count);
    if (existing >= 0) {
      return existing;
    }
    int index = reserve();
    if (!hasReducers || !reduce(text, index)) {
      int start = scratchLength;
      writeQuoted(text);
      range(index, start);
    }
    return index;
  }

  private int number(Number boxed) {
    double number = toDouble(boxed);
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
    int existing = numbers.putIfAbsent(number, count);
    if (existing >= 0) {
      return existing;
    }
    int index = reserve();
    if (!hasReducers || !reduce(number, index)) {
      numberEntry(index, number);
    }
    return index;
  }

  /** Records finished text as entry {@code index}. */
  private void text(int index, String text) {
    int start = scratchLength;
    write(text);
    range(index, start);
  }

  /** Records the scratch written since {@code start} as entry {@code index}, then a comma. */
  private void range(int index, int start) {
    starts[index] = start;
    ends[index] = scratchLength;
    write(',');
  }

  private boolean reduce(Object thing, int index) {
    for (int i = 0; i < reducers.size(); i++) {
      Map.Entry<String, Function<Object, Object>> reducer = reducers.get(i);
      Object payload = reducer.getValue().apply(thing);
      if (isTruthy(payload)) {
        int ref = child(payload);
        int start = scratchLength;
        write("[\"").write(reducer.getKey()).write("\",").write(ref).write(']');
        range(index, start);
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

  private void describe(Object thing, int index) {
    if (thing == null) {
      text(index, "null");
    } else if (thing instanceof Boolean) {
      text(index, (Boolean) thing ? "true" : "false");
    } else if (thing instanceof PlainObject) {
      if (thing instanceof NullPrototypeObject) {
        nullPrototypeObject(index, (NullPrototypeObject) thing);
      } else {
        plainObject(index, (PlainObject) thing);
      }
    } else if (thing instanceof List) {
      array(index, ((List<?>) thing).toArray());
    } else if (thing instanceof Object[]) {
      array(index, (Object[]) thing);
    } else if (thing.getClass().isArray()) {
      Object[] elements = new Object[Array.getLength(thing)];
      for (int i = 0; i < elements.length; i++) {
        elements[i] = Array.get(thing, i);
      }
      array(index, elements);
    } else if (thing instanceof Map) {
      map(index, (Map<?, ?>) thing);
    } else if (thing instanceof Set) {
      set(index, (Set<?>) thing);
    } else if (thing instanceof Instant) {
      date(index, epochMillis((Instant) thing));
    } else if (thing instanceof Date) {
      date(index, ((Date) thing).getTime());
    } else if (thing instanceof SparseArray) {
      sparseArray(index, (SparseArray) thing);
    } else if (urlsAsReferences && isUrl(thing) && !thing.toString().isEmpty()) {
      // Astro's reducer: the href as an entry of its own.
      int href = child(thing.toString());
      int start = scratchLength;
      write("[\"URL\",").write(href).write(']');
      range(index, start);
    } else {
      text(index, describeOther(thing));
    }
  }

  /** The text of the rarer types, built as a string. */
  private String describeOther(Object thing) {
    if (thing instanceof BigInteger) {
      return "[\"BigInt\",\"" + thing + "\"]";
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
    if (isUrl(thing)) {
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

  private static boolean isUrl(Object thing) {
    return thing instanceof JsUrl || thing instanceof URI || thing instanceof URL;
  }

  private void numberEntry(int index, double value) {
    if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE && value == (int) value) {
      int start = scratchLength;
      write((int) value);
      range(index, start);
    } else {
      text(index, JsNumbers.toString(value));
    }
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

  private void date(int index, long epochMillis) {
    if (!JsDates.inRange(epochMillis)) {
      throw error("Cannot stringify a date outside JavaScript's range (±8.64e15 ms)");
    }
    int start = scratchLength;
    write("[\"Date\",\"").write(JsDates.toIsoString(epochMillis)).write("\"]");
    range(index, start);
  }

  private String regExp(JsRegExp regExp) {
    StringBuilder out = new StringBuilder("[\"RegExp\",");
    JsStrings.quote(regExp.source(), out);
    if (!regExp.flags().isEmpty()) {
      out.append(",\"").append(regExp.flags()).append('"');
    }
    return out.append(']').toString();
  }

  private void plainObject(int index, PlainObject object) {
    int base = properties(object);
    int start = scratchLength;
    write('{');
    for (int i = base; i < children; i++) {
      if (i > base) {
        write(',');
      }
      writeQuoted((String) childKeys[i]).write(':').write(childRefs[i]);
    }
    write('}');
    range(index, start);
    dropChildren(base);
  }

  private void nullPrototypeObject(int index, NullPrototypeObject object) {
    int base = properties(object);
    int start = scratchLength;
    write("[\"null\"");
    for (int i = base; i < children; i++) {
      write(',').writeQuoted((String) childKeys[i]).write(',').write(childRefs[i]);
    }
    write(']');
    range(index, start);
    dropChildren(base);
  }

  /** Writes the property values, leaving name and reference of each on the child stack. */
  private int properties(PlainObject object) {
    int base = children;
    enter();
    for (Map.Entry<String, Object> property : PropertyOrder.entries(object)) {
      String name = property.getKey();
      if (name.hashCode() == PROTO_HASH && name.equals("__proto__")) {
        throw error("Cannot stringify objects with __proto__ keys");
      }
      int ref;
      try {
        ref = flatten(property.getValue());
      } catch (WriteError e) {
        throw e.under(isIdentifier(name) ? "." + name : "[" + JsStrings.quote(name) + "]");
      }
      addChild(name, ref);
    }
    depth--;
    return base;
  }

  /**
   * An array, dense or in the sparse form: holes are found while writing the elements (a hole gets
   * no entry, so the numbering is the same either way) and the form chosen afterwards.
   */
  private void array(int index, Object[] elements) {
    int length = elements.length;
    int base = children;
    int holes = 0;
    enter();
    for (int i = 0; i < length; i++) {
      Object element = elements[i];
      if (element == Hole.INSTANCE) {
        holes++;
        addChild(null, HOLE);
      } else {
        addChild(null, element(i, element));
      }
    }
    depth--;
    int start = scratchLength;
    if (holes > 0 && preferSparse(length, length - holes)) {
      write('[').write(SPARSE).write(',').write(length);
      for (int i = base; i < children; i++) {
        if (childRefs[i] != HOLE) {
          write(',').write(i - base).write(',').write(childRefs[i]);
        }
      }
    } else {
      write('[');
      for (int i = base; i < children; i++) {
        if (i > base) {
          write(',');
        }
        write(childRefs[i]);
      }
    }
    write(']');
    range(index, start);
    dropChildren(base);
  }

  private int element(long position, Object element) {
    try {
      return flatten(element);
    } catch (WriteError e) {
      throw e.under("[" + position + "]");
    }
  }

  private void sparseArray(int index, SparseArray array) {
    long length = array.length();
    Map<Long, Object> elements = array.elements();
    int present = elements.size();
    if (present < length && preferSparse(length, present)) {
      int base = children;
      enter();
      for (Map.Entry<Long, Object> element : elements.entrySet()) {
        long at = element.getKey();
        addChild(at, element(at, element.getValue()));
      }
      depth--;
      int start = scratchLength;
      write('[').write(SPARSE).write(',').write(Long.toString(length));
      for (int i = base; i < children; i++) {
        write(',').write(childKeys[i].toString()).write(',').write(childRefs[i]);
      }
      write(']');
      range(index, start);
      dropChildren(base);
      return;
    }
    // Dense (with few holes, if any), so the length is small here.
    Object[] dense = new Object[(int) length];
    for (int i = 0; i < dense.length; i++) {
      dense[i] = elements.containsKey((long) i) ? elements.get((long) i) : Hole.INSTANCE;
    }
    array(index, dense);
  }

  /** devalue's choice, made at the first hole: the sparse form when it is shorter. */
  private static boolean preferSparse(long length, long present) {
    int digits = Long.toString(length).length();
    long holeCost = (length - present) * 3;
    long sparseCost = 4 + digits + present * (digits + 1);
    return holeCost > sparseCost;
  }

  private void set(int index, Set<?> set) {
    int base = children;
    enter();
    for (Object member : set) {
      addChild(null, flatten(member));
    }
    depth--;
    taggedReferences(index, "Set", base);
  }

  private void map(int index, Map<?, ?> map) {
    int base = children;
    enter();
    if (map instanceof JsMap) {
      // Straight from the table: its entry set would make an object for every entry.
      SameValueZeroTable table = ((JsMap) map).table();
      for (SameValueZeroTable.Cursor cursor = table.cursor(); cursor.hasNext(); ) {
        int position = cursor.next();
        mapEntry(table.keyAt(position), table.valueAt(position));
      }
    } else {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        mapEntry(entry.getKey(), entry.getValue());
      }
    }
    depth--;
    taggedReferences(index, "Map", base);
  }

  /** Entry {@code index} as {@code ["Tag",ref,...]} over the children from {@code base}. */
  private void taggedReferences(int index, String tag, int base) {
    int start = scratchLength;
    write("[\"").write(tag).write('"');
    for (int i = base; i < children; i++) {
      write(',').write(childRefs[i]);
    }
    write(']');
    range(index, start);
    dropChildren(base);
  }

  private void mapEntry(Object key, Object value) {
    try {
      addChild(null, flatten(key));
      addChild(null, flatten(value));
    } catch (WriteError e) {
      throw e.under(".get(" + literal(key) + ")");
    }
  }

  private String typedArray(TypedArray view) {
    int buffer = child(view.buffer());
    StringBuilder out = new StringBuilder("[\"").append(view.type()).append("\",").append(buffer);
    if (view.byteLength() != view.buffer().byteLength()) {
      out.append(',').append(view.byteOffset()).append(',').append(view.length());
    }
    return out.append(']').toString();
  }

  private int child(Object payload) {
    enter();
    int ref = flatten(payload);
    depth--;
    return ref;
  }

  private int reserve() {
    if (count == starts.length) {
      starts = java.util.Arrays.copyOf(starts, count * 2);
      ends = java.util.Arrays.copyOf(ends, count * 2);
    }
    return count++;
  }

  private void addChild(Object key, int ref) {
    if (children == childRefs.length) {
      childRefs = java.util.Arrays.copyOf(childRefs, children * 2);
      childKeys = java.util.Arrays.copyOf(childKeys, children * 2);
    }
    childKeys[children] = key;
    childRefs[children++] = ref;
  }

  private void dropChildren(int base) {
    java.util.Arrays.fill(childKeys, base, children, null);
    children = base;
  }

  /**
   * Makes room to write {@code more} characters, or stops when they would take the text past the
   * budget: so {@code more} is never more than what is then written.
   */
  private void ensureScratch(int more) {
    if (scratchLength + more > scratch.length) {
      makeRoom(more);
    }
  }

  private void makeRoom(int more) {
    long needed = (long) scratchLength + more;
    if (needed + 1 > budget) {
      // Everything in scratch reaches the output, after its '[': the text is at least this long.
      throw new DevalueTooLongException(needed + 1, (int) budget);
    }
    // Doubling, but no longer than the budget lets scratch be.
    long grown = Math.max(needed, Math.min(2L * scratch.length, budget - 1));
    scratch = java.util.Arrays.copyOf(scratch, (int) Math.min(grown, Integer.MAX_VALUE));
  }

  private Flattener write(char c) {
    ensureScratch(1);
    scratch[scratchLength++] = c;
    return this;
  }

  private Flattener write(String text) {
    int length = text.length();
    ensureScratch(length);
    text.getChars(0, length, scratch, scratchLength);
    scratchLength += length;
    return this;
  }

  private Flattener write(int value) {
    if (scratchLength + 11 > scratch.length) {
      // Near the end of the buffer, which may be the budget's: the exact length decides.
      return write(Integer.toString(value));
    }
    if (value < 0) {
      if (value == Integer.MIN_VALUE) {
        return write(Integer.toString(value));
      }
      scratch[scratchLength++] = '-';
      value = -value;
    }
    if (value < 10) {
      scratch[scratchLength++] = (char) ('0' + value);
      return this;
    }
    if (value < 100) {
      scratch[scratchLength++] = (char) ('0' + value / 10);
      scratch[scratchLength++] = (char) ('0' + value % 10);
      return this;
    }
    int digits = value < 1000 ? 3 : stringSize(value);
    int end = scratchLength + digits;
    for (int at = end - 1; at >= scratchLength; at--) {
      scratch[at] = (char) ('0' + value % 10);
      value /= 10;
    }
    scratchLength = end;
    return this;
  }

  private static int stringSize(int value) {
    int digits = 1;
    for (long limit = 10; value >= limit; limit *= 10) {
      digits++;
    }
    return digits;
  }

  private Flattener writeQuoted(String text) {
    int length = text.length();
    ensureScratch(length + 2);
    char[] scratch = this.scratch;
    int at = scratchLength;
    scratch[at++] = '"';
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      if (JsStrings.needsEscape(c)) {
        return write(JsStrings.quote(text));
      }
      scratch[at++] = c;
    }
    scratch[at++] = '"';
    scratchLength = at;
    return this;
  }

  private void enter() {
    if (++depth > maxDepth) {
      throw error("Cannot stringify a value nested deeper than " + maxDepth + " levels");
    }
  }

  private static WriteError error(String reason) {
    return new WriteError(reason);
  }

  /**
   * A write failure on its way out, collecting the path as it leaves each container: the path is
   * only built when something fails, so writing keeps no record of where it is.
   */
  private static final class WriteError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final java.util.ArrayDeque<String> segments = new java.util.ArrayDeque<>();

    WriteError(String reason) {
      super(reason, null, false, false);
    }

    WriteError under(String segment) {
      segments.addFirst(segment);
      return this;
    }

    String path() {
      return String.join("", segments);
    }
  }

  private static String literal(Object key) {
    key = unwrap(key);
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
