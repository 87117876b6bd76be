package dev.satchel.processor;

import javax.annotation.processing.Messager;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.tools.Diagnostic.Kind;

/** The one place diagnostics are reported, so that every message carries its stable ID. */
final class Diagnostics {
  private final Messager messager;
  private int errors;

  Diagnostics(Messager messager) {
    this.messager = messager;
  }

  /** Reports an error on {@code element}. */
  void error(Element element, Message message, Object... arguments) {
    errors++;
    messager.printMessage(Kind.ERROR, message.format(arguments), element);
  }

  /** Reports an error on one value of an annotation on {@code element}. */
  void error(
      Element element,
      AnnotationMirror annotation,
      AnnotationValue value,
      Message message,
      Object... arguments) {
    errors++;
    messager.printMessage(Kind.ERROR, message.format(arguments), element, annotation, value);
  }

  /** How many errors have been reported so far, to tell whether a type validated cleanly. */
  int errorCount() {
    return errors;
  }
}
