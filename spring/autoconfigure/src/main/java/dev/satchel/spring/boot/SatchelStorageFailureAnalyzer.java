package dev.satchel.spring.boot;

import dev.satchel.SessionStorageException;
import dev.satchel.spring.boot.SatchelSettings.Setting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;

/**
 * The session store could not be started: not reachable, or refusing the driver. The action names
 * the properties the driver's settings came from, Spring Boot's own included: a Redis URL built
 * from {@code spring.data.redis.*} is named so, not as {@code satchel.driver.url}; the jdbc
 * driver's database, when it is the application's DataSource, is named so too.
 */
final class SatchelStorageFailureAnalyzer extends AbstractFailureAnalyzer<SessionStorageException> {
  private final Environment environment;

  SatchelStorageFailureAnalyzer(Environment environment) {
    this.environment = environment;
  }

  @Override
  protected FailureAnalysis analyze(Throwable root, SessionStorageException cause) {
    return new FailureAnalysis(
        "Satchel could not start its session store: " + cause.getMessage(), action(), cause);
  }

  private String action() {
    Map<String, Setting> settings = settings();
    if (settings == null) {
      return "Make sure the store is reachable and that satchel.driver and its satchel.driver.*"
          + " options (such as satchel.driver.url or satchel.driver.base) point at it.";
    }
    Setting driver = settings.get("driver");
    String name = driver == null ? dev.satchel.Satchel.DEFAULT_DRIVER : driver.value().trim();
    List<String> options = new ArrayList<>();
    List<String> derived = new ArrayList<>();
    settings.forEach(
        (setting, value) -> {
          if (setting.startsWith("driver.")) {
            String option = setting.substring("driver.".length());
            options.add(
                value.source().startsWith("the URL built from")
                    ? option + value.source().substring("the URL".length())
                    : option + " from " + value.source());
            if (value.derived()) {
              derived.add("satchel." + setting);
            }
          }
        });
    boolean applicationDataSource =
        ApplicationDataSource.jdbcDriver(settings) && !settings.containsKey("driver.url");
    if (applicationDataSource) {
      options.add("the application's DataSource");
    }
    Setting createTable = settings.get("driver.create-table");
    boolean migrations =
        ApplicationDataSource.jdbcDriver(settings)
            && createTable != null
            && createTable.value().trim().equalsIgnoreCase("false");
    return "Make sure the store is reachable and that the "
        + name
        + " driver's settings point at it: "
        + (driver == null ? "the default driver" : "driver from " + driver.source())
        + (options.isEmpty()
            ? ", and no option, so the driver's defaults apply"
            : ", " + String.join(", ", options))
        + "."
        + (migrations
            ? " With "
                + createTable.source()
                + "=false the tables come from the application's database initialization"
                + " (Flyway, Liquibase or spring.sql.init.schema-locations), which runs before"
                + " Satchel starts."
            : "")
        + (derived.isEmpty()
            ? ""
            : " Spring Boot's properties give what "
                + String.join(" and ", derived)
                + (derived.size() == 1 ? " does" : " do")
                + " not set: correct them, or set "
                + (derived.size() == 1 ? "it" : "those")
                + ".");
  }

  /** The settings as the auto-configuration read them, or {@code null} if they cannot be read. */
  private Map<String, Setting> settings() {
    if (!(environment instanceof ConfigurableEnvironment configurable)) {
      return null;
    }
    try {
      return SatchelSettings.of(configurable).byName();
    } catch (RuntimeException e) {
      return null;
    }
  }
}
