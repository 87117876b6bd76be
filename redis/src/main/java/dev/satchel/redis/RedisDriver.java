package dev.satchel.redis;

import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.KeyValue;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.ZAddArgs;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Sessions in Redis over one shared Lettuce connection (one per node of a cluster), which
 * reconnects by itself. A read is one {@code GET} (or {@code GETEX} refreshing the idle timeout); a
 * write is one compare-and-set script. The version of a blob is the blob itself, compared on the
 * server: cheaper than hashing it on both sides, and a blob that comes back unchanged (an A-B-A
 * write) is harmless, since the merge it guards would produce the same result.
 *
 * <p>A retired session ID keeps its marker ({@link Retirement#encode()}) under {@code
 * {<prefix><id>}:retired}, expiring at the time the core gives. The braces make the live key the
 * marker's hash tag, so on a Redis Cluster both sit in one slot (a prefix containing braces would
 * defeat that, and is refused there). Writes refuse an ID that has a marker; {@link #retire} and
 * {@link #replace} remove the live key and set the marker in one script, so no reader sees the
 * session gone without its marker.
 *
 * <p>{@link #replace} touches two session IDs. On one server it is one script. On a cluster the two
 * keys are almost always in different slots, which no script may span, so it takes three steps: (1)
 * on the old ID's slot, check the old session is as read and put a short-lived lock ({@code moving
 * <new id>}) where its marker goes, which makes every other write to the old ID fail; (2) write the
 * new session, which must be absent; (3) on the old slot again, if the lock is still this one and
 * the old session unchanged, remove it and set the final marker. When (2) or (3) does not happen,
 * what was done is undone. A crash between steps leaves the old session in place, readable
 * throughout, and its lock expires after three times the timeout; the new session is then an orphan
 * nobody was told of, expiring as it would have. A write to the old ID acknowledged before (1) made
 * (1) fail; one attempted between (1) and (3) is refused, so its request reads again and, once (3)
 * is done, follows the marker.
 *
 * <p>The index of sessions by principal is one hash per principal, {@code
 * <prefix>principals:{<principal>}}, mapping each session ID to the time it was indexed in epoch
 * milliseconds ({@code HSETNX} adds, {@code HDEL} removes). The braces make the principal the key's
 * hash tag, so that whatever else is kept per principal can share its cluster slot. Adding an entry
 * also prunes the principal's entries whose session is gone (a bounded number of them, see {@link
 * #index}), so a principal nobody lists does not collect an entry per session forever. Listing
 * reads the hash and the sessions it names with scripts of about {@value #LIST_CHUNK} sessions each
 * on one server or through Sentinels: one round trip up to {@value #LIST_CHUNK} sessions of one
 * principal, one more per further {@value #LIST_CHUNK}. On a cluster the sessions live in other
 * slots, which no script may reach, so listing takes two rounds: the hash, then every session at
 * once, each command sent to its own node.
 *
 * <p>Expired sessions are reported from a ledger, the sorted set {@code <prefix>expiring}, whose
 * members are the IDs of sessions stored with an expiry, each scored by the time it is due to be
 * looked at (epoch milliseconds). A write with an expiry puts its session there no later than that
 * expiry: added when it is not there (new, or stored without one before), moved when due later (an
 * idle timeout shortened), left when due sooner (reads and most writes push the expiry, and a claim
 * follows it); a replace adds the new ID. {@link #retire}, {@link #replace} and {@link #delete}
 * remove the ended ID when its session was stored; one already gone had expired, keeps its member
 * and is claimed as expired. {@link #claimExpired} takes the members that are due and looks at each
 * session: one still stored is rescored at its real expiry ({@code PTTL}); one gone expired, and is
 * claimed by one caller, for a lease: its member is rescored at the end of {@link #CLAIM_LEASE},
 * hidden from other claims until then and claimed again after it unless {@link #acknowledgeExpired}
 * removed it once the listeners were told. A claim whose answer never arrived (a timeout while
 * Redis ran it, Lettuce sending it again after a reconnect, a crash) thus loses nothing: each
 * expired session is reported at least once. On one server or through Sentinels, the ledger is
 * updated inside the script that writes the session, and a claim is one script. On a cluster the
 * ledger lives in one slot and the sessions in all the others, so its update is a command of its
 * own sent after the session's script succeeded: one more round trip for a write that adds a
 * session to the ledger (a new session with an expiry) or brings its expiry forward, a replace and
 * a retire; none for any other write or any read. A failure between the two costs the report of
 * that session's expiry (or its timeliness), or, after a retire, reports the ended session as
 * expired. There a claim takes three round trips per batch.
 *
 * <p>With {@code replicas-to-ack} every commit ends with {@code WAIT}, sent right behind its script
 * on the same connection in the same socket write, and fails when too few replicas confirmed it.
 * The write itself stays: Redis cannot take it back.
 *
 * <p>While Redis is unreachable, commands fail at once instead of queueing, and every command has a
 * timeout: a request never hangs on a dead store. Reconnection attempts back off exponentially from
 * a millisecond but never wait more than {@link RedisConnections#MAX_RECONNECT_DELAY}: a server
 * that comes back is used again within about a second, however long it was away. Through Sentinels,
 * each attempt asks them for the current primary, so a fail-over needs no restart.
 *
 * <p>Commands that request threads send while the connection's event loop is busy leave in one
 * socket write instead of one each: with many threads on one connection, a write per command costs
 * the client more CPU than Redis spends running the command. For the same reason blobs cross the
 * connection as bytes, converted to and from text on the request's own thread: the one event loop
 * serves every request, so work moved off it is work no longer queued behind.
 *
 * <p>Needs Redis 6.2 or newer ({@code GETEX}, {@code SET ... PXAT}); start-up checks.
 */
final class RedisDriver implements SessionDriver {
  private static final System.Logger LOG = System.getLogger("dev.satchel.redis");

  /** The longest wait between two attempts to reconnect. */
  static final Duration MAX_RECONNECT_DELAY = RedisConnections.MAX_RECONNECT_DELAY;

  /**
   * How much older than a new index entry an entry must be before adding the new one may prune it
   * when its session is gone: the core's {@code SessionStore.INDEX_GRACE}, for the same reason. An
   * entry is added just before its session's first write, so a younger entry without a session may
   * be one whose session is about to be written.
   */
  static final Duration PRUNE_GRACE = Duration.ofMinutes(1);

  /**
   * How many entries of a principal's hash adding an entry checks at most: all of them up to this
   * many, otherwise this many picked at random ({@code HRANDFIELD}). A log-in thus costs Redis at
   * most this many {@code EXISTS}, however many entries the principal has; the dead entries left
   * over are found by later log-ins, which leave about one dead entry per this many live ones.
   */
  static final int PRUNE_LIMIT = 500;

  /**
   * How many sessions one listing script reads: a principal with up to this many is listed in one
   * round trip, and each further this many (about: a page of {@code HSCAN}) cost one more, each a
   * short script.
   */
  static final int LIST_CHUNK = 500;

  /**
   * How long a claimed session stays hidden from other claims unless acknowledged: its member is
   * due again then, so a claim whose answer was lost (a timeout while the script ran, a resend
   * after a reconnect, a crash before the listeners were told) is made again.
   */
  static final Duration CLAIM_LEASE = Duration.ofMinutes(2);

  /**
   * How many ledger members one claim looks at, at most, per ID it may claim: members of sessions
   * still live or ended cost a look each without being claimed, and this bounds the work of a call
   * (and of a script, which holds Redis while it runs).
   */
  static final int CLAIM_LOOKS_PER_ID = 4;

  /** What a cluster replace's lock holds before the new ID; never a valid {@link Retirement}. */
  static final String MOVING = "moving ";

  /** The name of the ledger of expiring sessions, after the key prefix. */
  static final String LEDGER = "expiring";

  /** A script and the SHA-1 the server knows it by once loaded. */
  record Script(String source, String sha) {}

  private static final byte[] NONE = new byte[0];

  /** Starts the version of a value that is not UTF-8: the rest is its bytes as Latin-1. */
  private static final String RAW_VERSION = "\u0000raw:";

  /** What a key of another type reads as: not a session, so the core replaces it. */
  private static final String WRONG_TYPE = "\u0000not a string";

  /**
   * A key of another type (another program's) as a blob: no session reads from it, so it is handed
   * up as data that cannot be read, which replaces the session and removes the key.
   */
  private static final StoredBlob NOT_A_STRING = new StoredBlob(WRONG_TYPE, WRONG_TYPE);

  private static final byte[] ALREADY_EXPIRED = {'0'};

  /** The cursor of a listing's first page, and of none after its last. */
  private static final byte[] FIRST_PAGE = {'0'};

  private static final byte[] ABSENT = {'1'};
  private static final byte[] PRESENT = {'0'};

  private final RedisConnections connections;

  /** Watches the servers' eviction policy across reconnections. */
  private final RedisEviction eviction;

  private final RedisSettings settings;
  private final long timeoutNanos;
  private final String prefix;

  /** The ledger of sessions stored with an expiry: a sorted set of IDs scored by their expiry. */
  private final String ledger;

  private final Clock clock;
  private final boolean cluster;
  private final int replicasToAck;
  private final AcknowledgedCalls acknowledged;

  /** How long a cluster replace's lock lives: longer than its two remaining steps may take. */
  private final long lockMillis;

  private final Script compareAndSetScript;
  private final Script replaceScript;
  private final Script retireScript;
  private final Script moveBeginScript;
  private final Script moveWriteScript;
  private final Script moveEndScript;
  private final Script deleteIfHoldsScript;
  private final Script deleteIfUnchangedScript;
  private final Script indexScript;
  private final Script indexedScript;
  private final Script claimScript;
  private final Script settleScript;

  /** How long a claim hides the sessions it claimed, in milliseconds. */
  private final long claimLeaseMillis;

  private RedisDriver(
      RedisConnections connections,
      RedisEviction eviction,
      RedisSettings settings,
      Clock clock,
      Duration claimLease) {
    this.connections = connections;
    this.eviction = eviction;
    this.settings = settings;
    this.timeoutNanos = settings.timeout().toNanos();
    this.prefix = settings.prefix();
    this.ledger = prefix + LEDGER;
    this.clock = clock;
    this.cluster = connections.isCluster();
    this.replicasToAck = settings.replicasToAck();
    this.acknowledged = new AcknowledgedCalls(connections, settings);
    this.lockMillis = 3 * settings.timeout().toMillis();
    this.claimLeaseMillis = claimLease.toMillis();
    this.compareAndSetScript = load(RedisScripts.COMPARE_AND_SET);
    this.replaceScript = load(RedisScripts.REPLACE);
    this.retireScript = load(RedisScripts.RETIRE);
    this.deleteIfUnchangedScript = load(RedisScripts.DELETE_IF_UNCHANGED);
    if (cluster) {
      this.moveBeginScript = load(RedisScripts.MOVE_BEGIN);
      this.moveWriteScript = load(RedisScripts.MOVE_WRITE);
      this.moveEndScript = load(RedisScripts.MOVE_END);
      this.deleteIfHoldsScript = load(RedisScripts.DELETE_IF_HOLDS);
      this.indexScript = null;
      this.indexedScript = null;
      this.claimScript = null;
      this.settleScript = load(RedisScripts.SETTLE);
    } else {
      this.moveBeginScript = null;
      this.moveWriteScript = null;
      this.moveEndScript = null;
      this.deleteIfHoldsScript = null;
      this.indexScript = load(RedisScripts.INDEX);
      this.indexedScript = load(RedisScripts.INDEXED);
      this.claimScript = load(RedisScripts.CLAIM);
      this.settleScript = null;
    }
  }

  private Script load(String source) {
    return new Script(source, await(redis().scriptLoad(source)));
  }

  /** The commands of the shared connection, which a Sentinel fail-over may replace. */
  private RedisClusterAsyncCommands<String, byte[]> redis() {
    return connections.commands();
  }

  /**
   * Waits for a command as Lettuce's blocking API does, failing after the timeout, without that
   * API's reflective proxy in the way of every call.
   */
  private <T> T await(RedisFuture<T> command) {
    return LettuceFutures.awaitOrCancel(command, timeoutNanos, TimeUnit.NANOSECONDS);
  }

  static RedisDriver connect(
      String url, String prefix, Duration timeout, Duration connectTimeout, Clock clock) {
    return connect(RedisSettings.of(url, prefix, timeout, connectTimeout), clock);
  }

  static RedisDriver connect(RedisSettings settings, Clock clock) {
    return connect(settings, clock, CLAIM_LEASE);
  }

  /** Connects with claims leased for {@code claimLease}: tests shorten it. */
  static RedisDriver connect(RedisSettings settings, Clock clock, Duration claimLease) {
    RedisAddress address = settings.address();
    if (address.kind() == RedisAddress.Kind.CLUSTER
        && (settings.prefix().contains("{") || settings.prefix().contains("}"))) {
      throw new IllegalArgumentException(
          "the key prefix \""
              + settings.prefix()
              + "\" contains a brace: on a Redis Cluster that makes a hash tag, and a session's"
              + " key and its retirement marker would land in different slots");
    }
    RedisConnections connections;
    String info;
    try {
      connections = RedisConnections.open(settings);
    } catch (RuntimeException e) {
      throw new IllegalStateException(RedisStartupChecks.unreachable(settings, e), e);
    }
    try {
      info =
          RedisStartupChecks.serverInfo(
              connections.commands(), settings.timeout(), address.description());
    } catch (RuntimeException e) {
      connections.close();
      throw new IllegalStateException(RedisStartupChecks.unreachable(settings, e), e);
    }
    RedisEviction eviction;
    try {
      RedisStartupChecks.requireSupportedVersion(info, address.where());
      RedisStartupChecks.requireMatchingMode(info, address);
      eviction = RedisEviction.check(connections, settings);
    } catch (RuntimeException e) {
      connections.close();
      throw e;
    }
    if (settings.replicasToAck() > 0 && address.kind() != RedisAddress.Kind.CLUSTER) {
      RedisStartupChecks.warnIfTooFewReplicas(connections, settings);
    }
    try {
      return new RedisDriver(connections, eviction, settings, clock, claimLease);
    } catch (RuntimeException e) {
      eviction.close();
      connections.close();
      throw new IllegalStateException(
          "cannot load the session scripts into "
              + address.description()
              + ": "
              + RedisStartupChecks.rootMessage(e),
          e);
    }
  }

  /** The client's resources, which hold the reconnection delay. */
  ClientResources clientResources() {
    return connections.resources();
  }

  private String key(String id) {
    return prefix + id;
  }

  private String markerKey(String id) {
    return "{" + prefix + id + "}:retired";
  }

  /**
   * The hash of a principal's sessions, {@code <prefix>principals:{<principal>}}: one key per
   * principal, whatever its text, since the principal is all that follows the first brace (the
   * prefix has none on a cluster). With a closing brace in the principal, the hash tag is the part
   * before it, and the key still has one slot. A principal that is not well-formed UTF-16 (a lone
   * surrogate) would reach Redis with {@code ?} in its place, sharing the key of the name spelled
   * so: such a principal's hash is {@code <prefix>principals-utf16:{<its chars in hex>}} instead.
   */
  private String principalKey(String principal) {
    if (isWellFormed(principal)) {
      return prefix + "principals:{" + principal + "}";
    }
    StringBuilder hex = new StringBuilder(principal.length() * 4);
    for (int i = 0; i < principal.length(); i++) {
      hex.append(HexFormat.of().toHexDigits(principal.charAt(i)));
    }
    return prefix + "principals-utf16:{" + hex + "}";
  }

  /** Whether every surrogate in {@code text} is half of a pair. */
  private static boolean isWellFormed(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    RedisClusterAsyncCommands<String, byte[]> redis = redis();
    return storedOrNull(
        idleTimeout == null
            ? redis.get(key(id))
            : redis.getex(key(id), GetExArgs.Builder.px(idleTimeout.toMillis())));
  }

  /** What a {@code GET} of a session key answered, as a blob; {@code null} for no key. */
  private StoredBlob storedOrNull(RedisFuture<byte[]> read) {
    byte[] blob;
    try {
      blob = await(read);
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("WRONGTYPE")) {
        return NOT_A_STRING;
      }
      throw e;
    }
    return blob == null ? null : stored(blob);
  }

  /**
   * A stored value as text. Bytes that are not UTF-8 (written by another program) read with U+FFFD
   * in their place, and their version keeps the bytes themselves, so that a write expecting it
   * still matches the server's value.
   */
  private static StoredBlob stored(byte[] bytes) {
    String text = new String(bytes, StandardCharsets.UTF_8);
    if (text.indexOf('\uFFFD') >= 0
        && !Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
      return new StoredBlob(text, RAW_VERSION + new String(bytes, StandardCharsets.ISO_8859_1));
    }
    return StoredBlob.ofContent(text);
  }

  /** The bytes a version stands for. */
  private static byte[] versionBytes(String version) {
    if (version != null && version.startsWith(RAW_VERSION)) {
      return version.substring(RAW_VERSION.length()).getBytes(StandardCharsets.ISO_8859_1);
    }
    return utf8(version);
  }

  /**
   * The keys of a script that also updates the ledger: those given, then the ledger, except on a
   * cluster, where the ledger is in a slot of its own and is updated by the caller afterwards.
   */
  private String[] withLedger(String... keys) {
    if (cluster) {
      return keys;
    }
    String[] all = Arrays.copyOf(keys, keys.length + 1);
    all[keys.length] = ledger;
    return all;
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    byte[] expiry = expiry(expiresAt);
    long written =
        run(
            compareAndSetScript,
            true,
            withLedger(key(id), markerKey(id)),
            expectedVersion == null ? ABSENT : PRESENT,
            versionBytes(expectedVersion),
            utf8(blob),
            expiry,
            utf8(id),
            ascii(clock.millis()));
    if (written == 2L) {
      updateLedger(null, id, expiry);
    } else if (written == 3L) {
      bringForward(id, expiry);
    }
    return written >= 1L;
  }

  @Override
  public boolean replace(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      Instant expiresAt,
      Retirement retirement,
      Instant markerExpiresAt) {
    if (cluster && SlotHash.getSlot(key(replacedId)) != SlotHash.getSlot(key(id))) {
      return replaceAcrossSlots(
          replacedId, replacedVersion, id, blob, expiresAt, retirement, markerExpiresAt);
    }
    byte[] expiry = expiry(expiresAt);
    boolean replaced =
        run(
                replaceScript,
                true,
                withLedger(key(replacedId), markerKey(replacedId), key(id), markerKey(id)),
                replacedVersion == null ? ABSENT : PRESENT,
                versionBytes(replacedVersion),
                utf8(blob),
                expiry,
                utf8(retirement.encode()),
                expiry(markerExpiresAt),
                utf8(replacedId),
                utf8(id))
            == 1L;
    if (replaced && cluster) {
      // The replaced session was stored exactly when a version of it was expected.
      updateLedger(replacedVersion == null ? null : replacedId, id, expiry);
    }
    return replaced;
  }

  /** A replace in three steps, as the class describes. */
  private boolean replaceAcrossSlots(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      Instant expiresAt,
      Retirement retirement,
      Instant markerExpiresAt) {
    String[] old = {key(replacedId), markerKey(replacedId)};
    byte[] mustBeAbsent = replacedVersion == null ? ABSENT : PRESENT;
    byte[] expected = versionBytes(replacedVersion);
    byte[] lock = utf8(MOVING + id);
    // The lock needs no replica's confirmation: lost in a fail-over, it makes step 3 fail.
    if (run(
            moveBeginScript,
            false,
            old,
            mustBeAbsent,
            expected,
            lock,
            Long.toString(lockMillis).getBytes(StandardCharsets.US_ASCII))
        != 1L) {
      return false;
    }
    String newKey = key(id);
    byte[] newBlob = utf8(blob);
    byte[] expiry = expiry(expiresAt);
    long written;
    try {
      written = run(moveWriteScript, true, new String[] {newKey, markerKey(id)}, newBlob, expiry);
    } catch (RuntimeException e) {
      undo(newKey, newBlob, e);
      undo(old[1], lock, e);
      throw e;
    }
    if (written != 1L) {
      undo(old[1], lock, null);
      return false;
    }
    // Whatever happens to this step is left as it is: done, the new session is what the marker
    // points to; not done, the lock expires and the new session is an orphan.
    long moved =
        run(
            moveEndScript,
            true,
            old,
            mustBeAbsent,
            expected,
            lock,
            utf8(retirement.encode()),
            expiry(markerExpiresAt));
    if (moved != 1L) {
      // The lock expired or a retire replaced it, or the old session changed behind Satchel's back.
      undo(newKey, newBlob, null);
      undo(old[1], lock, null);
      return false;
    }
    updateLedger(replacedVersion == null ? null : replacedId, id, expiry);
    return true;
  }

  /**
   * A cluster's ledger update, after the session step it follows succeeded: removes {@code
   * replacedId} and adds {@code id} when {@code expiry} is one, both at once (either may be {@code
   * null}). A failure is only logged: the session step stands, and all it costs is the report of
   * this session's expiry, or a report of a session that ended.
   */
  private void updateLedger(String replacedId, String id, byte[] expiry) {
    RedisClusterAsyncCommands<String, byte[]> redis = redis();
    RedisFuture<Long> removed = replacedId == null ? null : redis.zrem(ledger, utf8(replacedId));
    RedisFuture<Long> added =
        id == null || !expires(expiry)
            ? null
            : redis.zadd(
                ledger, Long.parseLong(new String(expiry, StandardCharsets.US_ASCII)), utf8(id));
    try {
      if (removed != null) {
        await(removed);
      }
      if (added != null) {
        await(added);
      }
    } catch (RuntimeException e) {
      LOG.log(
          Level.DEBUG,
          "Could not update the ledger of expiring sessions ("
              + e.getMessage()
              + "); a session's expiry may go unreported.");
    }
  }

  /**
   * A cluster's ledger update after a write that brought a session's expiry forward: moves its
   * member to the new expiry if it is there and due later. A failure is only logged: the expiry is
   * then reported at the time the member had, later.
   */
  private void bringForward(String id, byte[] expiry) {
    try {
      await(
          redis()
              .zadd(
                  ledger,
                  ZAddArgs.Builder.xx().lt(),
                  Long.parseLong(new String(expiry, StandardCharsets.US_ASCII)),
                  utf8(id)));
    } catch (RuntimeException e) {
      LOG.log(
          Level.DEBUG,
          "Could not update the ledger of expiring sessions ("
              + e.getMessage()
              + "); a session's expiry may be reported late.");
    }
  }

  /** Whether an {@link #expiry} is a time to come: neither none nor already passed. */
  private static boolean expires(byte[] expiry) {
    return expiry.length > 0 && !Arrays.equals(expiry, ALREADY_EXPIRED);
  }

  /** Removes {@code key} if it still holds {@code value}; a failure is added to {@code failure}. */
  private void undo(String key, byte[] value, RuntimeException failure) {
    try {
      run(deleteIfHoldsScript, false, new String[] {key}, value);
    } catch (RuntimeException e) {
      if (failure != null) {
        failure.addSuppressed(e);
      } else {
        LOG.log(
            Level.DEBUG,
            "Could not undo a step of a session replace (" + e.getMessage() + "); it expires.");
      }
    }
  }

  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    List<Object> answer =
        call(
            retireScript,
            ScriptOutputType.MULTI,
            true,
            withLedger(key(id), markerKey(id)),
            utf8(retirement.encode()),
            expiry(markerExpiresAt),
            utf8(id));
    boolean live = answer.get(0) instanceof Long deleted && deleted == 1L;
    if (cluster && live) {
      updateLedger(id, null, null);
    }
    return decodeMarker(answer.size() > 1 ? (byte[]) answer.get(1) : null);
  }

  @Override
  public Retirement retirement(String id) {
    return decodeMarker(await(redis().get(markerKey(id))));
  }

  private static Retirement decodeMarker(byte[] marker) {
    if (marker == null) {
      return null;
    }
    String text = new String(marker, StandardCharsets.UTF_8);
    if (text.startsWith(MOVING)) {
      // A cluster replace is under way and the session is still where it was.
      return null;
    }
    try {
      return Retirement.decode(text);
    } catch (IllegalArgumentException e) {
      // The ID stays retired for writes (the marker is there); only where it went is unknown.
      LOG.log(
          Level.WARNING,
          "A retirement marker in Redis could not be read (" + e.getMessage() + "); ignoring it.");
      return null;
    }
  }

  /**
   * Removes the session, then, when it was stored, its ledger member: one already gone expired, and
   * stays to be claimed as such. Two round trips when it was stored, one otherwise.
   */
  @Override
  public void delete(String id) {
    if (orZero(await(redis().del(key(id)))) > 0) {
      await(redis().zrem(ledger, utf8(id)));
    }
  }

  /**
   * Removes the session if it still holds the bytes of {@code version}, and its ledger member with
   * it, in one script; on a cluster the member goes in a second round trip, as for {@link #delete}.
   * A key of another type that was read as one ({@link #NOT_A_STRING}) goes if it still is one.
   */
  @Override
  public boolean deleteIfUnchanged(String id, String version) {
    boolean notAString = WRONG_TYPE.equals(version);
    boolean removed =
        run(
                deleteIfUnchangedScript,
                false,
                withLedger(key(id)),
                notAString ? NONE : versionBytes(version),
                notAString ? ABSENT : PRESENT,
                utf8(id))
            == 1L;
    if (removed && cluster) {
      await(redis().zrem(ledger, utf8(id)));
    }
    return removed;
  }

  // ---------------------------------------------------------------------------- expiry

  @Override
  public boolean reportsExpiry() {
    return true;
  }

  /**
   * Claims expired sessions from the ledger, as {@link RedisScripts#CLAIM} describes, looking at no
   * more than {@value #CLAIM_LOOKS_PER_ID} members per ID it may claim, and leasing each claimed
   * one for {@link #CLAIM_LEASE}. One round trip on one server or through Sentinels. On a cluster,
   * where the sessions live in other slots than the ledger, three per batch: the due members with
   * their scores; then every session's {@code PTTL} at once, each sent to its own node; then one
   * {@link RedisScripts#SETTLE} script on the ledger, which claims each expired session for the one
   * instance that still finds it scored as it saw it. A failure after some sessions were claimed
   * returns those; the members it left unsettled are due still, and the next call looks at them
   * again.
   */
  @Override
  public List<String> claimExpired(Instant now, int max) {
    if (max <= 0) {
      return List.of();
    }
    long at = now.toEpochMilli();
    byte[] leaseEnd = ascii(saturatedSum(at, claimLeaseMillis));
    if (!cluster) {
      List<Object> answer =
          call(
              claimScript,
              ScriptOutputType.MULTI,
              false,
              new String[] {ledger},
              ascii(at),
              ascii(max),
              utf8(prefix),
              ascii((long) CLAIM_LOOKS_PER_ID * max),
              leaseEnd);
      return sessionIds(answer);
    }
    List<String> claimed = new ArrayList<>();
    try {
      long looks = (long) CLAIM_LOOKS_PER_ID * max;
      while (claimed.size() < max && looks > 0) {
        int batch = (int) Math.min(max - claimed.size(), looks);
        List<ScoredValue<byte[]>> due =
            await(
                redis()
                    .zrangebyscoreWithScores(
                        ledger,
                        Range.from(Range.Boundary.unbounded(), Range.Boundary.including(at)),
                        Limit.create(0, batch)));
        if (due.isEmpty()) {
          break;
        }
        looks -= due.size();
        claimed.addAll(settleAcrossSlots(due, at, leaseEnd));
      }
    } catch (RuntimeException e) {
      if (claimed.isEmpty()) {
        throw e;
      }
      LOG.log(
          Level.DEBUG,
          "Looking for expired sessions stopped after "
              + claimed.size()
              + " were claimed ("
              + e.getMessage()
              + ").");
    }
    return claimed;
  }

  /**
   * The session IDs among the members a claim answered. A member that is no session ID (another
   * program's) is dropped from the ledger at once, rather than leased again and again.
   */
  private List<String> sessionIds(List<Object> members) {
    List<String> claimed = new ArrayList<>(members.size());
    List<byte[]> foreign = new ArrayList<>();
    for (Object member : members) {
      String text = new String((byte[]) member, StandardCharsets.UTF_8);
      if (SessionIds.isValid(text)) {
        claimed.add(text);
      } else {
        foreign.add((byte[]) member);
      }
    }
    if (!foreign.isEmpty()) {
      try {
        await(redis().zrem(ledger, foreign.toArray(byte[][]::new)));
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "Could not drop members that are no session ID from the ledger.");
      }
    }
    return claimed;
  }

  /** A cluster's claim of the due ledger {@code members}: the two rounds after the first. */
  private List<String> settleAcrossSlots(
      List<ScoredValue<byte[]>> members, long at, byte[] leaseEnd) {
    RedisClusterAsyncCommands<String, byte[]> redis = redis();
    List<RedisFuture<Long>> ttls = new ArrayList<>(members.size());
    for (ScoredValue<byte[]> member : members) {
      ttls.add(redis.pttl(key(new String(member.getValue(), StandardCharsets.UTF_8))));
    }
    List<byte[]> arguments = new ArrayList<>(4 * members.size());
    for (int i = 0; i < members.size(); i++) {
      long ttl = orZero(await(ttls.get(i)));
      ScoredValue<byte[]> member = members.get(i);
      byte[] newScore;
      String action;
      if (ttl >= 0) {
        action = "m";
        newScore = ascii(saturatedSum(at, ttl));
      } else if (ttl == -1) {
        action = "r";
        newScore = NONE;
      } else {
        action = "c";
        newScore = leaseEnd;
      }
      arguments.add(utf8(action));
      arguments.add(member.getValue());
      // Its shortest exact decimal, which Lua reads back as the same double.
      arguments.add(utf8(Double.toString(member.getScore())));
      arguments.add(newScore);
    }
    List<Object> claimed =
        call(
            settleScript,
            ScriptOutputType.MULTI,
            false,
            new String[] {ledger},
            arguments.toArray(byte[][]::new));
    return sessionIds(claimed);
  }

  /** Removes the claimed sessions' members from the ledger: one {@code ZREM}. */
  @Override
  public void acknowledgeExpired(List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    byte[][] members = new byte[ids.size()][];
    for (int i = 0; i < members.length; i++) {
      members[i] = utf8(ids.get(i));
    }
    await(redis().zrem(ledger, members));
  }

  private static long saturatedSum(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : sum;
  }

  /**
   * How many sessions are stored with an expiry: the size of the ledger ({@code ZCARD}), one small
   * call. Sessions stored without an expiry are not counted, and sessions that expired since the
   * last claim still are.
   */
  @Override
  public OptionalLong countSessions() {
    return OptionalLong.of(orZero(await(redis().zcard(ledger))));
  }

  // ---------------------------------------------------------------------------- principals

  @Override
  public boolean indexesPrincipals() {
    return true;
  }

  /**
   * Adds the entry, and prunes the principal's entries whose session is gone and that are more than
   * {@link #PRUNE_GRACE} older than this one, checking at most {@link #PRUNE_LIMIT} of them (see
   * there): without it, a principal who is never listed would keep an entry for every session it
   * ever had. One round trip on one server or through Sentinels (the {@link RedisScripts#INDEX}
   * script). On a cluster, whose session keys live in other slots than the principal's hash, up to
   * three, paid only when a session gains an ID under a principal (a log-in, a new ID): {@code
   * HSETNX} and {@code HRANDFIELD} of the hash together, then {@code EXISTS} of every session old
   * enough to prune at once, then one {@code HDEL} of those gone. There, pruning is done as well as
   * it can be: a node that cannot be reached keeps its sessions' entries, and the entry is added
   * anyway.
   */
  @Override
  public void index(String principal, String id, Instant indexedAt) {
    String key = principalKey(principal);
    long at = indexedAt.toEpochMilli();
    long before = at - PRUNE_GRACE.toMillis();
    if (!cluster) {
      run(
          indexScript,
          false,
          new String[] {key},
          utf8(id),
          ascii(at),
          utf8(prefix),
          ascii(before),
          ascii(PRUNE_LIMIT));
      return;
    }
    RedisClusterAsyncCommands<String, byte[]> redis = redis();
    RedisFuture<Boolean> added = redis.hsetnx(key, id, ascii(at));
    RedisFuture<List<KeyValue<String, byte[]>>> sample =
        redis.hrandfieldWithvalues(key, PRUNE_LIMIT);
    await(added);
    try {
      pruneAcrossSlots(redis, key, id, await(sample), before);
    } catch (RuntimeException e) {
      LOG.log(
          Level.DEBUG,
          "Could not prune the index of sessions by principal (" + e.getMessage() + ").");
    }
  }

  /** The cluster's pruning: {@code EXISTS} of the old entries' sessions, one {@code HDEL}. */
  private void pruneAcrossSlots(
      RedisClusterAsyncCommands<String, byte[]> redis,
      String key,
      String id,
      List<KeyValue<String, byte[]>> entries,
      long before) {
    List<String> old = new ArrayList<>();
    List<RedisFuture<Long>> exists = new ArrayList<>();
    for (KeyValue<String, byte[]> entry : entries) {
      if (entry.hasValue()
          && !entry.getKey().equals(id)
          && indexedAtMillis(entry.getValue()) < before) {
        old.add(entry.getKey());
        exists.add(redis.exists(key(entry.getKey())));
      }
    }
    List<String> dead = new ArrayList<>();
    for (int i = 0; i < old.size(); i++) {
      Long found;
      try {
        found = await(exists.get(i));
      } catch (RuntimeException e) {
        // Its node is out of reach: the entry stays, for a later log-in or listing.
        continue;
      }
      if (found != null && found == 0) {
        dead.add(old.get(i));
      }
    }
    if (!dead.isEmpty()) {
      await(redis.hdel(key, dead.toArray(String[]::new)));
    }
  }

  @Override
  public void unindex(String principal, String id) {
    // Redis removes the hash with its last field.
    await(redis().hdel(principalKey(principal), id));
  }

  /**
   * The sessions indexed under {@code principal}, by time of indexing, read with {@code GET} and
   * {@code PTTL}, which refresh no expiry. On one server or through Sentinels, one round trip up to
   * {@value #LIST_CHUNK} sessions of one principal, and one more per further {@value #LIST_CHUNK}:
   * each {@link RedisScripts#INDEXED} script reads one page of the hash and its sessions, so that
   * none holds Redis for long however many sessions a principal has. Two round trips on a cluster,
   * whose session keys live in other slots than the principal's hash: the hash, then all the
   * sessions at once, each command short and sent to its own node.
   */
  @Override
  public List<IndexedSession> indexed(String principal) {
    String key = principalKey(principal);
    // Expiries are reckoned from before the request: never later than Redis's own.
    long sentAt = clock.millis();
    List<IndexedSession> found =
        cluster ? indexedAcrossSlots(key, sentAt) : indexedByScript(key, sentAt);
    found.sort(Comparator.comparing(IndexedSession::indexedAt).thenComparing(IndexedSession::id));
    return found;
  }

  /**
   * Lists with {@link RedisScripts#INDEXED}, a page at a time until its cursor comes back to 0. An
   * entry that {@code HSCAN} returns twice (the hash was resized between two pages) is listed once.
   */
  @SuppressWarnings("unchecked")
  private List<IndexedSession> indexedByScript(String key, long firstSentAt) {
    byte[] prefixBytes = utf8(prefix);
    byte[] chunk = ascii(LIST_CHUNK);
    List<IndexedSession> found = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    byte[] cursor = FIRST_PAGE;
    long sentAt = firstSentAt;
    do {
      List<Object> answer =
          call(
              indexedScript,
              ScriptOutputType.MULTI,
              false,
              new String[] {key},
              prefixBytes,
              chunk,
              cursor);
      cursor = (byte[]) answer.get(0);
      List<Object> page = (List<Object>) answer.get(1);
      for (int i = 0; i + 4 < page.size(); i += 5) {
        String id = new String((byte[]) page.get(i), StandardCharsets.UTF_8);
        if (!SessionIds.isValid(id) || !seen.add(id)) {
          continue;
        }
        long kind = (Long) page.get(i + 2);
        StoredBlob blob =
            kind == 1 ? stored((byte[]) page.get(i + 3)) : kind == 2 ? NOT_A_STRING : null;
        found.add(
            indexedSession(id, (byte[]) page.get(i + 1), blob, (Long) page.get(i + 4), sentAt));
      }
      sentAt = clock.millis();
    } while (!Arrays.equals(cursor, FIRST_PAGE));
    return found;
  }

  /**
   * A cluster's listing: {@code HGETALL} of the hash, then a {@code GET} and a {@code PTTL} of
   * every session, all sent before any answer is awaited, each to the node of its slot.
   */
  private List<IndexedSession> indexedAcrossSlots(String key, long sentAt) {
    Map<String, byte[]> entries = await(redis().hgetall(key));
    RedisClusterAsyncCommands<String, byte[]> redis = redis();
    List<String> ids = new ArrayList<>(entries.size());
    List<RedisFuture<byte[]>> blobs = new ArrayList<>(entries.size());
    List<RedisFuture<Long>> ttls = new ArrayList<>(entries.size());
    for (String id : entries.keySet()) {
      if (SessionIds.isValid(id)) {
        ids.add(id);
        blobs.add(redis.get(key(id)));
        ttls.add(redis.pttl(key(id)));
      }
    }
    List<IndexedSession> found = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      String id = ids.get(i);
      StoredBlob blob = storedOrNull(blobs.get(i));
      found.add(indexedSession(id, entries.get(id), blob, await(ttls.get(i)), sentAt));
    }
    return found;
  }

  /**
   * A time of indexing in epoch milliseconds; one that is not a number (another program's) is 0.
   */
  private static long indexedAtMillis(byte[] indexedAt) {
    try {
      return Long.parseLong(new String(indexedAt, StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static byte[] ascii(long value) {
    return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * An index entry. A time of indexing that is not a number (another program's) reads as the epoch.
   * A key that expired between its {@code GET} and its {@code PTTL} (on a cluster, where the two
   * are separate commands) is a session no longer stored.
   */
  private static IndexedSession indexedSession(
      String id, byte[] indexedAt, StoredBlob blob, Long ttl, long sentAt) {
    Instant indexed = Instant.ofEpochMilli(indexedAtMillis(indexedAt));
    if (blob == null || ttl == null || ttl == -2) {
      return new IndexedSession(id, indexed, null, null);
    }
    return new IndexedSession(
        id, indexed, blob, ttl < 0 ? null : Instant.ofEpochMilli(sentAt + ttl));
  }

  /** Runs a script that answers 1 when it did what it was asked, and returns its answer. */
  private long run(Script script, boolean commits, String[] keys, byte[]... arguments) {
    Long result = call(script, ScriptOutputType.INTEGER, commits, keys, arguments);
    return result == null ? 0 : result;
  }

  /**
   * Runs a script by its SHA-1, or by its text when the server has forgotten it, and returns what
   * it returned. With {@code replicas-to-ack}, a script that {@code commits} is followed by {@code
   * WAIT}. On a cluster, a slot in the middle of a migration may answer {@code TRYAGAIN}: the
   * script did not run, and runs again shortly, until the timeout.
   */
  private <T> T call(
      Script script, ScriptOutputType output, boolean commits, String[] keys, byte[]... arguments) {
    if (commits && replicasToAck > 0) {
      return acknowledged.call(script, output, keys, arguments);
    }
    long deadline = 0;
    for (int attempt = 1; ; attempt++) {
      try {
        return callOnce(script, output, keys, arguments);
      } catch (RedisCommandExecutionException e) {
        if (deadline == 0) {
          deadline = System.nanoTime() + timeoutNanos;
        }
        if (!cluster
            || !AcknowledgedCalls.isTryAgain(e)
            || !AcknowledgedCalls.pause(attempt, deadline)) {
          throw e;
        }
      }
    }
  }

  private <T> T callOnce(
      Script script, ScriptOutputType output, String[] keys, byte[][] arguments) {
    RedisClusterAsyncCommands<String, byte[]> redis = redis();
    try {
      return await(redis.evalsha(script.sha(), output, keys, arguments));
    } catch (RedisNoScriptException e) {
      // The server lost its script cache (a restart, SCRIPT FLUSH, a promoted replica).
      return await(redis.eval(script.source(), output, keys, arguments));
    }
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static byte[] utf8(String text) {
    return text == null ? NONE : text.getBytes(StandardCharsets.UTF_8);
  }

  private byte[] expiry(Instant expiresAt) {
    if (expiresAt == null) {
      return NONE;
    }
    if (!expiresAt.isAfter(clock.instant())) {
      return ALREADY_EXPIRED;
    }
    return Long.toString(expiresAt.toEpochMilli()).getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() {
    eviction.close();
    connections.close();
  }
}
