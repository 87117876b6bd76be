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
    SessionStorageException e =
        assertThrows(
            SessionStorageException.class, () -> Satchel.builder().driver("mongo").build());
    assertTrue(
        e.getMessage().startsWith("Error when initializing session storage with driver `mongo`."),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("Drivers found: counting, failing, fs, memory"), e.getMessage());
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
    SessionStorageException e =
        assertThrows(
            SessionStorageException.class, () -> Satchel.builder().driver("counting").build());
    assertTrue(e.getMessage().contains("needs the option `store`"), e.getMessage());
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
