package dev.satchel.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionValueException;
import dev.satchel.UndecodableValuePolicy;
import dev.satchel.devalue.PlainObject;
import dev.satchel.it.Drivers.Request;
import dev.satchel.it.money.Money;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An application's own type, {@code Money}, stored through the codec {@code @SessionData(codecs =
 * MoneyCodec.class)} names, and through another on one key with {@code @SessionCodec}.
 */
final class ApplicationCodecSessionTest {
  private static final Money PRICE = Money.of("EUR", "12.50");
  private static final Money FEE = Money.of("CHF", "0.05");

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void money_isStoredAndReadBack_onItsOwnAndInsideContainersAndRecords(String driver)
      throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request first = drivers.open(null);
      LedgerSession ledger = LedgerSession.of(first.session());
      ledger.setBalance(PRICE);
      ledger.setPayments(List.of(PRICE, FEE, PRICE));
      Map<String, Money> budget = new LinkedHashMap<>();
      budget.put("food", PRICE);
      budget.put("fees", FEE);
      ledger.setBudget(budget);
      ledger.setDeposit(Optional.of(FEE));
      ledger.setCoins(new Money[] {FEE, FEE});
      ledger.setLines(
          List.of(new Ledger.Line("sku-1", 2, PRICE), new Ledger.Line("sku-2", 1, null)));
      ledger.setTip(Money.of("EUR", "1.50"));
      first.session().commit();

      LedgerSession read = LedgerSession.of(drivers.open(first.cookie(null)).session());
      assertEquals(Optional.of(PRICE), read.balance());
      assertEquals(Optional.of(List.of(PRICE, FEE, PRICE)), read.payments());
      assertEquals(Optional.of(budget), read.budget());
      assertEquals(Optional.of(FEE), read.deposit());
      assertArrayEquals(new Money[] {FEE, FEE}, read.coins().orElseThrow());
      assertEquals(
          List.of(new Ledger.Line("sku-1", 2, PRICE), new Ledger.Line("sku-2", 1, null)),
          read.lines().orElseThrow());
      assertEquals(Optional.of(Money.of("EUR", "1.50")), read.tip());

      // The update methods go through the codec as well.
      Money doubled =
          read.updateBalance(
              current -> Money.of("EUR", current.amount().add(current.amount()).toPlainString()));
      assertEquals(Money.of("EUR", "25.00"), doubled);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void storedForms_areWhatTheCodecsWrite(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request first = drivers.open(null);
      LedgerSession ledger = LedgerSession.of(first.session());
      ledger.setBalance(PRICE);
      ledger.setPayments(List.of(PRICE, FEE));
      ledger.setLines(List.of(new Ledger.Line("sku-1", 2, PRICE)));
      ledger.setTip(Money.of("EUR", "1.50"));
      first.session().commit();

      Session untyped = drivers.open(first.cookie(null)).session();
      assertEquals(Optional.of("EUR 12.50"), untyped.get("balance"));
      assertEquals(Optional.of(List.of("EUR 12.50", "CHF 0.05")), untyped.get("payments"));
      PlainObject line = (PlainObject) ((List<?>) untyped.get("lines").orElseThrow()).get(0);
      assertEquals("EUR 12.50", line.get("price"));
      // @SessionCodec(CentsCodec.class) on tip() wins over the interface's MoneyCodec.
      assertEquals(Optional.of(150.0), untyped.get("tip"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void aValueTheCodecCannotRead_readsAsAbsent(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request astro = drivers.open(null);
      astro.session().set("balance", "twelve euros");
      astro.session().set("deposit", 12.5);
      astro.session().set("payments", List.of("EUR 1.00"));
      astro.session().commit();

      LedgerSession read = LedgerSession.of(drivers.open(astro.cookie(null)).session());
      assertEquals(Optional.empty(), read.balance());
      assertEquals(Optional.empty(), read.deposit());
      assertEquals(Optional.of(List.of(Money.of("EUR", "1.00"))), read.payments());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory"})
  void aValueTheCodecCannotRead_underTheFailPolicy_namesTheCodecAndThePath(String driver) {
    try (Satchel satchel =
        Satchel.builder().driver(driver).undecodableValues(UndecodableValuePolicy.FAIL).build()) {
      List<String> cookies = new ArrayList<>();
      Session writer = satchel.open(null, cookie -> cookies.add(cookie.value()));
      writer.set("payments", List.of("EUR 1.00", "twelve euros"));
      writer.commit();
      LedgerSession read =
          LedgerSession.of(satchel.open(cookies.get(cookies.size() - 1), cookie -> {}));
      SessionValueException e = assertThrows(SessionValueException.class, read::payments);
      assertTrue(
          e.getMessage()
              .contains(
                  "dev.satchel.it.money.MoneyCodec failed to decode the string \"twelve euros\""),
          e.getMessage());
      assertTrue(e.getMessage().contains("payments[1]"), e.getMessage());
    }
  }
}
