package dev.satchel;

import java.util.Collection;
import java.util.Locale;

/** Suggestions for a mistyped setting or option name. */
final class SettingNames {
  private SettingNames() {}

  /**
   * The known name closest to {@code written}, when it is close enough to be a typo (at most two
   * edits, and fewer than half the name), or {@code null}.
   */
  static String closest(String written, Collection<String> known) {
    String typed = written.toLowerCase(Locale.ROOT);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = distance(typed, candidate.toLowerCase(Locale.ROOT));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    return best != null && bestDistance <= 2 && bestDistance * 2 < Math.max(typed.length(), 2)
        ? best
        : null;
  }

  /** " (did you mean X?)" for a close name, spelled by {@code spell}, else "". */
  static String suggestion(
      String written, Collection<String> known, java.util.function.Function<String, String> spell) {
    String closest = closest(written, known);
    return closest == null ? "" : " (did you mean " + spell.apply(closest) + "?)";
  }

  /** Levenshtein distance with adjacent transpositions counted as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
