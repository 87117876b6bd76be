package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionBlob.CorruptBlobException;
import dev.satchel.SessionBlob.Entry;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.PlainObject;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.CountingDriverProvider;
import dev.satchel.testing.CountingDriverProvider.CountingDriver;
import dev.satchel.testing.ReferenceSession;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sessions kept decoded between requests: when they are reused, and that sharing leaks nothing. */
final class DecodedSessionsTest {
  private static final String BLOB = ReferenceSession.astroBlob();

  @Test
  void sameIdAndSameText_reusesTheEntries() throws Exception {
    DecodedSessions decoded = DecodedSessions.holding(1_000_000);
    String id = SessionIds.generate();
    Map<String, Entry> first = decoded.parse(id, BLOB);
    assertSame(first, decoded.parse(id, new String(BLOB.toCharArray())));
  }

  @Test
  void otherText_orOtherId_isParsedAfresh() throws Exception {
    DecodedSessions decoded = DecodedSessions.holding(1_000_000);
    String id = SessionIds.generate();
    Map<String, Entry> first = decoded.parse(id, BLOB);
    String changed = BLOB.replace("Houston", "Austin");
    Map<String, Entry> second = decoded.parse(id, changed);
    assertNotSame(first, second);
    assertEquals("Austin", ((PlainObject) second.get("user").data()).get("name"));
    assertNotSame(second, decoded.parse(SessionIds.generate(), changed));
  }

  @Test
  void sizeZero_keepsNothing() throws Exception {
    DecodedSessions decoded = DecodedSessions.holding(0);
    String id = SessionIds.generate();
    assertNotSame(decoded.parse(id, BLOB), decoded.parse(id, BLOB));
  }

  @Test
  void pastTheSize_sessionsLeave() throws Exception {
    // Room for two blobs of this size, not three.
    DecodedSessions decoded = DecodedSessions.holding(2L * BLOB.length() + 10);
    String a = SessionIds.generate();
    String b = SessionIds.generate();
    String c = SessionIds.generate();
    Map<String, Entry> keptA = decoded.parse(a, BLOB);
    Map<String, Entry> keptB = decoded.parse(b, BLOB);
    decoded.parse(c, BLOB);
    int kept = 0;
    kept += decoded.parse(a, BLOB) == keptA ? 1 : 0;
    kept += decoded.parse(b, BLOB) == keptB ? 1 : 0;
    assertTrue(kept < 2, "all three blobs were kept past the size");
  }

  @Test
  void corruptText_isNeverKept() {
    DecodedSessions decoded = DecodedSessions.holding(1_000_000);
    String id = SessionIds.generate();
    assertThrows(CorruptBlobException.class, () -> decoded.parse(id, "[{\"a\":"));
    assertThrows(CorruptBlobException.class, () -> decoded.parse(id, "[{\"a\":"));
  }

  @Test
  void sharedEntries_cannotBeChanged() throws Exception {
    Map<String, Entry> entries = DecodedSessions.holding(1_000_000).parse("id", BLOB);
    assertThrows(UnsupportedOperationException.class, () -> entries.remove("cart"));
  }

  @Test
  void whatAWriteKeeps_isWhatReadingItsTextGives() throws Exception {
    Requests app = new Requests();
    String cookie = app.run(null, session -> ReferenceSession.values().forEach(session::set));
    // A second application on the same store, with nothing kept, reads the text afresh.
    try (Satchel reader =
        Satchel.builder()
            .driver("counting")
            .driverOption("store", app.storeName + "-reader")
            .decodedCacheSize(0)
            .build()) {
      CountingDriverProvider.store(app.storeName + "-reader").put(cookie, app.driver.blob(cookie));
      Session afresh = reader.open(cookie, c -> {});
      Session kept = app.request(cookie).session;
      assertEquals(afresh.entries(), kept.entries());
      assertEquals(
          afresh.get("cart", ValueCodecs.list(ValueCodecs.strings())),
          kept.get("cart", ValueCodecs.list(ValueCodecs.strings())));
    }
  }

  @Test
  void aSessionWithItsOwnIdleTimeout_isReadOnce_whenKept_andTwiceWhenNot() {
    Requests app = new Requests(builder -> builder.idleTimeout(Duration.ofMinutes(30)));
    String cookie =
        app.run(
            null,
            session -> {
              session.set("cart", "socks", ValueCodecs.strings());
              session.setIdleTimeout(Duration.ofMinutes(10));
            });
    int before = app.driver.reads.get();
    app.run(cookie, session -> session.get("cart", ValueCodecs.strings()));
    assertEquals(1, app.driver.reads.get() - before, "kept: pushed by its own timeout at once");
    try (Satchel other =
        Satchel.builder()
            .driver("counting")
            .driverOption("store", app.storeName + "-other")
            .idleTimeout(Duration.ofMinutes(30))
            .build()) {
      CountingDriver store = CountingDriverProvider.store(app.storeName + "-other");
      store.put(cookie, app.driver.blob(cookie));
      int otherBefore = store.reads.get();
      other.open(cookie, c -> {}).get("cart", ValueCodecs.strings());
      assertEquals(2, store.reads.get() - otherBefore, "not kept: read again with its own");
    }
  }

  @Test
  void changingAValueReadFromAKeptSession_changesNothingForTheNextRequest() {
    Requests app = new Requests();
    String cookie =
        app.run(null, session -> session.set("prefs", Map.of("theme", "dark", "size", 12.0)));
    app.run(
        cookie,
        session -> {
          @SuppressWarnings("unchecked")
          Map<Object, Object> prefs =
              (Map<Object, Object>) session.get("prefs", ValueCodecs.untyped()).orElseThrow();
          prefs.put("theme", "light");
          prefs.remove("size");
        });
    Map<?, ?> next =
        (Map<?, ?>) app.request(cookie).session.get("prefs", ValueCodecs.untyped()).orElseThrow();
    assertEquals("dark", next.get("theme"));
    assertEquals(12.0, next.get("size"));
  }

  @Test
  void aSessionChangedByAnotherApplication_isReadAfresh(@TempDir Path folder) {
    try (Satchel one = Satchel.builder().driverOption("base", folder.toString()).build();
        Satchel other = Satchel.builder().driverOption("base", folder.toString()).build()) {
      Session first = one.open(null, c -> {});
      first.set("step", "one");
      first.commit();
      String id = first.id().orElseThrow();
      assertEquals("one", one.open(id, c -> {}).get("step", ValueCodecs.strings()).orElseThrow());
      Session elsewhere = other.open(id, c -> {});
      elsewhere.set("step", "two");
      elsewhere.commit();
      assertEquals("two", one.open(id, c -> {}).get("step", ValueCodecs.strings()).orElseThrow());
    }
  }

  @Test
  void manyThreads_readingOneKeptSession_eachGetTheirOwnValues() throws Exception {
    Requests app = new Requests();
    List<String> items = new ArrayList<>(List.of("a", "b", "c"));
    String cookie =
        app.run(
            null, session -> session.set("cart", items, ValueCodecs.list(ValueCodecs.strings())));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<List<String>>> carts = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        int n = i;
        carts.add(
            pool.submit(
                () -> {
                  List<String> cart =
                      app.request(cookie)
                          .session
                          .get("cart", ValueCodecs.list(ValueCodecs.strings()))
                          .orElseThrow();
                  cart.add("mine-" + n);
                  return cart;
                }));
      }
      for (int i = 0; i < carts.size(); i++) {
        assertEquals(List.of("a", "b", "c", "mine-" + i), carts.get(i).get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void size_isConfigurableByName_andRefusesNonsense() {
    Properties properties = new Properties();
    properties.setProperty("decoded-cache-size", "many");
    IllegalArgumentException word =
        assertThrows(
            IllegalArgumentException.class, () -> Satchel.builder().properties(properties));
    assertTrue(word.getMessage().contains("decoded-cache-size"), word.getMessage());
    IllegalArgumentException negative =
        assertThrows(
            IllegalArgumentException.class,
            () -> Satchel.builder().environment(Map.of("SATCHEL_DECODED_CACHE_SIZE", "-1")));
    assertTrue(negative.getMessage().contains("SATCHEL_DECODED_CACHE_SIZE"), negative.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Satchel.builder().decodedCacheSize(-1));
    assertDoesNotThrow(
        () -> Satchel.builder().environment(Map.of("SATCHEL_DECODED_CACHE_SIZE", " 0 ")));
  }
}
