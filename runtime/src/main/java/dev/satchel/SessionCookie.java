package dev.satchel;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;

/**
 * A session cookie to send, as its name, value and attributes; {@link #toHeaderValue()} gives the
 * {@code Set-Cookie} header value. {@code HttpOnly} is always set.
 */
public final class SessionCookie {
  private final String name;
  private final String value;
  private final String path;
  private final String domain;
  private final Duration maxAge;
  private final boolean secure;
  private final SameSite sameSite;
  private final boolean deletion;

  SessionCookie(
      String name,
      String value,
      String path,
      String domain,
      Duration maxAge,
      boolean secure,
      SameSite sameSite,
      boolean deletion) {
    this.name = requireNonNull(name);
    this.value = requireNonNull(value);
    this.path = path;
    this.domain = domain;
    this.maxAge = maxAge;
    this.secure = secure;
    this.sameSite = sameSite;
    this.deletion = deletion;
  }

  /** The cookie name. */
  public String name() {
    return name;
  }

  /** The session ID, or {@code "deleted"} for a deletion. */
  public String value() {
    return value;
  }

  /** The {@code Path} attribute. */
  public Optional<String> path() {
    return Optional.ofNullable(path);
  }

  /** The {@code Domain} attribute. */
  public Optional<String> domain() {
    return Optional.ofNullable(domain);
  }

  /** The {@code Max-Age} attribute; never present on a deletion. */
  public Optional<Duration> maxAge() {
    return deletion ? Optional.empty() : Optional.ofNullable(maxAge);
  }

  /** Whether the cookie is {@code Secure}. */
  public boolean secure() {
    return secure;
  }

  /** Always {@code true}: script never sees the session ID. */
  public boolean httpOnly() {
    return true;
  }

  /** The {@code SameSite} attribute. */
  public SameSite sameSite() {
    return sameSite;
  }

  /** Whether this cookie tells the browser to forget the session cookie. */
  public boolean isDeletion() {
    return deletion;
  }

  /**
   * The {@code Set-Cookie} header value, attributes in the order Astro writes them: {@code
   * satchel-session=<id>; Max-Age=3600; Domain=example.com; Path=/; HttpOnly; Secure;
   * SameSite=Lax}.
   */
  public String toHeaderValue() {
    StringBuilder header = new StringBuilder(name).append('=').append(value);
    if (!deletion && maxAge != null) {
      header.append("; Max-Age=").append(maxAge.toSeconds());
    }
    if (domain != null) {
      header.append("; Domain=").append(domain);
    }
    if (path != null) {
      header.append("; Path=").append(path);
    }
    if (deletion) {
      header.append("; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    }
    header.append("; HttpOnly");
    if (secure) {
      header.append("; Secure");
    }
    if (sameSite != null) {
      header.append("; SameSite=").append(sameSite.attribute());
    }
    return header.toString();
  }

  @Override
  public String toString() {
    return toHeaderValue();
  }
}
