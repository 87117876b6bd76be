package dev.satchel.spring.boot;

import dev.satchel.Satchel;

/**
 * Changes the {@link Satchel.Builder} that the auto-configuration fills from the {@code satchel.*}
 * properties, before the {@link Satchel} is built: for what properties cannot say, such as a {@link
 * java.time.Clock}. Declare one or more as beans; they run in their {@link
 * org.springframework.core.annotation.Order order}, after the properties, so what they set wins.
 */
@FunctionalInterface
public interface SatchelBuilderCustomizer {
  /** Changes {@code builder}. */
  void customize(Satchel.Builder builder);
}
