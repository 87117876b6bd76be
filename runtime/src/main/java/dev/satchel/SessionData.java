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
 * @SessionData
 * public interface Shop {
 *   User user();
 *   List<String> cart();
 *   Instant lastVisit();
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface SessionData {}
