package dev.satchel.processor;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import dev.satchel.processor.SessionModel.CodecShape;
import dev.satchel.processor.SessionModel.CodecShape.Kind;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.ArrayType;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;

/** Maps a Java type to the codec that stores it, or says why it cannot be stored. */
final class TypeShapes {
  static final String SUPPORTED =
      "String, a primitive or its box, BigInteger, BigDecimal, Instant, Date, LocalDate,"
          + " LocalDateTime, LocalTime, OffsetDateTime, ZonedDateTime, Duration, Period, YearMonth,"
          + " ZoneId, UUID, Locale, Currency, URI, URL, Pattern, byte[], an enum, a record, Object,"
          + " or List, Set, Map, Optional and arrays of these; or give the type a codec with"
          + " @SessionData(codecs = ...)";

  /** Type names stored by one {@code ValueCodecs} method each, and that method. */
  static final Map<String, String> SCALARS =
      Map.ofEntries(
          Map.entry("java.lang.String", "strings"),
          Map.entry("java.lang.Boolean", "booleans"),
          Map.entry("java.lang.Integer", "integers"),
          Map.entry("java.lang.Long", "longs"),
          Map.entry("java.lang.Double", "doubles"),
          Map.entry("java.lang.Float", "floats"),
          Map.entry("java.lang.Short", "shorts"),
          Map.entry("java.lang.Byte", "bytes"),
          Map.entry("java.lang.Character", "characters"),
          Map.entry("java.lang.Object", "untyped"),
          Map.entry("java.math.BigInteger", "bigIntegers"),
          Map.entry("java.math.BigDecimal", "bigDecimals"),
          Map.entry("java.time.Instant", "instants"),
          Map.entry("java.time.LocalDate", "localDates"),
          Map.entry("java.time.LocalDateTime", "localDateTimes"),
          Map.entry("java.time.LocalTime", "localTimes"),
          Map.entry("java.time.OffsetDateTime", "offsetDateTimes"),
          Map.entry("java.time.ZonedDateTime", "zonedDateTimes"),
          Map.entry("java.time.Duration", "durations"),
          Map.entry("java.time.Period", "periods"),
          Map.entry("java.time.YearMonth", "yearMonths"),
          Map.entry("java.time.ZoneId", "zoneIds"),
          Map.entry("java.util.UUID", "uuids"),
          Map.entry("java.util.Locale", "locales"),
          Map.entry("java.util.Currency", "currencies"),
          Map.entry("java.util.Date", "dates"),
          Map.entry("java.net.URI", "uris"),
          Map.entry("java.net.URL", "urls"),
          Map.entry("java.util.regex.Pattern", "patterns"));

  /** Primitive component types whose arrays have a {@code ValueCodecs} method, and that method. */
  static final Map<String, String> PRIMITIVE_ARRAYS =
      Map.of(
          "byte", "byteArrays",
          "int", "intArrays",
          "long", "longArrays",
          "double", "doubleArrays",
          "boolean", "booleanArrays");

  /** The outcome of mapping one type. */
  sealed interface Result permits Shape, Unsupported, Undefined, Inaccessible {}

  /** The type maps to this codec. */
  record Shape(CodecShape shape) implements Result {}

  /** The type, or the part named, cannot be stored. */
  record Unsupported(String offending) implements Result {}

  /** The type exists but the generated class, in another package or outside it, cannot use it. */
  record Inaccessible(String name) implements Result {}

  /** The type is not defined (yet): another processor may still generate it. */
  record Undefined(String name) implements Result {}

  /** Receives every record type met, to generate its codec. */
  interface RecordSink {
    /** The name of the codec class generated for {@code record}. */
    String codecFor(TypeElement record);
  }

  /** The application's codecs, consulted before Satchel's own. */
  interface CodecLookup {
    /** The codec of an application codec class that stores exactly {@code type}, or null. */
    CodecShape codecFor(TypeMirror type);
  }

  private final RecordSink records;
  private final CodecLookup codecs;
  private final String generatedPackage;

  TypeShapes(RecordSink records, CodecLookup codecs, String generatedPackage) {
    this.records = records;
    this.codecs = codecs;
    this.generatedPackage = generatedPackage;
  }

  /** Whether code in the generated class's package can name {@code type}. */
  boolean accessible(TypeElement type) {
    for (javax.lang.model.element.Element e = type;
        e instanceof TypeElement;
        e = e.getEnclosingElement()) {
      java.util.Set<javax.lang.model.element.Modifier> modifiers = e.getModifiers();
      if (modifiers.contains(javax.lang.model.element.Modifier.PRIVATE)) {
        return false;
      }
      if (!modifiers.contains(javax.lang.model.element.Modifier.PUBLIC)
          && !packageOf(type).equals(generatedPackage)) {
        return false;
      }
    }
    return true;
  }

  private static String packageOf(TypeElement type) {
    javax.lang.model.element.Element e = type;
    while (!(e instanceof javax.lang.model.element.PackageElement)) {
      e = e.getEnclosingElement();
    }
    return ((javax.lang.model.element.PackageElement) e).getQualifiedName().toString();
  }

  Result shape(TypeMirror type) {
    if (type.getKind() == TypeKind.ERROR) {
      return new Undefined(type.toString());
    }
    CodecShape application = codecs.codecFor(type);
    if (application != null) {
      if (type.getKind() == TypeKind.DECLARED) {
        TypeElement element = (TypeElement) ((DeclaredType) type).asElement();
        if (!accessible(element)) {
          return new Inaccessible(element.getSimpleName().toString());
        }
      }
      return new Shape(application);
    }
    switch (type.getKind()) {
      case BOOLEAN:
      case INT:
      case LONG:
      case DOUBLE:
      case FLOAT:
      case SHORT:
      case BYTE:
      case CHAR:
        TypeName boxed = TypeName.get(type).box();
        return scalar(boxed, SCALARS.get(boxed.toString()));
      case ARRAY:
        return array((ArrayType) type);
      case DECLARED:
        return declared((DeclaredType) type);
      default:
        return new Unsupported(describe(type));
    }
  }

  private Result array(ArrayType type) {
    TypeMirror component = type.getComponentType();
    if (component.getKind().isPrimitive()) {
      String codec = PRIMITIVE_ARRAYS.get(component.toString());
      return codec == null
          ? new Unsupported(describe(type))
          : new Shape(new CodecShape(Kind.SCALAR, TypeName.get(type), codec, List.of()));
    }
    if (component.getKind() == TypeKind.DECLARED
        && !((DeclaredType) component).getTypeArguments().isEmpty()) {
      return new Unsupported(describe(type) + " (an array of a generic type)");
    }
    Result element = shape(component);
    if (!(element instanceof Shape)) {
      return element;
    }
    return new Shape(
        new CodecShape(
            Kind.ARRAY,
            ArrayTypeName.of(TypeName.get(component)),
            null,
            List.of(((Shape) element).shape())));
  }

  private Result declared(DeclaredType type) {
    TypeElement element = (TypeElement) type.asElement();
    String name = element.getQualifiedName().toString();
    List<? extends TypeMirror> arguments = type.getTypeArguments();
    String scalar = SCALARS.get(name);
    if (scalar != null) {
      return scalar(ClassName.get(element), scalar);
    }
    switch (name) {
      case "java.util.List":
        return container(Kind.LIST, type, arguments, 1);
      case "java.util.Set":
        return container(Kind.SET, type, arguments, 1);
      case "java.util.Map":
        return container(Kind.MAP, type, arguments, 2);
      case "java.util.Optional":
        return container(Kind.OPTIONAL, type, arguments, 1);
      default:
        break;
    }
    if ((element.getKind() == ElementKind.ENUM || element.getKind().name().equals("RECORD"))
        && !accessible(element)) {
      return new Inaccessible(element.getSimpleName().toString());
    }
    if (element.getKind() == ElementKind.ENUM) {
      return new Shape(new CodecShape(Kind.ENUM, ClassName.get(element), null, List.of()));
    }
    if (element.getKind().name().equals("RECORD")) {
      if (!element.getTypeParameters().isEmpty()) {
        return new Unsupported(describe(type) + " (a generic record)");
      }
      return new Shape(
          new CodecShape(
              Kind.RECORD, ClassName.get(element), records.codecFor(element), List.of()));
    }
    return new Unsupported(element.getSimpleName().toString());
  }

  private Result container(
      Kind kind, DeclaredType type, List<? extends TypeMirror> arguments, int arity) {
    if (arguments.size() != arity) {
      return new Unsupported(
          "raw " + type.asElement().getSimpleName() + " (give its type arguments)");
    }
    List<CodecShape> shapes = new java.util.ArrayList<>();
    for (TypeMirror argument : arguments) {
      if (argument.getKind() == TypeKind.WILDCARD || argument.getKind() == TypeKind.TYPEVAR) {
        return new Unsupported(describe(argument));
      }
      Result result = shape(argument);
      if (!(result instanceof Shape)) {
        return result;
      }
      shapes.add(((Shape) result).shape());
    }
    TypeName[] typeArguments = shapes.stream().map(CodecShape::javaType).toArray(TypeName[]::new);
    ClassName raw = ClassName.get((TypeElement) type.asElement());
    return new Shape(
        new CodecShape(kind, ParameterizedTypeName.get(raw, typeArguments), null, shapes));
  }

  private static Result scalar(TypeName type, String codec) {
    return new Shape(new CodecShape(Kind.SCALAR, type, codec, List.of()));
  }

  /** How a type reads in messages: without package names, as the user wrote it. */
  static String describe(TypeMirror type) {
    return TypeName.get(type).toString().replaceAll("\\b(?:[a-z_$][\\w$]*\\.)+(?=[A-Z])", "");
  }
}
