package dev.satchel.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The processor's table of stored types and the runtime's codecs are one catalogue: every type the
 * processor maps to a {@code ValueCodecs} method has that method, for that type, and every such
 * method of the runtime is known to the processor. Adding a type is a change to both, or this
 * fails.
 */
final class CodecCatalogueTest {

  /** The runtime's codecs of one fixed type: public static, no arguments, {@code ValueCodec<T>}. */
  private static Map<String, String> runtimeCodecs() {
    Map<String, String> codecs = new TreeMap<>();
    for (Method method : ValueCodecs.class.getMethods()) {
      if (Modifier.isStatic(method.getModifiers())
          && method.getParameterCount() == 0
          && method.getReturnType() == ValueCodec.class
          && method.getGenericReturnType() instanceof ParameterizedType returned) {
        Type stored = returned.getActualTypeArguments()[0];
        if (stored instanceof Class<?> type) {
          codecs.put(type.getTypeName(), method.getName());
        }
      }
    }
    return codecs;
  }

  /** The processor's side: boxed and reference types, and primitive arrays as {@code int[]}. */
  private static Map<String, String> processorCodecs() {
    Map<String, String> codecs = new TreeMap<>(TypeShapes.SCALARS);
    TypeShapes.PRIMITIVE_ARRAYS.forEach(
        (component, method) -> codecs.put(component + "[]", method));
    return codecs;
  }

  @Test
  void theProcessorAndTheRuntimeKnowTheSameTypes_underTheSameMethods() {
    assertEquals(runtimeCodecs(), processorCodecs());
  }

  @Test
  void methodsForOneTypeEach_followOneNamingScheme_thePluralOfTheType() {
    for (String method : runtimeCodecs().values()) {
      assertTrue(
          method.equals("untyped") || method.endsWith("s"),
          method + "() does not follow the plural scheme (strings(), integers(), instants())");
    }
  }
}
