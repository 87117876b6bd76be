package dev.satchel.devalue;

import static java.util.Objects.requireNonNull;

/**
 * A JavaScript regular expression, carried as its source and flags without translation: the two
 * dialects differ, so {@link java.util.regex.Pattern} conversion is left to the typed codec.
 *
 * @param source the pattern text, as JavaScript's {@code RegExp.prototype.source} gives it
 * @param flags the flags, put in JavaScript's canonical order ({@code dgimsuvy})
 */
public record JsRegExp(String source, String flags) {

  private static final String CANONICAL_FLAGS = "dgimsuvy";

  /** Validates the flags and puts them in canonical order. */
  public JsRegExp {
    requireNonNull(source, "source");
    requireNonNull(flags, "flags");
    flags = canonicalFlags(flags);
  }

  /** A regular expression without flags. */
  public JsRegExp(String source) {
    this(source, "");
  }

  static String canonicalFlags(String flags) {
    boolean[] seen = new boolean[CANONICAL_FLAGS.length()];
    for (int i = 0; i < flags.length(); i++) {
      int at = CANONICAL_FLAGS.indexOf(flags.charAt(i));
      if (at < 0 || seen[at]) {
        throw new IllegalArgumentException(
            "Invalid flags supplied to RegExp constructor '" + flags + "'");
      }
      seen[at] = true;
    }
    if (seen[CANONICAL_FLAGS.indexOf('u')] && seen[CANONICAL_FLAGS.indexOf('v')]) {
      throw new IllegalArgumentException(
          "Invalid flags supplied to RegExp constructor '" + flags + "'");
    }
    StringBuilder canonical = new StringBuilder(flags.length());
    for (int i = 0; i < seen.length; i++) {
      if (seen[i]) {
        canonical.append(CANONICAL_FLAGS.charAt(i));
      }
    }
    return canonical.toString();
  }

  /** The JavaScript form of a Java pattern, keeping the flags both dialects have. */
  public static JsRegExp of(java.util.regex.Pattern pattern) {
    return RegExps.fromPattern(pattern);
  }

  /**
   * A Java pattern for this expression, with the flags Java has ({@code g}, {@code y} and {@code d}
   * have no Java counterpart and are dropped).
   *
   * @throws java.util.regex.PatternSyntaxException if the source uses syntax Java lacks
   */
  public java.util.regex.Pattern toPattern() {
    return RegExps.toPattern(this);
  }
}
