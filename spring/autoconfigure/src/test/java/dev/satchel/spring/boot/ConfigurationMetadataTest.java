package dev.satchel.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SettingsTable;
import dev.satchel.spi.SessionDriverProvider;
import dev.satchel.spi.SessionDriverProvider.Option;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The configuration metadata IDEs complete {@code satchel.*} properties from is made from the
 * runtime's table of settings and the options the fs, jdbc, memory and redis drivers describe, with
 * what the auto-configuration adds (Spring Boot's own properties it reads). The file in {@code
 * src/main/resources} must be exactly what they make: a setting or an option missing from it, or
 * described otherwise, fails here. {@code -Dsatchel.metadata.write=true} rewrites it.
 */
final class ConfigurationMetadataTest {
  private static final Path SOURCE =
      Path.of("src/main/resources/META-INF/additional-spring-configuration-metadata.json");
  private static final List<String> DRIVERS = List.of("fs", "jdbc", "memory", "redis");

  /** What the auto-configuration takes from Spring Boot's properties, by setting. */
  private static final Map<String, String> FROM_SPRING_BOOT =
      Map.of(
          "idle-timeout",
          "When unset, server.servlet.session.timeout is used if it is set (0 or less: off).",
          "driver.url",
          "When unset: redis uses, in Spring Boot's order, the primary that"
              + " spring.data.redis.sentinel.master names through sentinel.nodes, the cluster of"
              + " spring.data.redis.cluster.nodes, spring.data.redis.url, or a URL built from"
              + " spring.data.redis.host, port, username, password, database and ssl.enabled or"
              + " ssl.bundle, if any of them is set; jdbc uses the application's DataSource (the"
              + " one spring.datasource.* configures), and opens no pool of its own. When set, it"
              + " wins: jdbc then makes a pool of its own.",
          "driver.timeout",
          "When unset, spring.data.redis.timeout is used if it is set.",
          "driver.connect-timeout",
          "When unset, spring.data.redis.connect-timeout is used if it is set.");

  private static final String DURATIONS =
      " A number of seconds, a number with a unit (500ms, 30m, 2h) or ISO-8601 (PT30M).";

  /** One property of the metadata. */
  private record Property(String name, Class<?> type, String defaultValue, String description) {}

  private static Map<String, SessionDriverProvider> providers() {
    Map<String, SessionDriverProvider> providers = new TreeMap<>();
    for (SessionDriverProvider provider : ServiceLoader.load(SessionDriverProvider.class)) {
      if (DRIVERS.contains(provider.name())) {
        providers.put(provider.name(), provider);
      }
    }
    assertEquals(Set.copyOf(DRIVERS), providers.keySet(), "every driver on the class path");
    return providers;
  }

  /** The properties: the settings, then the driver options by name. */
  private static List<Property> properties() {
    List<Property> properties = new ArrayList<>();
    for (SettingsTable.Entry setting : SettingsTable.all()) {
      boolean duration = setting.off() || setting.type() == Duration.class;
      properties.add(
          new Property(
              "satchel." + setting.name(),
              setting.type(),
              setting.defaultValue(),
              describe(setting.name(), setting.description(), duration)));
    }
    Map<String, List<Map.Entry<String, Option>>> options = new TreeMap<>();
    providers()
        .forEach(
            (driver, provider) ->
                provider
                    .describedOptions()
                    .forEach(
                        option ->
                            options
                                .computeIfAbsent(option.name(), name -> new ArrayList<>())
                                .add(Map.entry(driver, option))));
    options.forEach(
        (name, declared) -> {
          Option first = declared.get(0).getValue();
          boolean one = declared.size() == 1;
          Set<Class<?>> types = new LinkedHashSet<>();
          StringBuilder description = new StringBuilder();
          for (Map.Entry<String, Option> entry : declared) {
            Option option = entry.getValue();
            types.add(option.type());
            description.append(description.length() == 0 ? "" : " ");
            description.append(entry.getKey()).append(": ").append(option.description());
            if (!one && option.defaultValue() != null) {
              description.append(" Default: ").append(option.defaultValue()).append('.');
            }
          }
          Class<?> type = types.size() == 1 ? first.type() : String.class;
          properties.add(
              new Property(
                  "satchel.driver." + name,
                  type,
                  one ? first.defaultValue() : null,
                  describe("driver." + name, description.toString(), type == Duration.class)));
        });
    return properties;
  }

  private static String describe(String setting, String description, boolean duration) {
    return description
        + (duration ? DURATIONS : "")
        + (FROM_SPRING_BOOT.containsKey(setting) ? " " + FROM_SPRING_BOOT.get(setting) : "");
  }

  /** The metadata file the properties make. */
  private static String metadata() {
    StringBuilder json = new StringBuilder("{\n  \"properties\": [");
    List<Property> properties = properties();
    for (int i = 0; i < properties.size(); i++) {
      Property property = properties.get(i);
      json.append(i == 0 ? "\n" : ",\n").append("    {\n");
      json.append("      \"name\": ").append(quote(property.name())).append(",\n");
      json.append("      \"type\": ").append(quote(property.type().getName())).append(",\n");
      json.append("      \"description\": ").append(quote(property.description()));
      if (property.defaultValue() != null) {
        json.append(",\n      \"defaultValue\": ").append(value(property));
      }
      json.append("\n    }");
    }
    json.append("\n  ],\n  \"hints\": [");
    List<String> hints = new ArrayList<>();
    hints.add(hint("satchel.driver", List.copyOf(providers().keySet())));
    for (SettingsTable.Entry setting : SettingsTable.all()) {
      if (setting.off()) {
        hints.add(hint("satchel." + setting.name(), List.of("off")));
      }
    }
    json.append(String.join(",", hints)).append("\n  ]\n}\n");
    return json.toString();
  }

  private static String hint(String name, List<String> values) {
    StringBuilder hint = new StringBuilder("\n    {\n      \"name\": " + quote(name) + ",\n");
    hint.append("      \"values\": [");
    for (int i = 0; i < values.size(); i++) {
      hint.append(i == 0 ? "" : ", ").append("{ \"value\": ").append(quote(values.get(i)));
      hint.append(" }");
    }
    return hint.append("]\n    }").toString();
  }

  private static String value(Property property) {
    boolean literal =
        property.type() == Boolean.class
            || property.type() == Long.class
            || property.type() == Integer.class;
    return literal ? property.defaultValue() : quote(property.defaultValue());
  }

  private static String quote(String text) {
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        default -> quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }

  @Test
  void theMetadataFile_isWhatTheSettingsAndTheDriversOptionsMake() throws IOException {
    String expected = metadata();
    if (Boolean.getBoolean("satchel.metadata.write")) {
      Files.writeString(SOURCE, expected);
    }
    Path made = Path.of("target/additional-spring-configuration-metadata.json");
    Files.writeString(made, expected);
    assertEquals(
        expected,
        Files.readString(SOURCE),
        SOURCE
            + " differs from what the settings table and the drivers' described options make ("
            + made
            + "); rewrite it with -Dsatchel.metadata.write=true");
  }

  @Test
  void everySettingAndDriverOption_isInTheMetadataIdesRead_withItsDefault() throws IOException {
    JsonNode metadata = null;
    for (URL url :
        Collections.list(
            getClass()
                .getClassLoader()
                .getResources("META-INF/spring-configuration-metadata.json"))) {
      try (InputStream in = url.openStream()) {
        JsonNode candidate = JsonMapper.builder().build().readTree(in);
        for (JsonNode property : candidate.get("properties")) {
          if (property.get("name").asString().equals("satchel.driver")) {
            metadata = candidate;
          }
        }
      }
    }
    assertTrue(metadata != null, "the module's processed metadata, with satchel.driver");
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    for (JsonNode property : metadata.get("properties")) {
      byName.put(property.get("name").asString(), property);
    }
    for (SettingsTable.Entry setting : SettingsTable.all()) {
      JsonNode property = byName.get("satchel." + setting.name());
      assertTrue(property != null, "satchel." + setting.name() + " is in the metadata");
      assertTrue(
          property.get("description").asString().startsWith(setting.description()), setting.name());
      assertEquals(
          setting.defaultValue(),
          property.has("defaultValue") ? property.get("defaultValue").asString() : null,
          setting.name());
    }
    for (SessionDriverProvider provider : providers().values()) {
      for (Option option : provider.describedOptions()) {
        JsonNode property = byName.get("satchel.driver." + option.name());
        assertTrue(property != null, "satchel.driver." + option.name() + " is in the metadata");
        assertTrue(
            property
                .get("description")
                .asString()
                .contains(provider.name() + ": " + option.description()),
            option.name());
      }
    }
    for (String redisOnly :
        List.of(
            "ca-cert",
            "trust-store",
            "trust-store-password",
            "verify-hostname",
            "client-cert",
            "key-store",
            "replicas-to-ack",
            "replica-ack-timeout",
            "allow-eviction")) {
      assertTrue(byName.containsKey("satchel.driver." + redisOnly), redisOnly);
    }
    for (String jdbcOnly :
        List.of("table", "create-table", "pool-size", "pool-timeout", "statement-timeout")) {
      assertTrue(byName.containsKey("satchel.driver." + jdbcOnly), jdbcOnly);
    }
    assertEquals(
        "600",
        byName.get("satchel.driver.file-mode").get("defaultValue").asString(),
        "the fs driver's file mode");
    assertTrue(
        byName
            .get("satchel.driver.url")
            .get("description")
            .asString()
            .contains("jdbc uses the application's DataSource"),
        "what satchel.driver.url falls back to for jdbc");
  }
}
