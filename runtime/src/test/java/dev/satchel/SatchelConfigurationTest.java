package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import dev.satchel.testing.CountingDriverProvider;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drivers found by name, settings from code, properties and the environment, and their errors. */
final class SatchelConfigurationTest {

  /** Registered in the test services file: a driver that cannot start. */
  public static final class FailingProvider implements SessionDriverProvider {
    @Override
    public String name() {
      return "failing";
    }

    @Override
    public SessionDriver create(DriverContext context) {
      throw new IllegalStateException("connection refused by 127.0.0.1:1");
    }
  }

  /** Not registered by default: a second provider named "twin", for the duplicate-name check. */
  public static final class TwinA extends NamedProvider {
    public TwinA() {
      super("twin");
    }
  }

  /** The other "twin". */
  public static final class TwinB extends NamedProvider {
    public TwinB() {
      super("twin");
    }
  }

  abstract static class NamedProvider implements SessionDriverProvider {
    private final String name;

    NamedProvider(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public SessionDriver create(DriverContext context) {
      return new CountingDriverProvider()
          .create(new DriverContext(name, Map.of("store", name), context.clock()));
    }
  }

  @Test
  void customDriver_isFoundByItsNameLikeAUsersOwnStore() {
    try (Satchel satchel =
        Satchel.builder().driver("counting").driverOption("store", "custom").build()) {
      List<SessionCookie> cookies = new ArrayList<>();
      Session session = satchel.open(null, cookies::add);
      session.set("k", "v");
      session.commit();
      assertEquals("counting", satchel.driverName());
      assertEquals(1, CountingDriverProvider.store("custom").size());
    }
  }

  @Test
  void unknownDriver_namesTheDriversFound() {
    SessionConfigurationException e =
        assertThrows(
            SessionConfigurationException.class, () -> Satchel.builder().driver("mongo").build());
    assertTrue(e.getMessage().startsWith("No session driver is named \"mongo\"."), e.getMessage());
    assertTrue(
        e.getMessage().contains("Drivers found: counting, failing, fs, memory"), e.getMessage());
    SessionConfigurationException typo =
        assertThrows(
            SessionConfigurationException.class, () -> Satchel.builder().driver("memroy").build());
    assertTrue(typo.getMessage().contains("(did you mean \"memory\"?)"), typo.getMessage());
  }

  @Test
  void twoProvidersWithOneName_isAnError(@TempDir Path folder) throws Exception {
    Path services = folder.resolve("META-INF/services/dev.satchel.spi.SessionDriverProvider");
    Files.createDirectories(services.getParent());
    Files.writeString(services, TwinA.class.getName() + "\n" + TwinB.class.getName() + "\n");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {folder.toUri().toURL()}, getClass().getClassLoader())) {
      SessionStorageException e =
          assertThrows(
              SessionStorageException.class,
              () -> Satchel.builder().driver("twin").classLoader(loader).build());
      assertTrue(e.getMessage().contains("Two session drivers are named \"twin\""), e.getMessage());
      assertTrue(e.getMessage().contains(TwinA.class.getName()), e.getMessage());
    }
  }

  @Test
  void providerThatFailsToStart_isReportedWithItsReason() {
    SessionStorageException e =
        assertThrows(
            SessionStorageException.class, () -> Satchel.builder().driver("failing").build());
    assertEquals(
        "Error when initializing session storage with driver `failing`. `connection refused by 127.0.0.1:1`",
        e.getMessage());
  }

  @Test
  void missingRequiredOption_isNamed() {
    SessionConfigurationException e =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().driver("counting").build());
    assertTrue(e.getMessage().contains("needs the option `store`"), e.getMessage());
  }

  @Test
  void aMistypedDriverOption_failsAtStartUp_namedAsWritten_withTheClosestOption() {
    SessionConfigurationException fromEnvironment =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .environment(Map.of("SATCHEL_DRIVER", "fs", "SATCHEL_DRIVER_BSAE", "/tmp/x"))
                    .build());
    assertEquals("SATCHEL_DRIVER_BSAE", fromEnvironment.setting());
    assertTrue(
        fromEnvironment
            .getMessage()
            .contains("Unknown option SATCHEL_DRIVER_BSAE for the fs driver"),
        fromEnvironment.getMessage());
    assertTrue(
        fromEnvironment.getMessage().contains("(did you mean SATCHEL_DRIVER_BASE?)"),
        fromEnvironment.getMessage());
    Properties properties = new Properties();
    properties.setProperty("driver", "memory");
    properties.setProperty("driver.max-bytez", "1000");
    SessionConfigurationException fromProperties =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().properties(properties).build());
    assertTrue(
        fromProperties.getMessage().contains("(did you mean driver.max-bytes?)"),
        fromProperties.getMessage());
    SessionConfigurationException fromAFramework =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .setting("driver", "memory", "satchel.driver")
                    .setting("driver.max-byte", "1000", "satchel.driver.max-byte")
                    .build());
    assertTrue(
        fromAFramework.getMessage().contains("(did you mean satchel.driver.max-bytes?)"),
        fromAFramework.getMessage());
  }

  @Test
  void aMistypedSetting_suggestsTheClosest_inTheSpellingUsed() {
    SessionConfigurationException variable =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().environment(Map.of("SATCHEL_IDLE_TIMOUT", "PT5M")));
    assertEquals("SATCHEL_IDLE_TIMOUT", variable.setting());
    assertTrue(
        variable.getMessage().contains("(did you mean SATCHEL_IDLE_TIMEOUT?)"),
        variable.getMessage());
    SessionConfigurationException prefixed =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().setting("cookie.max-ag", "60", "satchel.cookie.max-ag"));
    assertTrue(
        prefixed.getMessage().contains("(did you mean satchel.cookie.max-age?)"),
        prefixed.getMessage());
  }

  @Test
  void badValues_nameTheSettingAsWritten() {
    SessionConfigurationException attempts =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().environment(Map.of("SATCHEL_MAX_COMMIT_ATTEMPTS", "many")));
    assertTrue(
        attempts.getMessage().startsWith("SATCHEL_MAX_COMMIT_ATTEMPTS must be a whole number"),
        attempts.getMessage());
    SessionConfigurationException maxAge =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().setting("cookie.max-age", "-5", "satchel.cookie.max-age"));
    assertTrue(maxAge.getMessage().startsWith("satchel.cookie.max-age"), maxAge.getMessage());
    SessionConfigurationException option =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .environment(Map.of("SATCHEL_DRIVER", "fs", "SATCHEL_DRIVER_FSYNC", "maybe"))
                    .build());
    assertTrue(
        option.getMessage().startsWith("SATCHEL_DRIVER_FSYNC must be true or false"),
        option.getMessage());
    SessionConfigurationException size =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().setting("max-session-size", "0", "max-session-size"));
    assertTrue(size.getMessage().startsWith("max-session-size"), size.getMessage());
  }

  @Test
  void settingsThatOnlyFailTogether_orOnlyWhenBuilt_nameTheSettingAsWritten() {
    SessionConfigurationException negativeTtl =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().environment(Map.of("SATCHEL_TTL", "-5")));
    assertTrue(negativeTtl.getMessage().startsWith("SATCHEL_TTL"), negativeTtl.getMessage());
    assertEquals(1, negativeTtl.getMessage().split("got", -1).length - 1, negativeTtl.getMessage());
    SessionConfigurationException sameSite =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .driver("memory")
                    .environment(
                        Map.of(
                            "SATCHEL_COOKIE_SAME_SITE", "none", "SATCHEL_COOKIE_SECURE", "false"))
                    .build());
    assertEquals("SATCHEL_COOKIE_SAME_SITE", sameSite.setting());
    assertTrue(sameSite.getMessage().contains("SATCHEL_COOKIE_SECURE"), sameSite.getMessage());
    SessionConfigurationException driver =
        assertThrows(
            SessionConfigurationException.class,
            () -> Satchel.builder().setting("driver", "mongo", "satchel.driver").build());
    assertEquals("satchel.driver", driver.setting());
  }

  @Test
  void idleTimeout_isThirtyMinutesByDefault_andCanBeTurnedOff() {
    try (Satchel satchel =
        Satchel.builder().driver("counting").driverOption("store", "idle-default").build()) {
      Session session = satchel.open(null, cookie -> {});
      session.set("k", "v");
      session.commit();
      assertTrue(CountingDriverProvider.store("idle-default").writeExpiries.get(0) != null);
    }
    try (Satchel satchel =
        Satchel.builder()
            .driver("counting")
            .driverOption("store", "idle-off")
            .setting("idle-timeout", "off", "SATCHEL_IDLE_TIMEOUT")
            .build()) {
      Session session = satchel.open(null, cookie -> {});
      session.set("k", "v");
      session.commit();
      assertEquals(null, CountingDriverProvider.store("idle-off").writeExpiries.get(0));
    }
  }

  @Test
  void rollingCookie_isSentAgainByAReadingRequest() {
    try (Satchel satchel =
        Satchel.builder()
            .driver("memory")
            .cookieMaxAge(java.time.Duration.ofHours(1))
            .setting("cookie.rolling", "true", "cookie.rolling")
            .build()) {
      Session first = satchel.open(null, cookie -> {});
      first.set("k", "v");
      first.commit();
      String id = first.id().orElseThrow();
      List<SessionCookie> cookies = new ArrayList<>();
      Session reading = satchel.open(id, cookies::add);
      reading.get("k");
      assertEquals(1, cookies.size());
      assertEquals(id, cookies.get(0).value());
      assertTrue(cookies.get(0).toHeaderValue().contains("Max-Age=3600"));
    }
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      Session first = satchel.open(null, cookie -> {});
      first.set("k", "v");
      first.commit();
      List<SessionCookie> cookies = new ArrayList<>();
      satchel.open(first.id().orElseThrow(), cookies::add).get("k");
      assertTrue(cookies.isEmpty(), "not rolling by default");
    }
  }

  @Test
  void invalidCookieName_isRefusedAtConfiguration() {
    assertThrows(IllegalArgumentException.class, () -> Satchel.builder().cookieName("bad name;"));
    assertThrows(IllegalArgumentException.class, () -> Satchel.builder().cookieName(""));
  }

  @Test
  void propertiesAndEnvironment_configureEverything() {
    Properties properties = new Properties();
    properties.setProperty("driver", "memory");
    properties.setProperty("cookie.name", "from-properties");
    properties.setProperty("cookie.secure", "false");
    properties.setProperty("cookie.same-site", "strict");
    properties.setProperty("ttl", "60");
    try (Satchel satchel =
        Satchel.builder()
            .properties(properties)
            .environment(
                Map.of(
                    "SATCHEL_DRIVER", "counting",
                    "SATCHEL_DRIVER_STORE", "from-env",
                    "SATCHEL_COOKIE_NAME", "from-env",
                    "SATCHEL_IDLE_TIMEOUT", "PT30M",
                    "PATH", "/usr/bin"))
            .build()) {
      assertEquals("counting", satchel.driverName());
      assertEquals("from-env", satchel.cookieName());
      List<SessionCookie> cookies = new ArrayList<>();
      Session session = satchel.open(null, cookies::add);
      session.set("k", "v");
      assertEquals(
          "from-env=" + session.id().orElseThrow() + "; Path=/; HttpOnly; SameSite=Strict",
          cookies.get(0).toHeaderValue());
      session.commit();
      assertTrue(CountingDriverProvider.store("from-env").writeExpiries.get(0) != null);
    }
  }

  @Test
  void badSettings_areNamed() {
    Properties unknown = new Properties();
    unknown.setProperty("coookie.name", "x");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Satchel.builder().properties(unknown));
    assertTrue(e.getMessage().contains("coookie.name"));
    IllegalArgumentException duration =
        assertThrows(
            IllegalArgumentException.class,
            () -> Satchel.builder().environment(Map.of("SATCHEL_TTL", "an hour")));
    assertTrue(duration.getMessage().contains("SATCHEL_TTL"), duration.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> Satchel.builder().environment(Map.of("SATCHEL_COOKIE_SECURE", "yes")));
    assertThrows(
        IllegalArgumentException.class,
        () -> Satchel.builder().sameSite(SameSite.NONE).secure(false).build());
  }

  @Test
  void defaultDriver_isFs(@TempDir Path folder) throws Exception {
    try (Satchel satchel = Satchel.builder().driverOption("base", folder.toString()).build()) {
      assertEquals("fs", satchel.driverName());
      Session session = satchel.open(null, cookie -> {});
      session.set("k", "v");
      session.commit();
      assertTrue(Files.exists(folder.resolve(session.id().orElseThrow())));
    }
  }
}
