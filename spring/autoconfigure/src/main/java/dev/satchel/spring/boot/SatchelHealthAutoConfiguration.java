package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code satchel} health component, when Spring Boot's health support is on the class path
 * (with {@code spring-boot-starter-actuator}): {@code UP} with the details {@code driver}, {@code
 * latency} (of {@link Satchel#ping()}, ISO-8601) and {@code sessions} (when the driver counts
 * them); {@code DOWN} with {@code driver} and {@code error} when the store does not answer.
 *
 * <p>{@code management.health.satchel.enabled=false} turns it off; the details show where {@code
 * management.endpoint.health.show-details} says. A bean named {@code satchelHealthIndicator}
 * replaces it.
 */
@AutoConfiguration(
    after = SatchelAutoConfiguration.class,
    beforeName =
        "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({Satchel.class, HealthIndicator.class})
@ConditionalOnBean(Satchel.class)
@ConditionalOnEnabledHealthIndicator("satchel")
public final class SatchelHealthAutoConfiguration {
  /** Creates the configuration; Spring calls this. */
  public SatchelHealthAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean(name = "satchelHealthIndicator")
  HealthIndicator satchelHealthIndicator(Satchel satchel) {
    return new SatchelHealthIndicator(satchel);
  }
}
