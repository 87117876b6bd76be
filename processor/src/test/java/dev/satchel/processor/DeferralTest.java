package dev.satchel.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * A key whose type another processor generates in a later round is waited for, not reported; and
 * the processor declares itself isolating for Gradle's incremental compilation.
 */
final class DeferralTest {

  /** Generates {@code test.Generated}, a record, in its first round. */
  @SupportedAnnotationTypes("*")
  static final class GeneratesRecordProcessor extends AbstractProcessor {
    private boolean done;

    @Override
    public SourceVersion getSupportedSourceVersion() {
      return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
      if (!done) {
        done = true;
        try {
          JavaFileObject file = processingEnv.getFiler().createSourceFile("test.Generated");
          try (Writer writer = file.openWriter()) {
            writer.write("package test;\npublic record Generated(String value) {}\n");
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return false;
    }
  }

  @Test
  void typeGeneratedInALaterRound_isWaitedFor() throws IOException {
    SessionDataProcessor processor = new SessionDataProcessor();
    Compilation compilation =
        javac()
            .withProcessors(processor, new GeneratesRecordProcessor())
            .compile(
                JavaFileObjects.forSourceLines(
                    "test.Shop",
                    "package test;",
                    "@dev.satchel.SessionData",
                    "public interface Shop {",
                    "  Generated thing();",
                    "}"));
    assertThat(compilation).succeededWithoutWarnings();
    String generated =
        compilation
            .generatedSourceFile("test.ShopSession")
            .orElseThrow()
            .getCharContent(true)
            .toString();
    assertTrue(generated.contains("public Optional<Generated> thing()"), generated);
    assertTrue(processor.deferredTypeNames().isEmpty());
  }

  @Test
  void incrementalMetadata_declaresAnIsolatingProcessor() throws IOException {
    try (InputStream in =
        SessionDataProcessor.class.getResourceAsStream(
            "/META-INF/gradle/incremental.annotation.processors")) {
      String metadata = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      assertEquals(SessionDataProcessor.class.getName() + ",isolating", metadata);
    }
  }

  @Test
  void processorIsRegisteredForServiceLoading() throws IOException {
    try (InputStream in =
        SessionDataProcessor.class.getResourceAsStream(
            "/META-INF/services/javax.annotation.processing.Processor")) {
      assertEquals(
          SessionDataProcessor.class.getName(),
          new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
    }
  }
}
