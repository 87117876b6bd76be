package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import dev.satchel.SessionConfigurationException;
import dev.satchel.spring.boot.SatchelSettings.Setting;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;

/**
 * The {@code jdbc} driver on the application's own {@link DataSource}: selected with {@code
 * satchel.driver=jdbc} and no {@code satchel.driver.url} (which gives the driver a pool of its
 * own), it is handed the DataSource bean, so that sessions live in the application's database
 * through the application's pool.
 */
final class ApplicationDataSource {
  /** Spring Boot 4's DataSource auto-configuration, named: spring-boot-jdbc is optional. */
  static final String AUTO_CONFIGURATION =
      "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration";

  static final String DRIVER = "jdbc";

  private ApplicationDataSource() {}

  /** Whether the settings select the {@code jdbc} driver. */
  static boolean jdbcDriver(Map<String, Setting> settings) {
    Setting driver = settings.get("driver");
    return driver != null && driver.value().trim().equals(DRIVER);
  }

  /**
   * Hands {@code builder} the application's DataSource when the settings select the {@code jdbc}
   * driver without a {@code driver.url}; does nothing otherwise, so that no other driver creates
   * the DataSource bean early.
   *
   * @throws SessionConfigurationException naming {@code spring.datasource.url} and {@code
   *     satchel.driver.url} when there is no DataSource, or several and none primary
   */
  static void handOver(
      Map<String, Setting> settings,
      ObjectProvider<DataSource> dataSources,
      Satchel.Builder builder) {
    if (!jdbcDriver(settings) || settings.containsKey("driver.url")) {
      return;
    }
    DataSource dataSource = dataSources.getIfUnique();
    if (dataSource == null) {
      Setting driver = settings.get("driver");
      boolean several = dataSources.stream().findAny().isPresent();
      throw new SessionConfigurationException(
          driver.source(),
          driver.source()
              + " is jdbc, which keeps sessions in the application's DataSource, and "
              + (several
                  ? "the application has several and none is @Primary"
                  : "the application has none")
              + ": configure one with spring.datasource.url (with spring-boot-starter-jdbc and"
              + " the database's JDBC driver on the class path), or set satchel.driver.url"
              + " (jdbc:postgresql://host:5432/app) for a pool of the driver's own",
          new Missing());
    }
    builder.driverResource(DataSource.class, dataSource);
  }

  /** Marks the failure above, for the failure analyzer's advice. */
  static final class Missing extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Missing() {
      super("no DataSource for the jdbc driver");
    }
  }
}
