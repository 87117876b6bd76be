package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Durable commits ({@code replicas-to-ack}) while slots move between primaries of a real cluster
 * with a replica each: a write that meets {@code ASK} is sent to the node importing the slot and
 * its {@code WAIT} goes there too, on that node's durable connection, so that the replica that
 * confirms is the new primary's.
 */
final class RedisClusterDurableMigrationTest {

  @Test
  void slotsMovingUnderDurableLoad_noCommitFails_andNothingIsLost() throws Exception {
    RequiredTools.require(
        RedisClusterProcess.available(), "needs redis-server and redis-cli on the PATH");
    try (RedisClusterProcess cluster = RedisClusterProcess.start(3, 1);
        Satchel durable = satchel(cluster, true);
        Satchel reader = satchel(cluster, false)) {
      SessionLoad load = new SessionLoad(durable, SessionLoad.createSessions(durable, 24), 4);
      Map<Integer, Integer> moves = load.whileSlotsMove(cluster);
      assertEquals(List.of(), load.unexpected());
      assertEquals(0, load.failed(), "durable commits failed while slots moved");
      assertEquals(Map.of(), load.lost(reader));
      for (Map.Entry<Integer, Integer> move : moves.entrySet()) {
        assertEquals(move.getValue().intValue(), cluster.primaryOf(move.getKey()));
      }
      assertTrue(load.acknowledgedCount() > 150, "commits made: " + load.acknowledgedCount());
    }
  }

  private static Satchel satchel(RedisClusterProcess cluster, boolean durable) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver("redis")
            .driverOption("url", cluster.url())
            .driverOption("timeout", "PT5S")
            .expiryCheckInterval(Duration.ofDays(1));
    if (durable) {
      builder.driverOption("replicas-to-ack", "1").driverOption("replica-ack-timeout", "PT2S");
    }
    return builder.build();
  }
}
