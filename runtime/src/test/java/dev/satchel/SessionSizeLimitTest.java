package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * max-session-size refuses a commit as soon as the stored text passes the limit, however large the
 * value, and stores nothing: the session keeps what it had.
 */
final class SessionSizeLimitTest {
  private static final int LIMIT = 10_000;
  private final Requests app = new Requests(builder -> builder.maxSessionSize(LIMIT));

  private String sessionWithACart() {
    return app.run(null, session -> session.set("cart", List.of("sku-0001")));
  }

  private static List<String> lines(int count) {
    List<String> lines = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      lines.add("line-" + i + "-" + "y".repeat(40));
    }
    return lines;
  }

  @Test
  void aHugeValue_isRefusedJustPastTheLimit_andNothingIsStored() {
    String id = sessionWithACart();
    int writes = app.driver.writes.get();
    Requests.Request request = app.request(id);
    // About 50 MB of distinct lines: writing them all would take some 52 million characters.
    request.session.set("big", lines(1_000_000));
    SessionSizeException e = assertThrows(SessionSizeException.class, request.session::commit);
    assertEquals(LIMIT, e.limit());
    // The encoder stopped at the first line past the limit, about 50 characters on.
    assertTrue(e.size() > LIMIT && e.size() < LIMIT + 100, e.getMessage());
    assertTrue(e.getMessage().contains("at least " + e.size() + " characters"), e.getMessage());
    assertTrue(e.getMessage().contains("max-session-size"), e.getMessage());
    assertEquals(writes, app.driver.writes.get(), "nothing written");
    Session next = app.request(id).session;
    assertEquals(Optional.of(List.of("sku-0001")), next.get("cart"));
    assertFalse(next.has("big"));
  }

  @Test
  void aHugeString_isRefusedWithItsLengthAsTheLowerBound() {
    String id = sessionWithACart();
    Requests.Request request = app.request(id);
    String huge = "x".repeat(5_000_000);
    request.session.set("big", huge);
    SessionSizeException e = assertThrows(SessionSizeException.class, request.session::commit);
    // Measured, not copied: the string alone takes its length and two quotes.
    assertTrue(e.size() >= huge.length() + 2, e.getMessage());
    assertEquals(Optional.of(List.of("sku-0001")), app.request(id).session.get("cart"));
  }

  @Test
  void aSessionOfExactlyTheLimit_isStored_andOneCharacterMoreIsNot() {
    // The stored text grows by one character with each character of the value.
    String id = sessionWithACart();
    app.run(id, session -> session.set("padding", ""));
    String padding = "p".repeat(LIMIT - app.driver.blob(id).length());
    app.run(id, session -> session.set("padding", padding));
    assertEquals(LIMIT, app.driver.blob(id).length(), app.driver.blob(id));

    Requests.Request request = app.request(id);
    request.session.set("padding", padding + "p");
    SessionSizeException e = assertThrows(SessionSizeException.class, request.session::commit);
    assertEquals(LIMIT + 1, e.size());
    assertEquals(LIMIT, app.driver.blob(id).length());
  }

  @Test
  void anUpdateOverTheLimit_isRefusedAndLeavesTheKeyAsItWas() {
    String id = sessionWithACart();
    Session session = app.request(id).session;
    assertThrows(
        SessionSizeException.class,
        () -> session.update("cart", dev.satchel.codec.ValueCodecs.untyped(), c -> lines(100_000)));
    assertEquals(Optional.of(List.of("sku-0001")), app.request(id).session.get("cart"));
  }
}
