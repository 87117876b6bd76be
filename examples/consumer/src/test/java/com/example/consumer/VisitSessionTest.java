package com.example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import dev.satchel.SessionConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The generated class, used as an application would, on a built-in driver and on its own. */
class VisitSessionTest {

  @ParameterizedTest
  @ValueSource(strings = {"memory", "mystore"})
  void whatOneRequestStoresTheNextReads(String driver) {
    try (Satchel satchel = Satchel.builder().driver(driver).build()) {
      List<SessionCookie> cookies = new ArrayList<>();
      Session first = satchel.open(null, cookies::add);
      VisitSession visit = VisitSession.of(first);
      visit.setCart(List.of("sku-0001", "sku-0002"));
      visit.setPageViews(1);
      first.commit();
      assertEquals(1, cookies.size());

      Session second = satchel.open(cookies.get(0).value(), cookies::add);
      VisitSession next = VisitSession.of(second);
      assertEquals(Optional.of(List.of("sku-0001", "sku-0002")), next.cart());
      assertEquals(Optional.of(1), next.pageViews());
      assertEquals(2, next.updatePageViews(views -> views + 1));
      second.commit();

      VisitSession third = VisitSession.of(satchel.open(cookies.get(0).value(), cookies::add));
      assertEquals(Optional.of(2), third.pageViews());
      assertEquals(Optional.of(cookies.get(0).value()), third.id());
    }
  }

  /**
   * The drivers found are the runtime's, satchel-redis's and this application's: the contract suite
   * on the test class path brings none of its own.
   */
  @Test
  void theDriversFoundAreTheDependenciesAndThisApplicationsOwn() {
    SessionConfigurationException unknown =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().driver("nonesuch").build());
    assertEquals(
        "No session driver is named \"nonesuch\". Drivers found: fs, memory, mystore, redis. Add"
            + " the jar that provides it, or choose one of these.",
        unknown.getMessage());
  }
}
