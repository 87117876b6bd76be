package dev.satchel.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spring.boot.SatchelSettings.Setting;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * How the auto-configuration reads Satchel's settings from a Spring environment: names in Spring's
 * spellings, environment variables by Satchel's rule, precedence, placeholders, and the redis
 * driver's connection from {@code spring.data.redis.*}.
 */
final class SatchelSettingsTest {

  /** An environment with only these sources, the first winning. */
  @SafeVarargs
  private static StandardEnvironment environment(Map<String, Object>... sources) {
    StandardEnvironment environment = new StandardEnvironment();
    environment
        .getPropertySources()
        .remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
    environment
        .getPropertySources()
        .remove(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME);
    for (int i = 0; i < sources.length; i++) {
      environment.getPropertySources().addLast(new MapPropertySource("source" + i, sources[i]));
    }
    return environment;
  }

  private static Map<String, Object> properties(String... pairs) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return map;
  }

  private static Map<String, Setting> settings(StandardEnvironment environment) {
    return SatchelSettings.of(environment).byName();
  }

  @Test
  void propertiesInAnyOfSpringsSpellings_areTheirSettings_andKeepTheirSpelling() {
    Map<String, Setting> settings =
        settings(
            environment(
                properties(
                    "satchel.cookie.max-age", "PT1H",
                    "satchel.cookie.sameSite", "strict",
                    "satchel.idle_timeout", "off",
                    "satchel.driver.lockTimeout", "5",
                    "Satchel.Driver", "fs",
                    "spring.application.name", "shop")));
    assertEquals(
        Map.of(
            "cookie.max-age", new Setting("PT1H", "satchel.cookie.max-age"),
            "cookie.same-site", new Setting("strict", "satchel.cookie.sameSite"),
            "idle-timeout", new Setting("off", "satchel.idle_timeout"),
            "driver.lock-timeout", new Setting("5", "satchel.driver.lockTimeout"),
            "driver", new Setting("fs", "Satchel.Driver")),
        settings);
  }

  @Test
  void environmentVariables_followSatchelsOwnRule() {
    StandardEnvironment environment = environment();
    environment
        .getPropertySources()
        .addFirst(
            new SystemEnvironmentPropertySource(
                "systemEnvironment",
                properties(
                    "SATCHEL_COOKIE_MAX_AGE", "60",
                    "SATCHEL_DRIVER_CONNECT_TIMEOUT", "3",
                    "SATCHEL_DRIVER", "memory",
                    "SATCHELS", "not ours",
                    "PATH", "/usr/bin")));
    assertEquals(
        Map.of(
            "cookie.max-age", new Setting("60", "SATCHEL_COOKIE_MAX_AGE"),
            "driver.connect-timeout", new Setting("3", "SATCHEL_DRIVER_CONNECT_TIMEOUT"),
            "driver", new Setting("memory", "SATCHEL_DRIVER")),
        settings(environment));
  }

  @Test
  void theHighestPrecedenceSourceWins_whateverItsSpelling() {
    Map<String, Setting> settings =
        settings(
            environment(
                properties("satchel.cookie.maxAge", "PT2H"),
                properties("satchel.cookie.max-age", "soon", "satchel.ttl", "60")));
    assertEquals(new Setting("PT2H", "satchel.cookie.maxAge"), settings.get("cookie.max-age"));
    assertEquals(new Setting("60", "satchel.ttl"), settings.get("ttl"));
  }

  @Test
  void placeholdersAreResolved() {
    Map<String, Setting> settings =
        settings(
            environment(
                properties("satchel.driver.base", "${data.home}/sessions", "data.home", "/srv")));
    assertEquals("/srv/sessions", settings.get("driver.base").value());
  }

  @Test
  void settingNames() {
    assertEquals("cookie.same-site", SatchelSettings.settingName("satchel.cookie.SAME_SITE"));
    assertEquals("max-session-size", SatchelSettings.settingName("satchel.maxSessionSize"));
    assertEquals("driver.url", SatchelSettings.settingName("SATCHEL_DRIVER_URL"));
    assertEquals("cookie.same-site", SatchelSettings.settingName("SATCHEL_COOKIE_SAME_SITE"));
    assertEquals("idle-timeout", SatchelSettings.settingName("SATCHEL_IDLE_TIMEOUT"));
    assertNull(SatchelSettings.settingName("satchel"));
    assertNull(SatchelSettings.settingName("satchel."));
    assertNull(SatchelSettings.settingName("satchelx.driver"));
    assertNull(SatchelSettings.settingName("spring.satchel.driver"));
  }

  // spring.data.redis.*

  @Test
  void redis_urlFromHostPortDatabaseAndTls() {
    Map<String, Setting> settings =
        settings(
            environment(
                properties(
                    "satchel.driver", "redis",
                    "spring.data.redis.host", "cache.internal",
                    "spring.data.redis.port", "6380",
                    "spring.data.redis.database", "3",
                    "spring.data.redis.ssl.enabled", "true")));
    assertEquals(
        new Setting(
            "rediss://cache.internal:6380/3",
            "the URL built from spring.data.redis.host, spring.data.redis.port,"
                + " spring.data.redis.database and spring.data.redis.ssl.enabled"),
        settings.get("driver.url"));
    assertEquals(
        "rediss://localhost:6379",
        settings(
                environment(
                    properties("satchel.driver", "redis", "spring.data.redis.ssl.bundle", "x")))
            .get("driver.url")
            .value(),
        "an SSL bundle means TLS too");
  }

  @Test
  void theServletSessionTimeout_standsForTheIdleTimeout_asSpringBootReadsIt() {
    for (String[] written :
        new String[][] {
          {"30m", "PT30M"}, {"1800", "PT30M"}, {"PT2H", "PT2H"}, {"0", "off"}, {"-1", "off"}
        }) {
      assertEquals(
          new Setting(written[1], "server.servlet.session.timeout"),
          settings(environment(properties("server.servlet.session.timeout", written[0])))
              .get("idle-timeout"),
          written[0]);
    }
    assertEquals(
        new Setting("soon", "server.servlet.session.timeout"),
        settings(environment(properties("server.servlet.session.timeout", "soon")))
            .get("idle-timeout"),
        "left for Satchel to refuse, naming it");
    assertEquals(
        new Setting("PT1H", "satchel.idle-timeout"),
        settings(
                environment(
                    properties("server.servlet.session.timeout", "10m"),
                    properties("satchel.idle-timeout", "PT1H")))
            .get("idle-timeout"),
        "Satchel's own wins, wherever it is set");
    assertTrue(
        new Setting("PT30M", "server.servlet.session.timeout").derived()
            && !new Setting("off", "satchel.idle-timeout").derived()
            && !new Setting("off", "SATCHEL_IDLE_TIMEOUT").derived());
  }

  @Test
  void redis_aUrlBuiltFromOneProperty_isNamedByIt() {
    assertEquals(
        new Setting("redis://cache:6379", "the URL built from spring.data.redis.host"),
        settings(
                environment(
                    properties("satchel.driver", "redis", "spring.data.redis.host", "cache")))
            .get("driver.url"));
  }

  @Test
  void redis_credentialsAreEncoded_soThatTheClientReadsThemBack() {
    String password = "p@ss:w/rd %+?#";
    Map<String, Setting> settings =
        settings(
            environment(
                properties(
                    "satchel.driver", "redis",
                    "spring.data.redis.username", "app user",
                    "spring.data.redis.password", password)));
    String url = settings.get("driver.url").value();
    RedisURI parsed = RedisURI.create(url);
    RedisCredentials credentials = parsed.getCredentialsProvider().resolveCredentials().block();
    assertEquals("app user", credentials.getUsername(), url);
    assertEquals(password, new String(credentials.getPassword()), url);
    assertEquals("localhost", parsed.getHost());
    assertEquals(6379, parsed.getPort());
    assertEquals(0, parsed.getDatabase());
    assertFalse(parsed.isSsl());
  }

  @Test
  void redis_ipv6Host() {
    Map<String, Setting> settings =
        settings(
            environment(properties("satchel.driver", "redis", "spring.data.redis.host", "::1")));
    assertEquals("redis://[::1]:6379", settings.get("driver.url").value());
    assertEquals(6379, RedisURI.create(settings.get("driver.url").value()).getPort());
  }

  @Test
  void redis_urlAsItIs_andTimeoutsInSpringBootsFormat() {
    Map<String, Setting> settings =
        settings(
            environment(
                properties(
                    "satchel.driver", "redis",
                    "spring.data.redis.url", "redis://:secret@cache:6379/1",
                    "spring.data.redis.host", "ignored",
                    "spring.data.redis.timeout", "500ms",
                    "spring.data.redis.connectTimeout", "3s")));
    assertEquals(
        new Setting("redis://:secret@cache:6379/1", "spring.data.redis.url"),
        settings.get("driver.url"));
    assertEquals(
        new Setting("PT0.5S", "spring.data.redis.timeout"), settings.get("driver.timeout"));
    assertEquals(
        new Setting("PT3S", "spring.data.redis.connect-timeout"),
        settings.get("driver.connect-timeout"));
  }

  @Test
  void redis_aBareTimeoutIsMilliseconds_asInSpringBoot() {
    Map<String, Setting> settings =
        settings(
            environment(properties("satchel.driver", "redis", "spring.data.redis.timeout", "250")));
    assertEquals("PT0.25S", settings.get("driver.timeout").value());
    assertFalse(settings.containsKey("driver.url"), "no connection property, no URL");
  }

  @Test
  void redis_satchelsOwnOptionsWin() {
    Map<String, Setting> settings =
        settings(
            environment(
                properties(
                    "satchel.driver", "redis",
                    "satchel.driver.timeout", "1",
                    "spring.data.redis.timeout", "500ms",
                    "spring.data.redis.connect-timeout", "4s")));
    assertEquals(new Setting("1", "satchel.driver.timeout"), settings.get("driver.timeout"));
    assertEquals("PT4S", settings.get("driver.connect-timeout").value());

    Map<String, Setting> withUrl =
        settings(
            environment(
                properties(
                    "satchel.driver", "redis",
                    "satchel.driver.url", "redis://mine:6379",
                    "spring.data.redis.host", "theirs",
                    "spring.data.redis.timeout", "500ms")));
    assertEquals(new Setting("redis://mine:6379", "satchel.driver.url"), withUrl.get("driver.url"));
    assertFalse(withUrl.containsKey("driver.timeout"), "nothing is taken from spring.data.redis");
  }

  @Test
  void redis_onlyForTheRedisDriver() {
    Map<String, Setting> settings =
        settings(
            environment(
                properties(
                    "satchel.driver", "fs",
                    "spring.data.redis.host", "cache",
                    "spring.data.redis.timeout", "500ms")));
    assertEquals(Map.of("driver", new Setting("fs", "satchel.driver")), settings);
    assertTrue(
        settings(environment(properties("spring.data.redis.host", "cache"))).isEmpty(),
        "fs is the default driver");
  }

  @Test
  void redis_aBadSpringBootTimeout_failsWithSpringBootsBindingError() {
    BindException failure =
        assertThrows(
            BindException.class,
            () ->
                settings(
                    environment(
                        properties(
                            "satchel.driver", "redis", "spring.data.redis.timeout", "soon"))));
    assertEquals("spring.data.redis.timeout", failure.getName().toString());
  }
}
