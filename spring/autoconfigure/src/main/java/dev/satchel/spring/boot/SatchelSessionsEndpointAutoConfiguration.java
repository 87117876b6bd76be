package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@link SatchelSessionsEndpoint satchelsessions} Actuator endpoint, when Actuator is on the
 * class path and the endpoint is available: it is, but, as every endpoint but {@code health}, it is
 * exposed over HTTP only when {@code management.endpoints.web.exposure.include} names it.
 */
@AutoConfiguration(after = SatchelAutoConfiguration.class)
@ConditionalOnClass({Satchel.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(Satchel.class)
@ConditionalOnAvailableEndpoint(SatchelSessionsEndpoint.class)
public final class SatchelSessionsEndpointAutoConfiguration {
  /** Creates the configuration; Spring calls this. */
  public SatchelSessionsEndpointAutoConfiguration() {}

  @Bean
  @ConditionalOnMissingBean
  SatchelSessionsEndpoint satchelSessionsEndpoint(Satchel satchel) {
    return new SatchelSessionsEndpoint(satchel);
  }
}
