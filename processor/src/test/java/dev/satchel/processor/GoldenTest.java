package dev.satchel.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Pins the shape of a generated class, and checks the output is the same on every run. */
final class GoldenTest {

  private static Compilation compileShop() {
    return javac()
        .withProcessors(new SessionDataProcessor())
        .compile(JavaFileObjects.forResource("good/Shop.java"));
  }

  private static String generated(Compilation compilation) throws IOException {
    return compilation
        .generatedSourceFile("test.ShopSession")
        .orElseThrow()
        .getCharContent(true)
        .toString();
  }

  @Test
  void shop_generatesTheExpectedClass() throws IOException {
    Compilation compilation = compileShop();
    assertThat(compilation).succeededWithoutWarnings();
    String actual = generated(compilation);
    // Written out so that an intended change can be reviewed and copied over the expected file.
    java.nio.file.Files.writeString(
        java.nio.file.Path.of("target/ShopSession.actual.java"), actual);
    String expected;
    try (InputStream in = getClass().getResourceAsStream("/expected/ShopSession.java")) {
      expected = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(expected, actual);
  }

  @Test
  void output_isDeterministic() throws IOException {
    assertEquals(generated(compileShop()), generated(compileShop()));
  }
}
