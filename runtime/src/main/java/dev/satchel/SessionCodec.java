package dev.satchel;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Stores one {@link SessionData} key with an application's codec: a class implementing {@link
 * dev.satchel.codec.ValueCodec ValueCodec&lt;T&gt;} whose {@code T} is the key's type
 * ({@code @SessionCodec(MoneyCodec.class) Money price();}). It takes precedence over {@link
 * SessionData#codecs()} and over Satchel's own codecs, for this key only; to use a codec inside
 * records and containers, list it in {@link SessionData#codecs()} instead.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SessionCodec {
  /**
   * The codec class: public static final {@code INSTANCE} field of its own type, or a public no-arg
   * constructor; checked when compiling.
   */
  Class<?> value();
}
