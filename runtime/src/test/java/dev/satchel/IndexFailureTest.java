package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.codec.ValueCodecs;
import dev.satchel.testing.CapturedLog;
import dev.satchel.testing.CountingDriverProvider;
import dev.satchel.testing.CountingDriverProvider.CountingDriver;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.UserSessions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A session's entry in its user's index is removed after the write or the removal it follows has
 * taken effect. When that removal fails, the commit has still happened and must say so: it returns,
 * the log says what was left, and a listing drops the entry left behind.
 */
final class IndexFailureTest {
  private static final AtomicInteger STORES = new AtomicInteger();
  private static final String FAILURE = "the index is out of reach";

  private final String store = "index-failure-" + STORES.incrementAndGet();
  private final MutableClock clock = new MutableClock();
  private final Satchel satchel =
      Satchel.builder()
          .driver("counting")
          .driverOption("store", store)
          .driverOption("index", "true")
          .clock(clock)
          .build();
  private final CountingDriver driver = CountingDriverProvider.store(store);
  private final UserSessions users = new UserSessions(satchel);

  // Only this test's driver fails this way; other tests log to dev.satchel too.
  private final CapturedLog log =
      CapturedLog.of(
          "dev.satchel",
          r ->
              r.getMessage() != null
                  && r.getMessage().contains(FAILURE)
                  && r.getMessage().contains("the change it follows held"));
  private final List<LogRecord> records = log.records();

  @BeforeEach
  void debugOn() {
    log.logger().setLevel(Level.ALL);
  }

  @AfterEach
  void release() {
    log.close();
    satchel.close();
  }

  @Test
  void logIn_whoseOldEntryCannotBeRemoved_returnsAndTheSessionMoved() {
    String before = users.logIn("alice");
    driver.failUnindex(FAILURE);
    Session again = users.open(before);
    again.regenerate();
    again.commit();
    String after = again.id().orElseThrow();
    assertNotEquals(before, after);
    assertEquals("socks", users.open(after).get("cart", ValueCodecs.strings()).orElseThrow());
    assertFalse(users.isLive(before), "the old ID is retired");
    assertEquals(1, records.size(), "one record of the entry left behind");
    assertFalse(
        records.get(0).getMessage().contains(before), "the store's message named it; the log not");
    assertFalse(records.get(0).getMessage().contains("alice"), "nor the user");
    // The entry left behind names a retired session: not listed.
    assertEquals(Set.of(after), users.listed("alice"));
  }

  @Test
  void changeOfUser_whoseOldEntryCannotBeRemoved_returnsAndTheChangeHolds() {
    String id = users.logIn("alice");
    driver.failUnindex(FAILURE);
    Session switchUser = users.open(id);
    switchUser.setPrincipal("bob");
    switchUser.commit();
    assertEquals("bob", users.open(id).principal().orElseThrow());
    assertEquals(Set.of(id), users.listed("bob"));
    assertTrue(users.listed("alice").isEmpty(), "alice's entry names bob's session: not listed");
    assertEquals(1, records.size());
  }

  @Test
  void logOut_whoseEntryCannotBeRemoved_returnsAndTheSessionEnded() {
    String id = users.logIn("alice");
    driver.failUnindex(FAILURE);
    users.logOut(id);
    assertFalse(users.isLive(id));
    assertTrue(users.listed("alice").isEmpty());
    assertEquals(1, records.size());
    driver.failUnindex(null);
    clock.advance(SessionStore.INDEX_GRACE.plus(Duration.ofSeconds(1)));
    // Past the grace, listing prunes the entry left behind: nothing is left to list or remove.
    assertTrue(users.listed("alice").isEmpty());
    assertTrue(driver.indexed("alice").isEmpty(), "the entry left behind was pruned");
  }
}
