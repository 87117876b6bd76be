package dev.satchel.driver.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The memory driver passes the driver contract and stays within its byte bound. */
final class MemoryDriverTest extends SessionDriverContract {

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    return new MemoryDriverProvider().create(new DriverContext("memory", Map.of(), clock));
  }

  /** In the application's own heap, a claim cannot be lost: it is final. */
  @Override
  protected boolean claimsAreLeases() {
    return false;
  }

  @Test
  void maxBytes_evictsOldSessionsToStayWithinTheBound() {
    SessionDriver small =
        new MemoryDriverProvider()
            .create(new DriverContext("memory", Map.of("max-bytes", "100000"), clock));
    List<String> ids = new ArrayList<>();
    String blob = "x".repeat(1000);
    for (int i = 0; i < 1000; i++) {
      String id = SessionIds.generate();
      ids.add(id);
      small.write(id, blob, null, null);
    }
    // 1000 blobs of ~2 KB each cannot all fit in 100 KB: the oldest are gone.
    assertNull(small.read(ids.get(0), null));
    small.close();
  }

  private SessionDriver small(long maxBytes) {
    return new MemoryDriverProvider()
        .create(new DriverContext("memory", Map.of("max-bytes", Long.toString(maxBytes)), clock));
  }

  @Test
  void sessionsEvictedForRoom_areClaimedAsExpired_onceEach_andRetiredOnesNever() {
    SessionDriver store = small(100_000);
    List<String> written = new ArrayList<>();
    String blob = "x".repeat(1000);
    for (int i = 0; i < 1000; i++) {
      String id = SessionIds.generate();
      written.add(id);
      store.write(id, blob, null, clock.instant().plus(java.time.Duration.ofMinutes(30)));
      if (i % 2 == 1) {
        store.retire(id, dev.satchel.spi.Retirement.destroyed(clock.instant()), later());
      }
    }
    java.util.Set<String> claimed = new java.util.TreeSet<>();
    for (List<String> batch = store.claimExpired(clock.instant(), 100);
        !batch.isEmpty();
        batch = store.claimExpired(clock.instant(), 100)) {
      for (String id : batch) {
        assertTrue(claimed.add(id), "claimed twice: " + id);
      }
    }
    assertTrue(claimed.size() > 400, "evicted sessions are reported: " + claimed.size());
    for (int i = 0; i < written.size(); i++) {
      String id = written.get(i);
      if (i % 2 == 1) {
        assertFalse(claimed.contains(id), "a retired session is not reported expired");
      } else {
        assertEquals(claimed.contains(id), store.read(id, null) == null, id);
      }
    }
    clock.advance(java.time.Duration.ofMinutes(31));
    java.util.Set<String> later =
        new java.util.TreeSet<>(store.claimExpired(clock.instant(), 2000));
    assertTrue(java.util.Collections.disjoint(claimed, later), "nothing claimed twice");
    claimed.addAll(later);
    for (int i = 0; i < written.size(); i += 2) {
      assertTrue(claimed.contains(written.get(i)), "every session written is reported once");
    }
    store.close();
  }

  @Test
  void aFullStoreOfOftenReadSessions_stillKeepsEveryNewSessionForItsNextRequest() {
    SessionDriver store = small(100_000);
    String blob = "x".repeat(1000);
    List<String> popular = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String id = SessionIds.generate();
      popular.add(id);
      store.write(id, blob, null, null);
    }
    for (int round = 0; round < 20; round++) {
      popular.forEach(id -> store.read(id, null));
    }
    for (int i = 0; i < 200; i++) {
      String id = SessionIds.generate();
      assertTrue(store.write(id, blob, null, null));
      assertNotNull(store.read(id, null), "new session " + i + " is there for the next request");
    }
    store.close();
  }

  @Test
  void whenFull_theLeastRecentlyUsedSessionGoesFirst() {
    SessionDriver store = small(10_000);
    String blob = "x".repeat(1000);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String id = SessionIds.generate();
      ids.add(id);
      store.write(id, blob, null, null);
    }
    store.read(ids.get(0), null); // now ids.get(1) is the least recently used
    store.write(SessionIds.generate(), blob, null, null);
    assertNotNull(store.read(ids.get(0), null));
    assertNull(store.read(ids.get(1), null));
    assertNotNull(store.read(ids.get(2), null));
    store.close();
  }

  @Test
  void aSessionLargerThanTheWholeStore_failsTheWrite_andKeepsTheOthers() {
    SessionDriver store = small(10_000);
    String kept = SessionIds.generate();
    store.write(kept, "small", null, null);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> store.write(SessionIds.generate(), "x".repeat(10_000), null, null));
    assertTrue(e.getMessage().contains("max-bytes"), e.getMessage());
    assertNotNull(store.read(kept, null));
    store.close();
  }

  @Test
  void maxBytes_mustBeAWholePositiveNumber() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MemoryDriverProvider()
                .create(new DriverContext("memory", Map.of("max-bytes", "lots"), clock)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MemoryDriverProvider()
                .create(new DriverContext("memory", Map.of("max-bytes", "0"), clock)));
  }

  @Test
  void indexEntriesOfSessionsGoneFromTheTable_areSweptByLaterLogIns() {
    String expired = SessionIds.generate();
    String live = SessionIds.generate();
    String young = SessionIds.generate();
    driver.index("alice", expired, clock.instant());
    driver.write(expired, "blob", null, clock.instant().plusSeconds(30));
    driver.index("alice", live, clock.instant());
    driver.write(live, "blob", null, null);
    driver.index("carol", SessionIds.generate(), clock.instant());
    clock.advance(Duration.ofMinutes(2));
    driver.read(expired, null); // the table drops the expired session
    driver.index("alice", young, clock.instant()); // about to be written

    driver.index("bob", SessionIds.generate(), clock.instant());

    assertEquals(
        Set.of(live, young),
        driver.indexed("alice").stream().map(IndexedSession::id).collect(Collectors.toSet()));
    assertTrue(driver.indexed("carol").isEmpty(), "a user who never lists leaves nothing behind");
  }
}
