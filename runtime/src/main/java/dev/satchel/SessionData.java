package dev.satchel;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares what a session holds, as Astro's {@code App.SessionData} does: each abstract method of
 * the annotated interface is a key ({@code cart()} and {@code getCart()} both mean {@code "cart"})
 * and its return type is the key's type. The annotation processor ({@code satchel-processor})
 * generates a typed session class beside it, named after the interface with {@code Session}
 * appended ({@code Shop} → {@code ShopSession}; a nested {@code Outer.Cart} → {@code
 * Outer_CartSession}).
 *
 * <pre>{@code
 * @SessionData(codecs = MoneyCodec.class)
 * public interface Shop {
 *   User user();
 *   List<String> cart();
 *   Instant lastVisit();
 *   Map<String, Money> prices();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface SessionData {
  /**
   * The application's codecs: classes implementing {@link dev.satchel.codec.ValueCodec
   * ValueCodec&lt;T&gt;} for one type {@code T} each, used wherever {@code T} appears (a key, a
   * record component, inside a {@code List}, {@code Map}, {@code Optional} or array), in place of
   * Satchel's own codec if it has one. The processor checks them and the generated class creates
   * each once: through its public static final {@code INSTANCE} field of its own type if it has
   * one, else through its public no-arg constructor. {@link SessionCodec} on a key overrides it for
   * that key.
   */
  Class<?>[] codecs() default {};
}
