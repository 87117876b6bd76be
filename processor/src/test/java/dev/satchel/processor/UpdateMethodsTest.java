package dev.satchel.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * The generated {@code updateX} methods are typed as callers expect: checked by compiling callers,
 * since the golden file only pins their text.
 */
final class UpdateMethodsTest {

  private static Compilation compileWithShop(JavaFileObject caller) {
    return javac()
        .withProcessors(new SessionDataProcessor())
        .compile(JavaFileObjects.forResource("good/Shop.java"), caller);
  }

  @Test
  void callers_seeBoxedPrimitives_optionalsAsTheSetterTakesThem_andTheStoredValue() {
    JavaFileObject caller =
        JavaFileObjects.forSourceLines(
            "test.Caller",
            "package test;",
            "import java.time.Duration;",
            "import java.util.ArrayList;",
            "import java.util.List;",
            "import java.util.Optional;",
            "final class Caller {",
            "  static void use(ShopSession shop) {",
            "    Integer visits = shop.updateVisits(count -> count == null ? 1 : count + 1);",
            "    List<String> cart = shop.updateCart(current -> {",
            "      List<String> next = current == null ? new ArrayList<>() : new ArrayList<>(current);",
            "      next.add(\"sku-1\");",
            "      return next;",
            "    }, Duration.ofDays(1));",
            "    Optional<Shop.Size> size =",
            "        shop.updatePreferredSize(current -> current.or(() -> Optional.of(Shop.Size.SMALL)));",
            "    Shop.User user = shop.updateUser(current -> null);",
            "    Shop.User kept = shop.updateUser(current -> current, Duration.ofMinutes(5));",
            "  }",
            "}");
    Compilation compilation = compileWithShop(caller);
    assertThat(compilation).succeededWithoutWarnings();
  }

  @Test
  void callers_cannotPassAChangeOfAnotherType() {
    JavaFileObject caller =
        JavaFileObjects.forSourceLines(
            "test.Caller",
            "package test;",
            "final class Caller {",
            "  static void use(ShopSession shop) {",
            "    shop.updateVisits(count -> \"one\");",
            "  }",
            "}");
    Compilation compilation = compileWithShop(caller);
    assertThat(compilation).failed();
    assertThat(compilation).hadErrorCount(1);
    assertThat(compilation).hadErrorContaining("String").inFile(caller);
  }

  @Test
  void keysNamedNearTheGeneratedNames_areAccepted() {
    JavaFileObject file =
        JavaFileObjects.forSourceLines(
            "test.Near",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Near {",
            "  String update();",
            "  String updated();",
            "  String cart();",
            "  String cartUpdate();",
            "  String updatecart();",
            "}");
    Compilation compilation = javac().withProcessors(new SessionDataProcessor()).compile(file);
    assertThat(compilation).succeededWithoutWarnings();
    assertThat(compilation)
        .generatedSourceFile("test.NearSession")
        .contentsAsUtf8String()
        .contains("public String updateUpdate(UnaryOperator<String> change) {");
  }
}
