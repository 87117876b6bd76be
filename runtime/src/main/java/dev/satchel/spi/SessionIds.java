package dev.satchel.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Session IDs: random UUID v4 from {@link SecureRandom}, in lower case, and their validation.
 * Drivers that turn IDs into paths or keys check them again with {@link #isValid}.
 */
public final class SessionIds {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private SessionIds() {}

  /** A new random session ID. */
  public static String generate() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    bytes[6] = (byte) ((bytes[6] & 0x0f) | 0x40);
    bytes[8] = (byte) ((bytes[8] & 0x3f) | 0x80);
    char[] out = new char[36];
    int at = 0;
    for (int i = 0; i < 16; i++) {
      if (i == 4 || i == 6 || i == 8 || i == 10) {
        out[at++] = '-';
      }
      out[at++] = HEX[(bytes[i] >> 4) & 0xf];
      out[at++] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /**
   * Whether {@code value} is a lower-case UUID v4, the only form a session ID takes; anything else
   * from a client (another version, upper case, a path, an overlong string) is refused.
   */
  public static boolean isValid(String value) {
    if (value == null || value.length() != 36) {
      return false;
    }
    for (int i = 0; i < 36; i++) {
      char c = value.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23) {
        if (c != '-') {
          return false;
        }
      } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    char variant = value.charAt(19);
    return value.charAt(14) == '4'
        && (variant == '8' || variant == '9' || variant == 'a' || variant == 'b');
  }

  /**
   * A short name for a session that does not reveal its ID: the first 12 hexadecimal digits of the
   * ID's SHA-256, as logs, events and the operators' listing name sessions. An ID is a credential;
   * its fingerprint is not, and the same ID always has the same fingerprint.
   *
   * @return the fingerprint, or {@code "none"} for {@code null}
   */
  public static String fingerprint(String id) {
    if (id == null) {
      return "none";
    }
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
    }
    char[] out = new char[12];
    for (int i = 0; i < 6; i++) {
      out[2 * i] = HEX[(digest[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[digest[i] & 0xf];
    }
    return new String(out);
  }
}
