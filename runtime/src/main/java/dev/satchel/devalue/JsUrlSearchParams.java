package dev.satchel.devalue;

import static java.util.Objects.requireNonNull;

/**
 * A JavaScript {@code URLSearchParams}, carried as its {@code application/x-www-form-urlencoded}
 * serialization, normalized as the browser would ({@code ?} dropped, spaces as {@code +}).
 *
 * @param query the serialized parameters, without a leading {@code ?}
 */
public record JsUrlSearchParams(String query) {

  /** Normalizes the text the way {@code new URLSearchParams(text).toString()} does. */
  public JsUrlSearchParams {
    requireNonNull(query, "query");
    query = Urls.normalizeSearchParams(query);
  }

  @Override
  public String toString() {
    return query;
  }
}
