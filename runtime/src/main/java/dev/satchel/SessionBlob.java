package dev.satchel;

import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.DevalueException;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.Undefined;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The stored form of a session, exactly as Astro writes it: the devalue text of a {@code Map} from
 * key to {@code {data, expires}}, with {@code expires} in epoch milliseconds or {@code undefined},
 * and URLs in Astro's custom-reducer form.
 */
final class SessionBlob {
  static final Devalue DEVALUE = Devalue.astro();

  /**
   * How deep the stored form nests a value: the session's Map, then the key's {@code {data,
   * expires}} object.
   */
  static final int WRAPPING_DEPTH = 2;

  /**
   * Takes the snapshots of values as they are set, with the depth limit the stored form leaves
   * them, so that a value accepted by {@code set} can always be written and read back.
   */
  static final Devalue VALUES =
      Devalue.builder().astroUrls().maxDepth(Devalue.DEFAULT_MAX_DEPTH - WRAPPING_DEPTH).build();

  /** The most characters a stored session can have and still be read back. */
  static final int READABLE_LENGTH = Devalue.DEFAULT_MAX_INPUT_LENGTH;

  private static final double MAX_SAFE_INTEGER = 9007199254740991d;
  private static final long NEGATIVE_ZERO_BITS = Double.doubleToRawLongBits(-0d);

  private SessionBlob() {}

  /**
   * One key's stored value, its absolute expiry ({@code null} for none), and the {@code {data,
   * expires}} object that stores them, kept so that a session written again does not rebuild the
   * objects of the keys it did not change.
   */
  record Entry(Object data, Long expires, PlainObject stored) {
    static Entry of(Object data, Long expires) {
      PlainObject stored = new PlainObject();
      stored.put("data", data);
      stored.put("expires", expires == null ? Undefined.INSTANCE : expires);
      return new Entry(data, expires, stored);
    }

    boolean isExpired(long nowMillis) {
      return expires != null && expires < nowMillis;
    }
  }

  /** A blob that is not a session: not devalue, or devalue of something other than the Map. */
  static class CorruptBlobException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptBlobException(String problem, Throwable cause) {
      super(problem, cause);
    }
  }

  /**
   * Session data that may be valid, but is longer or nests deeper than Satchel reads: an Astro app
   * may still read it, so it is neither reset nor removed.
   */
  static final class BlobBeyondLimitsException extends CorruptBlobException {
    private static final long serialVersionUID = 1L;

    BlobBeyondLimitsException(DevalueException cause) {
      super(
          "the stored session is beyond what Satchel reads ("
              + cause.getMessage()
              + "); it is left as it is",
          cause);
    }
  }

  /**
   * The entries of stored session data.
   *
   * @throws CorruptBlobException when it is not a session, or a {@link BlobBeyondLimitsException}
   *     when it is longer or deeper than Satchel reads
   */
  static LinkedHashMap<String, Entry> parse(String blob) throws CorruptBlobException {
    Object value;
    try {
      value = DEVALUE.parse(blob);
    } catch (DevalueException e) {
      if (e.isBeyondLimits()) {
        throw new BlobBeyondLimitsException(e);
      }
      throw new CorruptBlobException("The session data could not be parsed.", e);
    }
    if (!(value instanceof Map)) {
      throw new CorruptBlobException("The session data was an invalid type.", null);
    }
    LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<?, ?> stored : ((Map<?, ?>) value).entrySet()) {
      if (!(stored.getKey() instanceof String) || !(stored.getValue() instanceof PlainObject)) {
        throw new CorruptBlobException("The session data was an invalid type.", null);
      }
      PlainObject entry = (PlainObject) stored.getValue();
      Object data = entry.containsKey("data") ? entry.get("data") : Undefined.INSTANCE;
      Object expires = entry.get("expires");
      Long expiresAt =
          expires instanceof Double && Double.isFinite((Double) expires)
              ? (long) Math.floor((Double) expires)
              : null;
      entries.put(
          (String) stored.getKey(),
          writesBackAsRead(entry, expires)
              ? new Entry(data, expiresAt, entry)
              : Entry.of(data, expiresAt));
    }
    return entries;
  }

  /**
   * Whether writing {@code entry} as read gives what {@link Entry#of} would write: {@code data}
   * then {@code expires}, nothing else, and an expiry that is absent or a whole number.
   */
  private static boolean writesBackAsRead(PlainObject entry, Object expires) {
    if (entry.size() != 2 || !"data".equals(entry.keySet().iterator().next())) {
      return false;
    }
    if (expires == Undefined.INSTANCE) {
      return true;
    }
    if (!(expires instanceof Double)) {
      return false;
    }
    double millis = (Double) expires;
    // Written as a Long, a whole number prints the same; -0 and unsafe integers do not.
    return millis == Math.rint(millis)
        && Math.abs(millis) <= MAX_SAFE_INTEGER
        && Double.doubleToRawLongBits(millis) != NEGATIVE_ZERO_BITS;
  }

  static String serialize(Map<String, Entry> entries) {
    return serialize(entries, Integer.MAX_VALUE);
  }

  /**
   * The stored form, refused as soon as it passes {@code maxLength} characters.
   *
   * @throws dev.satchel.devalue.DevalueTooLongException when it is longer
   */
  static String serialize(Map<String, Entry> entries, int maxLength) {
    return DEVALUE.stringify(new StoredView(entries), maxLength);
  }

  /** The entries' {@code {data, expires}} objects by key, read through rather than copied. */
  private static final class StoredView extends AbstractMap<String, PlainObject> {
    private final Map<String, SessionBlob.Entry> entries;

    StoredView(Map<String, SessionBlob.Entry> entries) {
      this.entries = entries;
    }

    @Override
    public int size() {
      return entries.size();
    }

    @Override
    public Set<Map.Entry<String, PlainObject>> entrySet() {
      return new AbstractSet<>() {
        @Override
        public int size() {
          return entries.size();
        }

        @Override
        public Iterator<Map.Entry<String, PlainObject>> iterator() {
          Iterator<Map.Entry<String, SessionBlob.Entry>> each = entries.entrySet().iterator();
          return new Iterator<>() {
            @Override
            public boolean hasNext() {
              return each.hasNext();
            }

            @Override
            public Map.Entry<String, PlainObject> next() {
              Map.Entry<String, SessionBlob.Entry> next = each.next();
              return new SimpleImmutableEntry<>(next.getKey(), next.getValue().stored());
            }
          };
        }
      };
    }
  }
}
