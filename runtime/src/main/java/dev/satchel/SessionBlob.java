package dev.satchel;

import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.DevalueException;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.Undefined;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored form of a session, exactly as Astro writes it: the devalue text of a {@code Map} from
 * key to {@code {data, expires}}, with {@code expires} in epoch milliseconds or {@code undefined},
 * and URLs in Astro's custom-reducer form.
 */
final class SessionBlob {
  static final Devalue DEVALUE = Devalue.astro();

  private SessionBlob() {}

  /** One key's stored value and its absolute expiry ({@code null} for none). */
  record Entry(Object data, Long expires) {
    boolean isExpired(long nowMillis) {
      return expires != null && expires < nowMillis;
    }
  }

  /** A blob that is not a session: not devalue, or devalue of something other than the Map. */
  static final class CorruptBlobException extends Exception {
    private static final long serialVersionUID = 1L;

    CorruptBlobException(String problem, Throwable cause) {
      super(problem, cause);
    }
  }

  static LinkedHashMap<String, Entry> parse(String blob) throws CorruptBlobException {
    Object value;
    try {
      value = DEVALUE.parse(blob);
    } catch (DevalueException e) {
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
      entries.put((String) stored.getKey(), new Entry(data, expiresAt));
    }
    return entries;
  }

  static String serialize(Map<String, Entry> entries) {
    LinkedHashMap<String, PlainObject> stored = new LinkedHashMap<>();
    entries.forEach(
        (key, entry) -> {
          PlainObject object = new PlainObject();
          object.put("data", entry.data());
          object.put("expires", entry.expires() == null ? Undefined.INSTANCE : entry.expires());
          stored.put(key, object);
        });
    return DEVALUE.stringify(stored);
  }
}
