package dev.satchel.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionDriverProvider;
import dev.satchel.spi.SessionDriverProvider.Option;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a driver's documentation against the options it describes: the first table after a
 * Markdown heading, with the columns {@code option | default | meaning}, has one row per option,
 * with its default ({@code none} when it has none), and no row for an option the driver does not
 * read. A default may be followed by a note in parentheses: {@code `0` (off)}.
 */
public final class DocumentedOptions {
  private DocumentedOptions() {}

  /**
   * Fails unless the table under {@code heading} in {@code markdown} documents exactly the options
   * {@code provider} describes.
   *
   * @param heading the section's heading line as written ({@code ## The redis driver})
   */
  public static void assertDocumented(Path markdown, String heading, SessionDriverProvider provider)
      throws IOException {
    Map<String, List<String>> rows = optionRows(Files.readString(markdown), heading);
    for (Option option : provider.describedOptions()) {
      List<String> row = rows.remove("`" + option.name() + "`");
      assertTrue(row != null, "the table under " + heading + " has a row for " + option.name());
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

  /** The rows of the section's first table, by their first cell. */
  private static Map<String, List<String>> optionRows(String text, String heading) {
    int start = text.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, "the document has the section " + heading);
    String[] lines = text.substring(text.indexOf("\n|", start) + 1).split("\n");
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
}
