package dev.satchel.devalue;

import java.util.Map;

/**
 * A JavaScript object without a prototype ({@code Object.create(null)}), devalue's {@code ["null",
 * …]}.
 */
public final class NullPrototypeObject extends PlainObject {

  /** Creates an empty object. */
  public NullPrototypeObject() {}

  /** Creates an object holding a copy of {@code properties}. */
  public NullPrototypeObject(Map<String, ?> properties) {
    super(properties);
  }
}
