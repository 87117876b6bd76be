package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import dev.satchel.testing.ReferenceSession;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The reader tokenizes devalue's own layout on a fast path and reads anything else, and every
 * error, with the general JSON reader; writing and reading reuse per-thread buffers. These tests
 * hold the two reading paths to the same results and the buffers to no leaks between calls.
 */
final class DevalueReaderPathsTest {
  private static final Devalue DEVALUE = Devalue.standard();

  /** Reads {@code text} the general way only. */
  private static Object general(String text) {
    int depth = Devalue.DEFAULT_MAX_DEPTH;
    return Hydrator.unflatten(Json.parse(text, depth), new Entries(), Map.of(), depth);
  }

  @Test
  void corpusAndFixtures_readTheSameOnBothPaths() {
    List<String> texts = new ArrayList<>();
    Fixtures.load("devalue-random-corpus.json").get("values").forEach(v -> texts.add(v.asText()));
    for (JsonNode c : Fixtures.load("devalue-fixtures.json").get("cases")) {
      if (c.get("reducers") == null && c.get("revivers") == null) {
        texts.add(c.get("devalue").asText());
      }
    }
    texts.add(ReferenceSession.devalueText());
    texts.add(ReferenceSession.astroBlob());
    List<String> differences = new ArrayList<>();
    for (String text : texts) {
      String fast = DEVALUE.stringify(DEVALUE.parse(text));
      String general = DEVALUE.stringify(general(text));
      if (!fast.equals(general)) {
        differences.add(text);
      }
    }
    assertEquals(List.of(), differences);
  }

  @Test
  void everyDamagedBlob_failsAsTheGeneralReaderSays() {
    String blob = ReferenceSession.astroBlob();
    // A long text first, so that the reused buffer holds characters past each shorter input.
    DEVALUE.parse(blob);
    int checked = 0;
    for (int end = 1; end < blob.length(); end++) {
      for (String text : List.of(blob.substring(0, end), blob.substring(0, end) + "]")) {
        String expected = failure(() -> general(text));
        assertEquals(expected, failure(() -> DEVALUE.parse(text)), text);
        checked += expected == null ? 0 : 1;
      }
    }
    // All fail but one: the blob without its last bracket, plus a bracket.
    assertEquals(2 * (blob.length() - 1) - 1, checked);
  }

  @Test
  void referencesInOddNumberForms_readAsTheGeneralReaderReadsThem() {
    List<String> references =
        List.of(
            "1",
            "1e0",
            "1E0",
            "1.0",
            "1.5",
            "01",
            "-0",
            "1e",
            "123456789",
            "1234567890",
            "9999999999");
    int read = 0;
    for (String ref : references) {
      for (String text :
          List.of(
              "[[" + ref + "],\"x\"]",
              "[{\"a\":" + ref + "},\"x\"]",
              "[[\"Set\"," + ref + "],\"x\"]",
              "[[" + ref + "," + ref + "],\"x\"]")) {
        String expected = failure(() -> general(text));
        assertEquals(expected, failure(() -> DEVALUE.parse(text)), text);
        if (expected == null) {
          assertEquals(
              DEVALUE.stringify(general(text)), DEVALUE.stringify(DEVALUE.parse(text)), text);
          read++;
        }
      }
    }
    // 1, 1e0, 1E0 and 1.0 name the string, -0 the entry itself; 1.5 reads as undefined, as in
    // JavaScript. The rest are not JSON or name no entry.
    assertEquals(6 * 4, read);
  }

  private static String failure(Runnable read) {
    try {
      read.run();
      return null;
    } catch (DevalueException e) {
      return e.getMessage();
    }
  }

  @Test
  void objectsWithRepeatedOrIndexNames_readAsJavaScriptReadsThem() {
    assertEquals(Map.of("a", 2.0), DEVALUE.parse("[{\"a\":1,\"a\":2},1,2]"));
    PlainObject ordered = (PlainObject) DEVALUE.parse("[{\"b\":1,\"2\":1,\"1\":1},true]");
    assertEquals(List.of("1", "2", "b"), new ArrayList<>(ordered.keySet()));
    DevalueException proto =
        assertThrows(DevalueException.class, () -> DEVALUE.parse("[{\"__proto__\":1},1]"));
    assertEquals("Cannot parse an object with a `__proto__` property", proto.reason());
  }

  @Test
  void aReviverOrReducerThatUsesTheCodecAgain_getsBuffersOfItsOwn() {
    Devalue inner = Devalue.standard();
    Devalue nested =
        Devalue.builder()
            .reducer("Pair", v -> v instanceof int[] ? inner.stringify(List.of("x", "y")) : null)
            .reviver("Pair", text -> inner.parse((String) text))
            .build();
    List<Object> value = List.of("before", new int[] {1}, "after");
    String text = nested.stringify(value);
    assertEquals(
        "[[1,2,4],\"before\",[\"Pair\",3],\"[[1,2],\\\"x\\\",\\\"y\\\"]\",\"after\"]", text);
    assertEquals(List.of("before", List.of("x", "y"), "after"), nested.parse(text));
  }

  @Test
  void aVeryLargeValue_leavesTheNextCallsCorrect() {
    List<String> large = new ArrayList<>();
    for (int i = 0; i < 50_000; i++) {
      large.add("item-" + i);
    }
    String text = DEVALUE.stringify(large);
    assertEquals(large, DEVALUE.parse(text));
    assertEquals("[[1],\"small\"]", DEVALUE.stringify(List.of("small")));
    assertEquals(List.of("small"), DEVALUE.parse("[[1],\"small\"]"));
  }
}
