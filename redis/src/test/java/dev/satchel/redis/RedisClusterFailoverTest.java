package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Three primaries with a replica each, all real. Under a steady load committing with {@code
 * replicas-to-ack=1}, a primary is killed; its replica takes over, and the killed node, started
 * again, rejoins as the new primary's replica. Requests on the dead primary's slots fail at once in
 * between, none hangs, every session works again afterwards, and no commit reported saved is lost.
 */
final class RedisClusterFailoverTest {

  /** A request bounded by the command timeout never takes this long unless it hangs. */
  private static final Duration HANG = Duration.ofSeconds(10);

  @Test
  void aPrimaryDiesUnderLoad_itsReplicaTakesOver_andNothingConfirmedIsLost() throws Exception {
    RequiredTools.require(
        RedisClusterProcess.available(), "needs redis-server and redis-cli on the PATH");
    try (RedisClusterProcess cluster = RedisClusterProcess.start(3, 1);
        Satchel satchel =
            Satchel.builder()
                .driver("redis")
                .driverOption("url", cluster.url())
                .driverOption("timeout", "PT1S")
                .driverOption("connect-timeout", "PT1S")
                .driverOption("replicas-to-ack", "1")
                .driverOption("replica-ack-timeout", "PT0.5S")
                .build()) {
      List<String> sessions = SessionLoad.createSessions(satchel, 24);
      int slot = SlotHash.getSlot(sessions.get(0));
      int victimPort = cluster.primaryOf(slot);
      RedisServerProcess victim =
          cluster.nodes().stream().filter(n -> n.port() == victimPort).findFirst().orElseThrow();

      SessionLoad load = new SessionLoad(satchel, sessions, 4);
      try {
        load.awaitSuccesses(100, Duration.ofSeconds(30));
        victim.kill();
        RedisClusterProcess.await(
            Duration.ofSeconds(60),
            () -> cluster.primaryOf(slot) != victimPort,
            "the replica to take over");
        int failedWhileDown = load.failed();
        // Until a replica serves the new primary, commits on its slots cannot be confirmed.
        victim.restart();
        cluster.awaitHealthy(Duration.ofSeconds(60));
        load.awaitSuccesses(200, Duration.ofSeconds(60));
        assertTrue(failedWhileDown > 0, "requests on the dead primary's slots failed");
      } finally {
        load.stop(Duration.ofSeconds(30));
      }
      assertEquals(List.of(), load.unexpected());
      assertTrue(
          load.longestRequest().compareTo(HANG) < 0, "a request hung for " + load.longestRequest());
      assertNotEquals(victimPort, cluster.primaryOf(slot));

      List<String> failedAfterwards = new ArrayList<>();
      for (String session : sessions) {
        try {
          satchel
              .open(session, cookie -> {})
              .update(
                  "items",
                  SessionLoad.ITEMS,
                  items -> {
                    List<String> next = new ArrayList<>(items);
                    next.add("after");
                    return next;
                  });
        } catch (RuntimeException e) {
          failedAfterwards.add(session + ": " + e.getMessage());
        }
      }
      assertEquals(List.of(), failedAfterwards, "every session works again");
      try (Satchel reader =
          Satchel.builder().driver("redis").driverOption("url", cluster.url()).build()) {
        assertEquals(Map.of(), load.lost(reader));
      }
      System.out.printf(
          "Cluster fail-over with replicas-to-ack=1: %d confirmed commits, none lost;"
              + " %d requests failed during the switch; the longest request took %d ms%n",
          load.acknowledgedCount(), load.failed(), load.longestRequest().toMillis());
    }
  }
}
