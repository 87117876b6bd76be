package dev.satchel;

import java.util.List;

/** The runtime's table of settings, as the Spring module's tests compare the metadata with it. */
public final class SettingsTable {
  private SettingsTable() {}

  /**
   * One setting.
   *
   * @param off whether it also takes {@code off}
   */
  public record Entry(
      String name, Class<?> type, String defaultValue, String description, boolean off) {}

  /** Every setting but the driver's options, in the table's order. */
  public static List<Entry> all() {
    return Setting.ALL.stream()
        .map(
            setting ->
                new Entry(
                    setting.name(),
                    setting.kind().type(),
                    setting.defaultValue(),
                    setting.description(),
                    setting.kind() == Setting.Kind.DURATION_OR_OFF))
        .toList();
  }
}
