package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.testing.ReferenceSession;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Devalue#copy}: the round trip's result, whichever way it is built. */
final class DevalueCopyTest {
  private static final Devalue ASTRO = Devalue.astro();

  private static void assertSameAsRoundTrip(Devalue devalue, Object value) {
    Object roundTrip = devalue.parse(devalue.stringify(value));
    Object copy = devalue.copy(value);
    assertEquals(DevalueProperties.shape(roundTrip), DevalueProperties.shape(copy));
  }

  @Test
  void theReferenceSession_copiesAsItReadsBack() {
    assertSameAsRoundTrip(ASTRO, ReferenceSession.values());
    assertSameAsRoundTrip(ASTRO, ReferenceSession.asAstroEntries());
    assertSameAsRoundTrip(Devalue.standard(), ReferenceSession.asObject());
  }

  @Test
  void theCopySharesNothingMutable() {
    List<Object> inner = new ArrayList<>(List.of("a"));
    PlainObject object = new PlainObject(Map.of("list", inner));
    PlainObject copy = (PlainObject) ASTRO.copy(object);
    inner.add("b");
    assertEquals(List.of("a"), copy.get("list"));
    Date date = new Date(5);
    Date copiedDate = (Date) ((List<?>) ASTRO.copy(List.of(date))).get(0);
    assertNotSame(date, copiedDate);
    assertEquals(date, copiedDate);
  }

  @Test
  void sharedAndCyclicReferences_stayShared() {
    List<Object> shared = new ArrayList<>(List.of("x"));
    List<?> copy = (List<?>) ASTRO.copy(List.of(shared, shared));
    assertSame(copy.get(0), copy.get(1));
    Instant when = Instant.ofEpochMilli(0);
    List<?> dates = (List<?>) ASTRO.copy(List.of(when, when));
    assertSame(dates.get(0), dates.get(1));
    List<Object> cycle = new ArrayList<>();
    cycle.add(cycle);
    List<?> cyclic = (List<?>) ASTRO.copy(cycle);
    assertSame(cyclic, cyclic.get(0));
  }

  @Test
  void lessUsualShapes_takeTheRoundTrip() {
    assertSameAsRoundTrip(ASTRO, new LinkedList<>(List.of(1, 2)));
    assertSameAsRoundTrip(ASTRO, new int[] {1, 2});
    assertSameAsRoundTrip(ASTRO, List.of(new NullPrototypeObject(), Optional.empty(), 'c'));
    assertSameAsRoundTrip(ASTRO, List.of(URI.create("https://example.com/a"), 7L, 1.5f));
    List<Object> withHole = new ArrayList<>(List.of(1, Hole.INSTANCE, 3));
    assertSameAsRoundTrip(ASTRO, withHole);
    PlainObject indexKeys = new PlainObject();
    indexKeys.put("b", 1);
    indexKeys.put("1", 2);
    assertEquals(
        List.of("1", "b"), new ArrayList<>(((PlainObject) ASTRO.copy(indexKeys)).keySet()));
  }

  @Test
  void aValueWithNoDevalueForm_failsAsWritingDoes() {
    PlainObject object = new PlainObject();
    object.put("cart", List.of(1, 2, 3, new PlainObject(Map.of("price", new Object()))));
    DevalueException e = assertThrows(DevalueException.class, () -> ASTRO.copy(object));
    assertEquals(".cart[3].price", e.path());
    DevalueException tooLong =
        assertThrows(DevalueException.class, () -> ASTRO.copy(List.of(1L << 60)));
    assertEquals("[0]", tooLong.path());
    assertThrows(DevalueException.class, () -> ASTRO.copy(URI.create("relative/path")));
    assertThrows(DevalueException.class, () -> ASTRO.copy(Instant.MAX));
  }
}
