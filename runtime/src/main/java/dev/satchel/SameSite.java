package dev.satchel;

/** The session cookie's {@code SameSite} attribute. */
public enum SameSite {
  /** Sent on same-site requests only. */
  STRICT("Strict"),
  /** Sent on same-site requests and top-level navigations. The default. */
  LAX("Lax"),
  /** Sent on every request; browsers require {@code Secure} with it. */
  NONE("None");

  private final String attribute;

  SameSite(String attribute) {
    this.attribute = attribute;
  }

  /** The attribute value as written in {@code Set-Cookie}. */
  public String attribute() {
    return attribute;
  }
}
