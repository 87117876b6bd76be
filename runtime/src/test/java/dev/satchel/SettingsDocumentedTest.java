package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.driver.fs.FsDriverProvider;
import dev.satchel.driver.memory.MemoryDriverProvider;
import dev.satchel.spi.SessionDriverProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's tables say what the settings table and the drivers' described options say: every
 * setting with its variable and default under "Configuration", every option of the fs and memory
 * drivers with its default under "Drivers", and nothing that is neither.
 */
final class SettingsDocumentedTest {
  /** Surefire runs in the module's folder. */
  private static final Path README = Path.of("../README.md");

  /** The rows of the first table under {@code heading}, as cells without their outer pipes. */
  static List<List<String>> table(String heading) throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n" + heading + "\n");
    assertTrue(start >= 0, "the README has the section " + heading);
    int end = readme.indexOf("\n#", start + heading.length() + 2);
    List<List<String>> rows = new ArrayList<>();
    boolean header = true;
    for (String line : readme.substring(start, end < 0 ? readme.length() : end).split("\n")) {
      if (!line.startsWith("|")) {
        if (!rows.isEmpty()) {
          break;
        }
        continue;
      }
      if (header || line.startsWith("|---")) {
        header = false;
        continue;
      }
      List<String> cells = new ArrayList<>();
      for (String cell : line.substring(1, line.length() - 1).split("\\|", -1)) {
        cells.add(cell.trim());
      }
      rows.add(cells);
    }
    return rows;
  }

  /** The first table after the given table's, in the same section. */
  private static List<List<String>> secondTable(String heading) throws IOException {
    String readme = Files.readString(README);
    int start = readme.indexOf("\n" + heading + "\n");
    int end = readme.indexOf("\n#", start + heading.length() + 2);
    String section = readme.substring(start, end);
    int first = section.indexOf("\n|");
    int after = section.indexOf("\n\n", first);
    int second = section.indexOf("\n|", after);
    assertTrue(second >= 0, "a second table under " + heading);
    List<List<String>> rows = new ArrayList<>();
    String[] lines = section.substring(second + 1).split("\n");
    for (int i = 2; i < lines.length && lines[i].startsWith("|"); i++) {
      List<String> cells = new ArrayList<>();
      for (String cell : lines[i].substring(1, lines[i].length() - 1).split("\\|", -1)) {
        cells.add(cell.trim());
      }
      rows.add(cells);
    }
    return rows;
  }

  /** How a default reads in a table: {@code `PT30M`}, none, or empty. */
  static boolean documents(String cell, String defaultValue) {
    if (defaultValue == null) {
      return cell.equals("none");
    }
    if (defaultValue.isEmpty()) {
      return cell.equals("empty");
    }
    return cell.equals("`" + defaultValue + "`") || cell.startsWith("`" + defaultValue + "` (");
  }

  @Test
  void theConfigurationTable_listsEverySetting_withItsVariableAndDefault() throws IOException {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (List<String> row : table("### Configuration")) {
      assertEquals(4, row.size(), row.toString());
      assertTrue(rows.put(row.get(0), row) == null, "one row for " + row.get(0));
    }
    for (Setting<?> setting : Setting.ALL) {
      List<String> row = rows.remove("`" + setting.name() + "`");
      assertTrue(row != null, "the Configuration table has a row for " + setting.name());
      assertEquals("`" + setting.variable() + "`", row.get(1), setting.name());
      assertTrue(
          documents(row.get(2), setting.defaultValue()),
          setting.name() + "'s default is " + setting.defaultValue() + ", not " + row.get(2));
    }
    assertEquals(
        List.of("`driver.<option>`"), List.copyOf(rows.keySet()), "rows for what is not a setting");
  }

  @Test
  void theDriversOptionTable_listsWhatTheFsAndMemoryDriversRead_andNothingElse()
      throws IOException {
    Map<String, List<String>> rows = new LinkedHashMap<>();
    for (List<String> row : secondTable("### Drivers")) {
      assertEquals(4, row.size(), row.toString());
      assertTrue(rows.put(row.get(0) + " " + row.get(1), row) == null, row.toString());
    }
    for (SessionDriverProvider provider :
        List.of(new FsDriverProvider(), new MemoryDriverProvider())) {
      assertEquals(
          provider.options().size(), provider.describedOptions().size(), "described, every one");
      for (SessionDriverProvider.Option option : provider.describedOptions()) {
        String key = "`" + provider.name() + "` `" + option.name() + "`";
        List<String> row = rows.remove(key);
        assertTrue(row != null, "the Drivers table has a row for " + key);
        assertTrue(
            documents(row.get(2), option.defaultValue()),
            key + "'s default is " + option.defaultValue() + ", not " + row.get(2));
        assertTrue(!row.get(3).isBlank(), key + " is described");
      }
    }
    assertEquals(List.of(), List.copyOf(rows.keySet()), "rows for options no driver reads");
  }
}
