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
    BigDecimal shortest = shortest(Math.abs(value));
    String digits = shortest.unscaledValue().toString();
    int k = digits.length();
    int n = k - shortest.scale();
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
