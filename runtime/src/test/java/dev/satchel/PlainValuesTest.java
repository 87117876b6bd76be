package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.JsMap;
import dev.satchel.devalue.JsSet;
import dev.satchel.devalue.JsUrl;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.Undefined;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.ReferenceSession;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code session.get(key)} without a codec: the plain value, in the Java types its javadoc lists,
 * for what an Astro app stored and for what this request set.
 */
final class PlainValuesTest {
  private final Requests app = new Requests();

  @Test
  void aSessionAnAstroAppWrote_readsAsPlainValues() {
    String id = SessionIds.generate();
    // The exact text Astro stores for the reference session: six keys, one with an expiry.
    app.driver.put(id, ReferenceSession.astroBlob());
    Session session = app.request(id).session;

    List<?> cart = assertInstanceOf(ArrayList.class, session.get("cart").orElseThrow());
    assertEquals(20, cart.size());
    assertEquals("sku-0001", cart.get(0));

    PlainObject user = assertInstanceOf(PlainObject.class, session.get("user").orElseThrow());
    assertEquals(Map.of("id", "u-12345", "name", "Houston", "email", "houston@example.com"), user);

    Date lastVisit = assertInstanceOf(Date.class, session.get("lastVisit").orElseThrow());
    assertEquals(Instant.parse("2026-11-26T12:34:56.789Z"), lastVisit.toInstant());

    JsMap prefs = assertInstanceOf(JsMap.class, session.get("prefs").orElseThrow());
    assertEquals("dark", prefs.get("theme"));
    assertEquals(25.0, prefs.get("pageSize"), "a JavaScript number is a Double, whole or not");
    assertEquals(1.25, prefs.get("fontScale"));
    assertEquals(Boolean.TRUE, prefs.get("newsletter"));

    JsSet tags = assertInstanceOf(JsSet.class, session.get("tags").orElseThrow());
    assertEquals(Set.of("vip", "early-adopter", "eu", "mobile", "returning"), tags);

    assertEquals(
        new JsUrl("https://example.com/shop?ref=satchel"), session.get("homepage").orElseThrow());
    assertEquals(Optional.empty(), session.get("absent"));
    // The same as through the untyped codec, which set(key, value) writes with.
    for (String key : session.keys()) {
      assertEquals(session.get(key, ValueCodecs.untyped()), session.get(key), key);
    }
  }

  @Test
  void nullAndUndefined_readAsEmptyAtTheTop_andAsThemselvesInside() {
    String id = SessionIds.generate();
    LinkedHashMap<String, PlainObject> stored = new LinkedHashMap<>();
    stored.put("nothing", entry(null));
    stored.put("missing", entry(Undefined.INSTANCE));
    List<Object> holes = new ArrayList<>();
    holes.add(null);
    holes.add(Undefined.INSTANCE);
    holes.add(new BigInteger("12345678901234567890"));
    stored.put("inside", entry(holes));
    app.driver.put(id, dev.satchel.devalue.Devalue.astro().stringify(stored));
    Session session = app.request(id).session;

    assertEquals(Optional.empty(), session.get("nothing"));
    assertEquals(Optional.empty(), session.get("missing"));
    assertTrue(session.has("missing"));
    List<?> inside = assertInstanceOf(List.class, session.get("inside").orElseThrow());
    assertNull(inside.get(0));
    assertSame(Undefined.INSTANCE, inside.get(1));
    assertEquals(new BigInteger("12345678901234567890"), inside.get(2));
  }

  private static PlainObject entry(Object data) {
    PlainObject entry = new PlainObject();
    entry.put("data", data);
    return entry;
  }

  @Test
  void aValueSetInThisRequest_readsAsItWillOnceStored() {
    Requests.Request request = app.request(null);
    Session session = request.session;
    session.set("count", 3);
    session.set("prefs", Map.of("theme", "dark"));
    session.set("seen", Instant.parse("2026-12-01T10:00:00Z"));
    assertEquals(Optional.of(3.0), session.get("count"));
    assertInstanceOf(JsMap.class, session.get("prefs").orElseThrow());
    assertInstanceOf(Date.class, session.get("seen").orElseThrow());
    session.commit();

    Session next = app.request(request.cookieAfter(null)).session;
    assertEquals(Optional.of(3.0), next.get("count"));
    assertEquals(Map.of("theme", "dark"), next.get("prefs").orElseThrow());
    assertEquals(
        Instant.parse("2026-12-01T10:00:00Z"), ((Date) next.get("seen").orElseThrow()).toInstant());
  }

  @Test
  void theValueRead_isACopy() {
    String id = app.run(null, session -> session.set("cart", List.of("a")));
    Session session = app.request(id).session;
    @SuppressWarnings("unchecked")
    List<Object> cart = (List<Object>) session.get("cart").orElseThrow();
    cart.add("b");
    assertEquals(Optional.of(List.of("a")), session.get("cart"));
  }

  @Test
  void aValueWithNoStoredForm_isRefusedWhenSet() {
    Session session = app.request(null).session;
    SessionValueException e =
        assertThrows(SessionValueException.class, () -> session.set("bad", List.of(new Object())));
    assertTrue(e.getMessage().contains("bad[0]"), e.getMessage());
  }
}
