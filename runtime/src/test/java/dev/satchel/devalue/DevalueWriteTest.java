package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.testing.ReferenceSession;
import java.math.BigInteger;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Plain Java values written exactly as devalue writes their JavaScript counterparts. */
final class DevalueWriteTest {
  private static final Devalue DEVALUE = Devalue.standard();

  private enum Color {
    RED
  }

  private static void assertWrites(String expected, Object value) {
    assertEquals(expected, DEVALUE.stringify(value));
  }

  @Test
  void numbers_everyJavaNumericTypeAsAJavaScriptNumber() {
    assertWrites("[42]", 42);
    assertWrites("[42]", 42L);
    assertWrites("[42]", (short) 42);
    assertWrites("[1.5]", 1.5f);
    assertWrites("[[1,1,2],1,2]", List.of(1, 1.0, 2L));
    assertWrites("[1e+21]", 1e21);
    assertWrites("[100000000000000000000]", 1e20);
    assertWrites("[1e-7]", 1e-7);
    assertWrites("[0.000001]", 0.000001);
    assertWrites("[5e-324]", Double.MIN_VALUE);
    assertWrites("[1.7976931348623157e+308]", Double.MAX_VALUE);
    assertWrites("[0.30000000000000004]", 0.1 + 0.2);
    assertWrites("[1152921504606847000]", 0x1p60);
    assertWrites("-6", -0.0);
    assertWrites("-3", Double.NaN);
    assertWrites(
        "[[-3,-4,-5,-6,1],0]",
        List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0));
  }

  @Test
  void longBeyondSafeIntegers_isRefusedWithThePath() {
    DevalueException e =
        assertThrows(
            DevalueException.class, () -> DEVALUE.stringify(Map.of("n", List.of(1L << 53))));
    assertEquals(".get(\"n\")[0]", e.path());
    assertWrites("[9007199254740991]", (1L << 53) - 1);
    assertWrites("[[\"BigInt\",\"9007199254740993\"]]", BigInteger.valueOf((1L << 53) + 1));
  }

  @Test
  void strings_escapedAsDevalueEscapesThem() {
    assertWrites("[\"\\u003C/script>\"]", "</script>");
    assertWrites("[\"a\\u2028b\\u2029c\"]", "a\u2028b\u2029c");
    assertWrites("[\"\\u0000\\u001f\\b\\t\"]", "\u0000\u001f\b\t");
    assertWrites("[\"a\\ud800b\"]", "a\ud800b");
    assertWrites("[\"\\udc00\\ud800\"]", "\udc00\ud800");
    assertWrites("[\"smile \uD83D\uDE00\"]", "smile \uD83D\uDE00");
    assertWrites("[\"x\"]", 'x');
  }

  @Test
  void dates_asToIsoString() {
    assertWrites(
        "[[\"Date\",\"2001-09-09T01:46:40.123Z\"]]", Instant.parse("2001-09-09T01:46:40.123456Z"));
    assertWrites("[[\"Date\",\"1970-01-01T00:00:00.000Z\"]]", new Date(0));
    assertWrites(
        "[[\"Date\",\"+275760-09-13T00:00:00.000Z\"]]",
        Instant.ofEpochMilli(8_640_000_000_000_000L));
    assertWrites(
        "[[\"Date\",\"-000001-06-15T12:00:00.000Z\"]]", Instant.parse("-0001-06-15T12:00:00Z"));
    // Every field shorter than its width, none of them zero.
    assertWrites(
        "[[\"Date\",\"0042-01-02T03:04:05.067Z\"]]", Instant.parse("0042-01-02T03:04:05.067Z"));
    assertWrites(
        "[[\"Date\",\"+010000-12-31T23:59:59.999Z\"]]",
        Instant.parse("+10000-12-31T23:59:59.999Z"));
    assertWrites("[[\"Date\",\"\"]]", new InvalidDate());
    InvalidDate invalid = new InvalidDate();
    assertWrites(
        "[[1,1,2],[\"Date\",\"\"],[\"Date\",\"\"]]",
        java.util.Arrays.asList(invalid, invalid, new InvalidDate()));
    assertThrows(DevalueException.class, () -> DEVALUE.stringify(Instant.MAX));
  }

  @Test
  void collections_asArraysSetsAndMaps() {
    assertWrites("[[1,2,3],1,2,3]", new int[] {1, 2, 3});
    assertWrites("[[1,2],\"a\",\"b\"]", new String[] {"a", "b"});
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put("a", 1);
    map.put("b", 2);
    assertWrites("[[\"Map\",1,2,3,4],\"a\",1,\"b\",2]", map);
    assertWrites("[[\"Set\",1,2],\"x\",true]", new LinkedHashSet<>(List.of("x", true)));
    assertWrites("[[1,-2,2],1,3]", Arrays.asList(1, Hole.INSTANCE, 3));
    List<Object> sparse = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      sparse.add(i == 0 ? 1 : Hole.INSTANCE);
    }
    assertWrites("[[-7,10,0,1],1]", sparse);
  }

  @Test
  void plainObjects_inJavaScriptPropertyOrder() {
    PlainObject object = new PlainObject();
    object.put("b", 1);
    object.put("2", 2);
    object.put("a", 3);
    object.put("1", 4);
    object.put("01", 5);
    assertWrites("[{\"1\":1,\"2\":2,\"b\":3,\"a\":4,\"01\":5},4,2,1,3,5]", object);
  }

  @Test
  void sharedAndCyclicObjects_asReferences() {
    PlainObject self = new PlainObject();
    self.put("name", "o");
    self.put("self", self);
    assertWrites("[{\"name\":1,\"self\":0},\"o\"]", self);
    List<Object> list = new ArrayList<>();
    list.add(list);
    assertWrites("[[0]]", list);
  }

  @Test
  void otherJavaTypes_asTheirJavaScriptCounterparts() {
    assertWrites(
        "[[\"RegExp\",\"a\\\\/b\",\"i\"]]", Pattern.compile("a/b", Pattern.CASE_INSENSITIVE));
    assertWrites("[[\"RegExp\",\"(?:)\"]]", Pattern.compile(""));
    assertWrites("[[\"URL\",\"https://example.com/\"]]", URI.create("https://example.com/"));
    assertWrites("[\"RED\"]", Color.RED);
    assertWrites("-1", Optional.empty());
    assertWrites("[\"x\"]", Optional.of("x"));
    assertEquals(
        "[{\"url\":1},[\"URL\",2],\"https://astro.build/\"]",
        Devalue.astro()
            .stringify(new PlainObject(Map.of("url", URI.create("https://astro.build/")))));
  }

  @Test
  void referenceSession_matchesTheJavaScriptTextsExactly() {
    assertEquals(ReferenceSession.devalueText(), DEVALUE.stringify(ReferenceSession.asObject()));
    assertEquals(
        ReferenceSession.astroBlob(), Devalue.astro().stringify(ReferenceSession.asAstroEntries()));
  }

  @Test
  void astroBlob_readsBackWithItsUrlAndEntries() {
    Object blob = Devalue.astro().parse(ReferenceSession.astroBlob());
    JsMap entries = assertInstanceOf(JsMap.class, blob);
    PlainObject homepage = (PlainObject) entries.get("homepage");
    assertEquals(new JsUrl("https://example.com/shop?ref=satchel"), homepage.get("data"));
    assertSame(Undefined.INSTANCE, homepage.get("expires"));
    assertEquals(4102444800000.0, ((PlainObject) entries.get("user")).get("expires"));
    // The plain configuration reads Astro's reducer form of URLs too.
    assertEquals(
        blob.toString(), Devalue.standard().parse(ReferenceSession.astroBlob()).toString());
  }
}
