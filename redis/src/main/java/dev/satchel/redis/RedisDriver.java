package dev.satchel.redis;

import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Sessions in Redis over one shared Lettuce connection, which reconnects by itself. A read is one
 * {@code GET} (or {@code GETEX} refreshing the idle timeout); a write is one compare-and-set
 * script. The version of a blob is the blob itself, compared on the server: cheaper than hashing it
 * on both sides, and a blob that comes back unchanged (an A-B-A write) is harmless, since the merge
 * it guards would produce the same result.
 *
 * <p>A retired session ID keeps its marker ({@link Retirement#encode()}) under {@code
 * {<prefix><id>}:retired}, expiring at the time the core gives. The braces make the live key the
 * marker's hash tag, so on a Redis Cluster both sit in one slot; a prefix containing braces defeats
 * that. Writes refuse an ID that has a marker; {@link #retire} and {@link #replace} remove the live
 * key and set the marker in one script, so no reader sees the session gone without its marker.
 * {@link #replace} touches two session IDs, whose keys are in different slots: a cluster would
 * refuse that script, and this driver speaks to a single server.
 *
 * <p>While the server is unreachable, commands fail at once instead of queueing, and every command
 * has a timeout: a request never hangs on a dead store. Reconnection attempts back off
 * exponentially from a millisecond but never wait more than {@link #MAX_RECONNECT_DELAY}: a server
 * that comes back is used again within about a second, however long it was away.
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
  static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

  /**
   * Lua the scripts share. A flag {@code "1"} means the key must be absent, whatever the version
   * beside it says: an empty string is a version like any other. An expiry is {@code ""} for none,
   * {@code "0"} for already passed (the key is removed), otherwise epoch milliseconds.
   */
  private static final String HELPERS =
      "local function holds(key, mustBeAbsent, version)\n"
          + "  local current = redis.call('GET', key)\n"
          + "  if mustBeAbsent == '1' then return not current end\n"
          + "  return current == version\n"
          + "end\n"
          + "local function put(key, value, expiry)\n"
          + "  if expiry == '' then\n"
          + "    redis.call('SET', key, value)\n"
          + "  elseif expiry == '0' then\n"
          + "    redis.call('DEL', key)\n"
          + "  else\n"
          + "    redis.call('SET', key, value, 'PXAT', expiry)\n"
          + "  end\n"
          + "end\n";

  /**
   * KEYS: the session, its marker. ARGV: must be absent, the expected blob, the new blob, the
   * expiry.
   */
  static final String COMPARE_AND_SET =
      HELPERS
          + "if not holds(KEYS[1], ARGV[1], ARGV[2]) then return 0 end\n"
          + "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end\n"
          + "put(KEYS[1], ARGV[3], ARGV[4])\n"
          + "return 1\n";

  /**
   * KEYS: the replaced session, its marker, the new session, its marker. ARGV: the replaced one
   * must be absent, its expected blob, the new blob, its expiry, the marker, the marker's expiry.
   */
  static final String REPLACE =
      HELPERS
          + "if not holds(KEYS[1], ARGV[1], ARGV[2]) then return 0 end\n"
          + "if redis.call('EXISTS', KEYS[3], KEYS[4]) > 0 then return 0 end\n"
          + "put(KEYS[3], ARGV[3], ARGV[4])\n"
          + "redis.call('DEL', KEYS[1])\n"
          + "put(KEYS[2], ARGV[5], ARGV[6])\n"
          + "return 1\n";

  /** KEYS: the session, its marker. ARGV: the marker, its expiry. */
  static final String RETIRE =
      HELPERS
          + "local previous = redis.call('GET', KEYS[2])\n"
          + "redis.call('DEL', KEYS[1])\n"
          + "put(KEYS[2], ARGV[1], ARGV[2])\n"
          + "return previous\n";

  /** A script and the SHA-1 the server knows it by once loaded. */
  private record Script(String source, String sha) {}

  /** Keys as text, values (blobs, script arguments) as bytes. */
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private static final byte[] NONE = new byte[0];

  /** Starts the version of a value that is not UTF-8: the rest is its bytes as Latin-1. */
  private static final String RAW_VERSION = "\u0000raw:";

  /** What a key of another type reads as: not a session, so the core replaces it. */
  private static final String WRONG_TYPE = "\u0000not a string";

  private static final byte[] ALREADY_EXPIRED = {'0'};
  private static final byte[] ABSENT = {'1'};
  private static final byte[] PRESENT = {'0'};

  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisAsyncCommands<String, byte[]> redis;
  private final long timeoutNanos;
  private final String prefix;
  private final Clock clock;
  private final Script compareAndSetScript;
  private final Script replaceScript;
  private final Script retireScript;

  private RedisDriver(
      RedisClient client,
      StatefulRedisConnection<String, byte[]> connection,
      String prefix,
      Duration timeout,
      Clock clock) {
    this.client = client;
    this.connection = connection;
    this.redis = connection.async();
    this.timeoutNanos = timeout.toNanos();
    this.prefix = prefix;
    this.clock = clock;
    this.compareAndSetScript = load(COMPARE_AND_SET);
    this.replaceScript = load(REPLACE);
    this.retireScript = load(RETIRE);
  }

  private Script load(String source) {
    return new Script(source, await(redis.scriptLoad(source)));
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
    RedisURI uri;
    try {
      uri = RedisURI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the redis option `url` is not a Redis URI: " + e.getMessage(), e);
    }
    uri.setTimeout(timeout);
    ClientResources resources =
        ClientResources.builder()
            .nettyCustomizer(new CoalescedFlushes())
            .reconnectDelay(
                Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
            .build());
    String address = uri.getHost() + ":" + uri.getPort();
    StatefulRedisConnection<String, byte[]> connection;
    String info;
    try {
      connection = client.connect(CODEC);
      info = serverInfo(connection, timeout, address);
    } catch (RuntimeException e) {
      shutDown(client, 1);
      throw new IllegalStateException(
          "cannot reach Redis at " + address + ": " + rootMessage(e), e);
    }
    try {
      requireSupportedVersion(info, address);
    } catch (IllegalStateException e) {
      shutDown(client, 1);
      throw e;
    }
    try {
      return new RedisDriver(client, connection, prefix, timeout, clock);
    } catch (RuntimeException e) {
      shutDown(client, 1);
      throw new IllegalStateException(
          "cannot load the session scripts into Redis at " + address + ": " + rootMessage(e), e);
    }
  }

  /**
   * The text of {@code INFO server}, or {@code null} when the server refuses the command (an ACL
   * without it, a renamed command): not knowing the version is no reason to refuse to start.
   */
  private static String serverInfo(
      StatefulRedisConnection<String, byte[]> connection, Duration timeout, String address) {
    try {
      return LettuceFutures.awaitOrCancel(
          connection.async().info("server"), timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RedisCommandExecutionException e) {
      LOG.log(
          Level.WARNING,
          "The redis driver cannot tell the version of the server at "
              + address
              + " ("
              + e.getMessage()
              + "); it needs Redis 6.2 or newer (GETEX, PXAT).");
      return null;
    }
  }

  /**
   * Refuses a server older than Redis 6.2 by the {@code redis_version} in {@code info} (the text of
   * {@code INFO server}). A version that cannot be read is let through.
   *
   * @throws IllegalStateException naming the server and its version when it is too old
   */
  static void requireSupportedVersion(String info, String address) {
    String version = redisVersion(info);
    int[] majorMinor = version == null ? null : majorMinor(version);
    if (majorMinor == null) {
      if (info != null) {
        LOG.log(
            Level.WARNING,
            "The redis driver cannot read the version of the server at "
                + address
                + "; it needs Redis 6.2 or newer (GETEX, PXAT).");
      }
      return;
    }
    if (majorMinor[0] < 6 || (majorMinor[0] == 6 && majorMinor[1] < 2)) {
      throw new IllegalStateException(
          "the redis driver needs Redis 6.2 or newer (GETEX, PXAT); the server at "
              + address
              + " is "
              + version);
    }
  }

  /** The {@code redis_version} line's value in {@code INFO server} text, or {@code null}. */
  static String redisVersion(String info) {
    if (info == null) {
      return null;
    }
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length()).trim();
      }
    }
    return null;
  }

  /** The major and minor numbers of a version such as {@code 7.2.4}, or {@code null}. */
  private static int[] majorMinor(String version) {
    String[] parts = version.split("\\.");
    if (parts.length < 2) {
      return null;
    }
    try {
      return new int[] {
        Integer.parseInt(leadingDigits(parts[0])), Integer.parseInt(leadingDigits(parts[1]))
      };
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String leadingDigits(String part) {
    int end = 0;
    while (end < part.length() && Character.isDigit(part.charAt(end))) {
      end++;
    }
    return part.substring(0, end);
  }

  /** The client's resources, which hold the reconnection delay. */
  ClientResources clientResources() {
    return client.getResources();
  }

  private String key(String id) {
    return prefix + id;
  }

  private String markerKey(String id) {
    return "{" + prefix + id + "}:retired";
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    byte[] blob;
    try {
      blob =
          await(
              idleTimeout == null
                  ? redis.get(key(id))
                  : redis.getex(key(id), GetExArgs.Builder.px(idleTimeout.toMillis())));
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("WRONGTYPE")) {
        // Not a string (another program's key): no session reads from it, so it is handed up as
        // data that cannot be read, which replaces the session and removes the key.
        return new StoredBlob(WRONG_TYPE, WRONG_TYPE);
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

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    return run(
        compareAndSetScript,
        new String[] {key(id), markerKey(id)},
        expectedVersion == null ? ABSENT : PRESENT,
        versionBytes(expectedVersion),
        utf8(blob),
        expiry(expiresAt));
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
    return run(
        replaceScript,
        new String[] {key(replacedId), markerKey(replacedId), key(id), markerKey(id)},
        replacedVersion == null ? ABSENT : PRESENT,
        versionBytes(replacedVersion),
        utf8(blob),
        expiry(expiresAt),
        utf8(retirement.encode()),
        expiry(markerExpiresAt));
  }

  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    byte[] previous =
        call(
            retireScript,
            ScriptOutputType.VALUE,
            new String[] {key(id), markerKey(id)},
            utf8(retirement.encode()),
            expiry(markerExpiresAt));
    return decodeMarker(previous);
  }

  @Override
  public Retirement retirement(String id) {
    return decodeMarker(await(redis.get(markerKey(id))));
  }

  private static Retirement decodeMarker(byte[] marker) {
    if (marker == null) {
      return null;
    }
    try {
      return Retirement.decode(new String(marker, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      // The ID stays retired for writes (the marker is there); only where it went is unknown.
      LOG.log(
          Level.WARNING,
          "A retirement marker in Redis could not be read (" + e.getMessage() + "); ignoring it.");
      return null;
    }
  }

  @Override
  public void delete(String id) {
    await(redis.del(key(id)));
  }

  /** Runs a script that answers 1 when it did what it was asked. */
  private boolean run(Script script, String[] keys, byte[]... arguments) {
    Long result = call(script, ScriptOutputType.INTEGER, keys, arguments);
    return result != null && result == 1L;
  }

  /** Runs a script by its SHA-1, or by its text when the server has forgotten it. */
  private <T> T call(Script script, ScriptOutputType output, String[] keys, byte[]... arguments) {
    try {
      return await(redis.evalsha(script.sha(), output, keys, arguments));
    } catch (RedisNoScriptException e) {
      // The server lost its script cache (a restart, SCRIPT FLUSH): send the script itself.
      return await(redis.eval(script.source(), output, keys, arguments));
    }
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
    connection.close();
    shutDown(client, 2);
  }

  /** Shuts down the client, then the resources it was given (which it does not own). */
  private static void shutDown(RedisClient client, long timeoutSeconds) {
    client.shutdown(Duration.ZERO, Duration.ofSeconds(timeoutSeconds));
    client.getResources().shutdown(0, timeoutSeconds, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /**
   * Defers each flush until the tasks already queued on the event loop (other threads' writes) have
   * run, then flushes once for all of them, or at once after 256 held flushes. A lone flush waits
   * only for the loop's next task.
   */
  static final class CoalescedFlushes implements NettyCustomizer {
    @Override
    public void afterChannelInitialized(Channel channel) {
      channel.pipeline().addFirst(new FlushConsolidationHandler(256, true));
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
