package dev.satchel.processor;

import com.palantir.javapoet.CodeBlock;
import dev.satchel.processor.SessionModel.CodecShape;

/** Renders a {@link CodecShape} as the Java expression that builds the codec. */
final class CodecExpressions {
  private CodecExpressions() {}

  /**
   * The expression; inside a record codec, other record codecs are reached lazily, because the
   * codec being built may be one of them (a record that contains itself).
   */
  static CodeBlock of(CodecShape shape, boolean insideRecordCodec) {
    switch (shape.kind()) {
      case SCALAR:
        return CodeBlock.of("$T.$L()", Names.VALUE_CODECS, shape.detail());
      case ENUM:
        return CodeBlock.of(
            "$T.enums($S, $T.values())",
            Names.VALUE_CODECS,
            shape.javaType().toString().substring(shape.javaType().toString().lastIndexOf('.') + 1),
            shape.javaType());
      case APPLICATION:
        return CodeBlock.of("$L", shape.detail());
      case RECORD:
        return insideRecordCodec
            ? CodeBlock.of("$T.lazy(() -> $L.INSTANCE)", Names.VALUE_CODECS, shape.detail())
            : CodeBlock.of("$L.INSTANCE", shape.detail());
      case LIST:
        return CodeBlock.of(
            "$T.list($L)", Names.VALUE_CODECS, of(shape.arguments().get(0), insideRecordCodec));
      case SET:
        return CodeBlock.of(
            "$T.set($L)", Names.VALUE_CODECS, of(shape.arguments().get(0), insideRecordCodec));
      case OPTIONAL:
        return CodeBlock.of(
            "$T.optional($L)", Names.VALUE_CODECS, of(shape.arguments().get(0), insideRecordCodec));
      case MAP:
        return CodeBlock.of(
            "$T.map($L, $L)",
            Names.VALUE_CODECS,
            of(shape.arguments().get(0), insideRecordCodec),
            of(shape.arguments().get(1), insideRecordCodec));
      case ARRAY:
        CodecShape element = shape.arguments().get(0);
        return CodeBlock.of(
            "$T.array($L, $T[]::new)",
            Names.VALUE_CODECS,
            of(element, insideRecordCodec),
            element.javaType());
      default:
        throw new IllegalStateException("unknown codec shape " + shape.kind());
    }
  }
}
