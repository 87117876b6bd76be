package dev.satchel;

import dev.satchel.codec.ValueCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One request's view of a server-side session, with Astro's semantics. Nothing happens until it is
 * used: an untouched session reads nothing, writes nothing and sends no cookie. Writes take a
 * snapshot of the value and are stored by {@link #commit()}, which the adapter calls before the
 * response is committed.
 *
 * <p>Typed methods take a {@link ValueCodec}; the others use the values {@link
 * dev.satchel.devalue.Devalue} reads and writes. A session belongs to one request but may be used
 * from several of its threads.
 */
public interface Session {

  /**
   * What the keys Satchel keeps about a session start with (when it began, whose it is): they are
   * not listed by {@link #keys()}, and applications cannot set or remove them.
   */
  String RESERVED_KEY_PREFIX = "satchel:";

  /** The session ID, once the session has one (after a write, or a read that found data). */
  Optional<String> id();

  /**
   * Reads a key as its declared type. A stored value that no longer fits the type reads as absent
   * and is logged (or throws, under {@link UndecodableValuePolicy#FAIL}).
   *
   * @return the value, or empty when the key is absent, expired, {@code null} or {@code undefined}
   * @throws SessionStorageException if the store cannot be read
   */
  <T> Optional<T> get(String key, ValueCodec<T> codec);

  /**
   * Reads a key without a codec, as the plain value an Astro app's {@code session.get(key)} gives,
   * in devalue's Java types: a string is a {@code String}, a number a {@code Double} (whole ones
   * too), a boolean a {@code Boolean}, a BigInt a {@code BigInteger}, an array an {@code
   * ArrayList}, a plain object a {@link dev.satchel.devalue.PlainObject} (a {@code LinkedHashMap}
   * of its properties), a {@code Map} a {@link dev.satchel.devalue.JsMap}, a {@code Set} a {@link
   * dev.satchel.devalue.JsSet}, a {@code Date} a {@code java.util.Date}, a {@code URL} a {@link
   * dev.satchel.devalue.JsUrl}; nested {@code null} is {@code null}, nested {@code undefined} is
   * {@link dev.satchel.devalue.Undefined#INSTANCE}, and rarer types are those of {@link
   * dev.satchel.devalue.Devalue}. A value set in this request reads the same way, as it will once
   * stored ({@code set("n", 3)} reads as {@code 3.0}). The value is a copy: changing it changes
   * nothing in the session.
   *
   * @return the value, or empty when the key is absent, expired, {@code null} or {@code undefined}
   * @throws SessionStorageException if the store cannot be read
   */
  Optional<Object> get(String key);

  /** Whether the key is present, even with an {@code undefined} value. */
  boolean has(String key);

  /**
   * Sets a key, with the default TTL if one is configured. Keys starting with {@code satchel:} are
   * reserved for what Satchel keeps about the session.
   *
   * @throws SessionValueException if the value has no stored form; the message names the path
   */
  <T> void set(String key, T value, ValueCodec<T> codec);

  /**
   * Sets a key that expires after {@code ttl}, whatever the default.
   *
   * @throws SessionValueException if the value has no stored form; the message names the path
   */
  <T> void set(String key, T value, ValueCodec<T> codec, Duration ttl);

  /**
   * Sets a key without a codec to a value of devalue's Java types (those {@link
   * dev.satchel.devalue.Devalue} writes: {@code String}, numbers, {@code Boolean}, {@code List},
   * {@code Map}, {@link dev.satchel.devalue.PlainObject}, {@code Instant} …), stored as Astro
   * stores the JavaScript value it maps to; {@link #get(String)} reads it back. Uses the default
   * TTL if one is configured.
   *
   * @throws SessionValueException if the value has no stored form; the message names the path
   */
  void set(String key, Object value);

  /** Sets a key to a value of devalue's Java types that expires after {@code ttl}. */
  void set(String key, Object value, Duration ttl);

  /**
   * Changes one key atomically and stores the session at once: reads the key's current value
   * ({@code null} when absent), applies {@code change}, and stores the result with compare-and-set.
   * When another request changed the session meanwhile, the value is read again and {@code change}
   * applied again, so no concurrent update of the key is lost. Returning {@code null} removes the
   * key. This request's other pending changes are stored in the same write.
   *
   * <p>{@code change} may run more than once, and its result is kept only from the run whose write
   * held: it must not have side effects, and must not change the value it is given.
   *
   * <pre>{@code
   * List<String> cart = session.update("cart", CART, current -> {
   *   List<String> next = current == null ? new ArrayList<>() : new ArrayList<>(current);
   *   next.add(item);
   *   return next;
   * });
   * }</pre>
   *
   * @return the value that was stored, or {@code null} if the key was removed or another request
   *     destroyed the session meanwhile (nothing is stored then)
   * @throws SessionValueException if the new value has no stored form, or makes the session larger
   *     than the configured maximum; nothing is stored then
   * @throws SessionStorageException if the store fails or the session keeps changing under the
   *     write
   */
  <T> T update(String key, ValueCodec<T> codec, UnaryOperator<T> change);

  /**
   * Changes one key atomically as {@link #update(String, ValueCodec, UnaryOperator)} does, storing
   * the result to expire after {@code ttl}.
   */
  <T> T update(String key, ValueCodec<T> codec, Duration ttl, UnaryOperator<T> change);

  /** Removes a key. Nothing is read from the store to do it. */
  void delete(String key);

  /**
   * Makes sure the session exists, as {@code HttpServletRequest.getSession()} does: a request
   * without one gets an ID and its cookie, and the session is stored at commit even with no keys.
   * Records the session's creation time if it has none. Does nothing after another request ended
   * the session.
   */
  void start();

  /**
   * Whether there is a session: one stored under the request's ID (read from the store if this
   * request has not read it yet), or one this request began and will store. False after {@link
   * #destroy()}, and when another request ended the session.
   */
  boolean exists();

  /**
   * Whether this request began the session: the client has not been given its ID before. False for
   * a session the request found in the store, and after {@link #load}.
   */
  boolean isNew();

  /**
   * When the session began, if recorded: Satchel records it when a session is {@linkplain #start()
   * started}, given a {@linkplain #setPrincipal principal}, or stored while an absolute lifetime is
   * configured. A session used only through keys is stored exactly as Astro stores it, without it.
   */
  Optional<Instant> createdAt();

  /** The name of the user this session belongs to, if one was set. */
  Optional<String> principal();

  /**
   * Records the user this session belongs to, so that {@link Satchel#sessionsOf} lists it and
   * {@link Satchel#endSessionsOf} ends it, on every instance sharing the store. Set it at log-in,
   * right after {@link #regenerate()}; it moves with the session when its ID changes and leaves the
   * index when the session ends or expires. Stored at commit, in the session itself.
   *
   * @param name the principal's name, or {@code null} to remove it
   * @throws IllegalArgumentException if {@code name} is empty
   */
  void setPrincipal(String name);

  /**
   * This session's own idle timeout, if one was {@linkplain #setIdleTimeout set}: as set, zero or
   * negative meaning never. Empty when the configured {@link Satchel#idleTimeout()} applies.
   */
  Optional<Duration> idleTimeout();

  /**
   * Gives this session its own idle timeout, in place of the configured one: it expires after this
   * long without a request, on every instance sharing the store. Zero or negative means it never
   * expires by idleness (key TTLs and the absolute lifetime still apply); {@code null} removes its
   * own, restoring the configured one. Stored at commit, in the session itself; setting the value
   * already stored changes nothing.
   *
   * <p>A session with its own idle timeout costs one more read of the store on the request that
   * reads it, to push its expiry by its own value rather than the configured one.
   */
  void setIdleTimeout(Duration idle);

  /** The keys present, in stored order with new keys last. */
  Set<String> keys();

  /** The values of {@link #keys()}, as devalue's natural Java values. */
  List<Object> values();

  /** The keys and their values, as devalue's natural Java values. */
  Map<String, Object> entries();

  /**
   * Gives the session a new ID and keeps its data, as after a log-in. The old stored session is
   * removed only once the data is stored under the new ID.
   */
  void regenerate();

  /** Ends the session, as at log-out: its data is removed at commit and the cookie is cleared. */
  void destroy();

  /**
   * Replaces this request's session with the stored session {@code id}, as a "share my cart" link
   * does. This request's unsaved changes are dropped.
   *
   * @return {@code false}, changing nothing, if {@code id} is not a session ID or nothing is stored
   *     under it: an unknown ID is never adopted
   */
  boolean load(String id);

  /**
   * Stores this request's changes: merged key by key onto the freshest stored data, so that
   * concurrent requests changing different keys all survive, and written with compare-and-set. Does
   * nothing when nothing changed.
   *
   * <p>When another request moved the session to a new ID (a log-in) after this request read it,
   * the changes land in the new session; when it destroyed it (a log-out), they are dropped: a
   * retired ID is never written again.
   *
   * @throws SessionStorageException if the store fails or keeps changing under the write, or if the
   *     session's ID had already been replaced by another request's log-in when this request first
   *     read it (nothing is saved; the client holds the new ID)
   * @throws SessionSizeException if the session would be larger than the configured maximum
   */
  void commit();
}
