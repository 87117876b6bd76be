package dev.satchel.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionConfigurationException;
import dev.satchel.SessionSizeException;
import dev.satchel.SessionStorageException;
import dev.satchel.SessionValueException;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.servlet.SatchelFilter;
import dev.satchel.testing.MutableClock;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.filter.CharacterEncodingFilter;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The auto-configuration in application contexts without a server: the defaults, every property,
 * configuration mistakes failing start-up in the user's words, customizers, back-off to the
 * application's own beans, and what a servlet application gets.
 */
final class SatchelAutoConfigurationTest {
  @TempDir Path folder;

  private final MutableClock clock = new MutableClock();

  /** The auto-configuration with time from {@link #clock}, and no other configuration. */
  private ApplicationContextRunner bareRunner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withBean(
            "testClock", SatchelBuilderCustomizer.class, () -> builder -> builder.clock(clock));
  }

  /** The default driver, fs, with its sessions in {@link #folder}. */
  private ApplicationContextRunner runner() {
    return bareRunner()
        .withPropertyValues("satchel.driver.base=" + folder, "satchel.driver.fsync=false");
  }

  private WebApplicationContextRunner webRunner() {
    return new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withPropertyValues("satchel.driver=memory");
  }

  /** A request's session on {@code satchel}, its cookies' headers collected in {@code cookies}. */
  private static Session open(Satchel satchel, String id, List<String> cookies) {
    return satchel.open(id, cookie -> cookies.add(cookie.toHeaderValue()));
  }

  private static Session open(Satchel satchel, String id) {
    return open(satchel, id, new ArrayList<>());
  }

  /** Stores a new session holding a cart and returns its ID. */
  private static String store(Satchel satchel, List<String> cookies) {
    Session session = open(satchel, null, cookies);
    session.set("cart", "sku-0001");
    session.commit();
    return session.id().orElseThrow();
  }

  /** Spring Boot does not read satchel.properties; finding one, the starter says so. */
  @Test
  void aSatchelPropertiesFileIsIgnoredWithAWarning() throws Exception {
    Path classes = Files.createDirectories(folder.resolve("classes"));
    Files.writeString(classes.resolve("satchel.properties"), "driver=memory\n");
    try (java.net.URLClassLoader withFile =
        new java.net.URLClassLoader(
            new java.net.URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
      String warning = SatchelAutoConfiguration.ignoredSettingsFile(withFile).orElseThrow();
      assertTrue(warning.startsWith("satchel.properties on the class path (file:"), warning);
      assertTrue(warning.contains("is not read in Spring Boot"), warning);
      runner()
          .withClassLoader(withFile)
          .run(context -> assertEquals("fs", context.getBean(Satchel.class).driverName()));
    }
    assertEquals(
        java.util.Optional.empty(),
        SatchelAutoConfiguration.ignoredSettingsFile(getClass().getClassLoader()));
  }

  @Test
  void defaults_theFsDriver_theCookie_andAThirtyMinuteIdleTimeout() {
    runner()
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              assertEquals("fs", satchel.driverName());
              assertEquals("satchel-session", satchel.cookieName());
              List<String> cookies = new ArrayList<>();
              String id = store(satchel, cookies);
              assertEquals(
                  List.of("satchel-session=" + id + "; Path=/; HttpOnly; Secure; SameSite=Lax"),
                  cookies);
              assertTrue(Files.exists(folder.resolve(id)), "stored under satchel.driver.base");

              List<String> readCookies = new ArrayList<>();
              clock.advance(Duration.ofMinutes(29));
              assertTrue(open(satchel, id, readCookies).has("cart"), "alive after 29 minutes");
              assertEquals(List.of(), readCookies, "a read sends no cookie: not rolling");
              clock.advance(Duration.ofMinutes(31));
              assertFalse(open(satchel, id).has("cart"), "gone 31 minutes after the last request");
            });
  }

  @Test
  void theCookieProperties_andAMemoryDriverOption_areApplied() {
    bareRunner()
        .withPropertyValues(
            "satchel.driver=memory",
            "satchel.driver.max-bytes=4000",
            "satchel.cookie.name=cart-id",
            "satchel.cookie.path=/shop",
            "satchel.cookie.domain=example.com",
            "satchel.cookie.max-age=PT1H",
            "satchel.cookie.secure=false",
            "satchel.cookie.same-site=strict",
            "satchel.cookie.rolling=true")
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              assertEquals("memory", satchel.driverName());
              assertEquals("cart-id", satchel.cookieName());
              List<String> cookies = new ArrayList<>();
              String id = store(satchel, cookies);
              String cookie =
                  "cart-id="
                      + id
                      + "; Max-Age=3600; Domain=example.com; Path=/shop; HttpOnly; SameSite=Strict";
              assertEquals(List.of(cookie), cookies);

              List<String> readCookies = new ArrayList<>();
              assertTrue(open(satchel, id, readCookies).has("cart"));
              assertEquals(List.of(cookie), readCookies, "rolling: a read sends the cookie again");

              Session tooBig = open(satchel, null);
              tooBig.set("cart", "x".repeat(5_000));
              assertThrows(SessionStorageException.class, tooBig::commit, "larger than max-bytes");
            });
  }

  @Test
  void theSessionProperties_andFsDriverOptions_areApplied() throws Exception {
    runner()
        .withPropertyValues(
            "satchel.driver.lock-timeout=5",
            "satchel.driver.cleanup-interval=PT1H",
            "satchel.ttl=600",
            "satchel.idle-timeout=off",
            "satchel.corrupt-data=fail",
            "satchel.undecodable-values=fail",
            "satchel.max-session-size=2000",
            "satchel.max-commit-attempts=1",
            "satchel.decoded-cache-size=0")
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              Session session = open(satchel, null);
              session.set("short", "gone after the default TTL");
              session.set("long", "kept", Duration.ofDays(2));
              session.set("count", "not a number", Duration.ofDays(2));
              session.commit();
              String id = session.id().orElseThrow();

              clock.advance(Duration.ofSeconds(601));
              Session later = open(satchel, id);
              assertFalse(later.has("short"), "satchel.ttl=600");
              assertTrue(later.has("long"));
              clock.advance(Duration.ofHours(2));
              Session muchLater = open(satchel, id);
              assertTrue(muchLater.has("long"), "idle-timeout=off: two idle hours are fine");
              assertThrows(
                  SessionValueException.class,
                  () -> muchLater.get("count", ValueCodecs.integers()),
                  "undecodable-values=fail");

              Session large = open(satchel, id);
              large.set("long", "x".repeat(3_000));
              assertThrows(SessionSizeException.class, large::commit, "max-session-size=2000");

              // Two requests read the session; the second to commit meets the first's write.
              Session first = open(satchel, id);
              Session second = open(satchel, id);
              assertTrue(first.has("long"));
              assertTrue(second.has("long"));
              first.set("a", "1");
              first.commit();
              second.set("b", "2");
              assertThrows(SessionStorageException.class, second::commit, "max-commit-attempts=1");

              Files.writeString(folder.resolve(id), "not devalue");
              assertThrows(
                  SessionStorageException.class,
                  () -> open(satchel, id).has("long"),
                  "corrupt-data=fail");
            });
  }

  /** The properties that the previous test sets to non-defaults, at their defaults. */
  @Test
  void theSessionProperties_atTheirDefaults_behaveOtherwise() {
    runner()
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              Session session = open(satchel, null);
              session.set("count", "not a number");
              session.set("big", "x".repeat(3_000));
              session.commit();
              String id = session.id().orElseThrow();
              assertEquals(
                  java.util.Optional.empty(),
                  open(satchel, id).get("count", ValueCodecs.integers()));

              Session first = open(satchel, id);
              Session second = open(satchel, id);
              assertTrue(first.has("big"));
              assertTrue(second.has("big"));
              first.set("a", "1");
              first.commit();
              second.set("b", "2");
              second.commit();
              Session both = open(satchel, id);
              assertTrue(both.has("a") && both.has("b"));

              Files.writeString(folder.resolve(id), "not devalue");
              assertFalse(open(satchel, id).has("big"), "a corrupt session is reset");
            });
  }

  // Mistakes

  /** The configuration mistake that stopped {@code context} from starting. */
  private static SessionConfigurationException failure(AssertableApplicationContext context) {
    assertThat(context).hasFailed();
    for (Throwable cause = context.getStartupFailure(); cause != null; cause = cause.getCause()) {
      if (cause instanceof SessionConfigurationException mistake) {
        return mistake;
      }
    }
    throw new AssertionError("not a configuration mistake", context.getStartupFailure());
  }

  private void assertFailure(String property, String expectedInMessage) {
    runner()
        .withPropertyValues(property)
        .run(
            context -> {
              SessionConfigurationException mistake = failure(context);
              assertTrue(
                  mistake.getMessage().contains(expectedInMessage),
                  property + ": " + mistake.getMessage());
            });
  }

  @Test
  void badValues_failStartUp_namingThePropertyAsWritten() {
    assertFailure("satchel.cookie.max-age=soon", "satchel.cookie.max-age");
    assertFailure("satchel.cookie.maxAge=soon", "satchel.cookie.maxAge");
    assertFailure("satchel.ttl=a while", "satchel.ttl");
    assertFailure("satchel.idle-timeout=-5", "satchel.idle-timeout");
    assertFailure("satchel.idle-timeout=sometimes", "satchel.idle-timeout");
    assertFailure("satchel.cookie.secure=yes", "satchel.cookie.secure");
    assertFailure("satchel.cookie.same-site=sometimes", "satchel.cookie.same-site");
    assertFailure("satchel.cookie.name=no;way", "satchel.cookie.name");
    assertFailure("satchel.corrupt-data=ignore", "satchel.corrupt-data");
    assertFailure("satchel.undecodable-values=zero", "satchel.undecodable-values");
    assertFailure("satchel.max-commit-attempts=0", "satchel.max-commit-attempts");
    assertFailure("satchel.decoded-cache-size=-1", "satchel.decoded-cache-size");
    assertFailure("satchel.max-session-size=lots", "satchel.max-session-size");
    assertFailure("satchel.driver.lock-timeout=soon", "satchel.driver.lock-timeout");
  }

  @Test
  void unknownNames_failStartUp_suggestingTheNameInTheUsersSpelling() {
    assertFailure("satchel.driver.bsae=x", "satchel.driver.base");
    assertFailure("satchel.driver.bsae=x", "Unknown option satchel.driver.bsae for the fs driver");
    assertFailure(
        "satchel.cokie.name=x",
        "Unknown Satchel setting satchel.cokie.name (did you mean satchel.cookie.name?)");
    assertFailure("satchel.driver=fss", "No session driver is named \"fss\"");
  }

  @Test
  void environmentVariables_areNamedAsWritten() {
    runner()
        .withInitializer(
            context ->
                context
                    .getEnvironment()
                    .getPropertySources()
                    .addFirst(
                        new SystemEnvironmentPropertySource(
                            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME + "-test",
                            Map.of("SATCHEL_COOKIE_MAX_AGE", "soon"))))
        .run(
            context -> {
              SessionConfigurationException mistake = failure(context);
              assertEquals("SATCHEL_COOKIE_MAX_AGE", mistake.setting());
              assertTrue(mistake.getMessage().startsWith("SATCHEL_COOKIE_MAX_AGE"));
            });
  }

  @Test
  void theFailureAnalysis_saysWhatAndWhere() {
    TextResourceOrigin where =
        new TextResourceOrigin(
            new ClassPathResource("application.properties"), new TextResourceOrigin.Location(3, 0));
    OriginTrackedMapPropertySource applicationProperties =
        new OriginTrackedMapPropertySource(
            "application.properties",
            Map.of("satchel.cookie.max-age", OriginTrackedValue.of("soon", where)));
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().addFirst(applicationProperties);
    runner()
        .withInitializer(
            context ->
                context.getEnvironment().getPropertySources().addFirst(applicationProperties))
        .run(
            context -> {
              SessionConfigurationException mistake = failure(context);
              FailureAnalysis analysis =
                  new SatchelConfigurationFailureAnalyzer(environment)
                      .analyze(context.getStartupFailure());
              assertNotNull(analysis);
              assertSame(mistake, analysis.getCause());
              assertTrue(
                  analysis.getDescription().contains(mistake.getMessage()),
                  analysis.getDescription());
              assertTrue(
                  analysis
                      .getDescription()
                      .contains("class path resource [application.properties]"),
                  analysis.getDescription());
              assertTrue(
                  analysis.getAction().startsWith("Correct or remove satchel.cookie.max-age."),
                  analysis.getAction());
            });
  }

  @Test
  void theStoreFailingToStart_isAnalysedToo() {
    StandardEnvironment environment = new StandardEnvironment();
    org.springframework.core.env.ConfigurableEnvironment[] used = {null};
    bareRunner()
        .withPropertyValues("satchel.driver=fs", "satchel.driver.base=" + folder.resolve("file"))
        .withInitializer(
            context -> {
              used[0] = context.getEnvironment();
              try {
                Files.writeString(folder.resolve("file"), "a file where the folder should be");
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            })
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelStorageFailureAnalyzer(used[0]).analyze(context.getStartupFailure());
              assertNotNull(analysis, String.valueOf(context.getStartupFailure()));
              assertTrue(
                  analysis.getDescription().startsWith("Satchel could not start its session store"),
                  analysis.getDescription());
              assertEquals(
                  "Make sure the store is reachable and that the fs driver's settings point at it:"
                      + " driver from satchel.driver, base from satchel.driver.base.",
                  analysis.getAction());
              assertInstanceOf(SessionStorageException.class, analysis.getCause());
              assertNull(
                  new SatchelConfigurationFailureAnalyzer(environment)
                      .analyze(context.getStartupFailure()));
            });
  }

  // Customizers and back-off

  @Test
  void customizers_runAfterTheProperties() {
    runner()
        .withPropertyValues("satchel.cookie.name=from-properties")
        .withBean(
            "named",
            SatchelBuilderCustomizer.class,
            () -> builder -> builder.cookieName("from-code"))
        .run(context -> assertEquals("from-code", context.getBean(Satchel.class).cookieName()));
  }

  @Test
  void theApplicationsOwnSatchel_wins_andItsPropertiesAreNotRead() {
    try (Satchel own = Satchel.builder().driver("memory").cookieName("own").build()) {
      runner()
          .withPropertyValues("satchel.cookie.max-age=soon")
          .withBean("ownSatchel", Satchel.class, () -> own)
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertThat(context).hasSingleBean(Satchel.class);
                assertSame(own, context.getBean(Satchel.class));
              });
    }
  }

  @Test
  void theSatchel_isClosedWithTheContext() {
    Satchel[] satchel = new Satchel[1];
    String[] id = new String[1];
    bareRunner()
        .withPropertyValues("satchel.driver=memory")
        .run(
            context -> {
              satchel[0] = context.getBean(Satchel.class);
              id[0] = store(satchel[0], new ArrayList<>());
              assertTrue(open(satchel[0], id[0]).has("cart"));
            });
    assertFalse(
        open(satchel[0], id[0]).has("cart"), "closing the memory driver dropped its sessions");
  }

  // Servlet applications

  @Test
  void aServletApplication_getsTheFilterInFrontOfEveryRequest() {
    webRunner()
        .run(
            context -> {
              FilterRegistrationBean<?> registration =
                  context.getBean("satchelFilterRegistration", FilterRegistrationBean.class);
              assertInstanceOf(SatchelFilter.class, registration.getFilter());
              assertEquals(List.of("/*"), List.copyOf(registration.getUrlPatterns()));
              assertEquals(
                  EnumSet.allOf(DispatcherType.class), registration.determineDispatcherTypes());
              assertEquals(SatchelAutoConfiguration.FILTER_ORDER, registration.getOrder());
              // Spring Security's filter chain runs at -100
              // (OrderedFilter.REQUEST_WRAPPER_FILTER_MAX_ORDER - 100).
              assertTrue(registration.getOrder() < -100);
            });
  }

  @Test
  void aNonWebApplication_getsNoFilterAndNoResolver() {
    runner()
        .run(
            context -> {
              assertThat(context).hasSingleBean(Satchel.class);
              assertThat(context).doesNotHaveBean(FilterRegistrationBean.class);
              assertThat(context).doesNotHaveBean(WebMvcConfigurer.class);
            });
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnRegistration {
    @Bean
    FilterRegistrationBean<SatchelFilter> ownSatchelFilter(Satchel satchel) {
      return new FilterRegistrationBean<>(new SatchelFilter(satchel, "X-Session-Token"));
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OwnFilter {
    @Bean
    SatchelFilter ownSatchelFilter(Satchel satchel) {
      return new SatchelFilter(satchel, "X-Session-Token");
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class OtherRegistration {
    @Bean
    FilterRegistrationBean<CharacterEncodingFilter> encoding() {
      return new FilterRegistrationBean<>(new CharacterEncodingFilter("UTF-8"));
    }
  }

  @Test
  void theApplicationsOwnFilterRegistration_orFilter_wins() {
    webRunner()
        .withUserConfiguration(OwnRegistration.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean("satchelFilterRegistration");
              assertThat(context).hasSingleBean(FilterRegistrationBean.class);
            });
    webRunner()
        .withUserConfiguration(OwnFilter.class)
        .run(
            context -> {
              assertThat(context).doesNotHaveBean("satchelFilterRegistration");
              assertThat(context).hasSingleBean(SatchelFilter.class);
            });
    webRunner()
        .withUserConfiguration(OtherRegistration.class)
        .run(context -> assertThat(context).hasBean("satchelFilterRegistration"));
  }

  /** Parameter types for the resolver. */
  @SuppressWarnings("unused")
  static void handler(
      Session session,
      TestCartSession cart,
      VisitsSession visits,
      String text,
      NotGenerated notGenerated,
      Filter filter) {}

  /** Has an {@code of(Session)}, but not a static factory of itself. */
  static final class NotGenerated {
    public NotGenerated of(Session session) {
      return this;
    }
  }

  @Test
  void aServletApplication_resolvesSessionsAndGeneratedClassesAsParameters() {
    webRunner()
        .run(
            context -> {
              List<HandlerMethodArgumentResolver> resolvers = new ArrayList<>();
              context
                  .getBeansOfType(WebMvcConfigurer.class)
                  .values()
                  .forEach(configurer -> configurer.addArgumentResolvers(resolvers));
              assertEquals(1, resolvers.size());
              HandlerMethodArgumentResolver resolver = resolvers.get(0);
              Method handler =
                  getClass()
                      .getDeclaredMethod(
                          "handler",
                          Session.class,
                          TestCartSession.class,
                          VisitsSession.class,
                          String.class,
                          NotGenerated.class,
                          Filter.class);
              List<Boolean> supported = new ArrayList<>();
              for (int i = 0; i < handler.getParameterCount(); i++) {
                supported.add(resolver.supportsParameter(new MethodParameter(handler, i)));
              }
              assertEquals(List.of(true, true, true, false, false, false), supported);
            });
  }
}
