package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import dev.satchel.SessionEvent;
import dev.satchel.SessionListener;
import dev.satchel.servlet.AttributeCodec;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.Collections;
import java.util.EventListener;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import tools.jackson.databind.json.JsonMapper;

/**
 * Satchel sessions for a Spring Boot application: a {@link Satchel} configured from the {@code
 * satchel.*} properties, with the same names and meanings as in {@code satchel.properties}, and
 * closed with the application; in a servlet application, {@link SatchelFilter} in front of every
 * request, and controller method parameters of type {@link dev.satchel.Session} or of a generated
 * session class ({@code ShopDataSession}).
 *
 * <p>Every {@link SessionEvent} is published as a Spring application event (the record itself, for
 * {@code @EventListener} methods taking {@code SessionEvent} or one of its records), and every
 * {@link SessionListener} bean is added to the Satchel, the application's own included. In a
 * servlet application, the {@link HttpSessionListener} and {@link HttpSessionIdListener} beans
 * (such as Spring Security's {@code HttpSessionEventPublisher}) are told of Satchel's sessions
 * through {@link SatchelFilter#sessionListener}, as a container tells them of its own.
 *
 * <p>With {@code satchel.driver=jdbc}, sessions are kept in the application's own database: the
 * driver is handed the application's {@link DataSource} bean (the one Spring Boot makes from {@code
 * spring.datasource.*}, or the application's own; the {@code @Primary} one of several), and opens
 * no pool of its own. A {@code satchel.driver.url} wins: the driver then makes a pool of its own to
 * that database, with {@code satchel.driver.username}, {@code password} and {@code pool-size}, and
 * the DataSource is left alone. The sessions wait for the application's database initialization
 * (Flyway, Liquibase, {@code spring.sql.init}), so that with {@code
 * satchel.driver.create-table=false} the tables can come from the application's migrations.
 *
 * <p>An application's own {@link Satchel} bean, or its own {@link SatchelFilter} or {@code
 * FilterRegistrationBean<SatchelFilter>} bean, replaces the one configured here.
 */
// After Spring Boot's DataSource, named so that an application without spring-boot-jdbc needs none.
@AutoConfiguration(afterName = ApplicationDataSource.AUTO_CONFIGURATION)
@ConditionalOnClass(Satchel.class)
public class SatchelAutoConfiguration {
  /**
   * Where the filter runs: among the first, ahead of Spring Security's filter chain (at -100), so
   * that authentication can use the session, and after character encoding.
   */
  public static final int FILTER_ORDER = Ordered.HIGHEST_PRECEDENCE + 50;

  private static final System.Logger LOG = System.getLogger("dev.satchel.spring");

  /** Creates the configuration; Spring calls this. */
  public SatchelAutoConfiguration() {}

  /**
   * A warning when the class path holds a {@code satchel.properties}, which a plain application
   * reads but Spring Boot does not: settings a user believes in would be silently ignored.
   */
  static java.util.Optional<String> ignoredSettingsFile(ClassLoader classLoader) {
    java.net.URL file = classLoader == null ? null : classLoader.getResource("satchel.properties");
    if (file == null) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(
        "satchel.properties on the class path ("
            + file
            + ") is not read in Spring Boot: put its settings in application.properties (or YAML)"
            + " with satchel. in front, such as satchel.driver=redis");
  }

  /**
   * The sessions, from the {@code satchel.*} properties and {@code SATCHEL_*} variables, then the
   * customizers.
   *
   * <p>For the {@code jdbc} driver without {@code satchel.driver.url}, the application's {@link
   * DataSource} is handed to it.
   *
   * @throws dev.satchel.SessionConfigurationException naming the property as written, for an
   *     unknown setting or option or an invalid value, or for the {@code jdbc} driver with neither
   *     a {@code satchel.driver.url} nor a DataSource
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public Satchel satchel(
      ConfigurableEnvironment environment,
      ObjectProvider<SatchelBuilderCustomizer> customizers,
      ResourceLoader resourceLoader,
      ObjectProvider<DataSource> dataSources) {
    ignoredSettingsFile(resourceLoader.getClassLoader())
        .ifPresent(warning -> LOG.log(System.Logger.Level.WARNING, warning));
    Satchel.Builder builder = Satchel.builder();
    SatchelSettings settings = SatchelSettings.of(environment);
    settings.applyTo(builder);
    ApplicationDataSource.handOver(settings.byName(), dataSources, builder);
    customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
    return builder.build();
  }

  /**
   * Publishes the Satchel's session events as Spring application events, and adds the {@link
   * SessionListener} beans to it.
   */
  @Bean
  SatchelSessionEvents satchelSessionEvents(
      Satchel satchel,
      ApplicationEventPublisher publisher,
      ObjectProvider<SessionListener> listeners) {
    return new SatchelSessionEvents(satchel, publisher, listeners);
  }

  /** The filter that gives every request its session. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({SatchelFilter.class, FilterRegistrationBean.class})
  static class FilterConfiguration {
    @Bean
    @ConditionalOnMissingBean(
        value = SatchelFilter.class,
        parameterizedContainer = FilterRegistrationBean.class)
    FilterRegistrationBean<SatchelFilter> satchelFilterRegistration(
        Satchel satchel,
        ObjectProvider<AttributeCodec<?>> codecs,
        ObjectProvider<HttpSessionListener> sessionListeners,
        ObjectProvider<HttpSessionIdListener> idListeners,
        ObjectProvider<SatchelFilterCustomizer> customizers) {
      SatchelFilter filter = new SatchelFilter(satchel);
      codecs.orderedStream().forEach(filter::attributeCodec);
      // One that is both, as Spring Security's HttpSessionEventPublisher, is added once.
      Set<EventListener> listeners = Collections.newSetFromMap(new IdentityHashMap<>());
      sessionListeners.orderedStream().forEach(listeners::add);
      idListeners.orderedStream().forEach(listeners::add);
      listeners.forEach(filter::sessionListener);
      customizers.orderedStream().forEach(customizer -> customizer.customize(filter));
      FilterRegistrationBean<SatchelFilter> registration = new FilterRegistrationBean<>(filter);
      registration.setName("satchelFilter");
      registration.setOrder(FILTER_ORDER);
      registration.setUrlPatterns(List.of("/*"));
      // Every dispatch: an error page or a forward must see the request's session, not the
      // container's, which would set JSESSIONID.
      registration.setDispatcherTypes(
          DispatcherType.REQUEST,
          DispatcherType.ASYNC,
          DispatcherType.ERROR,
          DispatcherType.FORWARD,
          DispatcherType.INCLUDE);
      return registration;
    }
  }

  /**
   * Spring Security's session state in Satchel: the security context, CSRF token, saved request and
   * OAuth2 authorization request through {@link SpringSecurityCodecs}, the security context naming
   * the session's principal, and a {@link SessionRegistry} over Satchel's index.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({
    SatchelFilter.class,
    SessionRegistry.class,
    HttpSessionSecurityContextRepository.class,
    JsonMapper.class
  })
  static class SpringSecurityConfiguration {
    @Bean
    SatchelFilterCustomizer satchelSpringSecurityAttributes() {
      return filter -> {
        SpringSecurityCodecs.all().forEach(filter::attributeCodec);
        filter.principalAttribute(
            HttpSessionSecurityContextRepository.SPRING_SECURITY_CONTEXT_KEY,
            SpringSecurityCodecs::principalName);
      };
    }

    @Bean
    @ConditionalOnMissingBean
    SessionRegistry satchelSessionRegistry(Satchel satchel) {
      return new SatchelSessionRegistry(satchel);
    }
  }

  /** Sessions as controller method parameters. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass({SatchelFilter.class, WebMvcConfigurer.class})
  static class WebMvcConfiguration {
    @Bean
    WebMvcConfigurer satchelWebMvcConfigurer() {
      return new WebMvcConfigurer() {
        @Override
        public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
          resolvers.add(new SessionArgumentResolver());
        }
      };
    }
  }
}
