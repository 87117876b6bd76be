package dev.satchel.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.ConnectionFuture;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.SslVerifyMode;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The driver's connections to one server, to the primary Sentinels name, or to a Redis Cluster.
 * Reads and writes share one connection (per cluster node), which reconnects by itself. With {@code
 * replicas-to-ack}, writes and their {@code WAIT} get connections of their own: {@code WAIT} holds
 * back every later command of its connection until the replicas answer, and reads must not queue
 * behind it.
 */
abstract class RedisConnections implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger("dev.satchel.redis");

  /** Keys as text, values (blobs, script arguments) as bytes. */
  static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  /** The longest wait between two attempts to reconnect. */
  static final Duration MAX_RECONNECT_DELAY = Duration.ofSeconds(1);

  /** How long closing may wait for the connections, then for the client's threads. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(2);

  /**
   * How often a cluster client reloads the cluster's layout when nothing prompts it. Redirects,
   * failed reconnections and unknown nodes prompt a reload at once, at most one a second.
   */
  static final Duration TOPOLOGY_REFRESH_PERIOD = Duration.ofSeconds(30);

  private final AbstractRedisClient client;

  /** What to run each time the connections move to another primary (Sentinel only). */
  private final List<Runnable> primaryChanges = new CopyOnWriteArrayList<>();

  private RedisConnections(AbstractRedisClient client) {
    this.client = client;
  }

  /** Runs {@code listener} each time the connections have moved to another primary. */
  final void whenPrimaryChanges(Runnable listener) {
    primaryChanges.add(listener);
  }

  final void primaryChanged() {
    primaryChanges.forEach(Runnable::run);
  }

  /** The commands of the shared connection: reads, and writes without {@code WAIT}. */
  abstract RedisClusterAsyncCommands<String, byte[]> commands();

  /**
   * The connection where a write to {@code key} and its {@code WAIT} go, one after the other: the
   * same connection for the same slot, so that {@code WAIT} covers the write. Only with {@code
   * replicas-to-ack}.
   */
  abstract StatefulRedisConnection<String, byte[]> durableFor(String key);

  /** The durable connection to a node that a redirect names (a cluster only). */
  abstract StatefulRedisConnection<String, byte[]> durableAt(String host, int port);

  /**
   * {@code INFO section} of each primary that holds sessions, by the primary's address: the one
   * server, or every primary of a cluster. Never waits, so that Lettuce's own threads may ask.
   */
  abstract Map<String, CompletableFuture<String>> infoOfPrimaries(String section);

  /** Whether keys in different cluster slots must not meet in one script. */
  abstract boolean isCluster();

  /** Reloads the cluster's layout in the background (a cluster only). */
  abstract void refreshTopology();

  /** The client's resources, which hold the reconnection delay. */
  final ClientResources resources() {
    return client.getResources();
  }

  /**
   * Closes the connections and shuts the client down, each bounded by {@link #CLOSE_TIMEOUT}: an
   * application stopping must not hang on a connection stuck in a dead node's reconnection.
   */
  @Override
  public void close() {
    awaitClosing(closeConnections(), "the redis driver's connections");
    shutDown(client);
  }

  /** Starts closing every connection, without waiting. */
  abstract CompletableFuture<Void> closeConnections();

  /** Connects as {@code settings} say, or fails with the reason. */
  static RedisConnections open(RedisSettings settings) {
    ClientResources resources =
        ClientResources.builder()
            .nettyCustomizer(new CoalescedFlushes())
            .reconnectDelay(
                Delay.exponential(Duration.ZERO, MAX_RECONNECT_DELAY, 2, TimeUnit.MILLISECONDS))
            .build();
    RedisAddress address = settings.address();
    for (RedisURI uri : address.uris()) {
      configure(uri, settings);
    }
    boolean durable = settings.replicasToAck() > 0;
    // Reconnect by itself, and while disconnected fail at once rather than queue.
    ClientOptions options =
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
            .socketOptions(socketOptions(settings))
            .sslOptions(sslOptions(settings))
            .build();
    if (address.kind() == RedisAddress.Kind.CLUSTER) {
      RedisClusterClient client = RedisClusterClient.create(resources, address.uris());
      client.setOptions(
          ClusterClientOptions.builder(options)
              .topologyRefreshOptions(
                  ClusterTopologyRefreshOptions.builder()
                      .enableAllAdaptiveRefreshTriggers()
                      .adaptiveRefreshTriggersTimeout(Duration.ofSeconds(1))
                      .enablePeriodicRefresh(TOPOLOGY_REFRESH_PERIOD)
                      .build())
              .build());
      try {
        StatefulRedisClusterConnection<String, byte[]> connection = client.connect(CODEC);
        StatefulRedisClusterConnection<String, byte[]> durableConnection =
            durable ? client.connect(CODEC) : null;
        return new Cluster(client, connection, durableConnection);
      } catch (RuntimeException e) {
        shutDown(client);
        throw e;
      }
    }
    RedisClient client = RedisClient.create(resources, address.uris().get(0));
    client.setOptions(options);
    try {
      StatefulRedisConnection<String, byte[]> connection = client.connect(CODEC);
      StatefulRedisConnection<String, byte[]> durableConnection =
          durable ? client.connect(CODEC) : null;
      return new Server(client, address.uris().get(0), connection, durableConnection);
    } catch (RuntimeException e) {
      shutDown(client);
      throw e;
    }
  }

  private static void configure(RedisURI uri, RedisSettings settings) {
    uri.setTimeout(settings.timeout());
    if (settings.sentinelPassword() != null) {
      for (RedisURI sentinel : uri.getSentinels()) {
        if (settings.sentinelUsername() == null) {
          sentinel.setAuthentication(settings.sentinelPassword().toCharArray());
        } else {
          sentinel.setAuthentication(
              settings.sentinelUsername(), settings.sentinelPassword().toCharArray());
        }
      }
    }
    Boolean verifyHostname = settings.tls() == null ? null : settings.tls().verifyHostname();
    if (verifyHostname != null) {
      SslVerifyMode mode = verifyHostname ? SslVerifyMode.FULL : SslVerifyMode.CA;
      uri.setVerifyPeer(mode);
      for (RedisURI sentinel : uri.getSentinels()) {
        sentinel.setVerifyPeer(mode);
      }
    }
  }

  private static SocketOptions socketOptions(RedisSettings settings) {
    return SocketOptions.builder().connectTimeout(settings.connectTimeout()).build();
  }

  private static SslOptions sslOptions(RedisSettings settings) {
    SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider();
    RedisSettings.Tls tls = settings.tls();
    if (tls != null && tls.caCert() != null) {
      ssl.trustManager(tls.caCert().toFile());
    }
    if (tls != null && tls.trustStore() != null) {
      if (tls.trustStorePassword() == null) {
        ssl.truststore(tls.trustStore().toFile());
      } else {
        ssl.truststore(tls.trustStore().toFile(), tls.trustStorePassword());
      }
    }
    if (tls != null && tls.clientCert() != null) {
      ssl.keyManager(tls.clientCert().toFile(), tls.clientKey().toFile(), null);
    }
    if (tls != null && tls.keyStore() != null) {
      ssl.keystore(
          tls.keyStore().toFile(),
          tls.keyStorePassword() == null ? null : tls.keyStorePassword().toCharArray());
    }
    return ssl.build();
  }

  /** Shuts down the client, then the resources it was given (which it does not own). */
  static void shutDown(AbstractRedisClient client) {
    long seconds = CLOSE_TIMEOUT.toSeconds();
    awaitClosing(client.shutdownAsync(0, seconds, TimeUnit.SECONDS), "the Redis client");
    client
        .getResources()
        .shutdown(0, seconds, TimeUnit.SECONDS)
        .awaitUninterruptibly(CLOSE_TIMEOUT.toMillis() * 2);
  }

  private static void awaitClosing(CompletableFuture<?> closing, String what) {
    try {
      closing.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      LOG.log(
          Level.WARNING,
          what + " did not close within " + CLOSE_TIMEOUT.toSeconds() + " s; going on regardless");
    } catch (ExecutionException e) {
      LOG.log(Level.DEBUG, what + " closed with a failure", e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits at most {@code nanos} for {@code answer}, failing as Lettuce's blocking calls do, and
   * without cancelling it, since others may be waiting for it too.
   *
   * @throws RedisCommandTimeoutException saying {@code late} when it does not come in time
   */
  static <T> T await(CompletableFuture<T> answer, long nanos, String late) {
    try {
      return answer.get(Math.max(1, nanos), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      throw new RedisCommandTimeoutException(late);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException failure
          ? failure
          : new RedisException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisCommandInterruptedException(e);
    }
  }

  /** Closes {@code connection}, if any, without waiting; callbacks on I/O threads use this too. */
  private static CompletableFuture<Void> closeAsync(StatefulConnection<?, ?> connection) {
    return connection == null ? CompletableFuture.completedFuture(null) : connection.closeAsync();
  }

  /**
   * One server, found directly or through Sentinels. Through Sentinels, each reconnection asks them
   * for the primary; and since a primary demoted by a planned fail-over stays up, taking writes it
   * will lose, until the Sentinels reconfigure it seconds later, the driver also listens to every
   * Sentinel's {@code +switch-master} and moves to the new primary as soon as one announces it.
   */
  private static final class Server extends RedisConnections {
    private static final int SWITCH_ATTEMPTS = 50;
    private static final long SWITCH_RETRY_MILLIS = 100;

    /** The connections in use; replaced whole when the primary moves. */
    private record Live(
        StatefulRedisConnection<String, byte[]> connection,
        RedisClusterAsyncCommands<String, byte[]> commands,
        StatefulRedisConnection<String, byte[]> durable) {
      Live(
          StatefulRedisConnection<String, byte[]> connection,
          StatefulRedisConnection<String, byte[]> durable) {
        this(connection, connection.async(), durable);
      }

      CompletableFuture<Void> close() {
        return CompletableFuture.allOf(closeAsync(durable), closeAsync(connection));
      }
    }

    private final RedisClient client;
    private final RedisURI uri;
    private final boolean durableWanted;
    private final List<StatefulRedisPubSubConnection<String, String>> watches =
        new CopyOnWriteArrayList<>();
    private volatile Live live;
    private boolean closed;

    /** The address the latest {@code +switch-master} named; guarded by {@code this}. */
    private String announcedPrimary;

    Server(
        RedisClient client,
        RedisURI uri,
        StatefulRedisConnection<String, byte[]> connection,
        StatefulRedisConnection<String, byte[]> durable) {
      super(client);
      this.client = client;
      this.uri = uri;
      this.durableWanted = durable != null;
      this.live = new Live(connection, durable);
      if (!uri.getSentinels().isEmpty()) {
        uri.getSentinels().forEach(this::watch);
      }
    }

    @Override
    RedisClusterAsyncCommands<String, byte[]> commands() {
      return live.commands();
    }

    @Override
    StatefulRedisConnection<String, byte[]> durableFor(String key) {
      return live.durable();
    }

    @Override
    StatefulRedisConnection<String, byte[]> durableAt(String host, int port) {
      throw new IllegalStateException("a redirect to " + host + ":" + port + " outside a cluster");
    }

    @Override
    Map<String, CompletableFuture<String>> infoOfPrimaries(String section) {
      String primary =
          uri.getSentinels().isEmpty()
              ? uri.getHost() + ":" + uri.getPort()
              : "the primary " + uri.getSentinelMasterId();
      return Map.of(primary, commands().info(section).toCompletableFuture());
    }

    @Override
    boolean isCluster() {
      return false;
    }

    @Override
    void refreshTopology() {}

    /** Subscribes to one Sentinel's announcements of a new primary. */
    private void watch(RedisURI sentinel) {
      client
          .connectPubSubAsync(StringCodec.UTF8, sentinel)
          .thenCompose(
              pubSub -> {
                synchronized (this) {
                  if (closed) {
                    pubSub.closeAsync();
                    return CompletableFuture.completedFuture(null);
                  }
                  watches.add(pubSub);
                }
                pubSub.addListener(
                    new RedisPubSubAdapter<>() {
                      @Override
                      public void message(String channel, String message) {
                        if (channel.equals("+switch-master")) {
                          switched(message);
                        }
                      }
                    });
                return pubSub.async().subscribe("+switch-master");
              })
          .whenComplete(
              (subscribed, failure) -> {
                if (failure != null) {
                  LOG.log(
                      Level.WARNING,
                      "Cannot follow the announcements of the Sentinel at "
                          + sentinel.getHost()
                          + ":"
                          + sentinel.getPort()
                          + " ("
                          + failure.getMessage()
                          + "); the redis driver notices a fail-over there when its connection"
                          + " drops.");
                }
              });
    }

    /** A Sentinel announced {@code <name> <old ip> <old port> <new ip> <new port>}. */
    private void switched(String message) {
      String[] parts = message.split(" ");
      if (parts.length != 5 || !parts[0].equals(uri.getSentinelMasterId())) {
        return;
      }
      String primary = parts[3] + ":" + parts[4];
      synchronized (this) {
        if (closed || primary.equals(announcedPrimary)) {
          return;
        }
        announcedPrimary = primary;
      }
      LOG.log(
          Level.INFO,
          "Sentinels moved the Redis primary \""
              + parts[0]
              + "\" to "
              + primary
              + "; the redis driver follows.");
      connectTo(primary, 1);
    }

    /**
     * Connects through the Sentinels until they name {@code primary} (each learns of a fail-over
     * from the one that led it, a moment later), then puts the new connections in place and closes
     * the old ones.
     */
    private void connectTo(String primary, int attempt) {
      ConnectionFuture<StatefulRedisConnection<String, byte[]>> main =
          client.connectAsync(CODEC, uri);
      CompletableFuture<StatefulRedisConnection<String, byte[]>> durable =
          durableWanted
              ? client.connectAsync(CODEC, uri).toCompletableFuture()
              : CompletableFuture.completedFuture(null);
      main.toCompletableFuture()
          .thenCombine(durable, Live::new)
          .whenComplete(
              (fresh, failure) -> {
                boolean there = failure == null && primary.equals(address(main));
                Live old = null;
                synchronized (this) {
                  if (there && !closed && primary.equals(announcedPrimary)) {
                    old = live;
                    live = fresh;
                    fresh = null;
                  }
                }
                if (old != null) {
                  old.close();
                  primaryChanged();
                  return;
                }
                if (fresh != null) {
                  fresh.close();
                } else if (failure != null) {
                  main.thenAccept(StatefulRedisConnection::closeAsync);
                  durable.thenAccept(RedisConnections::closeAsync);
                }
                boolean again;
                synchronized (this) {
                  again = !closed && primary.equals(announcedPrimary) && attempt < SWITCH_ATTEMPTS;
                }
                if (again) {
                  client
                      .getResources()
                      .eventExecutorGroup()
                      .schedule(
                          () -> connectTo(primary, attempt + 1),
                          SWITCH_RETRY_MILLIS,
                          TimeUnit.MILLISECONDS);
                }
              });
    }

    private static String address(ConnectionFuture<?> connected) {
      if (connected.getRemoteAddress() instanceof InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
      }
      return null;
    }

    @Override
    CompletableFuture<Void> closeConnections() {
      Live last;
      synchronized (this) {
        closed = true;
        last = live;
      }
      List<CompletableFuture<Void>> closing = new ArrayList<>();
      watches.forEach(watch -> closing.add(watch.closeAsync()));
      closing.add(last.close());
      return CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new));
    }
  }

  /**
   * A Redis Cluster. Lettuce sends each command to the primary that serves its key's slot, follows
   * {@code MOVED} and {@code ASK} replies, and reloads the layout when it sees one, when a node
   * stays unreachable, and every {@link #TOPOLOGY_REFRESH_PERIOD}.
   */
  private static final class Cluster extends RedisConnections {
    private final RedisClusterClient client;
    private final StatefulRedisClusterConnection<String, byte[]> connection;
    private final RedisClusterAsyncCommands<String, byte[]> commands;
    private final StatefulRedisClusterConnection<String, byte[]> durable;

    Cluster(
        RedisClusterClient client,
        StatefulRedisClusterConnection<String, byte[]> connection,
        StatefulRedisClusterConnection<String, byte[]> durable) {
      super(client);
      this.client = client;
      this.connection = connection;
      this.commands = connection.async();
      this.durable = durable;
    }

    @Override
    RedisClusterAsyncCommands<String, byte[]> commands() {
      return commands;
    }

    @Override
    StatefulRedisConnection<String, byte[]> durableFor(String key) {
      int slot = SlotHash.getSlot(key);
      RedisClusterNode primary = durable.getPartitions().getMasterBySlot(slot);
      if (primary == null) {
        throw new IllegalStateException(
            "no Redis Cluster node serves slot " + slot + " (the cluster is changing or down)");
      }
      return durable.getConnection(primary.getNodeId());
    }

    @Override
    StatefulRedisConnection<String, byte[]> durableAt(String host, int port) {
      return durable.getConnection(host, port);
    }

    @Override
    Map<String, CompletableFuture<String>> infoOfPrimaries(String section) {
      Map<String, CompletableFuture<String>> infos = new TreeMap<>();
      for (RedisClusterNode node : connection.getPartitions()) {
        if (node.is(RedisClusterNode.NodeFlag.UPSTREAM)) {
          // Connecting to a node for the first time waits for an I/O thread; perhaps this one.
          infos.put(
              node.getUri().getHost() + ":" + node.getUri().getPort(),
              connection
                  .getConnectionAsync(node.getNodeId())
                  .thenCompose(nodeConnection -> nodeConnection.async().info(section)));
        }
      }
      return infos;
    }

    @Override
    boolean isCluster() {
      return true;
    }

    @Override
    void refreshTopology() {
      client.refreshPartitionsAsync();
    }

    @Override
    CompletableFuture<Void> closeConnections() {
      return CompletableFuture.allOf(closeAsync(durable), connection.closeAsync());
    }
  }
}
