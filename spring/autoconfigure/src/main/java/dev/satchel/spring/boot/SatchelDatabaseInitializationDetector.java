package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import java.util.Set;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitializationDetector;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Makes the {@link Satchel} beans wait for the application's database initialization (Flyway,
 * Liquibase, {@code spring.sql.init}) when {@code satchel.driver} is {@code jdbc}, so that the
 * driver finds the tables the migrations create; other drivers do not wait. Spring Boot loads it
 * from {@code META-INF/spring.factories}, and only where spring-boot-sql is on the class path.
 */
final class SatchelDatabaseInitializationDetector
    implements DependsOnDatabaseInitializationDetector {
  private final Environment environment;

  SatchelDatabaseInitializationDetector(Environment environment) {
    this.environment = environment;
  }

  @Override
  public Set<String> detect(ConfigurableListableBeanFactory beanFactory) {
    if (!(environment instanceof ConfigurableEnvironment configurable)
        || !ClassUtils.isPresent("dev.satchel.Satchel", beanFactory.getBeanClassLoader())) {
      return Set.of();
    }
    return satchels(configurable, beanFactory);
  }

  private static Set<String> satchels(
      ConfigurableEnvironment environment, ConfigurableListableBeanFactory beanFactory) {
    boolean jdbc;
    try {
      jdbc = ApplicationDataSource.jdbcDriver(SatchelSettings.of(environment).byName());
    } catch (RuntimeException unreadable) {
      // The Satchel bean reports it, naming the setting.
      return Set.of();
    }
    return jdbc ? Set.of(beanFactory.getBeanNamesForType(Satchel.class, true, false)) : Set.of();
  }
}
