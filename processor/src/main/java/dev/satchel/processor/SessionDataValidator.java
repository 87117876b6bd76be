package dev.satchel.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import com.sun.source.util.Trees;
import dev.satchel.processor.SessionModel.CodecShape;
import dev.satchel.processor.SessionModel.Component;
import dev.satchel.processor.SessionModel.Key;
import dev.satchel.processor.SessionModel.RecordCodec;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.RecordComponentElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/** Turns a {@code @SessionData} interface into a {@link SessionModel}, reporting every problem. */
final class SessionDataValidator {
  /** Names the generated class already uses for the session itself. */
  private static final Set<String> RESERVED =
      Set.of(
          "of",
          "session",
          "id",
          "regenerate",
          "destroy",
          "load",
          "commit",
          "equals",
          "hashCode",
          "toString",
          "getClass",
          "notify",
          "notifyAll",
          "wait",
          "clone",
          "finalize");

  /** What the generated class puts before a key's capitalized name for its other methods. */
  private static final List<String> KEY_METHOD_PREFIXES = List.of("set", "update", "has", "delete");

  /** Thrown when the interface refers to a type that is not defined yet. */
  static final class Undefined extends Exception {
    private static final long serialVersionUID = 1L;
    final String typeName;

    Undefined(String typeName) {
      super(typeName, null, false, false);
      this.typeName = typeName;
    }
  }

  private final Elements elements;
  private final Types types;
  private final Trees trees;
  private final Diagnostics diagnostics;
  private String generated;
  private String generatedPackage;

  /** {@code trees} may be null: only the name of a missing codec class needs it. */
  SessionDataValidator(Elements elements, Types types, Trees trees, Diagnostics diagnostics) {
    this.elements = elements;
    this.types = types;
    this.trees = trees;
    this.diagnostics = diagnostics;
  }

  private ApplicationCodecs applicationCodecs(TypeElement type) {
    return new ApplicationCodecs(
        elements,
        types,
        trees,
        diagnostics,
        elements.getPackageOf(type).getQualifiedName().toString(),
        generatedName(type));
  }

  /**
   * Reports, at the last round, an interface still waiting for a type: on each codec class named
   * that does not exist, else on the interface.
   */
  void reportUndefined(TypeElement type, String missing) {
    if (!applicationCodecs(type).reportUndefined(type, keyMethods(type))) {
      diagnostics.error(type, Message.UNDEFINED_TYPE, type.getQualifiedName(), missing);
    }
  }

  /** The model, or {@code null} when errors were reported. */
  SessionModel validate(TypeElement type) throws Undefined {
    int errorsBefore = diagnostics.errorCount();
    String generatedName = generatedName(type);
    if (type.getKind() != ElementKind.INTERFACE) {
      diagnostics.error(type, Message.NOT_AN_INTERFACE, kindWord(type), type.getSimpleName());
      return null;
    }
    if (type.getModifiers().contains(Modifier.PRIVATE)) {
      diagnostics.error(type, Message.PRIVATE_INTERFACE, type.getSimpleName(), generatedName);
    }
    if (!type.getTypeParameters().isEmpty()) {
      diagnostics.error(type, Message.GENERIC_INTERFACE, type.getSimpleName());
    }
    Records records = new Records();
    String packageName = elements.getPackageOf(type).getQualifiedName().toString();
    ApplicationCodecs codecs = applicationCodecs(type);
    codecs.register(type);
    TypeShapes shapes = new TypeShapes(records, codecs, packageName);
    this.generated = generatedName;
    this.generatedPackage = packageName;
    List<Key> keys = new ArrayList<>();
    Map<String, ExecutableElement> byKey = new LinkedHashMap<>();
    Map<String, ExecutableElement> byProperty = new LinkedHashMap<>();
    for (ExecutableElement method : keyMethods(type)) {
      Key key = key(type, method, shapes, codecs);
      if (key == null) {
        continue;
      }
      ExecutableElement sameKey = byKey.putIfAbsent(key.key(), method);
      if (sameKey != null) {
        diagnostics.error(
            pin(type, method), Message.DUPLICATE_KEY, key.key(), name(sameKey), name(method));
        continue;
      }
      ExecutableElement sameProperty = byProperty.putIfAbsent(key.propertyName(), method);
      if (sameProperty != null) {
        diagnostics.error(
            pin(type, method),
            Message.DUPLICATE_ACCESSOR,
            name(sameProperty),
            name(method),
            "set" + key.propertyName());
        continue;
      }
      keys.add(key);
    }
    reportGettersNamedLikeGeneratedMethods(type, keys);
    List<RecordCodec> recordCodecs = records.resolve(shapes);
    if (diagnostics.errorCount() > errorsBefore) {
      return null;
    }
    return new SessionModel(
        type,
        elements.getPackageOf(type).getQualifiedName().toString(),
        generatedName,
        isPublic(type),
        keys,
        recordCodecs,
        codecs.used());
  }

  private Key key(
      TypeElement type, ExecutableElement method, TypeShapes shapes, ApplicationCodecs codecs)
      throws Undefined {
    Element at = pin(type, method);
    boolean valid = true;
    if (!method.getParameters().isEmpty()) {
      diagnostics.error(at, Message.METHOD_WITH_PARAMETERS, name(method));
      valid = false;
    }
    TypeMirror returnType = method.getReturnType();
    if (returnType.getKind() == TypeKind.VOID) {
      diagnostics.error(at, Message.VOID_METHOD, name(method));
      return null;
    }
    String methodName = method.getSimpleName().toString();
    String property = propertyName(methodName, returnType);
    String key = property;
    AnnotationMirror keyAnnotation = annotation(method, Names.SESSION_KEY);
    if (keyAnnotation != null) {
      AnnotationValue value = value(keyAnnotation);
      key = (String) value.getValue();
      String problem = keyProblem(key);
      if (problem != null) {
        diagnostics.error(method, keyAnnotation, value, Message.INVALID_KEY, key, problem);
        valid = false;
      }
    }
    if (RESERVED.contains(methodName)) {
      diagnostics.error(at, Message.RESERVED_NAME, name(method), methodName, key);
      valid = false;
    }
    String ttl = null;
    AnnotationMirror ttlAnnotation = annotation(method, Names.SESSION_TTL);
    if (ttlAnnotation != null) {
      AnnotationValue value = value(ttlAnnotation);
      ttl = (String) value.getValue();
      if (!isPositiveDuration(ttl)) {
        diagnostics.error(method, ttlAnnotation, value, Message.INVALID_TTL, ttl, name(method));
        valid = false;
      }
    }
    int errorsBefore = diagnostics.errorCount();
    CodecShape keyCodec = codecs.forKey(method, name(method));
    if (diagnostics.errorCount() > errorsBefore) {
      return null;
    }
    TypeShapes.Result shape =
        keyCodec == null
            ? shapes.shape(returnType)
            : applicationShape(returnType, shapes, keyCodec);
    if (shape instanceof TypeShapes.Undefined) {
      throw new Undefined(((TypeShapes.Undefined) shape).name());
    }
    if (shape instanceof TypeShapes.Inaccessible) {
      diagnostics.error(
          at,
          Message.INACCESSIBLE_TYPE,
          key + " → " + TypeShapes.describe(returnType),
          ((TypeShapes.Inaccessible) shape).name(),
          generated,
          generatedPackage);
      return null;
    }
    if (shape instanceof TypeShapes.Unsupported) {
      diagnostics.error(
          at,
          Message.UNSUPPORTED_TYPE,
          key + " → " + TypeShapes.describe(returnType),
          ((TypeShapes.Unsupported) shape).offending());
      return null;
    }
    if (!valid) {
      return null;
    }
    CodecShape codec = ((TypeShapes.Shape) shape).shape();
    return new Key(
        method,
        key,
        methodName,
        capitalize(property),
        codec.javaType(),
        TypeName.get(returnType),
        codec,
        ttl);
  }

  /** A key's own codec: the generated class names its type, so that must be accessible. */
  private static TypeShapes.Result applicationShape(
      TypeMirror type, TypeShapes shapes, CodecShape codec) {
    if (type.getKind() == TypeKind.DECLARED) {
      TypeElement element = (TypeElement) ((DeclaredType) type).asElement();
      if (!shapes.accessible(element)) {
        return new TypeShapes.Inaccessible(element.getSimpleName().toString());
      }
    }
    return new TypeShapes.Shape(codec);
  }

  /**
   * A {@code hasCart()} or {@code deleteCart()} key would not compile next to a {@code cart} key,
   * and a {@code setCart()} or {@code updateCart()} key would read as a call about {@code cart}.
   */
  private void reportGettersNamedLikeGeneratedMethods(TypeElement type, List<Key> keys) {
    Set<String> generatedPerKey = new HashSet<>();
    for (Key key : keys) {
      for (String prefix : KEY_METHOD_PREFIXES) {
        generatedPerKey.add(prefix + key.propertyName());
      }
    }
    for (Key key : keys) {
      if (generatedPerKey.contains(key.getterName())) {
        diagnostics.error(
            pin(type, key.method()),
            Message.RESERVED_NAME,
            name(key.method()),
            key.getterName(),
            key.key());
      }
    }
  }

  /** The abstract methods of the interface and its superinterfaces, declared order first. */
  private List<ExecutableElement> keyMethods(TypeElement type) {
    List<ExecutableElement> methods = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    collect(type, methods, seen, new HashSet<>());
    return methods;
  }

  private void collect(
      TypeElement type, List<ExecutableElement> methods, Set<String> seen, Set<String> visited) {
    if (!visited.add(type.getQualifiedName().toString())) {
      return;
    }
    for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
      Set<Modifier> modifiers = method.getModifiers();
      if (modifiers.contains(Modifier.STATIC)
          || modifiers.contains(Modifier.DEFAULT)
          || modifiers.contains(Modifier.PRIVATE)
          || !modifiers.contains(Modifier.ABSTRACT)) {
        continue;
      }
      if (seen.add(method.getSimpleName() + "/" + method.getParameters().size())) {
        methods.add(method);
      }
    }
    for (TypeMirror parent : type.getInterfaces()) {
      if (parent.getKind() == TypeKind.DECLARED) {
        collect((TypeElement) ((DeclaredType) parent).asElement(), methods, seen, visited);
      }
    }
  }

  /** Gives each record met its codec class, then validates its components. */
  private final class Records implements TypeShapes.RecordSink {
    private final Map<String, String> codecNames = new LinkedHashMap<>();
    private final Map<String, TypeElement> pending = new LinkedHashMap<>();
    private final Set<String> taken = new HashSet<>();

    @Override
    public String codecFor(TypeElement record) {
      String qualified = record.getQualifiedName().toString();
      String existing = codecNames.get(qualified);
      if (existing != null) {
        return existing;
      }
      String base = flatName(record) + "Codec";
      String name = base;
      for (int i = 2; !taken.add(name); i++) {
        name = base + i;
      }
      codecNames.put(qualified, name);
      pending.put(qualified, record);
      return name;
    }

    List<RecordCodec> resolve(TypeShapes shapes) throws Undefined {
      List<RecordCodec> codecs = new ArrayList<>();
      Set<String> done = new HashSet<>();
      while (done.size() < pending.size()) {
        for (Map.Entry<String, TypeElement> entry : new ArrayList<>(pending.entrySet())) {
          if (done.add(entry.getKey())) {
            RecordCodec codec = record(entry.getValue(), shapes);
            if (codec != null) {
              codecs.add(codec);
            }
          }
        }
      }
      return codecs;
    }

    private RecordCodec record(TypeElement record, TypeShapes shapes) throws Undefined {
      List<Component> components = new ArrayList<>();
      boolean valid = true;
      for (RecordComponentElement component : record.getRecordComponents()) {
        TypeMirror type = component.asType();
        TypeShapes.Result shape = shapes.shape(type);
        if (shape instanceof TypeShapes.Undefined) {
          throw new Undefined(((TypeShapes.Undefined) shape).name());
        }
        if (shape instanceof TypeShapes.Inaccessible) {
          diagnostics.error(
              record,
              Message.INACCESSIBLE_TYPE,
              "record component " + record.getSimpleName() + "." + component.getSimpleName(),
              ((TypeShapes.Inaccessible) shape).name(),
              generated,
              generatedPackage);
          valid = false;
          continue;
        }
        if (shape instanceof TypeShapes.Unsupported) {
          // javac keeps no source position for a record component or its implicit accessor, so
          // the error goes on the record's declaration, the nearest element that has one.
          diagnostics.error(
              record,
              Message.UNSUPPORTED_COMPONENT,
              record.getSimpleName()
                  + "."
                  + component.getSimpleName()
                  + " → "
                  + TypeShapes.describe(type),
              ((TypeShapes.Unsupported) shape).offending());
          valid = false;
          continue;
        }
        CodecShape codec = ((TypeShapes.Shape) shape).shape();
        boolean primitive = type.getKind().isPrimitive();
        components.add(
            new Component(
                component.getSimpleName().toString(),
                TypeName.get(type),
                codec,
                primitive,
                primitive ? zero(type.getKind()) : null));
      }
      return valid
          ? new RecordCodec(
              record, codecNames.get(record.getQualifiedName().toString()), components)
          : null;
    }
  }

  private static String zero(TypeKind kind) {
    switch (kind) {
      case BOOLEAN:
        return "false";
      case CHAR:
        return "'\\0'";
      case LONG:
        return "0L";
      case FLOAT:
        return "0f";
      case DOUBLE:
        return "0d";
      case BYTE:
        return "(byte) 0";
      case SHORT:
        return "(short) 0";
      default:
        return "0";
    }
  }

  /**
   * {@code cart()} and {@code getCart()} are both {@code cart}; {@code isActive()} too, for
   * booleans.
   */
  static String propertyName(String methodName, TypeMirror returnType) {
    if (methodName.length() > 3
        && methodName.startsWith("get")
        && Character.isUpperCase(methodName.charAt(3))) {
      return decapitalize(methodName.substring(3));
    }
    boolean bool =
        returnType.getKind() == TypeKind.BOOLEAN
            || returnType.toString().equals("java.lang.Boolean");
    if (bool
        && methodName.length() > 2
        && methodName.startsWith("is")
        && Character.isUpperCase(methodName.charAt(2))) {
      return decapitalize(methodName.substring(2));
    }
    return methodName;
  }

  private static String decapitalize(String name) {
    if (name.length() > 1 && Character.isUpperCase(name.charAt(1))) {
      return name; // URL stays URL, as java.beans does
    }
    return Character.toLowerCase(name.charAt(0)) + name.substring(1);
  }

  private static String capitalize(String name) {
    return Character.toUpperCase(name.charAt(0)) + name.substring(1);
  }

  static String keyProblem(String key) {
    if (key.isBlank()) {
      return "it is blank";
    }
    if (!key.strip().equals(key)) {
      return "it starts or ends with white space";
    }
    for (int i = 0; i < key.length(); i++) {
      if (Character.isISOControl(key.charAt(i))) {
        return "it contains a control character";
      }
    }
    return null;
  }

  private static boolean isPositiveDuration(String text) {
    try {
      Duration duration = Duration.parse(text);
      return !duration.isNegative() && !duration.isZero();
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  private static AnnotationMirror annotation(Element element, String annotationName) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement annotationType = (TypeElement) mirror.getAnnotationType().asElement();
      if (annotationType.getQualifiedName().contentEquals(annotationName)) {
        return mirror;
      }
    }
    return null;
  }

  private AnnotationValue value(AnnotationMirror annotation) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        elements.getElementValuesWithDefaults(annotation).entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals("value")) {
        return entry.getValue();
      }
    }
    throw new IllegalStateException("annotation without value(): " + annotation);
  }

  /** A problem with an inherited method is reported on the interface being processed. */
  private static Element pin(TypeElement type, ExecutableElement method) {
    return method.getEnclosingElement().equals(type) ? method : type;
  }

  private static String name(ExecutableElement method) {
    return method.getEnclosingElement().getSimpleName() + "." + method.getSimpleName() + "()";
  }

  private static String kindWord(TypeElement type) {
    String kind = type.getKind().name().toLowerCase(Locale.ROOT).replace('_', ' ');
    return kind.equals("annotation type")
        ? "an annotation type"
        : (kind.startsWith("e") ? "an " : "a ") + kind;
  }

  private static boolean isPublic(TypeElement type) {
    for (Element e = type; e instanceof TypeElement; e = e.getEnclosingElement()) {
      if (!e.getModifiers().contains(Modifier.PUBLIC)) {
        return false;
      }
    }
    return true;
  }

  /** {@code Outer.Inner} → {@code Outer_Inner}. */
  static String flatName(TypeElement type) {
    StringBuilder name = new StringBuilder(type.getSimpleName());
    for (Element e = type.getEnclosingElement();
        !(e instanceof PackageElement);
        e = e.getEnclosingElement()) {
      name.insert(0, e.getSimpleName() + "_");
    }
    return name.toString();
  }

  /** The documented rule: the interface's flattened name with {@code Session} appended. */
  static String generatedName(TypeElement type) {
    return flatName(type) + "Session";
  }

  static ClassName className(SessionModel model) {
    return ClassName.get(model.packageName(), model.generatedName());
  }
}
