package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Random values written by the real devalue library (see {@code src/test/js/random-corpus.mjs}):
 * each reads and writes back byte for byte, and each random double prints as JavaScript prints it.
 */
final class DevalueRandomCorpusTest {
  private static final JsonNode CORPUS = Fixtures.load("devalue-random-corpus.json");

  @TestFactory
  Stream<DynamicTest> everyRandomValue_readsAndWritesBackByteForByte() {
    List<DynamicTest> tests = new ArrayList<>();
    JsonNode values = CORPUS.get("values");
    for (int i = 0; i < values.size(); i++) {
      String text = values.get(i).asText();
      tests.add(
          DynamicTest.dynamicTest(
              "value " + i,
              () ->
                  assertEquals(
                      text, Devalue.standard().stringify(Devalue.standard().parse(text)))));
    }
    return tests.stream();
  }

  @Test
  void everyRandomDouble_printsAsJavaScriptPrintsIt() {
    List<String> mismatches = new ArrayList<>();
    for (JsonNode pair : CORPUS.get("numbers")) {
      double value = Double.longBitsToDouble(Long.parseUnsignedLong(pair.get(0).asText(), 16));
      String expected = pair.get(1).asText();
      String actual = JsNumbers.toString(value);
      if (!expected.equals(actual)) {
        mismatches.add(pair.get(0).asText() + ": expected " + expected + " but was " + actual);
      }
    }
    assertEquals(List.of(), mismatches);
  }
}
