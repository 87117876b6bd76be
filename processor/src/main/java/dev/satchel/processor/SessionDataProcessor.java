package dev.satchel.processor;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;

/**
 * Generates a typed session class for each {@code @SessionData} interface. This class holds only
 * the round logic: validation and writing live in their own classes.
 */
@AutoService(Processor.class)
@SupportedAnnotationTypes(Names.SESSION_DATA)
public final class SessionDataProcessor extends AbstractProcessor {
  /** Interfaces waiting for a type another processor may still generate: name → missing type. */
  private final Map<String, String> deferred = new LinkedHashMap<>();

  private Diagnostics diagnostics;
  private SessionDataValidator validator;
  private SessionClassWriter writer;

  /** Creates the processor; the compiler calls this. */
  public SessionDataProcessor() {}

  @Override
  public synchronized void init(ProcessingEnvironment processingEnv) {
    super.init(processingEnv);
    diagnostics = new Diagnostics(processingEnv.getMessager());
    validator =
        new SessionDataValidator(
            processingEnv.getElementUtils(),
            processingEnv.getTypeUtils(),
            ApplicationCodecs.trees(processingEnv),
            diagnostics);
    boolean generatedAvailable =
        processingEnv.getElementUtils().getTypeElement(Names.GENERATED.canonicalName()) != null;
    writer = new SessionClassWriter(generatedAvailable);
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    List<TypeElement> types = new ArrayList<>();
    for (String name : deferred.keySet()) {
      TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
      if (type != null) {
        types.add(type);
      }
    }
    deferred.clear();
    TypeElement annotation = processingEnv.getElementUtils().getTypeElement(Names.SESSION_DATA);
    if (annotation != null) {
      for (Element element : round.getElementsAnnotatedWith(annotation)) {
        if (element instanceof TypeElement) {
          types.add((TypeElement) element);
        }
      }
    }
    for (TypeElement type : types) {
      processType(type);
    }
    if (round.processingOver()) {
      for (Map.Entry<String, String> waiting : deferred.entrySet()) {
        TypeElement type = processingEnv.getElementUtils().getTypeElement(waiting.getKey());
        validator.reportUndefined(type, waiting.getValue());
      }
      deferred.clear();
    }
    return false;
  }

  private void processType(TypeElement type) {
    try {
      SessionModel model = validator.validate(type);
      if (model != null) {
        writer.write(model).writeTo(processingEnv.getFiler());
      }
    } catch (SessionDataValidator.Undefined e) {
      deferred.put(type.getQualifiedName().toString(), e.typeName);
    } catch (IOException | RuntimeException e) {
      StringWriter trace = new StringWriter();
      e.printStackTrace(new PrintWriter(trace));
      diagnostics.error(type, Message.INTERNAL_ERROR, type.getQualifiedName(), trace);
    }
  }

  /** The interfaces waiting for an undefined type, for tests of the deferral. */
  Set<String> deferredTypeNames() {
    return deferred.keySet();
  }
}
