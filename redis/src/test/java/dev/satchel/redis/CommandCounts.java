package dev.satchel.redis;

import io.lettuce.core.api.sync.RedisServerCommands;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The commands Redis servers ran while an action ran, by name, summed over the servers, from {@code
 * INFO commandstats}. Redis counts the commands a script runs too. Commands that clients send to
 * look after their connections (Lettuce's cluster topology refresh, a reconnection's handshake),
 * replicas' acknowledgements and the counting itself are left out.
 */
public final class CommandCounts {
  private static final Set<String> HOUSEKEEPING =
      Set.of(
          "info",
          "config",
          "cluster",
          "client",
          "ping",
          "hello",
          "command",
          "readonly",
          // A replica's acknowledgements of the replication stream.
          "replconf");

  private CommandCounts() {}

  /** The commands {@code servers} ran while {@code action} ran, by name. */
  public static Map<String, Integer> during(
      List<? extends RedisServerCommands<String, String>> servers, Runnable action) {
    servers.forEach(RedisServerCommands::configResetstat);
    action.run();
    Map<String, Integer> counts = new TreeMap<>();
    for (RedisServerCommands<String, String> server : servers) {
      for (String line : server.info("commandstats").split("\r?\n")) {
        if (!line.startsWith("cmdstat_")) {
          continue;
        }
        String name = line.substring("cmdstat_".length(), line.indexOf(':'));
        int calls = Integer.parseInt(line.replaceAll("^[^:]*:calls=(\\d+),.*", "$1"));
        if (calls > 0 && !HOUSEKEEPING.contains(name.split("\\|")[0])) {
          counts.merge(name, calls, Integer::sum);
        }
      }
    }
    return counts;
  }
}
