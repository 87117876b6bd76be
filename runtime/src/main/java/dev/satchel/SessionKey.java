package dev.satchel;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names a {@link SessionData} key explicitly, when the stored name differs from the method's
 * ({@code @SessionKey("last-visit") Instant lastVisit();}), for instance to share keys with an
 * Astro app.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SessionKey {
  /** The key as stored: not blank, without control characters or surrounding spaces. */
  String value();
}
