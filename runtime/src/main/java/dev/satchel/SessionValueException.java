package dev.satchel;

/**
 * Thrown by {@link Session#set} when a value has no stored form (a {@code Thread}, a {@code long}
 * beyond ±(2^53−1), …), or by a typed read in {@link UndecodableValuePolicy#FAIL} mode when a
 * stored value does not fit the declared type. The message names the key and the path inside the
 * value ({@code .cart[3].price}).
 */
public final class SessionValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String path;

  SessionValueException(String message, String key, String path, Throwable cause) {
    super(message, cause);
    this.key = key;
    this.path = path;
  }

  /** The session key. */
  public String key() {
    return key;
  }

  /** Where inside the value the problem is, starting with the key ({@code .cart[3].price}). */
  public String path() {
    return path;
  }
}
