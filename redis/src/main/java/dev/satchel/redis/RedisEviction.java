package dev.satchel.redis;

import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.cluster.event.ClusterTopologyChangedEvent;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;

/**
 * Whether the server may evict keys when it is full. Under {@code maxmemory} with any policy but
 * {@code noeviction}, Redis makes room by dropping keys it picks (least recently used, least often
 * used, soonest to expire, or at random) instead of refusing writes: sessions vanish, and the
 * retirement markers, which carry a TTL and are never read, go first, so that the protections of
 * log-ins and log-outs against racing requests stop without a sign.
 *
 * <p>Checked at start-up, where a server that evicts is refused unless {@code allow-eviction} says
 * otherwise, and again after every reconnection, where it is a warning: the policy can be changed
 * at run time, and a fail-over can bring a primary configured differently.
 */
final class RedisEviction implements AutoCloseable {
  private static final Logger LOG = System.getLogger(RedisEviction.class.getName());

  /**
   * What {@code INFO memory} says of one primary.
   *
   * @param maxmemory the memory limit in bytes; 0 for none, with which nothing is evicted
   * @param policy the {@code maxmemory-policy}
   */
  record Setting(long maxmemory, String policy) {
    boolean evicts() {
      return maxmemory > 0 && !policy.equals("noeviction");
    }
  }

  private final RedisConnections connections;
  private final RedisSettings settings;

  /** The setting each primary was last found with, so that each change is told once. */
  private final Map<String, Setting> lastSeen = new ConcurrentHashMap<>();

  private final AtomicBoolean checking = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private volatile boolean closed;
  private final Disposable reconnections;

  private RedisEviction(
      RedisConnections connections, RedisSettings settings, Map<String, Setting> found) {
    this.connections = connections;
    this.settings = settings;
    lastSeen.putAll(found);
    this.reconnections =
        connections
            .resources()
            .eventBus()
            .get()
            .filter(
                event ->
                    event instanceof ConnectionActivatedEvent
                        || event instanceof ClusterTopologyChangedEvent)
            .subscribe(event -> recheck());
    // A connection to a new primary is activated before it takes over from the old one.
    connections.whenPrimaryChanges(this::recheck);
  }

  /**
   * Checks every primary once, refusing one that evicts unless the settings allow it, and then
   * watches reconnections.
   *
   * @throws IllegalStateException saying which primary evicts and what to set
   */
  static RedisEviction check(RedisConnections connections, RedisSettings settings) {
    Map<String, Setting> found = new LinkedHashMap<>();
    for (Map.Entry<String, CompletableFuture<String>> primary :
        connections.infoOfPrimaries("memory").entrySet()) {
      String where = primary.getKey();
      String info = awaitInfo(primary.getValue(), where, settings.timeout());
      Setting setting = info == null ? null : parse(info);
      if (setting == null) {
        LOG.log(
            Level.WARNING,
            "The redis driver cannot tell whether "
                + where
                + " evicts keys when full (INFO memory is refused or unreadable); sessions"
                + " need maxmemory-policy noeviction.");
        continue;
      }
      found.put(where, setting);
      if (setting.evicts()) {
        String problem = problem(where, setting, settings);
        if (!settings.allowEviction()) {
          throw new IllegalStateException(problem);
        }
        LOG.log(Level.WARNING, problem);
      }
    }
    return new RedisEviction(connections, settings, found);
  }

  /**
   * The text of {@code INFO memory}, or {@code null} when the server refuses the command.
   *
   * @throws RedisCommandTimeoutException when it does not answer in time
   */
  private static String awaitInfo(CompletableFuture<String> info, String where, Duration timeout) {
    try {
      return RedisConnections.await(
          info,
          timeout.toNanos(),
          "INFO memory of " + where + " did not answer within " + timeout.toMillis() + " ms");
    } catch (RedisCommandExecutionException e) {
      return null;
    }
  }

  /** Reads every primary's setting again, warning of each newly found one that evicts. */
  private void recheck() {
    if (closed) {
      return;
    }
    if (!checking.compareAndSet(false, true)) {
      // One check at a time; a reason to check that comes during one runs another after it.
      again.set(true);
      return;
    }
    Map<String, CompletableFuture<String>> infos;
    try {
      infos = connections.infoOfPrimaries("memory");
    } catch (RuntimeException e) {
      checked();
      return;
    }
    AtomicInteger pending = new AtomicInteger(infos.size());
    if (infos.isEmpty()) {
      checked();
    }
    infos.forEach(
        (where, info) ->
            info.whenComplete(
                (text, failure) -> {
                  Setting setting = failure == null ? parse(text) : null;
                  if (setting != null && !Objects.equals(lastSeen.put(where, setting), setting)) {
                    if (setting.evicts()) {
                      LOG.log(Level.WARNING, problem(where, setting, settings));
                    }
                  }
                  if (pending.decrementAndGet() == 0) {
                    checked();
                  }
                }));
  }

  private void checked() {
    checking.set(false);
    if (again.getAndSet(false) && !closed) {
      recheck();
    }
  }

  /** What is wrong with a primary that evicts, and what to do about it. */
  static String problem(String where, Setting setting, RedisSettings settings) {
    return where
        + " evicts keys when it reaches maxmemory ("
        + setting.maxmemory()
        + " bytes, maxmemory-policy "
        + setting.policy()
        + "): it would drop sessions, and first the markers that guard log-ins and log-outs"
        + " against racing requests. Set maxmemory-policy noeviction on the server (when full it"
        + " then refuses writes, which fail as errors instead of losing sessions), or "
        + settings.names().describe("allow-eviction")
        + "=true to accept this";
  }

  /** The setting in the text of {@code INFO memory}, or {@code null} when it does not say. */
  static Setting parse(String infoMemory) {
    String maxmemory = RedisStartupChecks.infoField(infoMemory, "maxmemory");
    String policy = RedisStartupChecks.infoField(infoMemory, "maxmemory_policy");
    if (maxmemory == null || policy == null || !maxmemory.matches("\\d{1,18}")) {
      return null;
    }
    return new Setting(Long.parseLong(maxmemory), policy);
  }

  @Override
  public void close() {
    closed = true;
    reconnections.dispose();
  }
}
