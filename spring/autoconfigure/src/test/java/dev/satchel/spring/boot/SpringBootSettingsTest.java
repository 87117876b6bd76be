package dev.satchel.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionConfigurationException;
import dev.satchel.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * Settings as Spring Boot users write them: durations in Spring's {@code 30m} as well as ISO-8601,
 * and {@code server.servlet.session.timeout} as the idle timeout when Satchel's own is not set.
 */
final class SpringBootSettingsTest {
  @TempDir Path folder;

  private final MutableClock clock = new MutableClock();
  private final ConfigurableEnvironment[] environment = {null};

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withBean("testClock", SatchelBuilderCustomizer.class, () -> b -> b.clock(clock))
        .withInitializer(context -> environment[0] = context.getEnvironment())
        .withPropertyValues("satchel.driver=memory");
  }

  private static ApplicationContextRunner withVariables(
      ApplicationContextRunner runner, Map<String, Object> variables) {
    return runner.withInitializer(
        context ->
            context
                .getEnvironment()
                .getPropertySources()
                .addFirst(
                    new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME + "-test",
                        variables)));
  }

  private static Duration idleTimeout(AssertableApplicationContext context) {
    assertThat(context).hasNotFailed();
    return context.getBean(Satchel.class).idleTimeout();
  }

  private static String store(Satchel satchel, List<String> cookies) {
    Session session = satchel.open(null, cookie -> cookies.add(cookie.toHeaderValue()));
    session.set("cart", "sku-0001");
    session.commit();
    return session.id().orElseThrow();
  }

  @Test
  void durations_inSpringsWay_orIso_orSeconds() {
    runner()
        .withPropertyValues(
            "satchel.idle-timeout=45m",
            "satchel.cookie.max-age=2h",
            "satchel.cookie.secure=false",
            "satchel.ttl=PT10M",
            "satchel.max-lifetime=1d",
            "satchel.expiry-check-interval=90")
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              assertEquals(Duration.ofMinutes(45), satchel.idleTimeout());
              List<String> cookies = new ArrayList<>();
              String id = store(satchel, cookies);
              assertTrue(cookies.get(0).contains("; Max-Age=7200;"), cookies.get(0));
              clock.advance(Duration.ofMinutes(11));
              assertFalse(
                  satchel.open(id, cookie -> {}).has("cart"), "satchel.ttl=PT10M: the value left");
            });
    runner()
        .withPropertyValues(
            "satchel.driver=fs",
            "satchel.driver.base=" + folder,
            "satchel.driver.lock-timeout=500ms",
            "satchel.driver.cleanup-interval=2h")
        .run(context -> assertThat(context).hasNotFailed());
  }

  @Test
  void theServletSessionTimeout_isTheIdleTimeout_whenSatchelsIsNotSet() {
    runner()
        .withPropertyValues("server.servlet.session.timeout=10m")
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              assertEquals(Duration.ofMinutes(10), satchel.idleTimeout());
              String id = store(satchel, new ArrayList<>());
              clock.advance(Duration.ofMinutes(9));
              assertTrue(satchel.open(id, cookie -> {}).has("cart"), "9 idle minutes are fine");
              clock.advance(Duration.ofMinutes(11));
              assertFalse(satchel.open(id, cookie -> {}).has("cart"), "11 are not");
            });
    runner()
        .withPropertyValues("server.servlet.session.timeout=1200")
        .run(context -> assertEquals(Duration.ofMinutes(20), idleTimeout(context), "seconds"));
    runner()
        .withPropertyValues("server.servlet.session.timeout=0")
        .run(context -> assertNull(idleTimeout(context), "0: never, as for the container"));
    withVariables(runner(), Map.of("SERVER_SERVLET_SESSION_TIMEOUT", "PT1H"))
        .run(context -> assertEquals(Duration.ofHours(1), idleTimeout(context)));
    runner()
        .run(
            context ->
                assertEquals(Satchel.DEFAULT_IDLE_TIMEOUT, idleTimeout(context), "neither set"));
  }

  @Test
  void satchelsIdleTimeout_winsOverTheServletSessionTimeout() {
    runner()
        .withPropertyValues("server.servlet.session.timeout=10m", "satchel.idle-timeout=off")
        .run(context -> assertNull(idleTimeout(context)));
    runner()
        .withPropertyValues("server.servlet.session.timeout=10m", "satchel.idleTimeout=2h")
        .run(context -> assertEquals(Duration.ofHours(2), idleTimeout(context)));
    withVariables(
            runner().withPropertyValues("server.servlet.session.timeout=10m"),
            Map.of("SATCHEL_IDLE_TIMEOUT", "off"))
        .run(context -> assertNull(idleTimeout(context)));
  }

  @Test
  void aBadServletSessionTimeout_isNamed_withTheSettingItStandsFor() {
    runner()
        .withPropertyValues("server.servlet.session.timeout=soon")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelConfigurationFailureAnalyzer(environment[0])
                      .analyze(context.getStartupFailure());
              SessionConfigurationException mistake =
                  (SessionConfigurationException) analysis.getCause();
              assertEquals("server.servlet.session.timeout", mistake.setting());
              assertTrue(
                  mistake.getMessage().startsWith("server.servlet.session.timeout must be a"),
                  mistake.getMessage());
              assertTrue(
                  analysis
                      .getAction()
                      .startsWith(
                          "Correct server.servlet.session.timeout, which Satchel reads because"
                              + " satchel.idle-timeout is not set, or set satchel.idle-timeout."),
                  analysis.getAction());
              assertTrue(analysis.getAction().contains("(500ms, 30m, 2h)"), analysis.getAction());
            });
  }

  @Test
  void theFsBase_carriedOverToRedis_stopsStartUp_namingIt() {
    runner()
        .withPropertyValues(
            "satchel.driver=redis",
            // Nothing listens here: the refusal comes before any connection.
            "satchel.driver.url=redis://127.0.0.1:1",
            "satchel.driver.base=/srv/app/sessions")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelConfigurationFailureAnalyzer(environment[0])
                      .analyze(context.getStartupFailure());
              assertTrue(
                  analysis
                      .getDescription()
                      .startsWith(
                          "Satchel's configuration is invalid: satchel.driver.base is"
                              + " \"/srv/app/sessions\", a file path, but the redis driver's base"
                              + " is part of a Redis key name"),
                  analysis.getDescription());
              assertTrue(
                  analysis.getAction().startsWith("Correct or remove satchel.driver.base."),
                  analysis.getAction());
            });
  }
}
