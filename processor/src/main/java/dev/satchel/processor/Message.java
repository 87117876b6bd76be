package dev.satchel.processor;

/**
 * Every diagnostic the processor reports, each with a stable ID (the bracketed prefix) and the fix
 * in one sentence.
 */
enum Message {
  NOT_AN_INTERFACE(
      "SessionDataNotInterface",
      "@SessionData must be on an interface, not on %s %s; declare an interface whose methods are"
          + " the session keys"),
  GENERIC_INTERFACE(
      "SessionDataGeneric",
      "@SessionData interface %s must not have type parameters; give every key a concrete type"),
  PRIVATE_INTERFACE(
      "SessionDataPrivate",
      "@SessionData interface %s must not be private; make it package-private or public so that"
          + " the generated %s can use it"),
  METHOD_WITH_PARAMETERS(
      "SessionKeyParameters",
      "session key method %s must not take parameters; declare a key as a method without any,"
          + " such as List<String> cart()"),
  VOID_METHOD("SessionKeyVoid", "session key method %s must return the key's type, not void"),
  UNSUPPORTED_TYPE(
      "SessionUnsupportedType",
      "%s: %s is not a supported session value; use " + TypeShapes.SUPPORTED),
  UNSUPPORTED_COMPONENT(
      "SessionUnsupportedComponent",
      "record component %s: %s is not a supported session value; use " + TypeShapes.SUPPORTED),
  INACCESSIBLE_TYPE(
      "SessionInaccessibleType",
      "%s: %s cannot be used by the generated %s; make it public, or package-private in package"
          + " %s"),
  DUPLICATE_KEY(
      "SessionDuplicateKey",
      "session key \"%s\" is declared by both %s and %s; rename one of the methods or give it"
          + " another @SessionKey"),
  INVALID_KEY(
      "SessionInvalidKey",
      "session key \"%s\" is invalid: %s; use a name that is not blank and has no control"
          + " characters or surrounding spaces"),
  INVALID_TTL(
      "SessionInvalidTtl",
      "@SessionTtl(\"%s\") on %s is not a positive ISO-8601 duration; write it as PT30M, PT1H or"
          + " P1D"),
  DUPLICATE_ACCESSOR(
      "SessionDuplicateAccessor",
      "session key methods %s and %s would both generate %s(); rename one of them"),
  RESERVED_NAME(
      "SessionReservedName",
      "session key method %s clashes with the generated %s(); rename the method and keep the key"
          + " name with @SessionKey(\"%s\")"),
  UNDEFINED_TYPE(
      "SessionUndefinedType",
      "@SessionData interface %s references %s, which is not defined; declare it or fix the"
          + " import"),
  CODEC_UNDEFINED(
      "SessionCodecUndefined", "codec class %s is not defined; declare it or fix the import"),
  CODEC_NOT_A_CODEC(
      "SessionCodecNotACodec",
      "%s is not a session codec: %s; a codec implements ValueCodec<T> for one type T, such as"
          + " class MoneyCodec implements ValueCodec<Money>"),
  CODEC_INACCESSIBLE(
      "SessionCodecInaccessible",
      "codec %s cannot be created by the generated %s: %s; make it a public class (static, if"
          + " nested) with a public no-arg constructor, or give it a public static final INSTANCE"
          + " field of its own type"),
  CODEC_TYPE_MISMATCH(
      "SessionCodecTypeMismatch",
      "@SessionCodec(%s.class) on %s: the codec stores %s, but the key's type is %s; use a codec"
          + " for %s here, or list %s in @SessionData(codecs = ...) to use it wherever %s"
          + " appears"),
  CODEC_DUPLICATE(
      "SessionCodecDuplicate",
      "%s and %s are both codecs for %s; list one codec per type in @SessionData(codecs = ...)"
          + " and put @SessionCodec on a key that needs the other"),
  INTERNAL_ERROR(
      "SessionInternalError",
      "internal error while generating the session class for %s, please report it: %s");

  private final String id;
  private final String template;

  Message(String id, String template) {
    this.id = id;
    this.template = template;
  }

  /** The stable ID, such as {@code SessionDuplicateKey}. */
  String id() {
    return id;
  }

  /** The full text, ID first. */
  String format(Object... arguments) {
    return "[" + id + "] " + String.format(template, arguments);
  }
}
