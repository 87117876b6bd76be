package dev.satchel;

import dev.satchel.SessionBlob.Entry;
import java.time.Duration;
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

  /** The name of the instance that last stored a change to the session, a string. */
  static final String INSTANCE = PREFIX + "instance";

  /** The name of the user the session belongs to, a string. */
  static final String PRINCIPAL = PREFIX + "principal";

  /**
   * The session's own idle timeout, in seconds (a number; zero or negative for never), which
   * replaces the configured one for this session. The fs driver reads it too, by this name.
   */
  static final String IDLE = PREFIX + "idle";

  /**
   * How long a read keeps a session that never expires by idleness, in stores that count expiry
   * down (memory, redis): a century, pushed forward again by every read. Longer idle timeouts count
   * as this long too.
   */
  static final Duration NEVER_IDLE = Duration.ofDays(36_525);

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

  /**
   * The session's own idle timeout recorded in {@code entries}, as set (zero or negative for
   * never), or {@code null} when it has none.
   */
  static Duration idle(Map<String, Entry> entries) {
    return idle(entries.get(IDLE));
  }

  /** The idle timeout an entry of {@link #IDLE} holds, or {@code null}. */
  static Duration idle(Entry entry) {
    if (entry != null
        && entry.data() instanceof Number seconds
        && Double.isFinite(seconds.doubleValue())) {
      return Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)); // saturates
    }
    return null;
  }

  /**
   * The idle timeout that applies to a session holding {@code entries}: its own (at most {@link
   * #NEVER_IDLE}), or else {@code configured}; {@code null} when it never expires by idleness.
   */
  static Duration idleTimeout(Map<String, Entry> entries, Duration configured) {
    Duration own = idle(entries);
    if (own == null) {
      return configured;
    }
    return isNever(own) ? null : atMostNever(own);
  }

  /**
   * What a read of a session holding {@code entries} pushes its expiry by, when reads push it by
   * {@code configured} unless told otherwise: its {@linkplain #idleTimeout idle timeout}; for one
   * that never expires by idleness, {@link #NEVER_IDLE} when {@code configured} pushes (to undo
   * that push), else {@code null}, no push, leaving the expiry its last write gave it.
   */
  static Duration refreshBy(Map<String, Entry> entries, Duration configured) {
    Duration own = idle(entries);
    if (own == null) {
      return configured;
    }
    if (!isNever(own)) {
      return atMostNever(own);
    }
    return configured == null ? null : NEVER_IDLE;
  }

  /** Whether an idle timeout means never: zero or negative. */
  static boolean isNever(Duration idle) {
    return idle.isZero() || idle.isNegative();
  }

  private static Duration atMostNever(Duration idle) {
    return idle.compareTo(NEVER_IDLE) > 0 ? NEVER_IDLE : idle;
  }

  static Entry idleEntry(Duration idle) {
    long millis;
    try {
      millis = idle.toMillis();
    } catch (ArithmeticException e) {
      millis = idle.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    if (millis == 0 && !isNever(idle)) {
      millis = 1; // not never
    }
    return Entry.of(millis / 1000d, null);
  }

  static Entry createdEntry(Instant at) {
    return Entry.of((double) at.toEpochMilli(), null);
  }

  /** The instance name recorded in {@code entries}, or {@code null}. */
  static String instance(Map<String, Entry> entries) {
    Entry entry = entries.get(INSTANCE);
    return entry != null && entry.data() instanceof String name && !name.isEmpty() ? name : null;
  }

  static Entry instanceEntry(String instance) {
    return Entry.of(instance, null);
  }

  static Entry principalEntry(String principal) {
    return Entry.of(principal, null);
  }
}
