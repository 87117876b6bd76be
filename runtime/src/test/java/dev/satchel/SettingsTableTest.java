package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.driver.memory.MemoryDriverProvider;
import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriverProvider;
import dev.satchel.testing.CountingDriverProvider;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The settings table is what the builder reads: every name it lists is a setting, its default is
 * the builder's own, its variable reads back as it, and every duration, in a setting or a driver
 * option, reads the same way ({@code 30m}, {@code 1800}, {@code PT30M}).
 */
final class SettingsTableTest {

  /** A value of each kind that is not a default, to show every setting's reader and applier. */
  private static String sample(Setting<?> setting) {
    if (setting.kind() == Setting.Kind.DURATION || setting.kind() == Setting.Kind.DURATION_OR_OFF) {
      return "45m";
    }
    if (setting.kind() == Setting.Kind.BOOLEAN) {
      return "false";
    }
    if (setting.kind() == Setting.Kind.INTEGER || setting.kind() == Setting.Kind.LONG) {
      return "5000";
    }
    if (setting.kind().type().isEnum()) {
      return setting.kind().type().getEnumConstants()[0].toString().toLowerCase(Locale.ROOT);
    }
    return switch (setting.name()) {
      case "driver" -> "memory";
      case "cookie.path" -> "/shop";
      case "cookie.domain" -> "example.com";
      default -> "a-name";
    };
  }

  @Test
  void everySetting_isReadByTheBuilder_underItsName() {
    Set<String> names = new LinkedHashSet<>();
    for (Setting<?> setting : Setting.ALL) {
      assertTrue(names.add(setting.name()), "listed once: " + setting.name());
      Satchel.builder().setting(setting.name(), sample(setting), setting.name());
      assertFalse(setting.description().isBlank(), setting.name());
      assertTrue(setting.description().endsWith("."), setting.name() + ": a sentence");
    }
    assertEquals(List.copyOf(names), SettingsBinding.NAMES);
    SessionConfigurationException unknown =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().setting("instanse-name", "x", "satchel.instanse-name"));
    assertTrue(
        unknown.getMessage().contains("did you mean satchel.instance-name?"), unknown.getMessage());
  }

  @Test
  void theDeclaredDefaults_readBack_andBehaveAsTheBuildersOwn() {
    Properties defaults = new Properties();
    for (Setting<?> setting : Setting.ALL) {
      if (setting.defaultValue() != null) {
        defaults.setProperty(setting.name(), setting.defaultValue());
      }
    }
    defaults.setProperty("driver", "counting");
    defaults.setProperty("driver.store", "declared-defaults");
    List<String> implicit = new ArrayList<>();
    List<String> declared = new ArrayList<>();
    Clock clock = Clock.fixed(java.time.Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    try (Satchel plain =
            Satchel.builder()
                .clock(clock)
                .driver("counting")
                .driverOption("store", "plain-defaults")
                .build();
        Satchel fromTable = Satchel.builder().clock(clock).properties(defaults).build()) {
      assertEquals(plain.cookieName(), fromTable.cookieName());
      assertEquals(plain.idleTimeout(), fromTable.idleTimeout());
      assertEquals(Satchel.DEFAULT_DRIVER, Setting.BY_NAME.get("driver").defaultValue());
      for (Satchel satchel : List.of(plain, fromTable)) {
        List<String> headers = satchel == plain ? implicit : declared;
        Session session = satchel.open(null, cookie -> headers.add(cookie.toHeaderValue()));
        session.set("k", "v");
        session.commit();
        headers.set(0, headers.get(0).replace(session.id().orElseThrow(), "<id>"));
      }
      assertEquals(implicit, declared, "the cookie with every declared default");
      assertEquals(
          CountingDriverProvider.store("plain-defaults").writeExpiries,
          CountingDriverProvider.store("declared-defaults").writeExpiries,
          "the idle timeout's expiry");
    }
  }

  @Test
  void variables_readBackAsTheirSettings_byTheOneRule() {
    for (Setting<?> setting : Setting.ALL) {
      assertEquals(
          Optional.of(setting.name()),
          Satchel.settingOfVariable(setting.variable()),
          setting.name());
    }
    assertEquals("SATCHEL_COOKIE_SAME_SITE", Setting.BY_NAME.get("cookie.same-site").variable());
    assertEquals(
        Optional.of("driver.connect-timeout"),
        Satchel.settingOfVariable("SATCHEL_DRIVER_CONNECT_TIMEOUT"));
    assertEquals(Optional.of("driver.url"), Satchel.settingOfVariable("SATCHEL_DRIVER_URL"));
    assertEquals(Optional.of("driver"), Satchel.settingOfVariable("SATCHEL_DRIVER"));
    assertEquals(Optional.empty(), Satchel.settingOfVariable("SATCHEL_"));
    assertEquals(Optional.empty(), Satchel.settingOfVariable("SATCHELS"));
    assertEquals(Optional.empty(), Satchel.settingOfVariable("PATH"));
  }

  @Test
  void durations_readTheSameEverywhere_secondsUnitsOrIso() {
    Map<String, Duration> same =
        Map.ofEntries(
            Map.entry("1800", Duration.ofMinutes(30)),
            Map.entry("30m", Duration.ofMinutes(30)),
            Map.entry("30M", Duration.ofMinutes(30)),
            Map.entry(" PT30M ", Duration.ofMinutes(30)),
            Map.entry("pt30m", Duration.ofMinutes(30)),
            Map.entry("2h", Duration.ofHours(2)),
            Map.entry("1d", Duration.ofDays(1)),
            Map.entry("P1D", Duration.ofDays(1)),
            Map.entry("45s", Duration.ofSeconds(45)),
            Map.entry("500ms", Duration.ofMillis(500)),
            Map.entry("1500us", Duration.ofNanos(1_500_000)),
            Map.entry("7ns", Duration.ofNanos(7)));
    for (Map.Entry<String, Duration> entry : same.entrySet()) {
      try (Satchel satchel =
          Satchel.builder()
              .driver("memory")
              .setting("idle-timeout", entry.getKey(), "satchel.idle-timeout")
              .build()) {
        assertEquals(entry.getValue(), satchel.idleTimeout(), entry.getKey());
      }
      DriverContext option =
          new DriverContext("fs", Map.of("lock-timeout", entry.getKey()), Clock.systemUTC());
      assertEquals(
          Optional.of(entry.getValue()), option.durationOption("lock-timeout"), entry.getKey());
    }
    try (Satchel off =
        Satchel.builder().driver("memory").setting("idle-timeout", "OFF", "idle-timeout").build()) {
      assertNull(off.idleTimeout());
    }
  }

  @Test
  void aDurationThatIsNone_isNamed_andTheFormsListed() {
    for (String bad : List.of("30min", "1.5h", "30 m", "soon", "", "m", "PT")) {
      SessionConfigurationException e =
          assertThrows(
              SessionConfigurationException.class,
              () -> Satchel.builder().environment(Map.of("SATCHEL_COOKIE_MAX_AGE", bad)),
              bad);
      assertEquals("SATCHEL_COOKIE_MAX_AGE", e.setting());
      assertTrue(
          e.getMessage()
              .startsWith(
                  "SATCHEL_COOKIE_MAX_AGE must be a duration: a number of seconds, a number with"
                      + " a unit such as 500ms, 30m, 2h or 1d, or ISO-8601 such as PT30M; got \""
                      + bad
                      + "\""),
          e.getMessage());
    }
    assertThrows(
        SessionConfigurationException.class,
        () -> Satchel.builder().setting("ttl", "99999999999999999d", "ttl"),
        "too long for a Duration");
    SessionConfigurationException negative =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().setting("ttl", "-5m", "satchel.ttl"));
    assertTrue(negative.getMessage().startsWith("satchel.ttl: "), negative.getMessage());
  }

  /** A URL carried over from another driver is never taken for the fs driver's folder. */
  @Test
  void anFsBaseThatIsAUrl_isRefused() {
    SessionConfigurationException url =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .driver("fs")
                    .setting("driver.base", "redis://localhost:6379", "SATCHEL_DRIVER_BASE")
                    .build());
    assertTrue(
        url.getMessage().contains("SATCHEL_DRIVER_BASE is \"redis://localhost:6379\", a URL"),
        url.getMessage());
  }

  /** Intervals that timers cannot keep, too short or too long, are refused naming the setting. */
  @Test
  void intervalsOutsideWhatTimersKeep_areRefusedNamingTheSetting() {
    for (String value : List.of("1ns", "PT0.0001S", "9223372036854775807")) {
      SessionConfigurationException check =
          assertThrows(
              SessionConfigurationException.class,
              () -> Satchel.builder().setting("expiry-check-interval", value, "satchel.x"),
              value);
      assertTrue(
          check.getMessage().startsWith("satchel.x: expiry check interval must be between 1 ms"),
          check.getMessage());
    }
    for (String value : List.of("1ns", "9223372036854775807")) {
      SessionConfigurationException cleanup =
          assertThrows(
              SessionConfigurationException.class,
              () ->
                  Satchel.builder()
                      .driver("fs")
                      .setting("driver.cleanup-interval", value, "SATCHEL_DRIVER_CLEANUP_INTERVAL")
                      .build(),
              value);
      assertTrue(
          cleanup.getMessage().contains("SATCHEL_DRIVER_CLEANUP_INTERVAL must be between 1 ms"),
          cleanup.getMessage());
    }
  }

  @Test
  void aProviderThatDescribesItsOptions_declaresThemByName() {
    SessionDriverProvider memory = new MemoryDriverProvider();
    assertEquals(Set.of("max-bytes"), memory.options());
    assertEquals("67108864", memory.describedOptions().get(0).defaultValue());
    SessionDriverProvider namesOnly =
        new SessionDriverProvider() {
          @Override
          public String name() {
            return "names-only";
          }

          @Override
          public Set<String> options() {
            return Set.of("url");
          }

          @Override
          public dev.satchel.spi.SessionDriver create(DriverContext context) {
            throw new UnsupportedOperationException();
          }
        };
    assertEquals(List.of(), namesOnly.describedOptions(), "an older provider still works");
  }
}
