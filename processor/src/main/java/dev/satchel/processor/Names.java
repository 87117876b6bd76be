package dev.satchel.processor;

import com.palantir.javapoet.ClassName;

/** The runtime's names, spelled out so that the processor never loads a runtime class. */
final class Names {
  private Names() {}

  static final String SESSION_DATA = "dev.satchel.SessionData";
  static final String SESSION_KEY = "dev.satchel.SessionKey";
  static final String SESSION_TTL = "dev.satchel.SessionTtl";
  static final String SESSION_CODEC = "dev.satchel.SessionCodec";
  static final String VALUE_CODEC_NAME = "dev.satchel.codec.ValueCodec";

  static final ClassName SESSION = ClassName.get("dev.satchel", "Session");
  static final ClassName VALUE_CODEC = ClassName.get("dev.satchel.codec", "ValueCodec");
  static final ClassName VALUE_CODECS = ClassName.get("dev.satchel.codec", "ValueCodecs");
  static final ClassName RECORD_CODEC_SUPPORT =
      ClassName.get("dev.satchel.codec", "RecordCodecSupport");
  static final ClassName CODEC_CONTEXT = ClassName.get("dev.satchel.codec", "CodecContext");
  static final ClassName PLAIN_OBJECT = ClassName.get("dev.satchel.devalue", "PlainObject");

  static final ClassName DURATION = ClassName.get("java.time", "Duration");
  static final ClassName OPTIONAL = ClassName.get("java.util", "Optional");
  static final ClassName OBJECTS = ClassName.get("java.util", "Objects");
  static final ClassName UNARY_OPERATOR = ClassName.get("java.util.function", "UnaryOperator");
  static final ClassName OVERRIDE = ClassName.get("java.lang", "Override");
  static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");
}
