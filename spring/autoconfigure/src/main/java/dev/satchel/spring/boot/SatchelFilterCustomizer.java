package dev.satchel.spring.boot;

import dev.satchel.servlet.SatchelFilter;

/**
 * Changes the {@link SatchelFilter} the auto-configuration registers, before it serves requests:
 * attribute codecs, principal attributes, header mode. {@link dev.satchel.servlet.AttributeCodec}
 * beans are registered without one.
 */
@FunctionalInterface
public interface SatchelFilterCustomizer {

  /** Configures {@code filter}. */
  void customize(SatchelFilter filter);
}
