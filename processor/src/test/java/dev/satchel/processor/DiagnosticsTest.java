package dev.satchel.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.util.EnumSet;
import java.util.Set;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One test per diagnostic: the message (by its stable ID and text), the file and the line. The last
 * check makes sure no message goes untested.
 */
final class DiagnosticsTest {
  private static final Set<Message> EXERCISED = EnumSet.noneOf(Message.class);

  private static JavaFileObject source(String name, String... lines) {
    return JavaFileObjects.forSourceLines(name, lines);
  }

  /**
   * Compiles and checks one error: its text starts with the message's ID and holds {@code text}.
   */
  private static void assertError(
      Message message,
      String text,
      JavaFileObject file,
      String lineContaining,
      JavaFileObject... sources) {
    Compilation compilation = javac().withProcessors(new SessionDataProcessor()).compile(sources);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining("[" + message.id() + "] " + text)
        .inFile(file)
        .onLineContaining(lineContaining);
    EXERCISED.add(message);
  }

  @Test
  void notAnInterface() {
    JavaFileObject file =
        source(
            "test.Cart", "package test;", "@dev.satchel.SessionData", "public class Cart {", "}");
    assertError(
        Message.NOT_AN_INTERFACE,
        "@SessionData must be on an interface, not on a class Cart",
        file,
        "class Cart",
        file);
    JavaFileObject enumFile =
        source(
            "test.Color", "package test;", "@dev.satchel.SessionData", "public enum Color { RED }");
    assertError(
        Message.NOT_AN_INTERFACE,
        "@SessionData must be on an interface, not on an enum Color",
        enumFile,
        "enum Color",
        enumFile);
  }

  @Test
  void genericInterface() {
    JavaFileObject file =
        source(
            "test.Box",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Box<T> {",
            "  T item();",
            "}");
    assertError(
        Message.GENERIC_INTERFACE,
        "@SessionData interface Box must not have type parameters",
        file,
        "interface Box<T>",
        file);
  }

  @Test
  void privateInterface() {
    JavaFileObject file =
        source(
            "test.Outer",
            "package test;",
            "public class Outer {",
            "  @dev.satchel.SessionData",
            "  private interface Hidden {",
            "    String name();",
            "  }",
            "}");
    assertError(
        Message.PRIVATE_INTERFACE,
        "@SessionData interface Hidden must not be private",
        file,
        "private interface Hidden",
        file);
  }

  @Test
  void methodWithParameters() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  String name();",
            "  String item(int index);",
            "}");
    assertError(
        Message.METHOD_WITH_PARAMETERS,
        "session key method Shop.item() must not take parameters",
        file,
        "item(int index)",
        file);
  }

  @Test
  void voidMethod() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  void reset();",
            "}");
    assertError(
        Message.VOID_METHOD,
        "session key method Shop.reset() must return the key's type, not void",
        file,
        "void reset()",
        file);
  }

  @Test
  void unsupportedType_namesThePath() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "import java.util.List;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  List<Thread> cart();",
            "}");
    assertError(
        Message.UNSUPPORTED_TYPE,
        "cart → List<Thread>: Thread is not a supported session value; use String",
        file,
        "List<Thread> cart()",
        file);
  }

  @Test
  void unsupportedType_wildcardsAndRawTypes() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "import java.util.List;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  List<? extends Number> numbers();",
            "}");
    assertError(
        Message.UNSUPPORTED_TYPE,
        "numbers → List<? extends Number>: ? extends Number is not a supported session value",
        file,
        "numbers()",
        file);
    JavaFileObject raw =
        source(
            "test.Raw",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Raw {",
            "  java.util.List items();",
            "}");
    assertError(
        Message.UNSUPPORTED_TYPE,
        "items → List: raw List (give its type arguments)",
        raw,
        "items()",
        raw);
  }

  @Test
  void unsupportedRecordComponent_isPinnedToTheComponent() {
    JavaFileObject item =
        source(
            "test.Item", "package test;", "public record Item(String sku,", "    Thread owner) {}");
    JavaFileObject shop =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  Item item();",
            "}");
    assertError(
        Message.UNSUPPORTED_COMPONENT,
        "record component Item.owner → Thread: Thread is not a supported session value",
        item,
        "record Item(",
        shop,
        item);
  }

  @Test
  void inaccessibleType() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "public class Shop {",
            "  private record Secret(String value) {}",
            "  @dev.satchel.SessionData",
            "  public interface Data {",
            "    Secret secret();",
            "  }",
            "}");
    assertError(
        Message.INACCESSIBLE_TYPE,
        "secret → Shop.Secret: Secret cannot be used by the generated Shop_DataSession",
        file,
        "Secret secret()",
        file);
  }

  @Test
  void duplicateKey() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  String cart();",
            "  @dev.satchel.SessionKey(\"cart\") String basket();",
            "}");
    assertError(
        Message.DUPLICATE_KEY,
        "session key \"cart\" is declared by both Shop.cart() and Shop.basket()",
        file,
        "String basket()",
        file);
  }

  @Test
  void duplicateAccessor() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  @dev.satchel.SessionKey(\"a\") String cart();",
            "  @dev.satchel.SessionKey(\"b\") String getCart();",
            "}");
    assertError(
        Message.DUPLICATE_ACCESSOR,
        "session key methods Shop.cart() and Shop.getCart() would both generate setCart()",
        file,
        "String getCart()",
        file);
  }

  @Test
  void invalidKey_isPinnedToTheAnnotation() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  @dev.satchel.SessionKey(\"  \")",
            "  String cart();",
            "}");
    assertError(
        Message.INVALID_KEY,
        "session key \"  \" is invalid: it is blank",
        file,
        "SessionKey(\"  \")",
        file);
  }

  @Test
  void invalidTtl_isPinnedToTheAnnotation() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  @dev.satchel.SessionTtl(\"one hour\")",
            "  String user();",
            "}");
    assertError(
        Message.INVALID_TTL,
        "@SessionTtl(\"one hour\") on Shop.user() is not a positive ISO-8601 duration",
        file,
        "SessionTtl(\"one hour\")",
        file);
  }

  @Test
  void reservedName() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  String id();",
            "}");
    assertError(
        Message.RESERVED_NAME,
        "session key method Shop.id() clashes with the generated id(); rename the method and keep the key name with @SessionKey(\"id\")",
        file,
        "String id()",
        file);
  }

  @Test
  void reservedName_aKeyNamedLikeAnotherKeysUpdate() {
    // updateCart() would sit next to the generated updateCart(change) of the cart key.
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  java.util.List<String> cart();",
            "  String updateCart();",
            "}");
    assertError(
        Message.RESERVED_NAME,
        "session key method Shop.updateCart() clashes with the generated updateCart(); rename the"
            + " method and keep the key name with @SessionKey(\"updateCart\")",
        file,
        "String updateCart()",
        file);
  }

  @Test
  void reservedName_aKeyNamedLikeAnotherKeysHas_whicheverIsDeclaredFirst() {
    // Without the check the generated class would not compile: two hasCart() methods.
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  @dev.satchel.SessionKey(\"flag\") String hasCart();",
            "  String getCart();",
            "}");
    assertError(
        Message.RESERVED_NAME,
        "session key method Shop.hasCart() clashes with the generated hasCart(); rename the"
            + " method and keep the key name with @SessionKey(\"flag\")",
        file,
        "String hasCart()",
        file);
  }

  @Test
  void inheritedProblem_isReportedOnTheInterfaceNamingTheMethod() {
    JavaFileObject base =
        source("test.Base", "package test;", "public interface Base {", "  Thread worker();", "}");
    JavaFileObject shop =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop extends Base {",
            "}");
    assertError(
        Message.UNSUPPORTED_TYPE,
        "worker → Thread: Thread is not a supported session value",
        shop,
        "interface Shop",
        shop,
        base);
  }

  @Test
  void undefinedType_isReportedWhenItNeverAppears() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  Missing thing();",
            "}");
    Compilation compilation = javac().withProcessors(new SessionDataProcessor()).compile(file);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(
            "["
                + Message.UNDEFINED_TYPE.id()
                + "] @SessionData interface test.Shop references Missing")
        .inFile(file)
        .onLineContaining("interface Shop");
    EXERCISED.add(Message.UNDEFINED_TYPE);
  }

  @Test
  void internalError_isReportedOnTheType() {
    // Two interfaces whose generated classes share a name: the second cannot be written.
    JavaFileObject flat =
        source(
            "test.Outer_Inner",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Outer_Inner {",
            "  String a();",
            "}");
    JavaFileObject nested =
        source(
            "test.Outer",
            "package test;",
            "public interface Outer {",
            "  @dev.satchel.SessionData",
            "  interface Inner {",
            "    String b();",
            "  }",
            "}");
    Compilation compilation =
        javac().withProcessors(new SessionDataProcessor()).compile(flat, nested);
    assertThat(compilation).failed();
    assertThat(compilation)
        .hadErrorContaining(
            "["
                + Message.INTERNAL_ERROR.id()
                + "] internal error while generating the session class for test.Outer.Inner");
    EXERCISED.add(Message.INTERNAL_ERROR);
  }

  // ---------------------------------------------------------------------------------------------
  // Application codecs

  private static final JavaFileObject MONEY =
      source(
          "test.Money",
          "package test;",
          "public final class Money {",
          "  public final String text;",
          "  public Money(String text) { this.text = text; }",
          "}");

  /** A codec class for {@code Money} named {@code name}, its head written by {@code head}. */
  private static JavaFileObject moneyCodec(String name, String... head) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    lines.add("package test;");
    lines.add("import dev.satchel.codec.CodecContext;");
    lines.add("import dev.satchel.codec.ValueCodec;");
    lines.addAll(java.util.List.of(head));
    lines.add("  public Object encode(Money value, CodecContext context) { return value.text; }");
    lines.add("  public Money decode(Object value, CodecContext context) {");
    lines.add("    return new Money((String) value);");
    lines.add("  }");
    lines.add("  public String describe() { return \"Money\"; }");
    lines.add("}");
    return JavaFileObjects.forSourceLines("test." + name, lines);
  }

  private static final JavaFileObject MONEY_CODEC =
      moneyCodec("MoneyCodec", "public final class MoneyCodec implements ValueCodec<Money> {");

  @Test
  void codecUndefined_isPinnedToTheClassLiteral() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData(codecs = {",
            "    MoneyCodec.class,",
            "    MissingCodec.class})",
            "public interface Shop {",
            "  Money price();",
            "}");
    assertError(
        Message.CODEC_UNDEFINED,
        "codec class MissingCodec is not defined; declare it or fix the import",
        file,
        "MissingCodec.class",
        file,
        MONEY,
        MONEY_CODEC);
    JavaFileObject perKey =
        source(
            "test.Cart",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Cart {",
            "  @dev.satchel.SessionCodec(GoneCodec.class)",
            "  Money total();",
            "}");
    assertError(
        Message.CODEC_UNDEFINED,
        "codec class GoneCodec is not defined",
        perKey,
        "GoneCodec.class",
        perKey,
        MONEY);
  }

  @Test
  void codecThatIsNotACodec_saysWhy() {
    JavaFileObject notImplementing =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData(codecs = String.class)",
            "public interface Shop {",
            "  String name();",
            "}");
    assertError(
        Message.CODEC_NOT_A_CODEC,
        "String is not a session codec: it does not implement ValueCodec; a codec implements"
            + " ValueCodec<T> for one type T, such as class MoneyCodec implements"
            + " ValueCodec<Money>",
        notImplementing,
        "String.class",
        notImplementing);

    JavaFileObject rawUser =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData(codecs = RawCodec.class)",
            "public interface Shop {",
            "  Money price();",
            "}");
    assertError(
        Message.CODEC_NOT_A_CODEC,
        "RawCodec is not a session codec: it implements the raw ValueCodec",
        rawUser,
        "RawCodec.class",
        rawUser,
        MONEY,
        source(
            "test.RawCodec",
            "package test;",
            "import dev.satchel.codec.CodecContext;",
            "import dev.satchel.codec.ValueCodec;",
            "@SuppressWarnings({\"rawtypes\", \"unchecked\"})",
            "public final class RawCodec implements ValueCodec {",
            "  public Object encode(Object value, CodecContext context) { return value; }",
            "  public Object decode(Object value, CodecContext context) { return value; }",
            "  public String describe() { return \"raw\"; }",
            "}"));

    JavaFileObject generic =
        source(
            "test.ListCodec",
            "package test;",
            "import dev.satchel.codec.CodecContext;",
            "import dev.satchel.codec.ValueCodec;",
            "import java.util.List;",
            "public final class ListCodec<E> implements ValueCodec<List<E>> {",
            "  public Object encode(List<E> value, CodecContext context) { return value; }",
            "  public List<E> decode(Object value, CodecContext context) { return null; }",
            "  public String describe() { return \"list\"; }",
            "}");
    JavaFileObject genericUser =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  @dev.satchel.SessionCodec(ListCodec.class)",
            "  java.util.List<String> names();",
            "}");
    assertError(
        Message.CODEC_NOT_A_CODEC,
        "ListCodec is not a session codec: it has type parameters",
        genericUser,
        "SessionCodec(ListCodec.class)",
        genericUser,
        generic);

    JavaFileObject primitive =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData(codecs = int.class)",
            "public interface Shop {",
            "  int count();",
            "}");
    assertError(
        Message.CODEC_NOT_A_CODEC,
        "int is not a session codec: it is not a class",
        primitive,
        "int.class",
        primitive);
  }

  @Test
  void codecForAnotherType_onAKey_namesBothTypes() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "import java.util.List;",
            "@dev.satchel.SessionData",
            "public interface Shop {",
            "  @dev.satchel.SessionCodec(MoneyCodec.class)",
            "  List<Money> prices();",
            "}");
    assertError(
        Message.CODEC_TYPE_MISMATCH,
        "@SessionCodec(MoneyCodec.class) on Shop.prices(): the codec stores Money, but the key's"
            + " type is List<Money>; use a codec for List<Money> here, or list MoneyCodec in"
            + " @SessionData(codecs = ...) to use it wherever Money appears",
        file,
        "SessionCodec(MoneyCodec.class)",
        file,
        MONEY,
        MONEY_CODEC);
  }

  /** Compiles {@code Shop} listing {@code codec} (a class literal) and checks the error. */
  private static void assertInaccessible(
      String codec, String text, JavaFileObject... codecSources) {
    JavaFileObject shop =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData(codecs = " + codec + ")",
            "public interface Shop {",
            "  Money price();",
            "}");
    JavaFileObject[] sources = new JavaFileObject[codecSources.length + 2];
    sources[0] = shop;
    sources[1] = MONEY;
    System.arraycopy(codecSources, 0, sources, 2, codecSources.length);
    assertError(Message.CODEC_INACCESSIBLE, text, shop, codec, sources);
  }

  @Test
  void codecTheGeneratedClassCannotCreate_saysWhy() {
    JavaFileObject holder =
        source(
            "test.Codecs",
            "package test;",
            "import dev.satchel.codec.CodecContext;",
            "import dev.satchel.codec.ValueCodec;",
            "public final class Codecs {",
            "  private static final class Hidden implements ValueCodec<Money> {",
            "    public Object encode(Money value, CodecContext context) { return null; }",
            "    public Money decode(Object value, CodecContext context) { return null; }",
            "    public String describe() { return \"Money\"; }",
            "  }",
            "  public final class Inner implements ValueCodec<Money> {",
            "    public Object encode(Money value, CodecContext context) { return null; }",
            "    public Money decode(Object value, CodecContext context) { return null; }",
            "    public String describe() { return \"Money\"; }",
            "  }",
            "}");
    assertInaccessible(
        "Codecs.Hidden.class",
        "codec Hidden cannot be created by the generated ShopSession: it is private; make it a"
            + " public class (static, if nested) with a public no-arg constructor, or give it a"
            + " public static final INSTANCE field of its own type",
        holder);
    assertInaccessible(
        "Codecs.Inner.class",
        "codec Inner cannot be created by the generated ShopSession: it is an inner class of"
            + " Codecs",
        holder);
    assertInaccessible(
        "ArgsCodec.class",
        "codec ArgsCodec cannot be created by the generated ShopSession: it has neither a public"
            + " no-arg constructor nor a public static final INSTANCE field of its own type",
        moneyCodec(
            "ArgsCodec",
            "public final class ArgsCodec implements ValueCodec<Money> {",
            "  public ArgsCodec(String currency) {}",
            "  private ArgsCodec() {}"));
    assertInaccessible(
        "EnumCodec.class",
        "codec EnumCodec cannot be created by the generated ShopSession: it is an enum without a"
            + " public static final INSTANCE field of its own type",
        moneyCodec("EnumCodec", "public enum EnumCodec implements ValueCodec<Money> {", "  ONLY;"));
    assertInaccessible(
        "other.Elsewhere.class",
        "codec Elsewhere cannot be created by the generated ShopSession: it is not public, and in"
            + " package other rather than test",
        source(
            "other.Elsewhere",
            "package other;",
            "import dev.satchel.codec.CodecContext;",
            "import dev.satchel.codec.ValueCodec;",
            "import test.Money;",
            "final class Elsewhere implements ValueCodec<Money> {",
            "  public Object encode(Money value, CodecContext context) { return null; }",
            "  public Money decode(Object value, CodecContext context) { return null; }",
            "  public String describe() { return \"Money\"; }",
            "}"));
  }

  @Test
  void twoCodecsForOneType_areReportedOnTheSecond() {
    JavaFileObject file =
        source(
            "test.Shop",
            "package test;",
            "@dev.satchel.SessionData(codecs = {MoneyCodec.class,",
            "    OtherMoneyCodec.class})",
            "public interface Shop {",
            "  Money price();",
            "}");
    assertError(
        Message.CODEC_DUPLICATE,
        "MoneyCodec and OtherMoneyCodec are both codecs for Money; list one codec per type in"
            + " @SessionData(codecs = ...) and put @SessionCodec on a key that needs the other",
        file,
        "OtherMoneyCodec.class",
        file,
        MONEY,
        MONEY_CODEC,
        moneyCodec(
            "OtherMoneyCodec",
            "public final class OtherMoneyCodec implements ValueCodec<Money> {"));
  }

  @AfterAll
  static void everyMessage_isExercised() {
    assertEquals(EnumSet.allOf(Message.class), EXERCISED);
  }
}
