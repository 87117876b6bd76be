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
