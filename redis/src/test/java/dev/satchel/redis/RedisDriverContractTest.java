package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.api.sync.RedisServerCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The redis driver against one real server, through the driver contract. */
final class RedisDriverContractTest extends RedisContract {
  private static RedisServerProcess server;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> rawConnection;

  @BeforeAll
  static void startServer() {
    server = RedisServerProcess.start(false);
    rawClient = RedisClient.create(server.url());
    rawConnection = rawClient.connect();
  }

  @AfterAll
  static void stopServer() throws Exception {
    rawConnection.close();
    rawClient.shutdown();
    server.close();
  }

  @Override
  protected Map<String, String> options() {
    return Map.of("url", server.url());
  }

  @Override
  protected RedisCommands<String, String> raw() {
    return rawConnection.sync();
  }

  @Override
  protected List<? extends RedisServerCommands<String, String>> primaries() {
    return List.of(rawConnection.sync());
  }

  /**
   * The commands the client sent while {@code action} ran, by name, in order: the slow log, told to
   * log every command, names each command with the client that sent it, and those a script runs
   * with no client address.
   */
  private List<String> sentByTheClient(Runnable action) {
    RedisCommands<String, String> redis = raw();
    String slower = redis.configGet("slowlog-log-slower-than").get("slowlog-log-slower-than");
    String length = redis.configGet("slowlog-max-len").get("slowlog-max-len");
    List<String> sent = new ArrayList<>();
    try {
      redis.configSet("slowlog-max-len", "100000");
      redis.configSet("slowlog-log-slower-than", "0");
      redis.slowlogReset();
      action.run();
      for (Object logged : redis.slowlogGet(100000)) {
        List<?> entry = (List<?>) logged;
        String command = ((List<?>) entry.get(3)).get(0).toString().toLowerCase();
        String client = entry.get(4).toString();
        if (!client.equals("?:0") && !command.equals("slowlog")) {
          sent.add(command);
        }
      }
    } finally {
      redis.configSet("slowlog-log-slower-than", slower);
      redis.configSet("slowlog-max-len", length);
    }
    return sent;
  }

  private void indexSessions(String principal, int sessions) {
    for (int i = 0; i < sessions; i++) {
      String id = SessionIds.generate();
      driver.index(principal, id, Instant.now());
      assertTrue(driver.write(id, "blob", null, inTenMinutes()));
    }
  }

  /**
   * Listing a principal's sessions is one command from the client up to {@link
   * RedisDriver#LIST_CHUNK} sessions, and one more per further {@code LIST_CHUNK} (about: a page of
   * {@code HSCAN} may hold a few more). ({@link #indexOperations_costWhatTheyShould} counts what
   * the scripts run.)
   */
  @Test
  void indexed_ofFiftySessions_isOneCommandFromTheClient() {
    indexSessions("busy", 50);
    assertEquals(
        List.of("evalsha"), sentByTheClient(() -> assertEquals(50, driver.indexed("busy").size())));
  }

  @Test
  void indexed_isOneCommandFromTheClient_perChunkOfSessions() {
    indexSessions("busy", RedisDriver.LIST_CHUNK);
    assertEquals(
        List.of("evalsha"),
        sentByTheClient(() -> assertEquals(RedisDriver.LIST_CHUNK, driver.indexed("busy").size())));
    indexSessions("busy", RedisDriver.LIST_CHUNK + 200);
    assertEquals(
        List.of("evalsha", "evalsha", "evalsha"),
        sentByTheClient(
            () -> assertEquals(2 * RedisDriver.LIST_CHUNK + 200, driver.indexed("busy").size())));
  }

  /**
   * The ledger of expiring sessions costs no round trip of its own on one server: a new session is
   * one command from the client, its ledger entry included, and so is a claim of a batch.
   */
  @Test
  void newSessionWithAnExpiry_andAClaim_areOneCommandFromTheClientEach() {
    String id = SessionIds.generate();
    assertEquals(
        List.of("evalsha"),
        sentByTheClient(() -> assertTrue(driver.write(id, "blob", null, inTenMinutes()))));
    assertEquals(
        List.of("evalsha"),
        sentByTheClient(() -> assertTrue(driver.claimExpired(Instant.now(), 500).isEmpty())));
  }

  /** Adding an entry, pruning included, is one command from the client. */
  @Test
  void index_thatPrunes_isOneCommandFromTheClient() {
    Instant longAgo = Instant.now().minus(Duration.ofHours(1));
    for (int i = 0; i < 10; i++) {
      driver.index("alice", SessionIds.generate(), longAgo);
    }
    String id = SessionIds.generate();
    assertEquals(
        List.of("evalsha"), sentByTheClient(() -> driver.index("alice", id, Instant.now())));
    assertEquals(List.of(id), List.copyOf(raw().hkeys("principals:{alice}")));
  }
}
