package dev.satchel.it.money;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.util.Currency;

/** An application's own value type: an amount in a currency. */
public final class Money {
  private final Currency currency;
  private final BigDecimal amount;

  private Money(Currency currency, BigDecimal amount) {
    this.currency = requireNonNull(currency, "currency");
    this.amount = requireNonNull(amount, "amount");
  }

  /** {@code Money.of("EUR", "12.50")}. */
  public static Money of(String currency, String amount) {
    return new Money(Currency.getInstance(currency), new BigDecimal(amount));
  }

  /** The currency. */
  public Currency currency() {
    return currency;
  }

  /** The amount, with its scale. */
  public BigDecimal amount() {
    return amount;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Money
        && ((Money) other).currency.equals(currency)
        && ((Money) other).amount.equals(amount);
  }

  @Override
  public int hashCode() {
    return currency.hashCode() * 31 + amount.hashCode();
  }

  @Override
  public String toString() {
    return currency.getCurrencyCode() + " " + amount.toPlainString();
  }
}
