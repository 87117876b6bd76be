package dev.satchel;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.satchel.SessionBlob.CorruptBlobException;
import dev.satchel.SessionBlob.Entry;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Sessions this application recently read or wrote, kept decoded next to their exact stored text. A
 * read whose text is the one kept reuses the entries instead of parsing again: a user's next
 * request usually finds what their last one wrote. A hit is only ever decided by the whole text, so
 * a session changed elsewhere is parsed afresh.
 *
 * <p>The entries are shared between requests and threads, so they are never changed: callers get
 * them unmodifiable and hand out copies of their values.
 */
final class DecodedSessions {
  private record Decoded(String blob, Map<String, Entry> entries) {}

  /** {@code null} when the cache is off. */
  private final Cache<String, Decoded> cache;

  private volatile Instrumentation instrumentation = Instrumentation.NONE;

  private DecodedSessions(Cache<String, Decoded> cache) {
    this.cache = cache;
  }

  /**
   * Keeps sessions up to {@code maxCharacters} of stored text in total; 0 keeps none. Past the
   * size, Caffeine's policy decides what leaves, favouring sessions used recently and often.
   */
  static DecodedSessions holding(long maxCharacters) {
    if (maxCharacters == 0) {
      return new DecodedSessions(null);
    }
    return new DecodedSessions(
        Caffeine.newBuilder()
            .maximumWeight(maxCharacters)
            .weigher((String id, Decoded decoded) -> decoded.blob().length())
            // Eviction runs on the request that fills the cache, rather than as tasks on the
            // common pool that the application may need for its own work.
            .executor(Runnable::run)
            .build());
  }

  /** The entries of {@code blob} as stored under {@code id}, parsed unless already known. */
  Map<String, Entry> parse(String id, String blob) throws CorruptBlobException {
    if (cache != null) {
      Decoded known = cache.getIfPresent(id);
      if (known != null && known.blob().equals(blob)) {
        instrumentation.decodedCache(true);
        return known.entries();
      }
      instrumentation.decodedCache(false);
    }
    return keep(id, blob, SessionBlob.parse(blob));
  }

  /**
   * The entries last kept for {@code id}, whatever is stored now, or {@code null}: a hint, never
   * taken for the stored session.
   */
  Map<String, Entry> known(String id) {
    if (cache == null) {
      return null;
    }
    Decoded known = cache.getIfPresent(id);
    return known == null ? null : known.entries();
  }

  /**
   * Keeps {@code entries} as the decoded form of {@code blob}, stored under {@code id}. The entries
   * must be what parsing the text gives back, which holds for values read and for values taken by
   * {@link dev.satchel.devalue.Devalue#copy}.
   */
  Map<String, Entry> keep(String id, String blob, LinkedHashMap<String, Entry> entries) {
    Map<String, Entry> shared = Collections.unmodifiableMap(entries);
    if (cache != null) {
      cache.put(id, new Decoded(blob, shared));
    }
    return shared;
  }

  void instrument(Instrumentation instrumentation) {
    this.instrumentation = instrumentation;
  }

  /** Drops what is kept for a session that is gone. */
  void forget(String id) {
    if (cache != null) {
      cache.invalidate(id);
    }
  }
}
