package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Doubles in the shapes that are hard to print, each against JavaScript's own {@code String(n)}
 * (see {@code src/test/js/number-strings.mjs}): the shortest decimal that reads back, the closest
 * of those, in JavaScript's layout.
 */
final class JsNumbersTest {
  private static final JsonNode NUMBERS = Fixtures.load("js-number-strings.json");

  @Test
  void everyDouble_printsAsJavaScriptPrintsIt() {
    List<String> mismatches = new ArrayList<>();
    for (JsonNode pair : NUMBERS) {
      double value = Double.longBitsToDouble(Long.parseUnsignedLong(pair.get(0).asText(), 16));
      String expected = pair.get(1).asText();
      for (double signed : new double[] {value, -value}) {
        String actual = JsNumbers.toString(signed);
        String wanted = signed < 0 ? "-" + expected : expected;
        if (!wanted.equals(actual)) {
          mismatches.add(pair.get(0).asText() + ": expected " + wanted + " but was " + actual);
        }
      }
    }
    assertEquals(List.of(), mismatches);
    assertEquals(true, NUMBERS.size() > 9_000, "the fixture is whole");
  }

  @Test
  void theExtremes() {
    assertEquals("5e-324", JsNumbers.toString(Double.MIN_VALUE));
    assertEquals("1.7976931348623157e+308", JsNumbers.toString(Double.MAX_VALUE));
    assertEquals("2.2250738585072014e-308", JsNumbers.toString(Double.MIN_NORMAL));
    assertEquals("0.30000000000000004", JsNumbers.toString(0.1 + 0.2));
    assertEquals("1e+21", JsNumbers.toString(1e21));
    assertEquals("123456789012345680000", JsNumbers.toString(123456789012345680000.0));
  }
}
