package dev.satchel;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Gives a {@link SessionData} key a default time to live: its generated one-argument setter stores
 * values that expire after it ({@code @SessionTtl("PT1H") User user();}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface SessionTtl {
  /**
   * The time to live, as an ISO-8601 duration ({@code PT30M}, {@code P1D}); checked when compiling.
   */
  String value();
}
