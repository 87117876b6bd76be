package dev.satchel;

import dev.satchel.SessionBlob.Entry;
import java.time.Instant;
import java.util.Map;

/**
 * What Satchel keeps about a session beside the application's keys, in keys of the same stored
 * session whose names start with {@value #PREFIX}: an Astro app sharing the store sees them as
 * ordinary keys and keeps them when it writes. A session that never needs them (no principal, no
 * {@code HttpSession}, no absolute lifetime) has none, and is stored exactly as Astro stores it.
 */
final class SessionMetadata {
  /** Keys that start with this are Satchel's own; applications cannot set or remove them. */
  static final String PREFIX = Session.RESERVED_KEY_PREFIX;

  /** When the session began, as epoch milliseconds. */
  static final String CREATED = PREFIX + "created";

  /** The name of the user the session belongs to, a string. */
  static final String PRINCIPAL = PREFIX + "principal";

  private SessionMetadata() {}

  static boolean isReserved(String key) {
    return key.startsWith(PREFIX);
  }

  /** The principal recorded in {@code entries}, or {@code null}. */
  static String principal(Map<String, Entry> entries) {
    return principal(entries.get(PRINCIPAL));
  }

  /** The principal an entry of {@link #PRINCIPAL} holds, or {@code null}. */
  static String principal(Entry entry) {
    return entry != null && entry.data() instanceof String name && !name.isEmpty() ? name : null;
  }

  /** The creation time recorded in {@code entries}, or {@code null}. */
  static Instant created(Map<String, Entry> entries) {
    return created(entries.get(CREATED));
  }

  /** The creation time an entry of {@link #CREATED} holds, or {@code null}. */
  static Instant created(Entry entry) {
    return entry != null
            && entry.data() instanceof Number millis
            && Double.isFinite(millis.doubleValue())
        ? Instant.ofEpochMilli(millis.longValue())
        : null;
  }

  static Entry createdEntry(Instant at) {
    return Entry.of((double) at.toEpochMilli(), null);
  }

  static Entry principalEntry(String principal) {
    return Entry.of(principal, null);
  }
}
