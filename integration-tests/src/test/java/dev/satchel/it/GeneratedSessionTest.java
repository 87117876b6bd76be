package dev.satchel.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.JsMap;
import dev.satchel.devalue.PlainObject;
import dev.satchel.it.Drivers.Request;
import dev.satchel.testing.ReferenceSession;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated classes, compiled the way users compile them, used against real drivers. */
final class GeneratedSessionTest {

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void everyAccessor_ofEveryKind_survivesARoundTrip(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request first = drivers.open(null);
      EverythingSession s = EverythingSession.of(first.session());
      s.setText("héllo </script>");
      s.setFlag(true);
      s.setCount(42);
      s.setTotal(9007199254740991L);
      s.setRatio(0.1);
      s.setScale(1.5f);
      s.setSmall((short) -3);
      s.setTiny((byte) 7);
      s.setLetter('x');
      s.setHuge(BigInteger.TWO.pow(100));
      s.setWhen(Instant.parse("2026-11-26T12:34:56.789Z"));
      s.setLegacyDate(new Date(0));
      s.setLink(URI.create("https://example.com/a?b=1"));
      s.setAddress(new URL("https://example.com/x"));
      s.setPattern(Pattern.compile("^a/b$", Pattern.CASE_INSENSITIVE));
      s.setBytes(new byte[] {1, 2, 3});
      s.setNumbers(new int[] {4, 5});
      s.setWords(new String[] {"a", "b"});
      s.setColour(Everything.Colour.GREEN);
      Map<String, List<Everything.Item>> wishlists = new LinkedHashMap<>();
      wishlists.put(
          "birthday",
          List.of(
              new Everything.Item("sku-1", 2, Optional.of("gift")),
              new Everything.Item("sku-2", 1, Optional.empty())));
      s.setWishlists(wishlists);
      s.setFavourites(Optional.of(new LinkedHashSet<>(List.of(Everything.Colour.RED))));
      s.setStock(Map.of(Everything.Colour.RED, 3));
      s.setTree(new Everything.Node("root", List.of(new Everything.Node("leaf", List.of()))));
      s.setAnything(List.of("mixed", 1.0, true));
      s.setRenamed("under another name");
      first.session().commit();

      EverythingSession read = EverythingSession.of(drivers.open(first.cookie(null)).session());
      assertEquals(Optional.of("héllo </script>"), read.text());
      assertEquals(Optional.of(true), read.flag());
      assertEquals(Optional.of(42), read.count());
      assertEquals(Optional.of(9007199254740991L), read.total());
      assertEquals(Optional.of(0.1), read.ratio());
      assertEquals(Optional.of(1.5f), read.scale());
      assertEquals(Optional.of((short) -3), read.small());
      assertEquals(Optional.of((byte) 7), read.tiny());
      assertEquals(Optional.of('x'), read.letter());
      assertEquals(Optional.of(BigInteger.TWO.pow(100)), read.huge());
      assertEquals(Optional.of(Instant.parse("2026-11-26T12:34:56.789Z")), read.when());
      assertEquals(Optional.of(new Date(0)), read.legacyDate());
      assertEquals(Optional.of(URI.create("https://example.com/a?b=1")), read.link());
      assertEquals("https://example.com/x", read.address().orElseThrow().toString());
      assertTrue(read.pattern().orElseThrow().matcher("A/B").matches());
      assertArrayEquals(new byte[] {1, 2, 3}, read.bytes().orElseThrow());
      assertArrayEquals(new int[] {4, 5}, read.numbers().orElseThrow());
      assertArrayEquals(new String[] {"a", "b"}, read.words().orElseThrow());
      assertEquals(Optional.of(Everything.Colour.GREEN), read.colour());
      assertEquals(Optional.of(wishlists), read.wishlists());
      assertEquals(Optional.of(Set.of(Everything.Colour.RED)), read.favourites());
      assertEquals(Optional.of(Map.of(Everything.Colour.RED, 3)), read.stock());
      assertEquals("leaf", read.tree().orElseThrow().children().get(0).label());
      assertEquals(Optional.of(List.of("mixed", 1.0, true)), read.anything());
      assertEquals(Optional.of("under another name"), read.renamed());
      assertTrue(read.session().has("renamed-key"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void settingNull_removesTheKey_soHasAndTheGetterAgree(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request request = drivers.open(null);
      ShopSession shop = ShopSession.of(request.session());
      shop.setCart(List.of("a"));
      shop.setLocale("fi");
      request.session().commit();
      String cookie = request.cookie(null);
      ShopSession next = ShopSession.of(drivers.open(cookie).session());
      next.setCart(null);
      next.setLocale(null, Duration.ofMinutes(1));
      assertFalse(next.hasCart());
      assertEquals(Optional.empty(), next.cart());
      assertFalse(next.hasLocale());
      next.session().commit();
      ShopSession after = ShopSession.of(drivers.open(cookie).session());
      assertFalse(after.hasCart());
      assertFalse(after.hasLocale());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void hasDeleteAndTtls(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request request = drivers.open(null);
      ShopSession shop = ShopSession.of(request.session());
      assertFalse(shop.hasCart());
      shop.setCart(List.of("a"));
      shop.setLocale("fi");
      shop.setUser(new Shop.User("u-1", "Ann", "ann@example.com"));
      shop.setLastVisit(Instant.now(drivers.clock), Duration.ofMinutes(5));
      assertTrue(shop.hasCart());
      shop.deleteCart();
      assertFalse(shop.hasCart());
      request.session().commit();
      String cookie = request.cookie(null);

      drivers.clock.advance(Duration.ofMinutes(10));
      ShopSession later = ShopSession.of(drivers.open(cookie).session());
      assertEquals(Optional.of("fi"), later.locale());
      assertTrue(later.hasUser());
      assertFalse(later.hasLastVisit());
      drivers.clock.advance(Duration.ofMinutes(51));
      assertFalse(ShopSession.of(drivers.open(cookie).session()).hasUser());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void regenerateDestroyAndLoad(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request first = drivers.open(null);
      ShopSession shop = ShopSession.of(first.session());
      shop.setCart(List.of("a", "b"));
      first.session().commit();
      String before = first.cookie(null);

      Request login = drivers.open(before);
      ShopSession loggedIn = ShopSession.of(login.session());
      loggedIn.regenerate();
      login.session().commit();
      String after = login.cookie(before);
      assertNotEquals(before, after);
      assertEquals(
          Optional.of(List.of("a", "b")), ShopSession.of(drivers.open(after).session()).cart());
      assertEquals(Optional.empty(), ShopSession.of(drivers.open(before).session()).cart());

      Request share = drivers.open(null);
      assertTrue(ShopSession.of(share.session()).load(after));
      assertEquals(Optional.of(after), ShopSession.of(share.session()).id());

      Request logout = drivers.open(after);
      ShopSession.of(logout.session()).destroy();
      logout.session().commit();
      assertEquals(Optional.empty(), ShopSession.of(drivers.open(after).session()).cart());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void recordThatChangedShape_readsOldDataAndIgnoresWhatWentAway(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request old = drivers.open(null);
      ProfileV1Session.of(old.session()).setProfile(new ProfileV1.Profile("Ann", "X-1"));
      old.session().commit();
      ProfileV2.Profile upgraded =
          ProfileV2Session.of(drivers.open(old.cookie(null)).session()).profile().orElseThrow();
      assertEquals(new ProfileV2.Profile("Ann", 0, false, Optional.empty()), upgraded);

      Request newer = drivers.open(null);
      ProfileV2Session.of(newer.session())
          .setProfile(new ProfileV2.Profile("Bo", 30, true, Optional.of("b")));
      newer.session().commit();
      ProfileV1.Profile downgraded =
          ProfileV1Session.of(drivers.open(newer.cookie(null)).session()).profile().orElseThrow();
      assertEquals(new ProfileV1.Profile("Bo", null), downgraded);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void blobWrittenByGeneratedCode_isTheTextTheJavaScriptLibraryWrites(String driver)
      throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Map<String, Object> values = ReferenceSession.values();
      Request request = drivers.open(null);
      ShopSession shop = ShopSession.of(request.session());
      @SuppressWarnings("unchecked")
      List<String> cart = (List<String>) values.get("cart");
      shop.setCart(cart);
      PlainObject user = (PlainObject) values.get("user");
      shop.setUser(
          new Shop.User(
              (String) user.get("id"), (String) user.get("name"), (String) user.get("email")),
          Duration.ofMillis(ReferenceSession.USER_EXPIRES - drivers.clock.millis()));
      shop.setLastVisit((Instant) values.get("lastVisit"));
      @SuppressWarnings("unchecked")
      Map<String, Object> prefs = (Map<String, Object>) values.get("prefs");
      shop.setPrefs(prefs);
      @SuppressWarnings("unchecked")
      Set<String> tags = (Set<String>) values.get("tags");
      shop.setTags(tags);
      shop.setHomepage(URI.create(values.get("homepage").toString()));
      request.session().commit();

      Request reader = drivers.open(request.cookie(null));
      // Through the untyped API, the values are devalue's natural ones ...
      assertEquals(
          new PlainObject(
              Map.of("id", "u-12345", "name", "Houston", "email", "houston@example.com")),
          reader.session().get("user").orElseThrow());
      // ... and the text is exactly the blob Astro stores for the same session.
      Map<String, Object> entries = new LinkedHashMap<>();
      for (String key : reader.session().keys()) {
        PlainObject entry = new PlainObject();
        entry.put("data", reader.session().get(key).orElseThrow());
        entry.put(
            "expires",
            key.equals("user")
                ? (Object) ReferenceSession.USER_EXPIRES
                : dev.satchel.devalue.Undefined.INSTANCE);
        entries.put(key, entry);
      }
      assertEquals(ReferenceSession.astroBlob(), Devalue.astro().stringify(entries));
      JsMap parsed = (JsMap) Devalue.astro().parse(ReferenceSession.astroBlob());
      assertEquals(List.copyOf(parsed.keySet()), List.copyOf(reader.session().keys()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void nestedInterface_generatesAFlattenedName(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request request = drivers.open(null);
      Everything_NestedSession.of(request.session()).setValue("v");
      assertEquals(Optional.of("v"), Everything_NestedSession.of(request.session()).value());
    }
  }
}
