package dev.satchel.devalue;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** JavaScript's {@code Date#toISOString} and the ISO subset of {@code Date.parse}. */
final class JsDates {
  /** JavaScript dates span ±8.64e15 ms around the epoch. */
  static final long MAX_EPOCH_MILLIS = 8_640_000_000_000_000L;

  private static final Pattern ISO =
      Pattern.compile(
          "([+-]\\d{6}|\\d{4})(?:-(\\d{2})(?:-(\\d{2}))?)?"
              + "(?:T(\\d{2}):(\\d{2})(?::(\\d{2})(?:\\.(\\d{1,9}))?)?)?"
              + "(Z|[+-]\\d{2}:\\d{2})?");

  private JsDates() {}

  static boolean inRange(long epochMillis) {
    return Math.abs(epochMillis) <= MAX_EPOCH_MILLIS;
  }

  /** {@code toISOString} of an in-range time: always UTC, always milliseconds. */
  static String toIsoString(long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000);
    int millis = (int) Math.floorMod(epochMillis, 1000);
    LocalDateTime time = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    StringBuilder out = new StringBuilder(27);
    int year = time.getYear();
    if (year >= 0 && year <= 9999) {
      pad(out, year, 4);
    } else {
      out.append(year < 0 ? '-' : '+');
      pad(out, Math.abs(year), 6);
    }
    out.append('-');
    pad(out, time.getMonthValue(), 2);
    out.append('-');
    pad(out, time.getDayOfMonth(), 2);
    out.append('T');
    pad(out, time.getHour(), 2);
    out.append(':');
    pad(out, time.getMinute(), 2);
    out.append(':');
    pad(out, time.getSecond(), 2);
    out.append('.');
    pad(out, millis, 3);
    return out.append('Z').toString();
  }

  /**
   * The form {@code toISOString} writes for years 0 to 9999 ({@code 2026-11-26T12:34:56.789Z}),
   * read without a regular expression; {@code Long.MIN_VALUE} for any other text.
   */
  private static long parseCanonical(String text) {
    if (text.length() != 24
        || text.charAt(4) != '-'
        || text.charAt(7) != '-'
        || text.charAt(10) != 'T'
        || text.charAt(13) != ':'
        || text.charAt(16) != ':'
        || text.charAt(19) != '.'
        || text.charAt(23) != 'Z') {
      return Long.MIN_VALUE;
    }
    int year = digits(text, 0, 4);
    int month = digits(text, 5, 2);
    int day = digits(text, 8, 2);
    int hour = digits(text, 11, 2);
    int minute = digits(text, 14, 2);
    int second = digits(text, 17, 2);
    int millis = digits(text, 20, 3);
    if ((year | month | day | hour | minute | second | millis) < 0
        || month < 1
        || month > 12
        || day < 1
        || day > java.time.YearMonth.of(year, month).lengthOfMonth()
        || hour > 23
        || minute > 59
        || second > 59) {
      return Long.MIN_VALUE;
    }
    long days = LocalDate.of(year, month, day).toEpochDay();
    return days * 86_400_000L + hour * 3_600_000L + minute * 60_000L + second * 1000L + millis;
  }

  private static int digits(String text, int start, int count) {
    int value = 0;
    for (int i = start; i < start + count; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  private static void pad(StringBuilder out, int value, int width) {
    int digits = 1;
    for (int rest = value; rest >= 10; rest /= 10) {
      digits++;
    }
    for (int i = digits; i < width; i++) {
      out.append('0');
    }
    out.append(value);
  }

  /**
   * Parses JavaScript's date-time string format. Returns {@code null} for text that is not in it or
   * names an impossible or out-of-range time; JavaScript gives an invalid date for those. Engines
   * also accept other, engine-specific formats; those read as invalid here.
   */
  static Long parse(String text) {
    long canonical = parseCanonical(text);
    if (canonical != Long.MIN_VALUE) {
      return canonical;
    }
    Matcher m = ISO.matcher(text);
    if (!m.matches()) {
      return null;
    }
    if (m.group(1).equals("-000000")) {
      return null;
    }
    try {
      int year =
          Integer.parseInt(m.group(1).startsWith("+") ? m.group(1).substring(1) : m.group(1));
      int month = m.group(2) == null ? 1 : Integer.parseInt(m.group(2));
      int day = m.group(3) == null ? 1 : Integer.parseInt(m.group(3));
      int hour = m.group(4) == null ? 0 : Integer.parseInt(m.group(4));
      int minute = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
      int second = m.group(6) == null ? 0 : Integer.parseInt(m.group(6));
      int millis = 0;
      if (m.group(7) != null) {
        String fraction = (m.group(7) + "00").substring(0, 3);
        millis = Integer.parseInt(fraction);
      }
      if (hour == 24 && (minute != 0 || second != 0 || millis != 0)) {
        return null;
      }
      long days = LocalDate.of(year, month, day).toEpochDay();
      long result =
          days * 86_400_000L + hour * 3_600_000L + minute * 60_000L + second * 1000L + millis;
      String zone = m.group(8);
      if (zone != null && !zone.equals("Z")) {
        int offsetMinutes =
            Integer.parseInt(zone.substring(1, 3)) * 60 + Integer.parseInt(zone.substring(4, 6));
        if (offsetMinutes >= 24 * 60 || minute > 59) {
          return null;
        }
        result -= (zone.charAt(0) == '-' ? -1L : 1L) * offsetMinutes * 60_000L;
      }
      if (minute > 59 || second > 59 || hour > 24) {
        return null;
      }
      return inRange(result) ? result : null;
    } catch (java.time.DateTimeException | NumberFormatException e) {
      return null;
    }
  }
}
