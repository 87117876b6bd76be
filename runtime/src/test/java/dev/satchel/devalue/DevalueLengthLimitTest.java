package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.satchel.testing.ReferenceSession;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code stringify(value, maxLength)}: the text itself when it fits, and otherwise a refusal made
 * as soon as the limit is passed, with a length that is a true lower bound.
 */
final class DevalueLengthLimitTest {
  private static final Devalue DEVALUE = Devalue.standard();

  /** Every value of the corpus and fixtures, the reference session and a few edge shapes. */
  private static List<Object> values() {
    List<Object> values = new ArrayList<>();
    Fixtures.load("devalue-random-corpus.json")
        .get("values")
        .forEach(v -> values.add(DEVALUE.parse(v.asText())));
    for (JsonNode c : Fixtures.load("devalue-fixtures.json").get("cases")) {
      if (c.get("reducers") == null && c.get("revivers") == null) {
        values.add(DEVALUE.parse(c.get("devalue").asText()));
      }
    }
    values.add(Devalue.astro().parse(ReferenceSession.astroBlob()));
    values.add(ReferenceSession.asObject());
    values.add(Undefined.INSTANCE);
    values.add(Double.NaN);
    values.add(List.of(123456789, -2147483648, 2147483647, "a<b\u2028", "x".repeat(700)));
    return values;
  }

  @Test
  void everyLimit_givesTheTextOrATrueLowerBoundAboveTheLimit() {
    int checked = 0;
    for (Object value : values()) {
      String text = DEVALUE.stringify(value);
      int length = text.length();
      assertEquals(text, DEVALUE.stringify(value, length));
      assertEquals(text, DEVALUE.stringify(value, length + 1));
      assertEquals(text, DEVALUE.stringify(value, Integer.MAX_VALUE));
      // Every limit below the length for short texts, a spread of them for long ones.
      int step = Math.max(1, length / 30);
      for (int limit = length - 1; limit >= 0; limit -= limit > length - 10 ? 1 : step) {
        int max = limit;
        DevalueTooLongException e =
            assertThrows(DevalueTooLongException.class, () -> DEVALUE.stringify(value, max));
        assertTrue(
            e.minimumLength() > limit && e.minimumLength() <= length,
            () -> max + " < " + e.minimumLength() + " <= " + length + " for " + text);
        assertEquals(limit, e.maxLength());
        checked++;
      }
      // The buffers this thread keeps serve the next call whole, whatever the last limit was.
      assertEquals(text, DEVALUE.stringify(value));
    }
    assertTrue(checked > 10_000, "checked " + checked);
  }

  @Test
  void aHugeValue_isRefusedAfterVisitingOnlyWhatTheLimitHolds() {
    // A reducer that claims nothing sees every value the writer visits.
    AtomicInteger visited = new AtomicInteger();
    Devalue counting =
        Devalue.builder()
            .reducer(
                "Never",
                value -> {
                  visited.incrementAndGet();
                  return null;
                })
            .build();
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 1_000_000; i++) {
      lines.add("line-" + i + "-" + "y".repeat(40));
    }
    DevalueTooLongException e =
        assertThrows(DevalueTooLongException.class, () -> counting.stringify(lines, 10_000));
    // Each line takes about 50 characters: some 200 fit, and the writer stopped at the next one.
    assertTrue(visited.get() < 300, visited + " values visited");
    assertTrue(e.minimumLength() > 10_000 && e.minimumLength() < 10_100, e.getMessage());
  }

  @Test
  void aHugeString_isMeasuredWithoutBeingCopied() {
    String huge = "z".repeat(20_000_000);
    DevalueTooLongException e =
        assertThrows(DevalueTooLongException.class, () -> DEVALUE.stringify(List.of(huge), 1000));
    // ["…",…] at least: the brackets, the reference to it, the quotes and a comma after it.
    assertTrue(e.minimumLength() >= huge.length() + 2, e.getMessage());
    assertTrue(e.getMessage().contains("at least " + e.minimumLength()), e.getMessage());
  }

  @Test
  void whatCannotBeWritten_pastTheLimit_isNeverReached() {
    Object[] value = {"a".repeat(5_000), new Object()};
    assertThrows(DevalueTooLongException.class, () -> DEVALUE.stringify(value, 1000));
    // Unlimited, the writer reaches it.
    DevalueException e = assertThrows(DevalueException.class, () -> DEVALUE.stringify(value));
    assertEquals("[1]", e.path());
  }

  @Test
  void aMapsEntries_areReadOnlyUpToTheLimit() {
    AtomicInteger read = new AtomicInteger();
    Map<String, Integer> endless =
        new AbstractMap<>() {
          @Override
          public Set<Map.Entry<String, Integer>> entrySet() {
            return new AbstractSet<>() {
              @Override
              public Iterator<Map.Entry<String, Integer>> iterator() {
                return new Iterator<>() {
                  @Override
                  public boolean hasNext() {
                    return true;
                  }

                  @Override
                  public Map.Entry<String, Integer> next() {
                    int i = read.getAndIncrement();
                    return Map.entry("key-" + i, i);
                  }
                };
              }

              @Override
              public int size() {
                return Integer.MAX_VALUE;
              }
            };
          }
        };
    assertThrows(DevalueTooLongException.class, () -> DEVALUE.stringify(endless, 5000));
    assertTrue(read.get() < 1000, read + " entries read");
  }

  @Test
  void aNegativeLimit_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> DEVALUE.stringify("a", -1));
  }
}
