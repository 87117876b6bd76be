package dev.satchel.devalue;

/** devalue's string escaping: JSON's, plus {@code <}, U+2028, U+2029 and lone surrogates. */
final class JsStrings {
  private JsStrings() {}

  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2);
    quote(text, out);
    return out.toString();
  }

  private static final boolean[] ASCII_ESCAPED = new boolean[128];

  static {
    for (int c = 0; c < 0x20; c++) {
      ASCII_ESCAPED[c] = true;
    }
    ASCII_ESCAPED['"'] = true;
    ASCII_ESCAPED['\\'] = true;
    ASCII_ESCAPED['<'] = true;
  }

  static boolean needsEscape(char c) {
    return c < 128 ? ASCII_ESCAPED[c] : c == 0x2028 || c == 0x2029 || Character.isSurrogate(c);
  }

  static void quote(String text, StringBuilder out) {
    out.append('"');
    int length = text.length();
    int i = 0;
    while (i < length && !needsEscape(text.charAt(i))) {
      i++;
    }
    if (i == length) {
      // Appending a whole String copies its bytes in bulk; a range is copied char by char.
      out.append(text).append('"');
      return;
    }
    int start = 0;
    for (; i < length; i++) {
      char c = text.charAt(i);
      if (!needsEscape(c)) {
        continue;
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < length
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
        continue;
      }
      out.append(text, start, i);
      start = i + 1;
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\b':
          out.append("\\b");
          break;
        case '\f':
          out.append("\\f");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        case '<':
          out.append("\\u003C");
          break;
        default:
          appendUnicodeEscape(c, out);
      }
    }
    out.append(text, start, length).append('"');
  }

  private static void appendUnicodeEscape(char c, StringBuilder out) {
    out.append("\\u");
    String hex = Integer.toHexString(c);
    for (int pad = hex.length(); pad < 4; pad++) {
      out.append('0');
    }
    out.append(hex);
  }
}
