package dev.satchel.spi;

import static java.util.Objects.requireNonNull;

/**
 * A session blob as a driver read it.
 *
 * @param blob the stored text
 * @param version an opaque token that changes whenever the stored blob changes; handed back to
 *     {@link SessionDriver#write} for compare-and-set
 */
public record StoredBlob(String blob, String version) {

  /** Checks that neither part is missing. */
  public StoredBlob {
    requireNonNull(blob, "blob");
    requireNonNull(version, "version");
  }

  /** A blob whose version is its own text, for drivers that compare contents. */
  public static StoredBlob ofContent(String blob) {
    return new StoredBlob(blob, blob);
  }
}
