package dev.satchel.devalue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The few WHATWG URL rules devalue's URL and URLSearchParams entries depend on. */
final class Urls {
  private Urls() {}

  private static final String[] SPECIAL_SCHEMES = {"http", "https", "ws", "wss", "ftp"};

  /**
   * Whether {@code href} can be an absolute URL: a scheme, and for the special schemes a host. This
   * is a guard against text that is plainly not a URL, not a full WHATWG parser.
   */
  static boolean looksAbsolute(String href) {
    int colon = href.indexOf(':');
    if (colon <= 0 || !isAsciiLetter(href.charAt(0))) {
      return false;
    }
    for (int i = 1; i < colon; i++) {
      char c = href.charAt(i);
      if (!(isAsciiLetter(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.')) {
        return false;
      }
    }
    for (int i = colon + 1; i < href.length(); i++) {
      char c = href.charAt(i);
      if (c <= ' ' || c == 0x7f) {
        return false;
      }
    }
    if (!isSpecial(href, colon)) {
      return true;
    }
    // A special scheme needs a host: skip the slashes, then the userinfo, up to the path.
    int start = colon + 1;
    while (start < href.length() && (href.charAt(start) == '/' || href.charAt(start) == '\\')) {
      start++;
    }
    int end = start;
    int hostStart = start;
    while (end < href.length() && "/\\?#".indexOf(href.charAt(end)) < 0) {
      if (href.charAt(end) == '@') {
        hostStart = end + 1;
      }
      end++;
    }
    return hostStart < end && href.charAt(hostStart) != ':';
  }

  private static boolean isSpecial(String href, int colon) {
    for (String special : SPECIAL_SCHEMES) {
      if (special.length() == colon && href.regionMatches(true, 0, special, 0, colon)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** What {@code new URLSearchParams(text).toString()} returns. */
  static String normalizeSearchParams(String text) {
    String input = text.startsWith("?") ? text.substring(1) : text;
    StringBuilder out = new StringBuilder(input.length());
    boolean first = true;
    for (String pair : input.split("&", -1)) {
      if (pair.isEmpty()) {
        continue;
      }
      int equals = pair.indexOf('=');
      String name = equals < 0 ? pair : pair.substring(0, equals);
      String value = equals < 0 ? "" : pair.substring(equals + 1);
      if (!first) {
        out.append('&');
      }
      first = false;
      serialize(percentDecode(name), out);
      out.append('=');
      serialize(percentDecode(value), out);
    }
    return out.toString();
  }

  private static byte[] percentDecode(String text) {
    byte[] bytes = text.replace('+', ' ').getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == (byte) '%' && i + 2 < bytes.length) {
        int high = Character.digit(bytes[i + 1], 16);
        int low = Character.digit(bytes[i + 2], 16);
        if (high >= 0 && low >= 0) {
          out.write(high * 16 + low);
          i += 2;
          continue;
        }
      }
      out.write(bytes[i]);
    }
    return out.toByteArray();
  }

  private static void serialize(byte[] utf8, StringBuilder out) {
    // Decoding as UTF-8 and encoding again turns invalid sequences into U+FFFD, as browsers do.
    byte[] bytes = new String(utf8, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c == ' ') {
        out.append('+');
      } else if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '*'
          || c == '-'
          || c == '.'
          || c == '_') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
        out.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
  }
}
