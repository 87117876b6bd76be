package dev.satchel.devalue;

/**
 * A strict JSON reader (RFC 8259, as JavaScript's {@code JSON.parse} accepts it) producing {@link
 * String}, {@link Double}, {@link Boolean}, {@code null}, {@code Object[]} and {@link JsonObject}.
 * Nesting is bounded, so hostile input cannot exhaust the stack.
 */
final class Json {
  /** A JSON object; duplicate keys keep their first position and their last value. */
  static final class JsonObject {
    String[] keys = new String[4];
    Object[] values = new Object[4];
    int size;

    // Past a few keys, positions are looked up in a map: a scan per key would make an object with
    // many keys cost the square of their number.
    private java.util.HashMap<String, Integer> positions;

    void put(String key, Object value) {
      if (positions != null) {
        Integer at = positions.get(key);
        if (at != null) {
          values[at] = value;
          return;
        }
      } else {
        for (int i = 0; i < size; i++) {
          if (keys[i].equals(key)) {
            values[i] = value;
            return;
          }
        }
      }
      if (size == keys.length) {
        keys = java.util.Arrays.copyOf(keys, size * 2);
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      if (positions == null && size == 16) {
        positions = new java.util.HashMap<>();
        for (int i = 0; i < size; i++) {
          positions.put(keys[i], i);
        }
      }
      if (positions != null) {
        positions.put(key, size);
      }
      keys[size] = key;
      values[size++] = value;
    }
  }

  private static final Object[] EMPTY = new Object[0];

  private final String text;
  private final char[] chars;
  private final int end;
  private final int maxDepth;
  private int pos;
  // Made on first use: the tokenizer for devalue's own layout never needs it.
  private Object[] stack;
  private int stackSize;

  private Json(String text, char[] chars, int maxDepth) {
    this.text = text;
    this.chars = chars;
    this.end = text.length();
    this.maxDepth = maxDepth;
  }

  static Object parse(String text, int maxDepth) {
    Json json = new Json(text, text.toCharArray(), maxDepth);
    json.skipWhitespace();
    Object value = json.value(0);
    json.skipWhitespace();
    if (json.pos < text.length()) {
      throw json.unexpected();
    }
    return value;
  }

  /**
   * Tokenizes devalue text into {@code entries} on the fast path: a top-level array with no
   * whitespace between entries, as devalue writes it. Returns {@code false}, leaving {@code
   * entries} to be cleared, for anything else, including any error: the general reader then reads
   * the text again and reports the error in its own words.
   */
  static boolean readEntries(String text, Entries entries, int maxDepth) {
    int length = text.length();
    if (length < 3 || text.charAt(0) != '[' || text.charAt(length - 1) != ']') {
      return false;
    }
    Json json = new Json(text, entries.load(text), maxDepth);
    try {
      return json.entries(entries);
    } catch (DevalueException e) {
      return false;
    }
  }

  private boolean entries(Entries entries) {
    pos = 1;
    int last = end - 1;
    while (true) {
      if (!entry(entries)) {
        return false;
      }
      if (pos == last) {
        return true;
      }
      if (pos > last || chars[pos] != ',') {
        return false;
      }
      pos++;
    }
  }

  private boolean entry(Entries entries) {
    int start = pos;
    char c = chars[pos];
    if (c == '[') {
      int mark = entries.refCount;
      if (!refArray(entries)) {
        entries.dropRefs(mark);
        pos = start;
        entries.add(Entries.GENERIC, value(1), 0, 0);
      }
      return true;
    }
    if (c == '{') {
      int mark = entries.refCount;
      if (!refObject(entries)) {
        entries.dropRefs(mark);
        pos = start;
        entries.add(Entries.GENERIC, value(1), 0, 0);
      }
      return true;
    }
    if (c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n') {
      entries.add(Entries.GENERIC, value(1), 0, 0);
      return true;
    }
    return false;
  }

  /** {@code [1,2,3]} or {@code ["Tag",1,2]}; false, with the position anywhere, for the rest. */
  private boolean refArray(Entries entries) {
    pos++;
    int first = entries.refCount;
    if (chars[pos] == ']') {
      pos++;
      entries.add(Entries.INT_ARRAY, null, first, 0);
      return true;
    }
    String tag = null;
    if (chars[pos] == '"') {
      tag = string();
      if (chars[pos] == ']') {
        pos++;
        entries.add(Entries.TAGGED, tag, first, 0);
        return true;
      }
      if (chars[pos++] != ',') {
        return false;
      }
    }
    while (true) {
      int ref = ref();
      if (ref == NOT_A_REF) {
        return false;
      }
      entries.addRef(null, ref);
      char c = chars[pos++];
      if (c == ']') {
        int count = entries.refCount - first;
        entries.add(tag == null ? Entries.INT_ARRAY : Entries.TAGGED, tag, first, count);
        return true;
      }
      if (c != ',') {
        return false;
      }
    }
  }

  private static final int MAX_REF_OBJECT = 16;

  /** {@code {"a":1,"b":2}} with distinct names; false for the rest. */
  private boolean refObject(Entries entries) {
    pos++;
    int first = entries.refCount;
    if (chars[pos] == '}') {
      pos++;
      entries.add(Entries.INT_OBJECT, null, first, 0);
      return true;
    }
    while (true) {
      if (chars[pos] != '"') {
        return false;
      }
      String name = name();
      if (name == null || chars[pos++] != ':') {
        return false;
      }
      int ref = ref();
      if (ref == NOT_A_REF) {
        return false;
      }
      int count = entries.refCount - first;
      if (count == MAX_REF_OBJECT) {
        return false;
      }
      // Repeated names keep their first position and their last value: the general way.
      for (int i = first; i < first + count; i++) {
        if (entries.names[i].equals(name)) {
          return false;
        }
      }
      entries.addRef(name, ref);
      char c = chars[pos++];
      if (c == '}') {
        entries.add(Entries.INT_OBJECT, null, first, entries.refCount - first);
        return true;
      }
      if (c != ',') {
        return false;
      }
    }
  }

  private static final int NOT_A_REF = Integer.MIN_VALUE;

  /** An integer of up to nine digits, as references are; {@link #NOT_A_REF} for anything else. */
  private int ref() {
    // devalue writes an entry's references as one to nine digits with no leading zero: read those
    // straight; zero, the negative sentinels and anything odd go the general way. The text ends in
    // ']', so a run of digits always stops before the end.
    int at = pos;
    char c = chars[at];
    if (c >= '1' && c <= '9') {
      int value = c - '0';
      int limit = at + 9;
      while (++at < end && (c = chars[at]) >= '0' && c <= '9') {
        if (at == limit) {
          return NOT_A_REF;
        }
        value = value * 10 + (c - '0');
      }
      if (c == '.' || c == 'e' || c == 'E') {
        return NOT_A_REF;
      }
      pos = at;
      return value;
    }
    long value = integerToken(9);
    return value == NOT_AN_INTEGER || value == NEGATIVE_ZERO ? NOT_A_REF : (int) value;
  }

  private static final long NOT_AN_INTEGER = Long.MIN_VALUE;
  private static final long NEGATIVE_ZERO = Long.MIN_VALUE + 1;

  /**
   * The plain integer at the position (no leading zero, no fraction or exponent) of at most {@code
   * maxDigits} digits, moving past it; {@link #NOT_AN_INTEGER}, without moving, for anything else.
   */
  private long integerToken(int maxDigits) {
    int at = pos;
    boolean negative = at < end && chars[at] == '-';
    if (negative) {
      at++;
    }
    int digitsStart = at;
    long value = 0;
    while (at < end && isDigit(chars[at]) && at - digitsStart <= maxDigits) {
      value = value * 10 + (chars[at] - '0');
      at++;
    }
    int digits = at - digitsStart;
    if (digits == 0 || digits > maxDigits || (digits > 1 && chars[digitsStart] == '0')) {
      return NOT_AN_INTEGER;
    }
    if (at < end && (chars[at] == '.' || chars[at] == 'e' || chars[at] == 'E')) {
      return NOT_AN_INTEGER;
    }
    pos = at;
    if (negative) {
      return value == 0 ? NEGATIVE_ZERO : -value;
    }
    return value;
  }

  // Property names repeat from blob to blob ("data", "expires"): short ones are shared.
  private static final String[] NAMES = new String[512];

  /** A property name without escapes, shared when short; {@code null} when it has escapes. */
  private String name() {
    int start = ++pos;
    int last = end - 1;
    int hash = 0;
    char c;
    while (pos < last && (c = chars[pos]) != '"') {
      if (c == '\\' || c < 0x20) {
        return null;
      }
      hash = 31 * hash + c;
      pos++;
    }
    if (pos >= last) {
      return null;
    }
    int length = pos++ - start;
    if (length > 32) {
      return new String(chars, start, length);
    }
    int slot = (hash ^ (hash >>> 16)) & (NAMES.length - 1);
    String cached = NAMES[slot];
    if (cached != null && cached.length() == length && cached.hashCode() == hash) {
      boolean same = true;
      for (int i = 0; i < length && same; i++) {
        same = cached.charAt(i) == chars[start + i];
      }
      if (same) {
        return cached;
      }
    }
    String name = new String(chars, start, length);
    NAMES[slot] = name;
    return name;
  }

  private Object value(int depth) {
    if (pos >= end) {
      throw endOfInput();
    }
    char c = chars[pos];
    switch (c) {
      case '[':
        return array(depth + 1);
      case '{':
        return object(depth + 1);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw unexpected();
    }
  }

  private Object[] array(int depth) {
    checkDepth(depth);
    pos++;
    skipWhitespace();
    if (peek() == ']') {
      pos++;
      return EMPTY;
    }
    // Elements go onto one stack shared by every array, and leave it as an exact-size copy.
    if (stack == null) {
      stack = new Object[64];
    }
    int base = stackSize;
    while (true) {
      skipWhitespace();
      Object item = value(depth);
      if (stackSize == stack.length) {
        stack = java.util.Arrays.copyOf(stack, stackSize * 2);
      }
      stack[stackSize++] = item;
      skipWhitespace();
      char c = next();
      if (c == ']') {
        Object[] items = java.util.Arrays.copyOfRange(stack, base, stackSize);
        stackSize = base;
        return items;
      }
      if (c != ',') {
        pos--;
        throw unexpected();
      }
    }
  }

  private JsonObject object(int depth) {
    checkDepth(depth);
    pos++;
    JsonObject object = new JsonObject();
    skipWhitespace();
    if (peek() == '}') {
      pos++;
      return object;
    }
    while (true) {
      skipWhitespace();
      if (peek() != '"') {
        throw unexpected();
      }
      String key = string();
      skipWhitespace();
      if (next() != ':') {
        pos--;
        throw unexpected();
      }
      skipWhitespace();
      object.put(key, value(depth));
      skipWhitespace();
      char c = next();
      if (c == '}') {
        return object;
      }
      if (c != ',') {
        pos--;
        throw unexpected();
      }
    }
  }

  private String string() {
    int start = ++pos;
    char[] chars = this.chars;
    int at = start;
    while (at < end) {
      char c = chars[at];
      if (c == '"') {
        pos = at + 1;
        return new String(chars, start, at - start);
      }
      if (c == '\\' || c < 0x20) {
        break;
      }
      at++;
    }
    pos = at;
    return escapedString(start);
  }

  /** The rest of a string that has escapes (or no end), from {@code start}. */
  private String escapedString(int start) {
    StringBuilder out = new StringBuilder().append(chars, start, pos - start);
    while (true) {
      if (pos >= end) {
        throw error("Unterminated string in JSON at position " + pos);
      }
      char c = chars[pos++];
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        throw error("Bad control character in string literal in JSON at position " + (pos - 1));
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      if (pos >= end) {
        throw error("Unterminated string in JSON at position " + pos);
      }
      char escape = chars[pos++];
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out.append(escape);
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u':
          out.append(unicodeEscape());
          break;
        default:
          throw error("Bad escaped character in JSON at position " + (pos - 1));
      }
    }
  }

  private char unicodeEscape() {
    if (pos + 4 > end) {
      throw error("Bad Unicode escape in JSON at position " + (pos - 2));
    }
    int code = 0;
    for (int i = 0; i < 4; i++) {
      int digit = Character.digit(chars[pos + i], 16);
      if (digit < 0) {
        throw error("Bad Unicode escape in JSON at position " + (pos - 2));
      }
      code = code * 16 + digit;
    }
    pos += 4;
    return (char) code;
  }

  private static final Double[] SMALL_INTEGERS = new Double[1024];

  static {
    for (int i = 0; i < SMALL_INTEGERS.length; i++) {
      SMALL_INTEGERS[i] = (double) i;
    }
  }

  private Double number() {
    int start = pos;
    Double integer = integer();
    if (integer != null) {
      return integer;
    }
    pos = start;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      while (isDigit(peek())) {
        pos++;
      }
    } else {
      throw noDigits();
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw noDigits();
      }
      while (isDigit(peek())) {
        pos++;
      }
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw noDigits();
      }
      while (isDigit(peek())) {
        pos++;
      }
    }
    return Double.parseDouble(new String(chars, start, pos - start));
  }

  /**
   * Plain integers of up to 15 digits, which every reference is, read without {@code
   * Double.parseDouble}; {@code null} when the token is anything else.
   */
  private Double integer() {
    long value = integerToken(15);
    if (value == NOT_AN_INTEGER) {
      return null;
    }
    if (value == NEGATIVE_ZERO) {
      return -0.0;
    }
    return value >= 0 && value < SMALL_INTEGERS.length
        ? SMALL_INTEGERS[(int) value]
        : (double) value;
  }

  private RuntimeException noDigits() {
    if (pos >= end) {
      return endOfInput();
    }
    return error("No number after minus sign or in exponent in JSON at position " + pos);
  }

  private Object literal(String word, Object value) {
    for (int i = 0; i < word.length(); i++) {
      if (pos >= end) {
        throw endOfInput();
      }
      if (chars[pos] != word.charAt(i)) {
        throw unexpected();
      }
      pos++;
    }
    return value;
  }

  private void checkDepth(int depth) {
    if (depth > maxDepth) {
      throw DevalueException.beyondLimits(
          "JSON nested deeper than " + maxDepth + " levels at position " + pos, "");
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private char peek() {
    return pos < end ? chars[pos] : '\0';
  }

  private char next() {
    if (pos >= end) {
      throw endOfInput();
    }
    return chars[pos++];
  }

  private void skipWhitespace() {
    while (pos < end) {
      char c = chars[pos];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private RuntimeException endOfInput() {
    return error("Unexpected end of JSON input");
  }

  private RuntimeException unexpected() {
    if (pos >= end) {
      return endOfInput();
    }
    String snippet = end <= 30 ? text : text.substring(0, 30) + "...";
    return error(
        "Unexpected token '"
            + chars[pos]
            + "', \""
            + snippet
            + "\" is not valid JSON (at position "
            + pos
            + ")");
  }

  private RuntimeException error(String message) {
    return DevalueException.reading(message, "");
  }
}
