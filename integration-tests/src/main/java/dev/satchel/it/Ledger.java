package dev.satchel.it;

import dev.satchel.SessionCodec;
import dev.satchel.SessionData;
import dev.satchel.it.money.CentsCodec;
import dev.satchel.it.money.Money;
import dev.satchel.it.money.MoneyCodec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An application type stored through its own codec, found at compile time. */
@SessionData(codecs = MoneyCodec.class)
public interface Ledger {
  Money balance();

  List<Money> payments();

  Map<String, Money> budget();

  Optional<Money> deposit();

  Money[] coins();

  List<Line> lines();

  @SessionCodec(CentsCodec.class)
  Money tip();

  /** A record with a component of the application's type. */
  record Line(String sku, int quantity, Money price) {}
}
