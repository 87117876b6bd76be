package dev.satchel.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static com.google.testing.compile.Compiler.javac;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The common Java types Satchel stores as strings, accepted everywhere a type may appear: as a key,
 * a record component, an argument of {@code List}, {@code Set}, {@code Map} and {@code Optional},
 * and an array's element.
 */
final class CommonTypesTest {
  /** Each type, and the codec the generated class must use for it. */
  private static final Map<String, String> TYPES =
      Map.ofEntries(
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
          Map.entry("java.math.BigDecimal", "bigDecimals"),
          Map.entry("java.util.Locale", "locales"),
          Map.entry("java.util.Currency", "currencies"));

  @Test
  void everyType_inEveryPosition_compilesWithItsCodec() throws IOException {
    StringBuilder source =
        new StringBuilder(
            "package test;\n"
                + "import java.util.*;\n"
                + "@dev.satchel.SessionData\n"
                + "public interface Everyday {\n");
    int i = 0;
    for (String type : TYPES.keySet().stream().sorted().toList()) {
      String simple = type.substring(type.lastIndexOf('.') + 1);
      source
          .append("  ")
          .append(type)
          .append(" key")
          .append(i)
          .append("();\n")
          .append("  List<")
          .append(type)
          .append("> list")
          .append(i)
          .append("();\n")
          .append("  Set<")
          .append(type)
          .append("> set")
          .append(i)
          .append("();\n")
          .append("  Map<")
          .append(type)
          .append(", ")
          .append(type)
          .append("> map")
          .append(i)
          .append("();\n")
          .append("  Optional<")
          .append(type)
          .append("> optional")
          .append(i)
          .append("();\n")
          .append("  ")
          .append(type)
          .append("[] array")
          .append(i)
          .append("();\n")
          .append("  Holder")
          .append(simple)
          .append(" holder")
          .append(i)
          .append("();\n")
          .append("  record Holder")
          .append(simple)
          .append("(")
          .append(type)
          .append(" value, List<")
          .append(type)
          .append("> values) {}\n");
      i++;
    }
    source.append("}\n");
    Compilation compilation =
        javac()
            .withProcessors(new SessionDataProcessor())
            .compile(JavaFileObjects.forSourceString("test.Everyday", source.toString()));
    assertThat(compilation).succeededWithoutWarnings();
    String generated =
        compilation
            .generatedSourceFile("test.EverydaySession")
            .orElseThrow()
            .getCharContent(true)
            .toString();
    i = 0;
    for (Map.Entry<String, String> entry :
        TYPES.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList()) {
      String simple = entry.getKey().substring(entry.getKey().lastIndexOf('.') + 1);
      String codec = "ValueCodecs." + entry.getValue() + "()";
      String[] expected = {
        "ValueCodec<" + simple + "> KEY" + i + "_CODEC = " + codec + ";",
        "ValueCodecs.list(" + codec + ")",
        "ValueCodecs.set(" + codec + ")",
        "ValueCodecs.map(" + codec + ", " + codec + ")",
        "ValueCodecs.optional(" + codec + ")",
        "ValueCodecs.array(" + codec + ", " + simple + "[]::new)",
        "ValueCodec<" + simple + "> valueCodec = " + codec + ";",
      };
      for (String part : expected) {
        assertTrue(generated.contains(part), part + " in\n" + generated);
      }
      i++;
    }
  }
}
