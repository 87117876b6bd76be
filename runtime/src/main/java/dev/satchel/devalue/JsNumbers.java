package dev.satchel.devalue;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * ECMAScript's {@code Number::toString}: the shortest decimal that reads back as the same double
 * (the closest one when several are that short), in JavaScript's layout. Java's {@code
 * Double.toString} is not always shortest before JDK 19 and never uses this layout.
 */
final class JsNumbers {
  private static final double EXACT_INTEGER_LIMIT = 9007199254740992.0; // 2^53

  private JsNumbers() {}

  /** Formats a finite double; {@code -0} prints as {@code 0}, as it does in JavaScript. */
  static String toString(double value) {
    if (value == 0) {
      return "0";
    }
    if (Math.abs(value) < EXACT_INTEGER_LIMIT && value == Math.rint(value)) {
      return Long.toString((long) value);
    }
    StringBuilder out = new StringBuilder(24);
    if (value < 0) {
      out.append('-');
    }
    double magnitude = Math.abs(value);
    String digits;
    int n;
    long scaled = fewDecimals(magnitude);
    if (scaled >= 0) {
      digits = Long.toString(scaled / 100);
      int fractionDigits = (int) (scaled % 100);
      n = digits.length() - fractionDigits;
    } else {
      Decimal shortest = shortest(magnitude);
      digits = Long.toString(shortest.digits);
      n = digits.length() + shortest.exponent;
    }
    int k = digits.length();
    if (k <= n && n <= 21) {
      out.append(digits);
      for (int i = k; i < n; i++) {
        out.append('0');
      }
    } else if (0 < n && n <= 21) {
      out.append(digits, 0, n).append('.').append(digits, n, k);
    } else if (-6 < n && n <= 0) {
      out.append("0.");
      for (int i = n; i < 0; i++) {
        out.append('0');
      }
      out.append(digits);
    } else {
      int exponent = n - 1;
      out.append(digits.charAt(0));
      if (k > 1) {
        out.append('.').append(digits, 1, k);
      }
      out.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent));
    }
    return out.toString();
  }

  /**
   * The fast path for numbers with few decimals (prices, ratios): the smallest {@code k} such that
   * an integer {@code m} gives back the double as {@code m / 10^k}, found with exact double
   * arithmetic (both operands exact, the division correctly rounded). Returns {@code m * 100 + k},
   * or -1 when the slow path must decide, including when two neighbours fit equally well.
   */
  private static long fewDecimals(double magnitude) {
    if (magnitude < 1e-6 || magnitude >= 1e15) {
      return -1;
    }
    for (int k = 1; k < 16; k++) {
      double power = EXACT_POWERS_OF_TEN[k];
      double approximate = magnitude * power;
      if (approximate >= EXACT_INTEGER_LIMIT / 100) {
        return -1;
      }
      long m = (long) Math.rint(approximate);
      int fits = 0;
      long found = 0;
      for (long candidate = Math.max(1, m - 1); candidate <= m + 1; candidate++) {
        if (candidate / power == magnitude) {
          fits++;
          found = candidate;
        }
      }
      if (fits == 1) {
        return found % 10 == 0 ? -1 : found * 100 + k;
      }
      if (fits > 1) {
        return -1;
      }
    }
    return -1;
  }

  /** {@code digits × 10^exponent}, with no trailing zero in {@code digits}. */
  private record Decimal(long digits, int exponent) {
    static Decimal of(long digits, int exponent) {
      while (digits % 10 == 0) {
        digits /= 10;
        exponent++;
      }
      return new Decimal(digits, exponent);
    }
  }

  // From JDK 19 on, Double.toString prints the shortest decimal, the closest of those; it only
  // differs from JavaScript when a single digit would do (it then may print two, if closer).
  private static final boolean SHORTEST_DOUBLE_TO_STRING = Runtime.version().feature() >= 19;

  /**
   * The shortest decimal that reads back as {@code value} (positive and finite), the closest to it
   * of those. Java's own digits are a decimal that reads back; the shortest length is searched
   * below theirs (a length that works makes every longer one work, so the search halves), with
   * exact arithmetic only to choose between several decimals of that length.
   */
  private static Decimal shortest(double value) {
    Decimal java = javaDigits(value);
    if (java == null) {
      return exactShortest(value, 17);
    }
    int length = digitCount(java.digits);
    if (SHORTEST_DOUBLE_TO_STRING && length > 2) {
      return java;
    }
    int low = 1;
    int high = length;
    while (low < high) {
      int precision = (low + high) >>> 1;
      Decimal cut = cutTo(java, length, precision);
      if (readsBackAs(value, cut.digits, cut.exponent)
          || readsBackAs(value, cut.digits + 1, cut.exponent)) {
        high = precision;
      } else {
        low = precision + 1;
      }
    }
    Decimal cut = cutTo(java, length, low);
    long truncated = cut.digits;
    int exponent = cut.exponent;
    boolean below = truncated > 1 && readsBackAs(value, truncated - 1, exponent);
    boolean at = readsBackAs(value, truncated, exponent);
    boolean above = readsBackAs(value, truncated + 1, exponent);
    boolean further = readsBackAs(value, truncated + 2, exponent);
    if (!below && !further && at != above) {
      return Decimal.of(at ? truncated : truncated + 1, exponent);
    }
    // Several decimals of that length read back: the closest is decided on the exact value.
    return exactShortest(value, low);
  }

  /**
   * Java's digits cut to {@code precision}: with the decimal one unit above it, the two of that
   * length around the value, so if any decimal of that length reads back, one of these does.
   */
  private static Decimal cutTo(Decimal java, int length, int precision) {
    int cut = length - precision;
    return new Decimal(java.digits / POWERS_OF_TEN_LONG[cut], java.exponent + cut);
  }

  /** Whether {@code digits × 10^exponent} reads as {@code value}. */
  private static boolean readsBackAs(double value, long digits, int exponent) {
    // Both operands exact, so the one rounding is the reader's rounding.
    if (digits < (1L << 53) && exponent >= -22 && exponent <= 22) {
      return exponent >= 0
          ? digits * EXACT_POWERS_OF_TEN[exponent] == value
          : digits / EXACT_POWERS_OF_TEN[-exponent] == value;
    }
    return Double.parseDouble(digits + "E" + exponent) == value;
  }

  /** The significant digits of {@code Double.toString}, or null if they do not fit a long. */
  private static Decimal javaDigits(double value) {
    String text = Double.toString(value);
    long digits = 0;
    int count = 0;
    int fraction = 0;
    boolean point = false;
    int i = 0;
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '.') {
        point = true;
      } else if (c >= '0' && c <= '9') {
        if (digits == 0 && c == '0') {
          if (point) {
            fraction++;
          }
          continue;
        }
        if (++count > 18) {
          return null;
        }
        digits = digits * 10 + (c - '0');
        if (point) {
          fraction++;
        }
      } else {
        break;
      }
    }
    int exponent = i < text.length() ? Integer.parseInt(text.substring(i + 1)) : 0;
    return Decimal.of(digits, exponent - fraction);
  }

  private static int digitCount(long digits) {
    int count = 1;
    while (count < POWERS_OF_TEN_LONG.length && digits >= POWERS_OF_TEN_LONG[count]) {
      count++;
    }
    return count;
  }

  private static final long[] POWERS_OF_TEN_LONG = new long[19];
  private static final double[] EXACT_POWERS_OF_TEN = new double[23];

  static {
    long power = 1;
    for (int i = 0; i < POWERS_OF_TEN_LONG.length; i++) {
      POWERS_OF_TEN_LONG[i] = power;
      power *= 10;
    }
    // 10^22 is the last power of ten a double holds exactly.
    for (int i = 0; i < EXACT_POWERS_OF_TEN.length; i++) {
      EXACT_POWERS_OF_TEN[i] = Double.parseDouble("1E" + i);
    }
  }

  /**
   * The closest decimal of {@code precision} digits that reads back, or of the first precision
   * above it where one does, decided on the exact binary value.
   */
  private static Decimal exactShortest(double value, int precision) {
    BigDecimal exact = new BigDecimal(value);
    for (; precision < 17; precision++) {
      BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (nearest.doubleValue() == value) {
        return decimal(nearest);
      }
      // Near a power of two the round-trip interval is lopsided: the other neighbour may fit.
      RoundingMode other = nearest.compareTo(exact) < 0 ? RoundingMode.CEILING : RoundingMode.FLOOR;
      BigDecimal neighbour = exact.round(new MathContext(precision, other));
      if (neighbour.doubleValue() == value) {
        return decimal(neighbour);
      }
    }
    return decimal(exact.round(new MathContext(17, RoundingMode.HALF_EVEN)));
  }

  private static Decimal decimal(BigDecimal decimal) {
    BigDecimal stripped = decimal.stripTrailingZeros();
    return Decimal.of(stripped.unscaledValue().longValueExact(), -stripped.scale());
  }
}
