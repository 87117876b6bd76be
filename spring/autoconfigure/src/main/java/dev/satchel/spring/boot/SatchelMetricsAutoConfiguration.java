package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import dev.satchel.micrometer.SatchelMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.util.ClassUtils;

/**
 * Satchel's metrics in Micrometer, when the application has a {@link MeterRegistry} (Actuator's
 * {@code spring-boot-starter-actuator} gives one) and {@code satchel-micrometer} is on the class
 * path: a {@link SatchelMetrics} bean, which Spring Boot binds to every registry. Store calls are
 * also observed through the {@link ObservationRegistry} when the application traces (a Micrometer
 * Tracing {@code Tracer} bean), so that they show as spans: only then, since Spring Boot's
 * observation handlers cost about a microsecond per store call and record a second timer of the
 * same calls. An application's own {@link SatchelMetrics} bean replaces it.
 */
@AutoConfiguration(
    after = SatchelAutoConfiguration.class,
    afterName = {
      "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
      "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
      "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration"
    })
@ConditionalOnClass({Satchel.class, MeterRegistry.class, SatchelMetrics.class})
@ConditionalOnBean({Satchel.class, MeterRegistry.class})
public final class SatchelMetricsAutoConfiguration {
  private static final String TRACER = "io.micrometer.tracing.Tracer";

  /** Creates the configuration; Spring calls this. */
  public SatchelMetricsAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  SatchelMetrics satchelMetrics(
      Satchel satchel,
      ObjectProvider<ObservationRegistry> observations,
      ListableBeanFactory beans) {
    ObservationRegistry observationRegistry = observations.getIfUnique();
    return observationRegistry == null || !traces(beans)
        ? new SatchelMetrics(satchel)
        : new SatchelMetrics(satchel, observationRegistry);
  }

  /** Whether the application has a tracer, without needing Micrometer Tracing on the class path. */
  private static boolean traces(ListableBeanFactory beans) {
    ClassLoader loader = SatchelMetricsAutoConfiguration.class.getClassLoader();
    if (!ClassUtils.isPresent(TRACER, loader)) {
      return false;
    }
    return beans.getBeanNamesForType(ClassUtils.resolveClassName(TRACER, loader)).length > 0;
  }
}
