package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsCollectionsTest {

  @Test
  void mapKeysCompareAsSameValueZero() {
    JsMap map = new JsMap();
    map.put(1, "int");
    map.put(1.0, "double");
    map.put(1L, "long");
    map.put(Double.NaN, "nan");
    map.put(-0.0, "zero");
    map.put("1", "string");
    map.put(new BigInteger("1"), "bigint");
    map.put(null, "null");
    map.put(Undefined.INSTANCE, "undefined");
    assertEquals(7, map.size());
    assertEquals("long", map.get(1.0));
    assertEquals("nan", map.get(0.0 / 0.0));
    assertEquals("zero", map.get(0));
    assertEquals(
        0.0, map.keySet().stream().filter(k -> "zero".equals(map.get(k))).findFirst().get());
    assertEquals("bigint", map.get(BigInteger.ONE));
    assertEquals("null", map.get(null));
    assertEquals("undefined", map.get(Undefined.INSTANCE));
  }

  @Test
  void distinctEqualObjectsAreDistinctKeys() {
    List<String> a = new ArrayList<>(List.of("x"));
    List<String> b = new ArrayList<>(List.of("x"));
    JsMap map = new JsMap();
    map.put(a, 1);
    map.put(b, 2);
    assertEquals(2, map.size());
    assertEquals(1, map.get(a));
    assertEquals(2, map.get(b));
    assertNull(map.get(new ArrayList<>(List.of("x"))));
  }

  @Test
  void orderSurvivesRemovalsAndGrowth() {
    JsMap map = new JsMap();
    Map<Object, Object> expected = new LinkedHashMap<>();
    for (int i = 0; i < 1000; i++) {
      map.put("k" + i, i);
      expected.put("k" + i, i);
      if (i % 3 == 0) {
        map.remove("k" + (i / 2));
        expected.remove("k" + (i / 2));
      }
    }
    map.put("k1", "again");
    expected.put("k1", "again");
    assertEquals(new ArrayList<>(expected.entrySet()), new ArrayList<>(map.entrySet()));
    assertEquals(expected, map);
    assertEquals(expected.hashCode(), map.hashCode());
  }

  @Test
  void iteratorRemovesAndEntriesWriteThrough() {
    JsMap map = new JsMap(Map.of("a", 1));
    map.put("b", 2);
    map.put("c", 3);
    Iterator<Map.Entry<Object, Object>> entries = map.entrySet().iterator();
    entries.next().setValue(10);
    entries.next();
    entries.remove();
    assertEquals(List.of("a", "c"), new ArrayList<>(map.keySet()));
    assertEquals(10, map.get("a"));
    Iterator<Object> keys = map.keySet().iterator();
    keys.next();
    map.put("d", 4);
    assertThrows(ConcurrentModificationException.class, keys::next);
  }

  @Test
  void setMembersCompareAsSameValueZero() {
    JsSet set = new JsSet();
    assertTrue(set.add(2));
    assertFalse(set.add(2.0));
    assertTrue(set.add(Double.NaN));
    assertFalse(set.add(Double.NaN));
    assertTrue(set.add(-0.0));
    assertFalse(set.add(0));
    assertTrue(set.add(null));
    assertFalse(set.add(null));
    assertEquals(List.of(2, Double.NaN, 0.0), new ArrayList<>(set).subList(0, 3));
    assertTrue(set.contains(null));
    assertTrue(set.remove(2L));
    assertFalse(set.contains(2));
    assertEquals(3, set.size());
    set.clear();
    assertTrue(set.isEmpty());
    assertTrue(set.add("after clear"));
  }
}
