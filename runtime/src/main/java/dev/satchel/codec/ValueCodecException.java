package dev.satchel.codec;

/**
 * Thrown when a Java value cannot be encoded, or a stored value does not fit the declared type. The
 * message names the path inside the value where it happened ({@code .cart[3].price}).
 */
public final class ValueCodecException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final String path;

  /** A failure at the value being converted; enclosing codecs add their part of the path. */
  public ValueCodecException(String reason) {
    this(reason, "", null);
  }

  /** A failure caused by another exception. */
  public ValueCodecException(String reason, Throwable cause) {
    this(reason, "", cause);
  }

  private ValueCodecException(String reason, String path, Throwable cause) {
    super(path.isEmpty() ? reason : reason + " (at " + path + ")", cause);
    this.reason = reason;
    this.path = path;
  }

  /** The problem, without the path. */
  public String reason() {
    return reason;
  }

  /** Where inside the value the problem is, formatted as devalue formats paths; "" for the root. */
  public String path() {
    return path;
  }

  /** The same failure one level further out, {@code segment} being the step taken into it. */
  public ValueCodecException under(String segment) {
    ValueCodecException outer = new ValueCodecException(reason, segment + path, getCause());
    outer.setStackTrace(getStackTrace());
    return outer;
  }
}
