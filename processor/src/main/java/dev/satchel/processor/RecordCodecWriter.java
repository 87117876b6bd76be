package dev.satchel.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.satchel.processor.SessionModel.Component;
import dev.satchel.processor.SessionModel.RecordCodec;
import java.util.HashSet;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Writes the codec of one record: a plain object keyed by component name, read back with missing
 * components absent (null, {@code Optional.empty()}, or the primitive's zero).
 */
final class RecordCodecWriter {
  private static final Set<String> RESERVED_LOCALS =
      Set.of("value", "object", "context", "INSTANCE");

  private RecordCodecWriter() {}

  static TypeSpec write(RecordCodec codec) {
    ClassName record = ClassName.get(codec.record());
    TypeSpec.Builder type =
        TypeSpec.classBuilder(codec.codecName())
            .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
            .addSuperinterface(ParameterizedTypeName.get(Names.VALUE_CODEC, record))
            .addField(
                FieldSpec.builder(
                        ClassName.get("", codec.codecName()),
                        "INSTANCE",
                        Modifier.STATIC,
                        Modifier.FINAL)
                    .initializer("new $L()", codec.codecName())
                    .build());
    Set<String> names = new HashSet<>(RESERVED_LOCALS);
    String[] fields = new String[codec.components().size()];
    String[] locals = new String[codec.components().size()];
    for (int i = 0; i < fields.length; i++) {
      Component component = codec.components().get(i);
      fields[i] = unique(component.name() + "Codec", names);
      locals[i] = unique(component.name(), names);
      type.addField(
          FieldSpec.builder(
                  ParameterizedTypeName.get(Names.VALUE_CODEC, component.type().box()),
                  fields[i],
                  Modifier.PRIVATE,
                  Modifier.FINAL)
              .initializer(CodecExpressions.of(component.codec(), true))
              .build());
    }
    MethodSpec.Builder encode =
        MethodSpec.methodBuilder("encode")
            .addAnnotation(Names.OVERRIDE)
            .addModifiers(Modifier.PUBLIC)
            .returns(Object.class)
            .addParameter(record, "value")
            .addParameter(Names.CODEC_CONTEXT, "context")
            .beginControlFlow("if (value == null)")
            .addStatement("return null")
            .endControlFlow()
            .addStatement("context.enter()")
            .addStatement("$T object = new $T()", Names.PLAIN_OBJECT, Names.PLAIN_OBJECT);
    for (int i = 0; i < fields.length; i++) {
      Component component = codec.components().get(i);
      encode.addStatement(
          "$T.putComponent(object, $S, $L, value.$L(), context)",
          Names.RECORD_CODEC_SUPPORT,
          component.name(),
          fields[i],
          component.name());
    }
    encode.addStatement("context.exit()").addStatement("return object");

    MethodSpec.Builder decode =
        MethodSpec.methodBuilder("decode")
            .addAnnotation(Names.OVERRIDE)
            .addModifiers(Modifier.PUBLIC)
            .returns(record)
            .addParameter(Object.class, "value")
            .addParameter(Names.CODEC_CONTEXT, "context")
            .beginControlFlow("if ($T.isAbsent(value))", Names.RECORD_CODEC_SUPPORT)
            .addStatement("return null")
            .endControlFlow()
            .addStatement(
                "$T object = $T.expectObject(value, $S)",
                Names.PLAIN_OBJECT,
                Names.RECORD_CODEC_SUPPORT,
                codec.record().getSimpleName().toString())
            .addStatement("context.enter()");
    CodeBlock.Builder arguments = CodeBlock.builder();
    for (int i = 0; i < fields.length; i++) {
      Component component = codec.components().get(i);
      TypeName boxed = component.type().box();
      decode.addStatement(
          "$T $L = $T.component(object, $S, $L, context)",
          boxed,
          locals[i],
          Names.RECORD_CODEC_SUPPORT,
          component.name(),
          fields[i]);
      if (i > 0) {
        arguments.add(", ");
      }
      if (component.primitive()) {
        arguments.add("$L == null ? $L : $L", locals[i], component.zero(), locals[i]);
      } else {
        arguments.add("$L", locals[i]);
      }
    }
    decode
        .addStatement("context.exit()")
        .addStatement("return new $T($L)", record, arguments.build());

    return type.addMethod(encode.build())
        .addMethod(decode.build())
        .addMethod(
            MethodSpec.methodBuilder("describe")
                .addAnnotation(Names.OVERRIDE)
                .addModifiers(Modifier.PUBLIC)
                .returns(String.class)
                .addStatement("return $S", codec.record().getSimpleName().toString())
                .build())
        .build();
  }

  private static String unique(String name, Set<String> taken) {
    String candidate = name;
    for (int i = 2; !taken.add(candidate); i++) {
      candidate = name + i;
    }
    return candidate;
  }
}
