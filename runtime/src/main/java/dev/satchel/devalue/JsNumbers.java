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
      BigDecimal shortest = shortest(magnitude);
      digits = shortest.unscaledValue().toString();
      n = digits.length() - shortest.scale();
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

  private static final double[] POWERS_OF_TEN = new double[16];

  static {
    double power = 1;
    for (int i = 0; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = power;
      power *= 10;
    }
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
    for (int k = 1; k < POWERS_OF_TEN.length; k++) {
      double power = POWERS_OF_TEN[k];
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

  /** The shortest round-tripping decimal for a positive finite double, trailing zeros removed. */
  private static BigDecimal shortest(double value) {
    BigDecimal exact = new BigDecimal(value);
    for (int precision = 1; precision < 17; precision++) {
      BigDecimal nearest = exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
      if (nearest.doubleValue() == value) {
        return nearest.stripTrailingZeros();
      }
      // Near a power of two the round-trip interval is lopsided: the other neighbour may fit.
      RoundingMode other = nearest.compareTo(exact) < 0 ? RoundingMode.CEILING : RoundingMode.FLOOR;
      BigDecimal neighbour = exact.round(new MathContext(precision, other));
      if (neighbour.doubleValue() == value) {
        return neighbour.stripTrailingZeros();
      }
    }
    return exact.round(new MathContext(17, RoundingMode.HALF_EVEN)).stripTrailingZeros();
  }
}
