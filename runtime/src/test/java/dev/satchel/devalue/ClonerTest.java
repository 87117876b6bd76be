package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The copier's per-thread table: each copy starts with nothing seen. */
final class ClonerTest {

  @Test
  void anObjectCopiedBefore_isNotTakenForASharedReference() {
    List<String> cart = new ArrayList<>(List.of("a", "b"));
    Cloner.copy(cart);
    Object again = Cloner.copy(cart);
    assertEquals(cart, again);
    assertNotSame(cart, again);
  }

  @Test
  void afterACopyThatNeedsTheRoundTrip_theNextStartsClean() {
    List<String> shared = new ArrayList<>(List.of("x"));
    assertSame(
        Cloner.UNSUPPORTED,
        assertThrows(RuntimeException.class, () -> Cloner.copy(List.of(shared, shared))));
    assertEquals(List.of(List.of("x")), Cloner.copy(List.of(shared)));
  }

  @Test
  void afterALargeCopy_copiesStillWork() {
    List<List<String>> many = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      many.add(new ArrayList<>(List.of("item-" + i)));
    }
    assertEquals(many, Cloner.copy(many));
    assertEquals(many.subList(0, 3), Cloner.copy(many.subList(0, 3)));
    List<String> first = many.get(0);
    assertEquals(
        List.of(first, first.subList(0, 1)),
        Devalue.astro().copy(List.of(first, first.subList(0, 1))));
  }
}
