package dev.satchel.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionEvent;
import dev.satchel.SessionListener;
import dev.satchel.micrometer.SatchelMetrics;
import dev.satchel.spi.SessionIds;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What the auto-configuration gives an application to operate Satchel with, in application contexts
 * without a server: session events as Spring application events and to {@link SessionListener}
 * beans, the {@code satchel} health indicator, the metrics binder and the {@code satchelsessions}
 * endpoint, each only where its library is, and the {@code satchel.*} metadata.
 */
final class SatchelOperationsTest {
  @TempDir Path folder;

  private static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                SatchelAutoConfiguration.class,
                SatchelHealthAutoConfiguration.class,
                SatchelMetricsAutoConfiguration.class,
                SatchelSessionsEndpointAutoConfiguration.class))
        .withPropertyValues("satchel.driver=memory");
  }

  /** Stores a new session for {@code principal} (or none) and returns its ID. */
  private static String store(Satchel satchel, String principal) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "sku-0001");
    if (principal != null) {
      session.setPrincipal(principal);
    }
    session.commit();
    return session.id().orElseThrow();
  }

  // Events

  @Test
  void sessionEvents_arePublishedAsApplicationEvents_andToSessionListenerBeans() {
    List<SessionEvent> heard = new CopyOnWriteArrayList<>();
    runner()
        .withBean(SessionEventCollector.class)
        .withBean("auditListener", SessionListener.class, () -> heard::add)
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              SessionEventCollector published = context.getBean(SessionEventCollector.class);
              String id = store(satchel, "ann");

              SessionEvent.Created created = published.await(SessionEvent.Created.class, id);
              assertEquals(id, created.sessionId());
              assertEquals("ann", created.principal());

              satchel.endSession(id);
              SessionEvent.Destroyed destroyed = published.await(SessionEvent.Destroyed.class, id);
              assertEquals(id, destroyed.sessionId());
              assertEquals(SessionEvent.Reason.ENDED, destroyed.reason());

              assertEquals(2, heard.size(), heard.toString());
              assertSame(created, heard.get(0), "the same record, to the bean and to Spring");
              assertSame(destroyed, heard.get(1));
            });
  }

  @Test
  void theApplicationsOwnSatchel_isToldToo() {
    runner()
        .withBean("mySatchel", Satchel.class, () -> Satchel.builder().driver("memory").build())
        .withBean(SessionEventCollector.class)
        .run(
            context -> {
              String id = store(context.getBean(Satchel.class), null);
              SessionEvent.Created created =
                  context
                      .getBean(SessionEventCollector.class)
                      .await(SessionEvent.Created.class, id);
              assertEquals(id, created.sessionId());
              assertNull(created.principal());
            });
  }

  /** A listener bean that uses the Satchel itself: no cycle, as it is added once both exist. */
  static final class CountingListener implements SessionListener {
    final List<Integer> sessionsOfAnn = new CopyOnWriteArrayList<>();
    private final Satchel satchel;

    CountingListener(Satchel satchel) {
      this.satchel = satchel;
    }

    @Override
    public void onEvent(SessionEvent event) {
      if (event instanceof SessionEvent.Created created && "ann".equals(created.principal())) {
        sessionsOfAnn.add(satchel.sessionsOf("ann").size());
      }
    }
  }

  @Test
  void aListenerBean_mayUseTheSatchel() {
    runner()
        .withBean(CountingListener.class)
        .run(
            context -> {
              store(context.getBean(Satchel.class), "ann");
              store(context.getBean(Satchel.class), "ann");
              assertEquals(List.of(1, 2), context.getBean(CountingListener.class).sessionsOfAnn);
            });
  }

  /**
   * A short expiry check finds a session whose idle timeout ran out, and its expiry arrives as an
   * application event; the setting is bound like the others, a bad value failing start-up.
   */
  @Test
  void anExpiredSession_arrivesAsAnApplicationEvent() {
    runner()
        .withPropertyValues("satchel.idle-timeout=1", "satchel.expiry-check-interval=PT0.2S")
        .withBean(SessionEventCollector.class)
        .run(
            context -> {
              String id = store(context.getBean(Satchel.class), "ann");
              SessionEvent.Expired expired =
                  context
                      .getBean(SessionEventCollector.class)
                      .await(SessionEvent.Expired.class, id);
              assertEquals(id, expired.sessionId());
            });
    runner()
        .withPropertyValues("satchel.expiryCheckInterval=soon")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertTrue(
                  String.valueOf(context.getStartupFailure().getMessage())
                      .contains("satchel.expiryCheckInterval"),
                  context.getStartupFailure().getMessage());
            });
  }

  // Health

  @Test
  void health_up_withTheDriverTheLatencyAndTheSessions() {
    runner()
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              store(satchel, null);
              store(satchel, "ann");
              HealthIndicator indicator =
                  context.getBean("satchelHealthIndicator", HealthIndicator.class);
              Health health = indicator.health();
              assertEquals(Status.UP, health.getStatus());
              assertEquals("memory", health.getDetails().get("driver"));
              Duration latency = Duration.parse((String) health.getDetails().get("latency"));
              assertFalse(latency.isNegative());
              assertEquals(2L, health.getDetails().get("sessions"));
            });
  }

  /** The fs driver cannot count sessions; its folder replaced by a file, it is down. */
  @Test
  void health_down_withTheDriverAndTheMessage_only() throws Exception {
    Path base = folder.resolve("sessions");
    runner()
        .withPropertyValues("satchel.driver=fs", "satchel.driver.base=" + base)
        .run(
            context -> {
              HealthIndicator indicator =
                  context.getBean("satchelHealthIndicator", HealthIndicator.class);
              Health up = indicator.health();
              assertEquals(Status.UP, up.getStatus());
              assertEquals(
                  Map.of("driver", "fs", "latency", up.getDetails().get("latency")),
                  up.getDetails(),
                  "fs does not count its sessions");

              FileSystemUtils.deleteRecursively(base);
              Files.writeString(base, "not a folder");
              Health down = indicator.health();
              assertEquals(Status.DOWN, down.getStatus());
              assertEquals("fs", down.getDetails().get("driver"));
              String error = (String) down.getDetails().get("error");
              assertTrue(error.contains("session folder"), error);
              assertEquals(2, down.getDetails().size(), down.getDetails().toString());
              assertFalse(error.contains("\tat "), "no stack trace: " + error);

              Files.delete(base);
              assertEquals(Status.UP, indicator.health().getStatus(), "a write creates it again");
            });
  }

  @Test
  void health_onlyWithSpringBootsHealth_andUnlessTurnedOff() {
    runner()
        .withPropertyValues("management.health.satchel.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean("satchelHealthIndicator"));
    runner()
        .withClassLoader(new FilteredClassLoader(HealthIndicator.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean("satchelHealthIndicator");
            });
  }

  // Metrics

  /** With Spring Boot's metrics auto-configuration, as Actuator brings it. */
  private static ApplicationContextRunner metricsRunner() {
    return runner()
        .withConfiguration(
            AutoConfigurations.of(
                MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class,
                CompositeMeterRegistryAutoConfiguration.class));
  }

  @Test
  void metrics_areBoundToSpringBootsRegistry() {
    metricsRunner()
        .run(
            context -> {
              assertThat(context).hasSingleBean(SatchelMetrics.class);
              MeterRegistry registry = context.getBean(MeterRegistry.class);
              Satchel satchel = context.getBean(Satchel.class);
              store(satchel, null);
              store(satchel, null);
              assertEquals(
                  2.0,
                  registry
                      .get("satchel.sessions")
                      .tags("event", "created", "driver", "memory")
                      .counter()
                      .count());
              assertTrue(
                  registry
                          .get("satchel.store.calls")
                          .tag("driver", "memory")
                          .functionTimers()
                          .stream()
                          .mapToDouble(timer -> timer.count())
                          .sum()
                      > 0);
            });
  }

  @Test
  void metrics_observeStoreCalls_inTheObservationRegistry_whenTheApplicationTraces() {
    List<String> observed = new CopyOnWriteArrayList<>();
    ObservationRegistry observations = ObservationRegistry.create();
    observations
        .observationConfig()
        .observationHandler(
            new ObservationHandler<Observation.Context>() {
              @Override
              public void onStart(Observation.Context observation) {
                observed.add(observation.getName());
              }

              @Override
              public boolean supportsContext(Observation.Context observation) {
                return true;
              }
            });
    metricsRunner()
        .withBean(ObservationRegistry.class, () -> observations)
        .run(
            context -> {
              store(context.getBean(Satchel.class), null);
              assertEquals(List.of(), observed, "not observed without a tracer");
            });
    metricsRunner()
        .withBean(ObservationRegistry.class, () -> observations)
        .withBean(
            io.micrometer.tracing.Tracer.class, io.micrometer.tracing.test.simple.SimpleTracer::new)
        .run(
            context -> {
              store(context.getBean(Satchel.class), null);
              assertTrue(observed.contains("satchel.store.call"), observed.toString());
            });
  }

  @Test
  void metrics_onlyWithAMeterRegistry_andSatchelMicrometer() {
    runner().run(context -> assertThat(context).doesNotHaveBean(SatchelMetrics.class));
    runner()
        .withBean(SimpleMeterRegistry.class)
        .run(context -> assertThat(context).hasSingleBean(SatchelMetrics.class));
    runner()
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(SatchelMetrics.class);
            });
    runner()
        .withBean(SimpleMeterRegistry.class)
        .withClassLoader(new FilteredClassLoader(SatchelMetrics.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(SatchelMetrics.class);
            });
  }

  @Test
  void metrics_theApplicationsOwnBinderWins() {
    metricsRunner()
        .withBean(
            "myMetrics",
            SatchelMetrics.class,
            () -> new SatchelMetrics(Satchel.builder().driver("memory").build()))
        .run(
            context -> {
              assertThat(context).hasSingleBean(SatchelMetrics.class);
              assertThat(context).hasBean("myMetrics");
            });
  }

  // The satchelsessions endpoint

  private static ApplicationContextRunner endpointRunner() {
    return runner().withConfiguration(AutoConfigurations.of(EndpointAutoConfiguration.class));
  }

  @Test
  void endpoint_onlyWhenExposed() {
    endpointRunner()
        .run(context -> assertThat(context).doesNotHaveBean(SatchelSessionsEndpoint.class));
    endpointRunner()
        .withPropertyValues("management.endpoints.web.exposure.include=health,satchelsessions")
        .run(context -> assertThat(context).hasSingleBean(SatchelSessionsEndpoint.class));
    endpointRunner()
        .withPropertyValues(
            "management.endpoints.web.exposure.include=*",
            "management.endpoint.satchelsessions.access=NONE")
        .run(context -> assertThat(context).doesNotHaveBean(SatchelSessionsEndpoint.class));
    endpointRunner()
        .withPropertyValues("management.endpoints.web.exposure.include=*")
        .withClassLoader(
            new FilteredClassLoader(
                org.springframework.boot.actuate.autoconfigure.endpoint.condition
                    .ConditionalOnAvailableEndpoint.class))
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(SatchelSessionsEndpoint.class);
            });
  }

  @Test
  void endpoint_listsByFingerprint_andEndsOnlyTheUsersSessions() {
    endpointRunner()
        .withPropertyValues("management.endpoints.web.exposure.include=satchelsessions")
        .withBean(SessionEventCollector.class)
        .run(
            context -> {
              Satchel satchel = context.getBean(Satchel.class);
              SatchelSessionsEndpoint endpoint = context.getBean(SatchelSessionsEndpoint.class);
              String laptop = store(satchel, "ann");
              String phone = store(satchel, "ann");
              String bobs = store(satchel, "bob");

              SatchelSessionsEndpoint.UserSessions listed = endpoint.sessions("ann");
              assertEquals("ann", listed.principal());
              assertEquals(
                  List.of(SessionIds.fingerprint(laptop), SessionIds.fingerprint(phone)),
                  listed.sessions().stream()
                      .map(SatchelSessionsEndpoint.SessionDescriptor::fingerprint)
                      .toList());
              SatchelSessionsEndpoint.SessionDescriptor first = listed.sessions().get(0);
              assertNotNull(first.createdAt());
              assertNotNull(first.lastAccessedAt());
              assertTrue(first.expiresAt().isAfter(first.createdAt()), "the 30-minute timeout");
              assertEquals(List.of(), endpoint.sessions("carol").sessions());

              assertEquals(
                  0,
                  endpoint.endSession("ann", SessionIds.fingerprint(bobs)).ended(),
                  "bob's fingerprint under ann's name ends nothing");
              assertEquals(1, endpoint.sessions("bob").sessions().size());
              assertEquals(0, endpoint.endSession("ann", "000000000000").ended());

              SessionEventCollector events = context.getBean(SessionEventCollector.class);
              assertEquals(1, endpoint.endSession("ann", SessionIds.fingerprint(phone)).ended());
              SessionEvent.Destroyed ended = events.await(SessionEvent.Destroyed.class, phone);
              assertEquals(SessionEvent.Reason.ENDED, ended.reason());
              assertFalse(satchel.open(phone, cookie -> {}).has("cart"), "ended in the store");
              assertEquals(1, endpoint.sessions("ann").sessions().size());

              String tablet = store(satchel, "ann");
              assertEquals(2, endpoint.endSessions("ann").ended());
              assertEquals(List.of(), endpoint.sessions("ann").sessions());
              for (String id : List.of(laptop, tablet)) {
                assertEquals(
                    SessionEvent.Reason.ENDED_ALL,
                    events.await(SessionEvent.Destroyed.class, id).reason());
              }
              assertTrue(satchel.open(bobs, cookie -> {}).has("cart"), "bob's is untouched");
            });
  }

  // Metadata

  /**
   * Every setting the runtime knows has its {@code satchel.*} property in Spring Boot's
   * configuration metadata, so that IDEs complete and describe it.
   */
  @Test
  void everyRuntimeSetting_isInTheConfigurationMetadata() throws Exception {
    Field names = Class.forName("dev.satchel.SettingsBinding").getDeclaredField("NAMES");
    names.setAccessible(true);
    @SuppressWarnings("unchecked")
    List<String> settings = (List<String>) names.get(null);
    assertTrue(settings.contains("expiry-check-interval"), settings.toString());

    JsonNode metadata;
    try (var in =
        new ClassPathResource("META-INF/spring-configuration-metadata.json").getInputStream()) {
      metadata = JsonMapper.builder().build().readTree(in);
    }
    List<String> described = new java.util.ArrayList<>();
    for (JsonNode property : metadata.get("properties")) {
      described.add(property.get("name").asString());
      assertFalse(
          property.path("description").asString().isBlank(), property.get("name").asString());
    }
    for (String setting : settings) {
      assertTrue(described.contains("satchel." + setting), "satchel." + setting + ": " + described);
    }
  }
}
