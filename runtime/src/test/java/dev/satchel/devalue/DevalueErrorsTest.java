package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What cannot be written fails with devalue's message and path; what cannot be read fails with
 * {@link DevalueException} and nothing else, however deep or long the input.
 */
final class DevalueErrorsTest {
  private static final Devalue DEVALUE = Devalue.standard();

  private static DevalueException writeFails(Object value) {
    return assertThrows(DevalueException.class, () -> DEVALUE.stringify(value));
  }

  private static PlainObject object(String key, Object value) {
    PlainObject object = new PlainObject();
    object.put(key, value);
    return object;
  }

  @Test
  void nonPojo_atTheRoot() {
    DevalueException e = writeFails(new Thread());
    assertEquals("Cannot stringify arbitrary non-POJOs", e.reason());
    assertEquals("", e.path());
  }

  @Test
  void nonPojo_insideAMap_hasDevaluesPath() {
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put("key", new Object());
    DevalueException e = writeFails(object("foo", object("string-key", map)));
    assertEquals(".foo[\"string-key\"].get(\"key\")", e.path());
    assertEquals(
        "Cannot stringify arbitrary non-POJOs (at .foo[\"string-key\"].get(\"key\"))",
        e.getMessage());
  }

  @Test
  void nonPojo_asAMapKey_isDotGetEllipsis() {
    Map<Object, Object> map = new LinkedHashMap<>();
    map.put(new Object(), 1);
    assertEquals(".get(...)", writeFails(map).path());
  }

  @Test
  void setsAddNoPathSegment() {
    assertEquals(".s", writeFails(object("s", Set.of(new Object()))).path());
  }

  @Test
  void nonIdentifierKeys_areQuoted() {
    List<Object> inner = new ArrayList<>();
    inner.add(List.of(new Object()));
    assertEquals(
        "[\"a b\"][\"c-d\"][0][0]", writeFails(object("a b", object("c-d", inner))).path());
    assertEquals("[\"0\"].x", writeFails(object("0", object("x", new Object()))).path());
  }

  @Test
  void cartItemPrice_pathAsInTheIssue() {
    List<Object> cart = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      cart.add(object("price", i));
    }
    cart.add(object("price", Thread.currentThread()));
    assertEquals(".cart[3].price", writeFails(object("cart", cart)).path());
  }

  @Test
  void protoKey_isRefused() {
    DevalueException e = writeFails(object("foo", object("__proto__", 1)));
    assertEquals("Cannot stringify objects with __proto__ keys", e.reason());
    assertEquals(".foo", e.path());
  }

  @Test
  void holeOutsideAnArray_isRefused() {
    writeFails(object("a", Hole.INSTANCE));
  }

  @Test
  void deeplyNestedValue_failsCleanly() {
    Object value = "leaf";
    for (int i = 0; i < 100_000; i++) {
      value = List.of(value);
    }
    DevalueException e = writeFails(value);
    assertTrue(e.getMessage().contains("nested deeper than 500"), e.getMessage());
  }

  @Test
  void deeplyNestedJson_failsCleanly() {
    String text = "[".repeat(200_000) + "]".repeat(200_000);
    assertThrows(DevalueException.class, () -> DEVALUE.parse(text));
  }

  @Test
  void longChainOfEntries_failsCleanly() {
    StringBuilder text = new StringBuilder("[");
    int length = 100_000;
    for (int i = 0; i < length; i++) {
      text.append('[').append(i + 1).append("],");
    }
    text.append("\"end\"]");
    DevalueException e = assertThrows(DevalueException.class, () -> DEVALUE.parse(text.toString()));
    assertEquals("Invalid input", e.reason());
    // Within the limit the same shape reads.
    Devalue deep = Devalue.builder().maxDepth(50).build();
    assertEquals(List.of(List.of("end")), deep.parse("[[1],[2],\"end\"]"));
  }

  @Test
  void inputLongerThanTheLimit_isRefusedBeforeParsing() {
    Devalue small = Devalue.builder().maxInputLength(10).build();
    DevalueException e =
        assertThrows(DevalueException.class, () -> small.parse("[\"0123456789\"]"));
    assertEquals("Input too long", e.reason());
  }

  @Test
  void hugeSparseLength_doesNotAllocate() {
    SparseArray array = (SparseArray) DEVALUE.parse("[[-7,4294967295,4294967294,1],\"last\"]");
    assertEquals(4294967295L, array.length());
    assertEquals("last", array.elements().get(4294967294L));
    assertEquals("[[-7,4294967295,4294967294,1],\"last\"]", DEVALUE.stringify(array));
  }

  @Test
  void exponentialReferenceGraph_readsInLinearTime() {
    // Each level holds the next twice: 2^60 paths, 61 entries.
    StringBuilder text = new StringBuilder("[");
    for (int i = 0; i < 60; i++) {
      text.append('[').append(i + 1).append(',').append(i + 1).append("],");
    }
    text.append("\"leaf\"]");
    Object value = DEVALUE.parse(text.toString());
    assertEquals(text.toString(), DEVALUE.stringify(value));
  }

  @Test
  void reviverThatThrows_becomesADevalueException() {
    Devalue devalue =
        Devalue.builder()
            .reviver(
                "Boom",
                v -> {
                  throw new IllegalStateException("nope");
                })
            .build();
    DevalueException e =
        assertThrows(DevalueException.class, () -> devalue.parse("[[\"Boom\",1],1]"));
    assertTrue(e.getMessage().contains("nope"));
  }

  @Test
  void unsafeCustomTypeNames_areRefused() {
    assertThrows(
        IllegalArgumentException.class, () -> Devalue.builder().reducer("we\"ird<", v -> v));
  }
}
