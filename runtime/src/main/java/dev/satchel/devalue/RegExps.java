package dev.satchel.devalue;

import java.util.regex.Pattern;

/** Conversions between {@link Pattern} and JavaScript regular expressions, and a syntax check. */
final class RegExps {
  private RegExps() {}

  /** The JavaScript form of a Java pattern, with the flags both dialects share. */
  static JsRegExp fromPattern(Pattern pattern) {
    StringBuilder flags = new StringBuilder();
    int javaFlags = pattern.flags();
    if ((javaFlags & Pattern.CASE_INSENSITIVE) != 0) {
      flags.append('i');
    }
    if ((javaFlags & Pattern.MULTILINE) != 0) {
      flags.append('m');
    }
    if ((javaFlags & Pattern.DOTALL) != 0) {
      flags.append('s');
    }
    return new JsRegExp(canonicalSource(pattern.pattern()), flags.toString());
  }

  /** A Java pattern for a JavaScript one, for the flags Java has ({@code g}, {@code y} dropped). */
  static Pattern toPattern(JsRegExp regExp) {
    int flags = 0;
    String js = regExp.flags();
    if (js.indexOf('i') >= 0) {
      flags |= Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE;
    }
    if (js.indexOf('m') >= 0) {
      flags |= Pattern.MULTILINE;
    }
    if (js.indexOf('s') >= 0) {
      flags |= Pattern.DOTALL;
    }
    return Pattern.compile(regExp.source(), flags);
  }

  /** What JavaScript's {@code source} getter shows: {@code /} and line breaks escaped. */
  static String canonicalSource(String source) {
    if (source.isEmpty()) {
      return "(?:)";
    }
    StringBuilder out = new StringBuilder(source.length());
    boolean inClass = false;
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c == '\\' && i + 1 < source.length()) {
        out.append(c).append(source.charAt(++i));
        continue;
      }
      if (c == '[') {
        inClass = true;
      } else if (c == ']') {
        inClass = false;
      }
      if (c == '/' && !inClass) {
        out.append("\\/");
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c == '\r') {
        out.append("\\r");
      } else if (c == '\u2028') {
        out.append("\\u2028");
      } else if (c == '\u2029') {
        out.append("\\u2029");
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * The structural errors JavaScript reports for a pattern (unbalanced groups and classes, a
   * trailing backslash, a quantifier with nothing to repeat), or {@code null}. It does not check
   * everything a JavaScript engine checks.
   */
  static String syntaxError(String source) {
    int groups = 0;
    boolean inClass = false;
    boolean canRepeat = false;
    for (int i = 0; i < source.length(); i++) {
      char c = source.charAt(i);
      if (c == '\\') {
        if (i + 1 >= source.length()) {
          return "\\ at end of pattern";
        }
        i++;
        canRepeat = true;
        continue;
      }
      if (inClass) {
        if (c == ']') {
          inClass = false;
          canRepeat = true;
        }
        continue;
      }
      switch (c) {
        case '[':
          inClass = true;
          break;
        case '(':
          groups++;
          canRepeat = false;
          if (i + 1 < source.length() && source.charAt(i + 1) == '?') {
            i++;
          }
          continue;
        case ')':
          if (groups == 0) {
            return "Unmatched ')'";
          }
          groups--;
          canRepeat = true;
          continue;
        case '|':
          canRepeat = false;
          continue;
        case '*':
        case '+':
        case '?':
          if (!canRepeat) {
            return "Nothing to repeat";
          }
          if (i + 1 < source.length() && source.charAt(i + 1) == '?') {
            i++;
          }
          canRepeat = false;
          continue;
        default:
          break;
      }
      canRepeat = true;
    }
    if (inClass) {
      return "Unterminated character class";
    }
    if (groups > 0) {
      return "Unterminated group";
    }
    return null;
  }
}
