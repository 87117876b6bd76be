package dev.satchel.redis;

import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.GetExArgs;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
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
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sessions in Redis over one shared Lettuce connection, which reconnects by itself. A read is one
 * {@code GET} (or {@code GETEX} refreshing the idle timeout); a write is one compare-and-set
 * script. The version of a blob is the blob itself, compared on the server: cheaper than hashing it
 * on both sides, and a blob that comes back unchanged (an A-B-A write) is harmless, since the merge
 * it guards would produce the same result.
 *
 * <p>While the server is unreachable, commands fail at once instead of queueing, and every command
 * has a timeout: a request never hangs on a dead store.
 *
 * <p>Commands that request threads send while the connection's event loop is busy leave in one
 * socket write instead of one each: with many threads on one connection, a write per command costs
 * the client more CPU than Redis spends running the command. For the same reason blobs cross the
 * connection as bytes, converted to and from text on the request's own thread: the one event loop
 * serves every request, so work moved off it is work no longer queued behind.
 */
final class RedisDriver implements SessionDriver {
  /**
   * KEYS: the session, then sessions to remove once written. ARGV: the expected blob ("" = must be
   * absent), the new blob, the expiry in epoch ms ("" = none, "0" = already expired).
   */
  static final String COMPARE_AND_SET =
      "local current = redis.call('GET', KEYS[1])\n"
          + "if ARGV[1] == '' then\n"
          + "  if current then return 0 end\n"
          + "elseif current ~= ARGV[1] then\n"
          + "  return 0\n"
          + "end\n"
          + "if ARGV[3] == '' then\n"
          + "  redis.call('SET', KEYS[1], ARGV[2])\n"
          + "elseif ARGV[3] == '0' then\n"
          + "  redis.call('DEL', KEYS[1])\n"
          + "else\n"
          + "  redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])\n"
          + "end\n"
          + "for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end\n"
          + "return 1\n";

  private final RedisClient client;

  /** Keys as text, values (blobs, script arguments) as bytes. */
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private static final byte[] NONE = new byte[0];
  private static final byte[] ALREADY_EXPIRED = {'0'};

  private final StatefulRedisConnection<String, byte[]> connection;
  private final RedisAsyncCommands<String, byte[]> redis;
  private final long timeoutNanos;
  private final String prefix;
  private final Clock clock;
  private final String scriptSha;

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
    this.scriptSha = await(redis.scriptLoad(COMPARE_AND_SET));
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
        ClientResources.builder().nettyCustomizer(new CoalescedFlushes()).build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
            .build());
    try {
      return new RedisDriver(client, client.connect(CODEC), prefix, timeout, clock);
    } catch (RuntimeException e) {
      shutDown(client, 1);
      throw new IllegalStateException(
          "cannot reach Redis at " + uri.getHost() + ":" + uri.getPort() + ": " + rootMessage(e),
          e);
    }
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    byte[] blob =
        await(
            idleTimeout == null
                ? redis.get(prefix + id)
                : redis.getex(prefix + id, GetExArgs.Builder.px(idleTimeout.toMillis())));
    return blob == null ? null : StoredBlob.ofContent(new String(blob, StandardCharsets.UTF_8));
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    List<String> keys = new ArrayList<>(1);
    keys.add(prefix + id);
    byte[] expiry;
    if (expiresAt == null) {
      expiry = NONE;
    } else if (!expiresAt.isAfter(clock.instant())) {
      expiry = ALREADY_EXPIRED;
    } else {
      expiry = Long.toString(expiresAt.toEpochMilli()).getBytes(StandardCharsets.US_ASCII);
    }
    String[] keyArray = keys.toArray(new String[0]);
    byte[] expected =
        expectedVersion == null ? NONE : expectedVersion.getBytes(StandardCharsets.UTF_8);
    byte[] content = blob.getBytes(StandardCharsets.UTF_8);
    Long result;
    try {
      result =
          await(
              redis.evalsha(
                  scriptSha, ScriptOutputType.INTEGER, keyArray, expected, content, expiry));
    } catch (RedisNoScriptException e) {
      // The server lost its script cache (a restart, SCRIPT FLUSH): send the script itself.
      result =
          await(
              redis.eval(
                  COMPARE_AND_SET, ScriptOutputType.INTEGER, keyArray, expected, content, expiry));
    }
    return result != null && result == 1L;
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
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void retire(String id, Retirement retirement, Instant markerExpiresAt) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public Retirement retirement(String id) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void delete(String id) {
    await(redis.del(prefix + id));
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
