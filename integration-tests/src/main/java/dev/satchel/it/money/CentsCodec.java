package dev.satchel.it.money;

import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import java.math.BigDecimal;

/** Euros as a whole number of cents, for keys an Astro app keeps as a number. */
public enum CentsCodec implements ValueCodec<Money> {
  INSTANCE;

  @Override
  public Object encode(Money value, CodecContext context) {
    return value.amount().movePointRight(2).doubleValue();
  }

  @Override
  public Money decode(Object value, CodecContext context) {
    return Money.of(
        "EUR", BigDecimal.valueOf((Double) value).movePointLeft(2).setScale(2).toPlainString());
  }

  @Override
  public String describe() {
    return "Money in cents";
  }
}
