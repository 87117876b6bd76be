package dev.satchel.it.money;

import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecException;

/** {@code Money} ↔ {@code "EUR 12.50"}, which an Astro app can split and read. */
public final class MoneyCodec implements ValueCodec<Money> {

  @Override
  public Object encode(Money value, CodecContext context) {
    return value.toString();
  }

  @Override
  public Money decode(Object value, CodecContext context) {
    if (!(value instanceof String)) {
      throw new ValueCodecException("expected a string such as \"EUR 12.50\"");
    }
    String text = (String) value;
    int space = text.indexOf(' ');
    // Currency.getInstance and BigDecimal throw IllegalArgumentException on bad text; the
    // generated class reports it as any other value that does not fit.
    return Money.of(text.substring(0, Math.max(space, 0)), text.substring(space + 1));
  }

  @Override
  public String describe() {
    return "Money";
  }
}
