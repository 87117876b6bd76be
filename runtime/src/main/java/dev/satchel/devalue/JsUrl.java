package dev.satchel.devalue;

import static java.util.Objects.requireNonNull;

/**
 * A JavaScript {@code URL}, carried as its exact {@code href}. {@link java.net.URI} rejects some
 * hrefs that browsers produce (a raw {@code |} in a path, for one), so the text is kept as it is.
 *
 * @param href the URL's serialization
 */
public record JsUrl(String href) {

  /** Checks that the text has a scheme, as every absolute URL does. */
  public JsUrl {
    requireNonNull(href, "href");
    if (!Urls.looksAbsolute(href)) {
      throw new IllegalArgumentException("Invalid URL: " + href);
    }
  }

  /** The same URL as a {@link java.net.URI}, failing where Java's URI grammar is stricter. */
  public java.net.URI toUri() {
    return java.net.URI.create(href);
  }

  @Override
  public String toString() {
    return href;
  }
}
