package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.SessionConfigurationException;
import dev.satchel.spi.DriverContext;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The fs driver's {@code base} carried over to the redis driver: a folder is never silently made
 * part of every key. Start-up refuses it before connecting, saying what the redis driver's {@code
 * base} and {@code prefix} mean.
 */
final class RedisKeyOptionsTest {
  private static final List<String> FILE_PATHS =
      List.of(
          "/srv/app/sessions",
          "/",
          ".satchel/sessions",
          "./sessions",
          "../sessions",
          "~/sessions",
          "sessions\\app",
          "C:\\sessions",
          "c:/sessions");

  private static String keyPrefix(String option, String value) {
    return RedisDriverProvider.keyPrefix(
        new DriverContext(
            "redis",
            Map.of(option, value),
            Map.of(option, "driver." + option),
            Clock.systemUTC(),
            null));
  }

  @Test
  void anFsBase_switchedToRedis_failsStartUp_sayingWhatBaseMeansThere() {
    SessionConfigurationException e =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .environment(
                        Map.of(
                            "SATCHEL_DRIVER", "redis",
                            // Nothing listens here: the refusal comes before any connection.
                            "SATCHEL_DRIVER_URL", "redis://127.0.0.1:1",
                            "SATCHEL_DRIVER_BASE", "/srv/app/sessions"))
                    .build());
    assertEquals(
        "SATCHEL_DRIVER_BASE is \"/srv/app/sessions\", a file path, but the redis driver's base is"
            + " part of a Redis key name: unstorage's base, which stores sessions under <base>:<id>"
            + " (base=sess for sess:<id>). The folder of sessions is the fs driver's base; with"
            + " driver=redis, set base or prefix to a key name such as sess, or remove it to store"
            + " sessions under their bare IDs as Astro does.",
        e.getMessage());
  }

  @Test
  void aBaseOrPrefixThatIsAFilePath_isRefused() {
    for (String path : FILE_PATHS) {
      for (String option : List.of("base", "prefix")) {
        IllegalArgumentException e =
            assertThrows(IllegalArgumentException.class, () -> keyPrefix(option, path), path);
        assertTrue(
            e.getMessage().startsWith("driver." + option + " is \"" + path + "\", a file path"),
            e.getMessage());
        assertTrue(e.getMessage().contains("the fs driver's base"), e.getMessage());
      }
    }
  }

  @Test
  void keyNames_asUnstorageAndAstroWriteThem_areKept() {
    assertEquals("sess:", keyPrefix("base", "sess"));
    assertEquals("app:sessions:", keyPrefix("base", "app/sessions"));
    assertEquals("app:sessions:", keyPrefix("base", "app:sessions:"));
    assertEquals("sess:", keyPrefix("prefix", "sess:"));
    assertEquals("{shop}:", keyPrefix("prefix", "{shop}:"));
    assertEquals("", keyPrefix("prefix", ""));
  }

  @Test
  void theDescribedOptions_areTheOnesTheDriverReads() {
    RedisDriverProvider provider = new RedisDriverProvider();
    assertEquals(
        List.of(
            "url",
            "base",
            "prefix",
            "timeout",
            "connect-timeout",
            "ca-cert",
            "trust-store",
            "trust-store-password",
            "verify-hostname",
            "client-cert",
            "client-key",
            "key-store",
            "key-store-password",
            "replicas-to-ack",
            "replica-ack-timeout",
            "sentinel-password",
            "sentinel-username",
            "allow-eviction"),
        provider.describedOptions().stream().map(o -> o.name()).toList());
    assertEquals(
        java.util.Set.copyOf(provider.describedOptions().stream().map(o -> o.name()).toList()),
        provider.options());
    // Every declared default is what the driver uses when the option is not set.
    Map<String, String> defaults = new java.util.HashMap<>();
    provider
        .describedOptions()
        .forEach(
            option -> {
              if (option.defaultValue() != null) {
                defaults.put(option.name(), option.defaultValue());
              }
            });
    defaults.remove("verify-hostname"); // a TLS option: refused without rediss://
    defaults.remove("replica-ack-timeout"); // refused without replicas-to-ack
    RedisSettings declared =
        RedisDriverProvider.settings(new DriverContext("redis", defaults, Clock.systemUTC()));
    RedisSettings implicit =
        RedisDriverProvider.settings(new DriverContext("redis", Map.of(), Clock.systemUTC()));
    assertEquals(implicit.address().description(), declared.address().description());
    assertEquals(implicit.prefix(), declared.prefix());
    assertEquals(implicit.timeout(), declared.timeout());
    assertEquals(implicit.connectTimeout(), declared.connectTimeout());
    assertEquals(implicit.replicasToAck(), declared.replicasToAck());
    assertEquals(implicit.allowEviction(), declared.allowEviction());
    assertEquals(
        implicit.replicaAckTimeout().toString(),
        provider.describedOptions().stream()
            .filter(o -> o.name().equals("replica-ack-timeout"))
            .findFirst()
            .orElseThrow()
            .defaultValue());
  }
}
