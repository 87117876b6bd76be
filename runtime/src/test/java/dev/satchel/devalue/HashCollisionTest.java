package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Strings built from the blocks "Aa" and "BB" all share one hash code. Data made of them must not
 * make reading or writing cost the square of its size: the tables hand over to tree-binned maps.
 */
final class HashCollisionTest {
  private static final int KEYS = 1 << 16;
  // Far past the probe limit; these doubles have 17 digits, which take the slow printing path.
  private static final int NUMBERS = 4096;

  private static List<String> collidingStrings() {
    List<String> strings = new ArrayList<>(KEYS);
    int bits = Integer.numberOfTrailingZeros(KEYS);
    for (int n = 0; n < KEYS; n++) {
      StringBuilder s = new StringBuilder(2 * bits);
      for (int b = 0; b < bits; b++) {
        s.append((n >> b & 1) == 0 ? "Aa" : "BB");
      }
      strings.add(s.toString());
    }
    assertEquals(1, strings.stream().mapToInt(String::hashCode).distinct().count());
    return strings;
  }

  @Test
  void aJsMapOfCollidingKeys_keepsEveryKeyInOrder() {
    List<String> strings = collidingStrings();
    JsMap map = new JsMap();
    for (int i = 0; i < strings.size(); i++) {
      map.put(strings.get(i), i);
    }
    assertTrue(map.table().indexed());
    assertEquals(KEYS, map.size());
    assertEquals(KEYS - 1, map.get(strings.get(KEYS - 1)));
    map.remove(strings.get(0));
    map.put(strings.get(0), "last");
    List<Object> keys = new ArrayList<>(map.keySet());
    assertEquals(strings.get(1), keys.get(0));
    assertEquals(strings.get(0), keys.get(KEYS - 1));
  }

  @Test
  void writingAndReadingCollidingStrings_stayCorrect() {
    List<String> strings = collidingStrings();
    JsMap map = new JsMap();
    strings.forEach(s -> map.put(s, s));
    String text = Devalue.standard().stringify(List.of(strings, map));
    List<?> read = (List<?>) Devalue.standard().parse(text);
    assertEquals(strings, read.get(0));
    assertEquals(KEYS, ((Map<?, ?>) read.get(1)).size());
    assertEquals(text, Devalue.standard().stringify(read));
  }

  @Test
  void theWritersTable_handsOverToAHashMap() {
    RefTable table = new RefTable(false);
    List<String> strings = collidingStrings();
    for (int i = 0; i < 1000; i++) {
      assertEquals(-1, table.putIfAbsent(strings.get(i), i));
    }
    assertTrue(table.handedOver());
    assertEquals(999, table.putIfAbsent(strings.get(999), 5));
    table.clear();
    assertEquals(-1, table.putIfAbsent(strings.get(999), 5));
  }

  /**
   * Doubles whose bits times the writer's multiplier are 0, 1, 2, ...: every one of them hashes to
   * the table's first slot, whatever its size.
   */
  private static List<Double> collidingNumbers() {
    long inverse = 1;
    for (int i = 0; i < 6; i++) {
      inverse *= 2 - 0x9E3779B97F4A7C15L * inverse;
    }
    List<Double> numbers = new ArrayList<>(NUMBERS);
    for (long n = 1; numbers.size() < NUMBERS; n++) {
      double number = Double.longBitsToDouble(n * inverse);
      if (Double.isFinite(number) && number != 0) {
        numbers.add(number);
      }
    }
    return numbers;
  }

  @Test
  void theWritersNumberTable_handsOverToAHashMap() {
    NumberRefTable table = new NumberRefTable();
    List<Double> numbers = collidingNumbers();
    for (int i = 0; i < 1000; i++) {
      assertEquals(-1, table.putIfAbsent(numbers.get(i), i));
    }
    assertTrue(table.handedOver());
    assertEquals(999, table.putIfAbsent(numbers.get(999), 5));
    table.clear();
    assertEquals(-1, table.putIfAbsent(numbers.get(999), 5));
  }

  @Test
  void writingAndReadingCollidingNumbers_stayCorrect() {
    List<Double> numbers = collidingNumbers();
    String text = Devalue.standard().stringify(List.of(numbers, numbers.subList(0, 100)));
    List<?> read = (List<?>) Devalue.standard().parse(text);
    assertEquals(numbers, read.get(0));
    assertEquals(numbers.subList(0, 100), read.get(1));
    // The root, two lists and each number once: the second list refers to the first's entries.
    assertEquals(NUMBERS + 3, ((Object[]) Json.parse(text, 10)).length);
  }

  @Test
  void anObjectWithManyProperties_readsInOrderWithTheLastValue() {
    StringBuilder text = new StringBuilder("[{");
    for (int i = 0; i < KEYS; i++) {
      text.append("\"k").append(i).append("\":1,");
    }
    text.append("\"k0\":2},\"first\",\"second\"]");
    PlainObject object = (PlainObject) Devalue.standard().parse(text.toString());
    assertEquals(KEYS, object.size());
    assertEquals("second", object.get("k0"));
    assertEquals("k0", object.keySet().iterator().next());
  }
}
