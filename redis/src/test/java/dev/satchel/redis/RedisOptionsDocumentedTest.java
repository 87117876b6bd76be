package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionDriverProvider.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's table of the redis driver's options is the options the driver describes: each with
 * its default, and none it does not read.
 */
final class RedisOptionsDocumentedTest {
  /** Surefire runs in the module's folder. */
  private static final Path README = Path.of("../README.md");

  private static final String HEADING = "## The redis driver";

  /** The rows of the section's first table, by their first cell. */
  private static Map<String, List<String>> optionRows() throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n" + HEADING + "\n");
    assertTrue(start >= 0, "the README has the section " + HEADING);
    String[] lines = readme.substring(readme.indexOf("\n|", start) + 1).split("\n");
    assertEquals("| option | default | meaning |", lines[0], "the options table");
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (int i = 2; i < lines.length && lines[i].startsWith("|"); i++) {
      List<String> cells = new ArrayList<>();
      for (String cell : lines[i].substring(1, lines[i].length() - 1).split("\\|", -1)) {
        cells.add(cell.trim());
      }
      assertEquals(3, cells.size(), lines[i]);
      assertTrue(rows.put(cells.get(0), cells) == null, "one row for " + cells.get(0));
    }
    return rows;
  }

  @Test
  void everyOption_isDocumentedWithItsDefault_andNoOtherIs() throws IOException {
    Map<String, List<String>> rows = optionRows();
    for (Option option : new RedisDriverProvider().describedOptions()) {
      List<String> row = rows.remove("`" + option.name() + "`");
      assertTrue(row != null, "the redis table has a row for " + option.name());
      String documented = row.get(1);
      String expected =
          option.defaultValue() == null
              ? "none"
              : option.defaultValue().isEmpty() ? "empty" : "`" + option.defaultValue() + "`";
      assertTrue(
          documented.equals(expected) || documented.startsWith(expected + " ("),
          option.name() + "'s default is " + expected + ", not " + documented);
      assertTrue(!row.get(2).isBlank(), option.name() + " is described");
    }
    assertEquals(
        List.of(), List.copyOf(rows.keySet()), "rows for options the driver does not read");
  }
}
