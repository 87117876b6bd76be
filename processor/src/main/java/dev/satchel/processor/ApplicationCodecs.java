package dev.satchel.processor;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import com.sun.source.tree.MemberSelectTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.TreePath;
import com.sun.source.util.Trees;
import dev.satchel.processor.SessionModel.ApplicationCodec;
import dev.satchel.processor.SessionModel.CodecShape;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.DeclaredType;
import javax.lang.model.type.PrimitiveType;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Checks the codec classes one {@code @SessionData} interface names, in {@code SessionData.codecs}
 * and in {@code @SessionCodec} on its keys, and says which one stores a type. One instance per
 * interface validated.
 */
final class ApplicationCodecs implements TypeShapes.CodecLookup {
  /** A checked codec class, and the type it stores. */
  private record Checked(TypeMirror type, ApplicationCodec codec) {}

  private final Elements elements;
  private final Types types;
  private final Trees trees;
  private final Diagnostics diagnostics;
  private final String generatedPackage;
  private final String generatedName;
  private final List<Checked> listed = new ArrayList<>();
  private final Map<String, ApplicationCodec> byClass = new LinkedHashMap<>();
  private final Set<String> fields = new HashSet<>();
  private final Set<String> used = new HashSet<>();

  ApplicationCodecs(
      Elements elements,
      Types types,
      Trees trees,
      Diagnostics diagnostics,
      String generatedPackage,
      String generatedName) {
    this.elements = elements;
    this.types = types;
    this.trees = trees;
    this.diagnostics = diagnostics;
    this.generatedPackage = generatedPackage;
    this.generatedName = generatedName;
  }

  /** javac's source trees, to name a codec class that does not exist; null with other compilers. */
  static Trees trees(ProcessingEnvironment environment) {
    try {
      return Trees.instance(environment);
    } catch (IllegalArgumentException | LinkageError e) {
      return null;
    }
  }

  /** Checks and records the codecs listed in {@code @SessionData(codecs = ...)} on {@code type}. */
  void register(TypeElement type) throws SessionDataValidator.Undefined {
    AnnotationMirror annotation = annotation(type, Names.SESSION_DATA);
    if (annotation == null) {
      return;
    }
    for (AnnotationValue value : classes(member(annotation, "codecs"))) {
      Checked checked = check(type, annotation, value);
      if (checked == null) {
        continue;
      }
      Checked other = find(checked.type());
      if (other != null) {
        diagnostics.error(
            type,
            annotation,
            value,
            Message.CODEC_DUPLICATE,
            other.codec().codecClass().simpleName(),
            checked.codec().codecClass().simpleName(),
            TypeShapes.describe(checked.type()));
        continue;
      }
      listed.add(checked);
    }
  }

  /**
   * The codec a key's {@code @SessionCodec} names, checked against the key's type; null when the
   * key has none, or when a problem was reported (the caller compares error counts).
   */
  CodecShape forKey(ExecutableElement method, String methodName)
      throws SessionDataValidator.Undefined {
    AnnotationMirror annotation = annotation(method, Names.SESSION_CODEC);
    if (annotation == null) {
      return null;
    }
    TypeMirror keyType = boxed(method.getReturnType());
    if (keyType.getKind() == TypeKind.ERROR) {
      throw new SessionDataValidator.Undefined(keyType.toString());
    }
    AnnotationValue value = member(annotation, "value");
    Checked checked = check(method, annotation, value);
    if (checked == null) {
      return null;
    }
    if (!types.isSameType(checked.type(), keyType)) {
      String codec = checked.codec().codecClass().simpleName();
      String stored = TypeShapes.describe(checked.type());
      String declared = TypeShapes.describe(method.getReturnType());
      diagnostics.error(
          method,
          annotation,
          value,
          Message.CODEC_TYPE_MISMATCH,
          codec,
          methodName,
          stored,
          declared,
          declared,
          codec,
          stored);
      return null;
    }
    return use(checked.codec());
  }

  @Override
  public CodecShape codecFor(TypeMirror type) {
    Checked codec = find(boxed(type));
    return codec == null ? null : use(codec.codec());
  }

  /** The codecs the generated class uses, in the order they were first named. */
  List<ApplicationCodec> used() {
    List<ApplicationCodec> codecs = new ArrayList<>();
    for (Map.Entry<String, ApplicationCodec> entry : byClass.entrySet()) {
      if (used.contains(entry.getKey())) {
        codecs.add(entry.getValue());
      }
    }
    return codecs;
  }

  /**
   * Reports, at the last round, each codec class named on {@code type} or its keys that still does
   * not exist, where it is named; {@code false} if there is none.
   */
  boolean reportUndefined(TypeElement type, List<ExecutableElement> keyMethods) {
    int before = diagnostics.errorCount();
    AnnotationMirror listing = annotation(type, Names.SESSION_DATA);
    if (listing != null) {
      for (AnnotationValue value : classes(member(listing, "codecs"))) {
        reportIfUndefined(type, listing, value);
      }
    }
    for (ExecutableElement method : keyMethods) {
      AnnotationMirror annotation = annotation(method, Names.SESSION_CODEC);
      if (annotation != null) {
        reportIfUndefined(method, annotation, member(annotation, "value"));
      }
    }
    return diagnostics.errorCount() > before;
  }

  private void reportIfUndefined(Element on, AnnotationMirror annotation, AnnotationValue value) {
    if (named(on, annotation, value) == null) {
      diagnostics.error(
          on, annotation, value, Message.CODEC_UNDEFINED, undefinedName(on, annotation, value));
    }
  }

  // ---------------------------------------------------------------------------------------------

  private Checked find(TypeMirror type) {
    for (Checked codec : listed) {
      if (types.isSameType(codec.type(), type)) {
        return codec;
      }
    }
    return null;
  }

  private CodecShape use(ApplicationCodec codec) {
    used.add(codec.codecClass().canonicalName());
    return new CodecShape(CodecShape.Kind.APPLICATION, codec.type(), codec.field(), List.of());
  }

  /**
   * Checks the class an annotation value names; null when a problem was reported. A codec that
   * stores a known type but cannot be created is still returned, so that the keys of that type are
   * not reported as unsupported too.
   */
  private Checked check(Element on, AnnotationMirror annotation, AnnotationValue value)
      throws SessionDataValidator.Undefined {
    TypeMirror named = named(on, annotation, value);
    if (named == null) {
      // Another processor may generate it in a later round; the last round reports it.
      throw new SessionDataValidator.Undefined(undefinedName(on, annotation, value));
    }
    if (named.getKind() != TypeKind.DECLARED) {
      diagnostics.error(
          on,
          annotation,
          value,
          Message.CODEC_NOT_A_CODEC,
          TypeShapes.describe(named),
          "it is not a class");
      return null;
    }
    TypeElement codecClass = (TypeElement) ((DeclaredType) named).asElement();
    String name = codecClass.getSimpleName().toString();
    String notACodec = null;
    DeclaredType codecType = valueCodecSupertype(named);
    if (!codecClass.getTypeParameters().isEmpty()) {
      notACodec = "it has type parameters";
    } else if (codecType == null) {
      notACodec = "it does not implement ValueCodec";
    } else if (codecType.getTypeArguments().isEmpty()) {
      notACodec = "it implements the raw ValueCodec";
    } else {
      TypeKind stored = codecType.getTypeArguments().get(0).getKind();
      if (stored == TypeKind.TYPEVAR || stored == TypeKind.WILDCARD) {
        notACodec = "its T is not a concrete type";
      }
    }
    if (notACodec != null) {
      diagnostics.error(on, annotation, value, Message.CODEC_NOT_A_CODEC, name, notACodec);
      return null;
    }
    TypeMirror stored = codecType.getTypeArguments().get(0);
    String problem = accessProblem(codecClass);
    Boolean viaInstance = null;
    if (problem == null) {
      if (hasInstanceField(codecClass, named)) {
        viaInstance = true;
      } else if (hasNoArgConstructor(codecClass)) {
        viaInstance = false;
      } else {
        problem =
            codecClass.getKind() == ElementKind.CLASS
                    && !codecClass.getModifiers().contains(Modifier.ABSTRACT)
                ? "it has neither a public no-arg constructor nor a public static final INSTANCE"
                    + " field of its own type"
                : "it is "
                    + kindWord(codecClass)
                    + " without a public static final INSTANCE field of its own type";
      }
    }
    if (problem != null) {
      diagnostics.error(
          on, annotation, value, Message.CODEC_INACCESSIBLE, name, generatedName, problem);
      viaInstance = false;
    }
    return new Checked(stored, codec(codecClass, stored, viaInstance));
  }

  /** One codec per class, and one field for it, however many times it is named. */
  private ApplicationCodec codec(TypeElement codecClass, TypeMirror stored, boolean viaInstance) {
    String qualified = codecClass.getQualifiedName().toString();
    ApplicationCodec existing = byClass.get(qualified);
    if (existing != null) {
      return existing;
    }
    String base = SessionClassWriter.constantCase(SessionDataValidator.flatName(codecClass));
    String field = base;
    for (int i = 2; !fields.add(field); i++) {
      field = base + i;
    }
    ApplicationCodec codec =
        new ApplicationCodec(ClassName.get(codecClass), TypeName.get(stored), field, viaInstance);
    byClass.put(qualified, codec);
    return codec;
  }

  /** {@code ValueCodec<T>} among the supertypes of {@code type}, with T as the class binds it. */
  private DeclaredType valueCodecSupertype(TypeMirror type) {
    Deque<TypeMirror> pending = new ArrayDeque<>(List.of(type));
    Set<String> seen = new HashSet<>();
    while (!pending.isEmpty()) {
      TypeMirror next = pending.removeFirst();
      if (next.getKind() != TypeKind.DECLARED || !seen.add(next.toString())) {
        continue;
      }
      TypeElement element = (TypeElement) ((DeclaredType) next).asElement();
      if (element.getQualifiedName().contentEquals(Names.VALUE_CODEC_NAME)) {
        return (DeclaredType) next;
      }
      pending.addAll(types.directSupertypes(next));
    }
    return null;
  }

  /** Why the generated class cannot name {@code codecClass}, or null. */
  private String accessProblem(TypeElement codecClass) {
    for (Element e = codecClass; e instanceof TypeElement; e = e.getEnclosingElement()) {
      Set<Modifier> modifiers = e.getModifiers();
      if (modifiers.contains(Modifier.PRIVATE)) {
        return e == codecClass ? "it is private" : "it is inside private " + e.getSimpleName();
      }
      if (e.getEnclosingElement() instanceof TypeElement && !modifiers.contains(Modifier.STATIC)) {
        return "it is an inner class of " + e.getEnclosingElement().getSimpleName();
      }
    }
    String codecPackage = elements.getPackageOf(codecClass).getQualifiedName().toString();
    if (!codecPackage.equals(generatedPackage)) {
      for (Element e = codecClass; e instanceof TypeElement; e = e.getEnclosingElement()) {
        if (!e.getModifiers().contains(Modifier.PUBLIC)) {
          return (e == codecClass ? "it" : e.getSimpleName())
              + " is not public, and in package "
              + codecPackage
              + " rather than "
              + generatedPackage;
        }
      }
    }
    return null;
  }

  private boolean hasInstanceField(TypeElement codecClass, TypeMirror codecType) {
    for (Element member : codecClass.getEnclosedElements()) {
      if ((member.getKind() == ElementKind.FIELD || member.getKind() == ElementKind.ENUM_CONSTANT)
          && member.getSimpleName().contentEquals("INSTANCE")
          && member.getModifiers().contains(Modifier.STATIC)
          && member.getModifiers().contains(Modifier.FINAL)
          && accessible(codecClass, member)
          && types.isAssignable(member.asType(), codecType)) {
        return true;
      }
    }
    return false;
  }

  private boolean hasNoArgConstructor(TypeElement codecClass) {
    if (codecClass.getModifiers().contains(Modifier.ABSTRACT)
        || (codecClass.getKind() != ElementKind.CLASS
            && !codecClass.getKind().name().equals("RECORD"))) {
      return false;
    }
    for (ExecutableElement constructor :
        ElementFilter.constructorsIn(codecClass.getEnclosedElements())) {
      if (constructor.getParameters().isEmpty() && accessible(codecClass, constructor)) {
        return true;
      }
    }
    return false;
  }

  /** Public, or package-private or protected in the generated class's own package. */
  private boolean accessible(TypeElement codecClass, Element member) {
    Set<Modifier> modifiers = member.getModifiers();
    return modifiers.contains(Modifier.PUBLIC)
        || (!modifiers.contains(Modifier.PRIVATE)
            && elements
                .getPackageOf(codecClass)
                .getQualifiedName()
                .contentEquals(generatedPackage));
  }

  /**
   * The class {@code value} names, or null if it does not exist. javac leaves only {@code
   * "<error>"} in the value for a class it could not find and for one the annotation may not
   * access; the source tree tells the two apart.
   */
  private TypeMirror named(Element on, AnnotationMirror annotation, AnnotationValue value) {
    Object named = value.getValue();
    if (named instanceof TypeMirror) {
      return ((TypeMirror) named).getKind() == TypeKind.ERROR ? null : (TypeMirror) named;
    }
    TreePath path = trees == null ? null : trees.getPath(on, annotation, value);
    if (path != null && path.getLeaf() instanceof MemberSelectTree) {
      Element selected =
          trees.getElement(new TreePath(path, ((MemberSelectTree) path.getLeaf()).getExpression()));
      // For a class it may not access, javac gives an error symbol with the class's name.
      TypeElement existing =
          selected instanceof TypeElement
              ? elements.getTypeElement(((TypeElement) selected).getQualifiedName())
              : null;
      if (existing != null && existing.asType().getKind() == TypeKind.DECLARED) {
        return existing.asType();
      }
    }
    return null;
  }

  /** How the source names a class that does not exist. */
  private String undefinedName(Element on, AnnotationMirror annotation, AnnotationValue value) {
    Object named = value.getValue();
    if (named instanceof TypeMirror) {
      return named.toString();
    }
    Tree tree = trees == null ? null : trees.getTree(on, annotation, value);
    if (tree == null) {
      return String.valueOf(named);
    }
    String source = tree.toString();
    return source.endsWith(".class") ? source.substring(0, source.length() - 6) : source;
  }

  private TypeMirror boxed(TypeMirror type) {
    return type.getKind().isPrimitive() ? types.boxedClass((PrimitiveType) type).asType() : type;
  }

  private static String kindWord(TypeElement type) {
    switch (type.getKind()) {
      case INTERFACE:
        return "an interface";
      case ENUM:
        return "an enum";
      case ANNOTATION_TYPE:
        return "an annotation type";
      case CLASS:
        return "an abstract class";
      default:
        return "a " + type.getKind().name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static AnnotationMirror annotation(Element element, String annotationName) {
    for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
      TypeElement annotationType = (TypeElement) mirror.getAnnotationType().asElement();
      if (annotationType.getQualifiedName().contentEquals(annotationName)) {
        return mirror;
      }
    }
    return null;
  }

  private AnnotationValue member(AnnotationMirror annotation, String name) {
    for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> entry :
        elements.getElementValuesWithDefaults(annotation).entrySet()) {
      if (entry.getKey().getSimpleName().contentEquals(name)) {
        return entry.getValue();
      }
    }
    throw new IllegalStateException("annotation without " + name + "(): " + annotation);
  }

  /** The values of a {@code Class<?>[]} member; a single class written without braces too. */
  private static List<AnnotationValue> classes(AnnotationValue value) {
    List<AnnotationValue> values = new ArrayList<>();
    if (value.getValue() instanceof List) {
      for (Object item : (List<?>) value.getValue()) {
        values.add((AnnotationValue) item);
      }
    } else {
      values.add(value);
    }
    return values;
  }
}
