package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The driver's connections are used from Lettuce's own threads too: a check that follows a
 * reconnection runs in the callback of the reply before it. Nothing there may wait for Lettuce, or
 * the thread that would deliver what it waits for is the one waiting.
 */
final class RedisConnectionsTest {

  /** Bounds a wait that only a deadlock makes long. */
  private static final Duration HANG = Duration.ofSeconds(20);

  @Test
  void infoOfEveryPrimary_askedOnLettucesOwnThread_beforeTheNodesAreConnected_arrives()
      throws Exception {
    RequiredTools.require(
        RedisClusterProcess.available(), "needs redis-server and redis-cli on the PATH");
    try (RedisClusterProcess cluster = RedisClusterProcess.start(3, 0);
        RedisConnections connections =
            RedisConnections.open(
                RedisSettings.of(
                    cluster.url(), "satchel:", Duration.ofSeconds(2), Duration.ofSeconds(2)))) {
      // The reply comes on an I/O thread; the nodes have no connections of their own yet.
      CompletableFuture<Set<String>> answered =
          connections
              .commands()
              .ping()
              .toCompletableFuture()
              .thenCompose(
                  ignored -> {
                    var infos = connections.infoOfPrimaries("server");
                    CompletableFuture<?>[] all =
                        infos.values().stream()
                            .map(info -> info.toCompletableFuture())
                            .toArray(CompletableFuture[]::new);
                    return CompletableFuture.allOf(all)
                        .thenApply(done -> (Set<String>) new TreeSet<>(infos.keySet()));
                  });
      Set<String> expected = new TreeSet<>();
      for (int port : cluster.primaryPorts()) {
        expected.add("127.0.0.1:" + port);
      }
      assertEquals(expected, answered.get(HANG.toSeconds(), TimeUnit.SECONDS));
    }
  }
}
