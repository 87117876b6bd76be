package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server that evicts keys when full drops sessions and, first of all, the markers that guard
 * log-ins and log-outs: refused at start-up unless allowed, and warned of after a reconnection.
 */
final class RedisEvictionTest {
  /** Held here: java.util.logging keeps its loggers weakly, and with them their handlers. */
  private final Logger satchel = Logger.getLogger("dev.satchel");

  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureWarnings() {
    satchel.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    satchel.removeHandler(capture);
  }

  private static SessionDriver connect(String url, String... more) {
    Map<String, String> options = new HashMap<>();
    options.put("url", url);
    for (int i = 0; i < more.length; i += 2) {
      options.put(more[i], more[i + 1]);
    }
    return new RedisDriverProvider()
        .create(new DriverContext("redis", options, Clock.systemUTC(), null));
  }

  private static String info(String maxmemory, String policy) {
    return "# Memory\r\nused_memory:1040000\r\nmaxmemory:"
        + maxmemory
        + "\r\nmaxmemory_human:50.00M\r\nmaxmemory_policy:"
        + policy
        + "\r\nallocator_frag_ratio:1.00\r\n";
  }

  @Test
  void theSetting_isReadFromInfoMemory() {
    assertEquals(
        new RedisEviction.Setting(52428800, "allkeys-lru"),
        RedisEviction.parse(info("52428800", "allkeys-lru")));
    assertTrue(RedisEviction.parse(info("52428800", "volatile-ttl")).evicts());
    assertFalse(RedisEviction.parse(info("52428800", "noeviction")).evicts());
    assertFalse(RedisEviction.parse(info("0", "allkeys-lru")).evicts(), "no limit, no eviction");
    assertNull(RedisEviction.parse("# Memory\r\nused_memory:1\r\n"));
    assertNull(RedisEviction.parse(info("lots", "allkeys-lru")));
    assertNull(RedisEviction.parse(null));
  }

  @Test
  void aServerThatEvicts_isRefusedAtStartUp_namingThePolicyAndWhatToSet() throws Exception {
    for (String policy : List.of("allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-ttl")) {
      try (RedisServerProcess server =
          RedisServerProcess.startWith("--maxmemory", "50mb", "--maxmemory-policy", policy)) {
        IllegalStateException refused =
            assertThrows(IllegalStateException.class, () -> connect(server.url()).close());
        assertEquals(
            "127.0.0.1:"
                + server.port()
                + " evicts keys when it reaches maxmemory (52428800 bytes, maxmemory-policy "
                + policy
                + "): it would drop sessions, and first the markers that guard log-ins and"
                + " log-outs against racing requests. Set maxmemory-policy noeviction on the"
                + " server (when full it then refuses writes, which fail as errors instead of"
                + " losing sessions), or the redis option `allow-eviction`=true to accept this",
            refused.getMessage());
      }
    }
  }

  @Test
  void aServerThatEvicts_startsWhenAllowed_withAWarning() throws Exception {
    try (RedisServerProcess server =
            RedisServerProcess.startWith(
                "--maxmemory", "50mb", "--maxmemory-policy", "allkeys-lru");
        SessionDriver driver = connect(server.url(), "allow-eviction", "true")) {
      String id = SessionIds.generate();
      assertTrue(driver.write(id, "kept", null, null));
      assertEquals("kept", driver.read(id, null).blob());
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("maxmemory-policy allkeys-lru"), warnings.toString());
    }
  }

  @Test
  void aPolicyWithoutAMemoryLimit_orNoEviction_startsWithoutAWord() throws Exception {
    try (RedisServerProcess unlimited =
            RedisServerProcess.startWith("--maxmemory", "0", "--maxmemory-policy", "allkeys-lru");
        SessionDriver driver = connect(unlimited.url())) {
      assertTrue(driver.write(SessionIds.generate(), "kept", null, null));
    }
    try (RedisServerProcess refusing =
            RedisServerProcess.startWith(
                "--maxmemory", "50mb", "--maxmemory-policy", "noeviction");
        SessionDriver driver = connect(refusing.url())) {
      assertTrue(driver.write(SessionIds.generate(), "kept", null, null));
    }
    assertEquals(List.of(), warnings);
  }

  @Test
  void aPolicyChangedWhileRunning_isWarnedOfAfterTheNextReconnection() throws Exception {
    try (RedisServerProcess server =
            RedisServerProcess.startWith(
                "--maxmemory", "50mb", "--maxmemory-policy", "noeviction");
        SessionDriver driver = connect(server.url());
        RedisClient admin = RedisClient.create(server.url());
        StatefulRedisConnection<String, String> connection = admin.connect()) {
      connection.sync().configSet("maxmemory-policy", "volatile-lru");
      // What a restart or a fail-over to a server configured otherwise does to the driver.
      connection.sync().clientKill(KillArgs.Builder.typeNormal().skipme());
      String id = SessionIds.generate();
      RedisClusterProcess.await(
          Duration.ofSeconds(10),
          () -> driver.write(id, "after", null, null),
          "the driver to reconnect");
      RedisClusterProcess.await(
          Duration.ofSeconds(10),
          () -> warnings.stream().anyMatch(w -> w.contains("maxmemory-policy volatile-lru")),
          "a warning of the eviction policy: " + warnings);
      assertEquals("after", driver.read(id, null).blob());
    }
  }

  @Test
  void aFailOverToAReplicaThatEvicts_isWarnedOf() throws Exception {
    try (RedisServerProcess primary =
            RedisServerProcess.startWith(
                "--maxmemory", "50mb", "--maxmemory-policy", "noeviction");
        RedisServerProcess replica =
            RedisServerProcess.startWith(
                "--replicaof",
                "127.0.0.1",
                Integer.toString(primary.port()),
                "--maxmemory",
                "50mb",
                "--maxmemory-policy",
                "allkeys-lru");
        RedisServerProcess sentinel =
            RedisServerProcess.startSentinel(primary.port(), "evicting", 1);
        RedisClient admin = RedisClient.create();
        StatefulRedisSentinelConnection<String, String> sentinelConnection =
            admin.connectSentinel(RedisURI.create(sentinel.url()))) {
      RedisClusterProcess.await(
          Duration.ofSeconds(30),
          () -> sentinelConnection.sync().info("sentinel").contains("slaves=1"),
          "the Sentinel to know the replica");
      try (SessionDriver driver =
          connect("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#evicting")) {
        assertTrue(driver.write(SessionIds.generate(), "kept", null, null));
        assertEquals(List.of(), warnings, "the first primary evicts nothing");
        sentinelConnection.sync().failover("evicting");
        RedisClusterProcess.await(
            Duration.ofSeconds(30),
            () ->
                warnings.stream()
                    .anyMatch(
                        w ->
                            w.startsWith("the primary evicting evicts keys")
                                && w.contains("allkeys-lru")),
            "a warning of the new primary's eviction policy: " + warnings);
      }
    }
  }

  @Test
  void aClusterPrimaryThatEvicts_isRefusedNamingIt() throws Exception {
    RequiredTools.require(
        RedisClusterProcess.available(), "needs redis-server and redis-cli on the PATH");
    try (RedisClusterProcess cluster = RedisClusterProcess.start(3, 0)) {
      int evicting = cluster.primaryPorts().get(1);
      cluster.node(evicting).configSet("maxmemory", "50mb");
      cluster.node(evicting).configSet("maxmemory-policy", "allkeys-lfu");
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> connect(cluster.url()).close());
      assertTrue(
          refused.getMessage().startsWith("127.0.0.1:" + evicting + " evicts keys"),
          refused.getMessage());
      assertTrue(refused.getMessage().contains("allkeys-lfu"), refused.getMessage());
      try (SessionDriver driver = connect(cluster.url(), "allow-eviction", "true")) {
        assertTrue(driver.write(SessionIds.generate(), "kept", null, null));
      }
    }
  }
}
