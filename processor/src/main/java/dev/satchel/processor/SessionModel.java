package dev.satchel.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import java.util.List;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;

/** A validated {@code @SessionData} interface: everything the writer needs, nothing more. */
record SessionModel(
    TypeElement element,
    String packageName,
    String generatedName,
    boolean isPublic,
    List<Key> keys,
    List<RecordCodec> records,
    List<ApplicationCodec> codecs) {

  /** One session key. */
  record Key(
      ExecutableElement method,
      String key,
      String getterName,
      String propertyName,
      TypeName valueType,
      TypeName declaredType,
      CodecShape codec,
      String ttl) {

    /**
     * Whether the key's type is {@code Optional<T>}, whose getter flattens to {@code Optional<T>}.
     * An application's codec may store such a type too.
     */
    boolean isOptional() {
      return valueType instanceof ParameterizedTypeName
          && ((ParameterizedTypeName) valueType).rawType().equals(Names.OPTIONAL);
    }
  }

  /**
   * An application's codec class the generated class creates once, in the static field {@code
   * field}: through its {@code INSTANCE} field, or its no-arg constructor.
   */
  record ApplicationCodec(ClassName codecClass, TypeName type, String field, boolean viaInstance) {}

  /** A record type that needs a generated codec. */
  record RecordCodec(TypeElement record, String codecName, List<Component> components) {}

  /** One record component. */
  record Component(String name, TypeName type, CodecShape codec, boolean primitive, String zero) {}

  /** How to build a codec, as a tree mirroring the type. */
  record CodecShape(Kind kind, TypeName javaType, String detail, List<CodecShape> arguments) {
    enum Kind {
      /** {@code ValueCodecs.<detail>()}. */
      SCALAR,
      /** {@code ValueCodecs.enums("<simple name>", <type>.values())}. */
      ENUM,
      /** The generated codec class {@code <detail>}. */
      RECORD,
      LIST,
      SET,
      MAP,
      OPTIONAL,
      /** {@code ValueCodecs.array(<element>, <type>[]::new)}. */
      ARRAY,
      /** An application's codec, held by the generated class's static field {@code <detail>}. */
      APPLICATION
    }
  }
}
