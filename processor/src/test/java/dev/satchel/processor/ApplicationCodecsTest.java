package dev.satchel.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.TypeElement;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * An application's codec classes, found at compile time: where the generated class uses them, how
 * it creates them (once), and which codec wins when several could store a type.
 */
final class ApplicationCodecsTest {
  private static final JavaFileObject MONEY =
      JavaFileObjects.forSourceLines(
          "test.Money",
          "package test;",
          "public final class Money {",
          "  public final String text;",
          "  public Money(String text) { this.text = text; }",
          "}");

  /** A codec class for {@code type}, stored as a string, declared by {@code head}. */
  private static JavaFileObject codec(String name, String type, String... head) {
    List<String> lines = new ArrayList<>();
    lines.add("package " + name.substring(0, name.lastIndexOf('.')) + ";");
    lines.add("import dev.satchel.codec.CodecContext;");
    lines.add("import dev.satchel.codec.ValueCodec;");
    lines.add("import test.Money;");
    lines.addAll(List.of(head));
    lines.add("  @Override");
    lines.add("  public Object encode(" + type + " value, CodecContext context) {");
    lines.add("    return String.valueOf(value);");
    lines.add("  }");
    lines.add("  @Override");
    lines.add("  public " + type + " decode(Object value, CodecContext context) {");
    lines.add("    return null;");
    lines.add("  }");
    lines.add("  @Override");
    lines.add("  public String describe() { return \"" + type + "\"; }");
    lines.add("}");
    return JavaFileObjects.forSourceLines(name, lines);
  }

  private static final JavaFileObject MONEY_CODEC =
      codec(
          "test.MoneyCodec",
          "Money",
          "public final class MoneyCodec implements ValueCodec<Money> {");

  private static Compilation compile(JavaFileObject... sources) {
    return javac().withProcessors(new SessionDataProcessor()).compile(sources);
  }

  private static String generated(Compilation compilation, String name) throws IOException {
    assertThat(compilation).succeededWithoutWarnings();
    return compilation.generatedSourceFile(name).orElseThrow().getCharContent(true).toString();
  }

  private static int count(String text, String part) {
    Matcher matcher = Pattern.compile(Pattern.quote(part)).matcher(text);
    int count = 0;
    while (matcher.find()) {
      count++;
    }
    return count;
  }

  private static final JavaFileObject SHOP =
      JavaFileObjects.forSourceLines(
          "test.Shop",
          "package test;",
          "import java.util.List;",
          "import java.util.Map;",
          "import java.util.Optional;",
          "@dev.satchel.SessionData(codecs = MoneyCodec.class)",
          "public interface Shop {",
          "  Money price();",
          "  List<Money> prices();",
          "  Map<Money, Optional<Money>> refunds();",
          "  Money[] coins();",
          "  Line line();",
          "  record Line(String sku, Money price, List<Money> history) {}",
          "}");

  @Test
  void listedCodec_isUsedWhereverItsTypeAppears_andCreatedOnce() throws IOException {
    String shop = generated(compile(SHOP, MONEY, MONEY_CODEC), "test.ShopSession");
    assertTrue(
        shop.contains(
            "private static final ValueCodec<Money> MONEY_CODEC ="
                + " ValueCodecs.guarded(new MoneyCodec());"),
        shop);
    assertEquals(1, count(shop, "new MoneyCodec()"), shop);
    assertTrue(shop.contains("ValueCodec<Money> PRICE_CODEC = MONEY_CODEC;"), shop);
    assertTrue(shop.contains("ValueCodecs.list(MONEY_CODEC)"), shop);
    assertTrue(
        shop.contains("ValueCodecs.map(MONEY_CODEC, ValueCodecs.optional(MONEY_CODEC))"), shop);
    assertTrue(shop.contains("ValueCodecs.array(MONEY_CODEC, Money[]::new)"), shop);
    // Inside the generated record codec, as a component and inside a component's List.
    assertTrue(shop.contains("ValueCodec<Money> priceCodec = MONEY_CODEC;"), shop);
    assertTrue(
        shop.contains("ValueCodec<List<Money>> historyCodec = ValueCodecs.list(MONEY_CODEC)"),
        shop);
    // Declared before the key codecs that are built from it.
    assertTrue(shop.indexOf("MONEY_CODEC =") < shop.indexOf("PRICE_CODEC ="), shop);
  }

  @Test
  void output_isDeterministic() throws IOException {
    assertEquals(
        generated(compile(SHOP, MONEY, MONEY_CODEC), "test.ShopSession"),
        generated(compile(SHOP, MONEY, MONEY_CODEC), "test.ShopSession"));
  }

  @Test
  void aCodecWithAnInstanceField_isUsedThroughIt_andAnEnumSingletonIsOne() throws IOException {
    JavaFileObject singleton =
        codec(
            "test.MoneyCodec",
            "Money",
            "public enum MoneyCodec implements ValueCodec<Money> {",
            "  INSTANCE;");
    String shop = generated(compile(SHOP, MONEY, singleton), "test.ShopSession");
    assertTrue(
        shop.contains(
            "private static final ValueCodec<Money> MONEY_CODEC ="
                + " ValueCodecs.guarded(MoneyCodec.INSTANCE);"),
        shop);

    JavaFileObject field =
        codec(
            "test.MoneyCodec",
            "Money",
            "public final class MoneyCodec implements ValueCodec<Money> {",
            "  public static final MoneyCodec INSTANCE = new MoneyCodec(\"EUR\");",
            "  private MoneyCodec(String currency) {}");
    assertTrue(
        generated(compile(SHOP, MONEY, field), "test.ShopSession")
            .contains("ValueCodecs.guarded(MoneyCodec.INSTANCE)"));
  }

  @Test
  void aCodecNoKeyUses_isNotCreated() throws IOException {
    JavaFileObject shop =
        JavaFileObjects.forSourceLines(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData(codecs = MoneyCodec.class)",
            "public interface Shop {",
            "  String name();",
            "}");
    assertFalse(
        generated(compile(shop, MONEY, MONEY_CODEC), "test.ShopSession").contains("MoneyCodec"));
  }

  @Test
  void aKeysOwnCodec_winsForThatKeyOnly() throws IOException {
    JavaFileObject cents =
        codec(
            "test.CentsCodec",
            "Money",
            "public final class CentsCodec implements ValueCodec<Money> {");
    JavaFileObject shop =
        JavaFileObjects.forSourceLines(
            "test.Shop",
            "package test;",
            "import dev.satchel.SessionCodec;",
            "@dev.satchel.SessionData(codecs = MoneyCodec.class)",
            "public interface Shop {",
            "  @SessionCodec(CentsCodec.class)",
            "  Money total();",
            "  Money price();",
            "  @SessionCodec(CentsCodec.class)",
            "  Money tax();",
            "}");
    String generated = generated(compile(shop, MONEY, MONEY_CODEC, cents), "test.ShopSession");
    assertTrue(generated.contains("ValueCodec<Money> TOTAL_CODEC = CENTS_CODEC;"), generated);
    assertTrue(generated.contains("ValueCodec<Money> PRICE_CODEC = MONEY_CODEC;"), generated);
    assertTrue(generated.contains("ValueCodec<Money> TAX_CODEC = CENTS_CODEC;"), generated);
    assertEquals(1, count(generated, "new CentsCodec()"), generated);
    // Listed codecs first, in the order listed, then the keys' own.
    assertTrue(generated.indexOf("MONEY_CODEC =") < generated.indexOf("CENTS_CODEC ="), generated);
  }

  @Test
  void aCodecForATypeSatchelStores_replacesSatchelsCodec_primitivesIncluded() throws IOException {
    JavaFileObject epochDays =
        codec(
            "test.EpochDayCodec",
            "java.time.LocalDate",
            "public final class EpochDayCodec implements ValueCodec<java.time.LocalDate> {");
    JavaFileObject counts =
        codec(
            "test.CountCodec",
            "Integer",
            "public final class CountCodec implements ValueCodec<Integer> {");
    JavaFileObject shop =
        JavaFileObjects.forSourceLines(
            "test.Shop",
            "package test;",
            "import java.time.LocalDate;",
            "import java.util.List;",
            "@dev.satchel.SessionData(codecs = {EpochDayCodec.class, CountCodec.class})",
            "public interface Shop {",
            "  LocalDate delivery();",
            "  List<LocalDate> holidays();",
            "  int visits();",
            "  Item item();",
            "  record Item(int quantity) {}",
            "}");
    String generated = generated(compile(shop, MONEY, epochDays, counts), "test.ShopSession");
    assertFalse(generated.contains("localDates()"), generated);
    assertFalse(generated.contains("integers()"), generated);
    assertTrue(
        generated.contains("ValueCodec<LocalDate> DELIVERY_CODEC = EPOCH_DAY_CODEC;"), generated);
    assertTrue(generated.contains("ValueCodecs.list(EPOCH_DAY_CODEC)"), generated);
    assertTrue(generated.contains("ValueCodec<Integer> VISITS_CODEC = COUNT_CODEC;"), generated);
    assertTrue(generated.contains("public void setVisits(int value)"), generated);
    assertTrue(generated.contains("ValueCodec<Integer> quantityCodec = COUNT_CODEC;"), generated);
  }

  @Test
  void aCodecOfAnotherPackage_andACodecOfAGenericType() throws IOException {
    JavaFileObject elsewhere =
        codec(
            "other.PublicMoneyCodec",
            "Money",
            "public final class PublicMoneyCodec implements ValueCodec<Money> {");
    JavaFileObject tags =
        codec(
            "test.TagsCodec",
            "java.util.List<String>",
            "abstract class Base<T> implements ValueCodec<T> {}",
            "final class TagsCodec extends Base<java.util.List<String>> {");
    JavaFileObject shop =
        JavaFileObjects.forSourceLines(
            "test.Shop",
            "package test;",
            "import java.util.List;",
            "@dev.satchel.SessionData(codecs = {other.PublicMoneyCodec.class, TagsCodec.class})",
            "public interface Shop {",
            "  Money price();",
            "  List<String> tags();",
            "  List<Integer> numbers();",
            "}");
    String generated = generated(compile(shop, MONEY, elsewhere, tags), "test.ShopSession");
    assertTrue(generated.contains("import other.PublicMoneyCodec;"), generated);
    assertTrue(generated.contains("ValueCodecs.guarded(new PublicMoneyCodec())"), generated);
    // T found through a superclass; only exactly List<String> is the codec's.
    assertTrue(generated.contains("ValueCodec<List<String>> TAGS_CODEC2 = TAGS_CODEC;"), generated);
    assertTrue(
        generated.contains(
            "ValueCodec<List<Integer>> NUMBERS_CODEC = ValueCodecs.list(ValueCodecs.integers());"),
        generated);
  }

  @Test
  void anOptionalKeyWithItsOwnCodec_readsAsOptional() throws IOException {
    JavaFileObject maybe =
        codec(
            "test.MaybeMoneyCodec",
            "java.util.Optional<Money>",
            "public final class MaybeMoneyCodec implements ValueCodec<java.util.Optional<Money>> {");
    JavaFileObject shop =
        JavaFileObjects.forSourceLines(
            "test.Shop",
            "package test;",
            "import java.util.Optional;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  @dev.satchel.SessionCodec(MaybeMoneyCodec.class)",
            "  Optional<Money> deposit();",
            "}");
    String generated = generated(compile(shop, MONEY, maybe), "test.ShopSession");
    assertTrue(generated.contains("public Optional<Money> deposit()"), generated);
  }

  /** Generates {@code test.LaterCodec}, a codec for Money, in its first round. */
  @SupportedAnnotationTypes("*")
  static final class GeneratesCodecProcessor extends AbstractProcessor {
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
          JavaFileObject file = processingEnv.getFiler().createSourceFile("test.LaterCodec");
          try (Writer writer = file.openWriter()) {
            writer.write(
                codec(
                        "test.LaterCodec",
                        "Money",
                        "public final class LaterCodec implements ValueCodec<Money> {")
                    .getCharContent(true)
                    .toString());
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }
      return false;
    }
  }

  @Test
  void aCodecGeneratedInALaterRound_isWaitedFor() throws IOException {
    SessionDataProcessor processor = new SessionDataProcessor();
    Compilation compilation =
        javac()
            .withProcessors(processor, new GeneratesCodecProcessor())
            .compile(
                MONEY,
                JavaFileObjects.forSourceLines(
                    "test.Shop",
                    "package test;",
                    "@dev.satchel.SessionData(codecs = LaterCodec.class)",
                    "public interface Shop {",
                    "  Money price();",
                    "}"));
    assertTrue(
        generated(compilation, "test.ShopSession")
            .contains("ValueCodecs.guarded(new LaterCodec())"));
    assertTrue(processor.deferredTypeNames().isEmpty());
  }
}
