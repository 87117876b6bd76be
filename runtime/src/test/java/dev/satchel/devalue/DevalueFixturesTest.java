package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every case of the real devalue library's fixture file: each output reads and writes back
 * byte for byte, each older-version output reads, each invalid input is refused with devalue's
 * message, and each odd-but-accepted input reads.
 */
final class DevalueFixturesTest {
  private static final JsonNode FIXTURES = Fixtures.load("devalue-fixtures.json");

  /** Versions whose output the reader must accept: 5.7 and later. */
  private static final List<String> READABLE_VERSIONS = List.of("5.9.4");

  @TestFactory
  Stream<DynamicTest> everyCase_readsAndWritesBackByteForByte() {
    return stream(FIXTURES.get("cases"))
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("name").asText(),
                    () -> {
                      Devalue devalue = configurationFor(c);
                      String expected = c.get("devalue").asText();
                      Object value = devalue.parse(expected);
                      assertEquals(expected, devalue.stringify(value));
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyVariantOfASupportedVersion_reads() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : iterable(FIXTURES.get("cases"))) {
      JsonNode variants = c.get("variants");
      if (variants == null) {
        continue;
      }
      for (String version : READABLE_VERSIONS) {
        JsonNode output = variants.get(version);
        if (output != null && output.isTextual()) {
          tests.add(
              DynamicTest.dynamicTest(
                  c.get("name").asText() + " @" + version,
                  () -> assertNotNull(configurationFor(c).parse(output.asText()))));
        }
      }
    }
    return tests.stream();
  }

  @TestFactory
  Stream<DynamicTest> everyInvalidInput_isRefusedWithDevaluesMessage() {
    return stream(FIXTURES.get("parseInvalid"))
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("name").asText(),
                    () -> {
                      Devalue devalue = revivers(c.path("revivers").asText(null));
                      DevalueException e =
                          assertThrows(
                              DevalueException.class, () -> devalue.parse(c.get("input").asText()));
                      if (c.get("thrownBy").asText().equals("devalue")) {
                        assertEquals(c.get("error").asText(), e.reason());
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> everyLenientInput_reads() {
    return stream(FIXTURES.get("parseLenient"))
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.get("name").asText(),
                    () -> {
                      Devalue devalue = revivers(c.path("revivers").asText(null));
                      Object value = devalue.parse(c.get("input").asText());
                      // Whatever it reads writes again without error.
                      devalue.stringify(value instanceof Fixtures.Vector ? null : value);
                    }));
  }

  private static Devalue configurationFor(JsonNode c) {
    return Fixtures.configurationFor(
        c.path("reducers").asText(null), c.path("revivers").asText(null));
  }

  private static Devalue revivers(String revivers) {
    if (revivers == null || revivers.startsWith("Object.create(")) {
      return Devalue.standard();
    }
    if (revivers.contains("Custom:")) {
      return Devalue.builder().reviver("Custom", v -> v).build();
    }
    if (revivers.contains("A:")) {
      return Devalue.builder()
          .reviver("A", v -> Map.of("a", v))
          .reviver("B", v -> Map.of("b", v))
          .build();
    }
    if (revivers.contains("URL:")) {
      return Devalue.builder().reviver("URL", s -> "reviver got string: " + s).build();
    }
    if (revivers.contains("Date:")) {
      return Devalue.builder().reviver("Date", s -> "raw:" + s).build();
    }
    if (revivers.contains("Pair:")) {
      return Devalue.builder().reviver("Pair", v -> v).build();
    }
    return Fixtures.configurationFor(null, revivers);
  }

  private static Stream<JsonNode> stream(JsonNode array) {
    List<JsonNode> nodes = new ArrayList<>();
    array.forEach(nodes::add);
    return nodes.stream();
  }

  private static Iterable<JsonNode> iterable(JsonNode array) {
    return () -> {
      Iterator<JsonNode> it = array.elements();
      return it;
    };
  }
}
