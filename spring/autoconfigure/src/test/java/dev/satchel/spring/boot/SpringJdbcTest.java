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

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.jdbc.PostgresServer;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceInitializationAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The jdbc driver keeps sessions in the application's own database, through the DataSource Spring
 * Boot makes from {@code spring.datasource.*}, on H2 and on a real PostgreSQL: no second pool, the
 * tables in the application's database, the sessions waiting for {@code spring.sql.init}, and
 * start-up failures that say what to set.
 */
final class SpringJdbcTest {
  @RegisterExtension static final PostgresServer POSTGRES = new PostgresServer();

  /** The pool name Spring Boot's DataSource is given here, to find its threads. */
  private static final String APPLICATION_POOL = "application-pool";

  /** The pool name of the driver's own pool, made only from a {@code satchel.driver.url}. */
  private static final String DRIVER_POOL = "satchel-jdbc";

  private static final AtomicInteger DATABASES = new AtomicInteger();

  /** What Spring Boot runs {@code spring.sql.init} with. */
  private static final Class<?> DATABASE_INITIALIZER =
      org.springframework.boot.jdbc.init.DataSourceScriptDatabaseInitializer.class;

  /** A fresh in-memory H2 database, kept while the JVM runs so a restarted app finds it. */
  private static String h2Url() {
    return "jdbc:h2:mem:app" + UUID.randomUUID().toString().replace("-", "") + ";DB_CLOSE_DELAY=-1";
  }

  /** A fresh PostgreSQL database of the test server, owned by its user. */
  private static String postgresDatabase() {
    return POSTGRES.process().createDatabase("app" + DATABASES.incrementAndGet());
  }

  private static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                DataSourceAutoConfiguration.class,
                DataSourceInitializationAutoConfiguration.class,
                SatchelAutoConfiguration.class))
        .withPropertyValues(
            "satchel.driver=jdbc", "spring.datasource.hikari.pool-name=" + APPLICATION_POOL);
  }

  /** Stores a session holding {@code item} through {@code satchel} and returns its ID. */
  private static String store(Satchel satchel, String item) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", item);
    session.commit();
    return session.id().orElseThrow();
  }

  /**
   * How many rows of the session table of {@code dataSource}'s database have the key {@code id}.
   */
  private static int rows(DataSource dataSource, String table, String id) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM " + table + " WHERE \"key\" = ? AND \"retired\" IS NULL")) {
      select.setString(1, id);
      try (ResultSet result = select.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    }
  }

  private static boolean hasTable(DataSource dataSource, String table) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        ResultSet tables =
            connection.getMetaData().getTables(null, null, null, new String[] {"TABLE"})) {
      while (tables.next()) {
        if (tables.getString("TABLE_NAME").equalsIgnoreCase(table)) {
          return true;
        }
      }
      return false;
    }
  }

  /** The threads of the Hikari pool named {@code pool}: its housekeeper, adder and closer. */
  private static List<String> poolThreads(String pool) {
    List<String> threads = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && thread.getName().startsWith(pool + ":")) {
        threads.add(thread.getName());
      }
    }
    return threads;
  }

  /** The connections the jdbc driver's own pool holds to {@code url}: it names them "satchel". */
  private static int driverConnections(String url) throws SQLException {
    String database = url.substring(url.lastIndexOf('/') + 1);
    try (Connection connection =
            DriverManager.getConnection(url, POSTGRES.user(), POSTGRES.password());
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM pg_stat_activity"
                    + " WHERE datname = ? AND application_name = 'satchel'")) {
      select.setString(1, database);
      try (ResultSet result = select.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    }
  }

  private static DataSource postgres(String url) {
    org.postgresql.ds.PGSimpleDataSource dataSource = new org.postgresql.ds.PGSimpleDataSource();
    dataSource.setURL(url);
    dataSource.setUser(POSTGRES.user());
    dataSource.setPassword(POSTGRES.password());
    return dataSource;
  }

  // The application's DataSource, and no pool of the driver's own.

  @Test
  void theApplicationsDataSource_holdsTheSessions_andTheDriverOpensNoPoolOfItsOwn() {
    runner()
        .withPropertyValues("spring.datasource.url=" + h2Url())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              DataSource dataSource = context.getBean(DataSource.class);
              String id = store(context.getBean(Satchel.class), "sku-0001");
              assertEquals(1, rows(dataSource, "satchel_sessions", id), "in the app's database");
              assertTrue(hasTable(dataSource, "satchel_sessions_principals"));
              HikariDataSource pool = assertInstanceOf(HikariDataSource.class, dataSource);
              assertNotNull(pool.getHikariPoolMXBean(), "the application's pool was started");
              assertFalse(poolThreads(APPLICATION_POOL).isEmpty(), "the application's pool runs");
              assertEquals(List.of(), poolThreads(DRIVER_POOL), "no pool of the driver's own");
            });
  }

  @Test
  void withoutSpringDatasourceUrl_springBootsEmbeddedH2_holdsTheSessions() {
    runner()
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              DataSource dataSource = context.getBean(DataSource.class);
              try (Connection connection = dataSource.getConnection()) {
                assertTrue(connection.getMetaData().getURL().startsWith("jdbc:h2:mem:"));
              }
              String id = store(context.getBean(Satchel.class), "sku-0002");
              assertEquals(1, rows(dataSource, "satchel_sessions", id));
              assertEquals(List.of(), poolThreads(DRIVER_POOL));
            });
  }

  @Test
  void anApplicationsOwnDataSourceBean_isTheOneUsed_theTableNamedAsConfigured() {
    JdbcDataSource own = new JdbcDataSource();
    own.setURL(h2Url());
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withBean(DataSource.class, () -> own)
        .withPropertyValues("satchel.driver=jdbc", "satchel.driver.table=shop_sessions")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertSame(own, context.getBean(DataSource.class));
              String id = store(context.getBean(Satchel.class), "sku-0003");
              assertEquals(1, rows(own, "shop_sessions", id));
              assertTrue(hasTable(own, "shop_sessions_principals"));
              assertFalse(hasTable(own, "satchel_sessions"));
            });
  }

  @Test
  void onPostgres_theApplicationsDataSource_holdsTheSessions_throughItsOwnConnections() {
    String url = postgresDatabase();
    runner()
        .withPropertyValues(
            "spring.datasource.url=" + url,
            "spring.datasource.username=" + POSTGRES.user(),
            "spring.datasource.password=" + POSTGRES.password())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              String id = store(context.getBean(Satchel.class), "sku-0004");
              assertEquals(1, rows(postgres(url), "satchel_sessions", id));
              assertEquals(0, driverConnections(url), "no connection of the driver's own pool");
              assertEquals(List.of(), poolThreads(DRIVER_POOL));
            });
  }

  @Test
  void satchelsOwnUrlWins_withAPoolOfTheDriversOwn_andTheApplicationsDatabaseIsLeftAlone() {
    String url = postgresDatabase();
    String applicationDatabase = h2Url();
    runner()
        .withPropertyValues(
            "spring.datasource.url=" + applicationDatabase,
            "satchel.driver.url=" + url,
            "satchel.driver.username=" + POSTGRES.user(),
            "satchel.driver.password=" + POSTGRES.password())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              String id = store(context.getBean(Satchel.class), "sku-0005");
              assertEquals(1, rows(postgres(url), "satchel_sessions", id));
              assertTrue(driverConnections(url) > 0, "the driver's own pool, named satchel");
              assertFalse(poolThreads(DRIVER_POOL).isEmpty(), "the driver's pool runs");
              HikariDataSource application = (HikariDataSource) context.getBean(DataSource.class);
              assertNull(application.getHikariPoolMXBean(), "the application's pool, never used");
            });
  }

  @Test
  void otherDrivers_leaveTheDataSourceAlone() {
    runner()
        .withPropertyValues("satchel.driver=memory", "spring.datasource.url=" + h2Url())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              store(context.getBean(Satchel.class), "sku-0006");
              HikariDataSource application = (HikariDataSource) context.getBean(DataSource.class);
              assertNull(application.getHikariPoolMXBean(), "no connection was asked for");
            });
  }

  @Test
  void otherDrivers_doNotWaitForTheDatabaseInitialization() {
    runner()
        .withPropertyValues(
            "satchel.driver=memory",
            "spring.datasource.url=" + h2Url(),
            "spring.sql.init.schema-locations=classpath:dev/satchel/jdbc/schema-h2.sql")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBeanNamesForType(DATABASE_INITIALIZER)).isNotEmpty();
              assertNull(context.getBeanFactory().getBeanDefinition("satchel").getDependsOn());
            });
  }

  // The tables from the application's database initialization.

  @Test
  void createTableFalse_withTheShippedSchemaRunBySpringSqlInit_starts() {
    runner()
        .withPropertyValues(
            "spring.datasource.url=" + h2Url(),
            "spring.sql.init.schema-locations=classpath:dev/satchel/jdbc/schema-h2.sql",
            "satchel.driver.create-table=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBeanFactory().getBeanDefinition("satchel").getDependsOn())
                  .contains(context.getBeanNamesForType(DATABASE_INITIALIZER));
              String id = store(context.getBean(Satchel.class), "sku-0007");
              assertEquals(1, rows(context.getBean(DataSource.class), "satchel_sessions", id));
            });
  }

  @Test
  void createTableFalse_onPostgres_withTheShippedSchemaRunBySpringSqlInit_starts() {
    String url = postgresDatabase();
    runner()
        .withPropertyValues(
            "spring.datasource.url=" + url,
            "spring.datasource.username=" + POSTGRES.user(),
            "spring.datasource.password=" + POSTGRES.password(),
            "spring.sql.init.mode=always",
            "spring.sql.init.schema-locations=classpath:dev/satchel/jdbc/schema-postgresql.sql",
            "satchel.driver.create-table=false")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              String id = store(context.getBean(Satchel.class), "sku-0008");
              assertEquals(1, rows(postgres(url), "satchel_sessions", id));
            });
  }

  // Failures say what to set or run.

  @Test
  void createTableFalse_withoutTheTable_failsStartUp_withTheDriversMessage() {
    ConfigurableEnvironment[] environment = {null};
    runner()
        .withInitializer(context -> environment[0] = context.getEnvironment())
        .withPropertyValues("spring.datasource.url=" + h2Url(), "satchel.driver.create-table=false")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelStorageFailureAnalyzer(environment[0])
                      .analyze(context.getStartupFailure());
              assertNotNull(analysis, "the analyzer takes it");
              assertThat(analysis.getDescription())
                  .startsWith("Satchel could not start its session store:")
                  .contains(
                      "the table satchel_sessions does not exist: run satchel-jdbc's"
                          + " dev/satchel/jdbc/schema-h2.sql");
              assertEquals(
                  "Make sure the store is reachable and that the jdbc driver's settings point at"
                      + " it: driver from satchel.driver, create-table from"
                      + " satchel.driver.create-table, the application's DataSource. With"
                      + " satchel.driver.create-table=false the tables come from the"
                      + " application's database initialization (Flyway, Liquibase or"
                      + " spring.sql.init.schema-locations), which runs before Satchel starts.",
                  analysis.getAction());
            });
  }

  private static final String NO_DATA_SOURCE_ACTION =
      "Give the application a DataSource: add spring-boot-starter-jdbc and the database's JDBC"
          + " driver (such as org.postgresql:postgresql), and set spring.datasource.url (with"
          + " spring.datasource.username and spring.datasource.password). Or set"
          + " satchel.driver.url (with satchel.driver.username and satchel.driver.password) for a"
          + " pool of the jdbc driver's own, or choose another satchel.driver.";

  @Test
  void neitherAUrlNorADataSource_failsStartUp_namingSpringDatasourceUrlAndSatchelDriverUrl() {
    ConfigurableEnvironment[] environment = {null};
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withInitializer(context -> environment[0] = context.getEnvironment())
        .withPropertyValues("satchel.driver=jdbc")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelConfigurationFailureAnalyzer(environment[0])
                      .analyze(context.getStartupFailure());
              assertNotNull(analysis, "the analyzer takes it");
              assertThat(analysis.getDescription())
                  .startsWith(
                      "Satchel's configuration is invalid: satchel.driver is jdbc, which keeps"
                          + " sessions in the application's DataSource, and the application has"
                          + " none: configure one with spring.datasource.url")
                  .contains("or set satchel.driver.url (jdbc:postgresql://host:5432/app)");
              assertEquals(NO_DATA_SOURCE_ACTION, analysis.getAction());
            });
  }

  @Test
  void severalDataSources_noneOfThemPrimary_failsStartUp_sayingSo() {
    JdbcDataSource first = new JdbcDataSource();
    first.setURL(h2Url());
    JdbcDataSource second = new JdbcDataSource();
    second.setURL(h2Url());
    ConfigurableEnvironment[] environment = {null};
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withInitializer(context -> environment[0] = context.getEnvironment())
        .withBean("first", DataSource.class, () -> first)
        .withBean("second", DataSource.class, () -> second)
        .withPropertyValues("satchel.driver=jdbc")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelConfigurationFailureAnalyzer(environment[0])
                      .analyze(context.getStartupFailure());
              assertThat(analysis.getDescription())
                  .contains(
                      "satchel.driver is jdbc, which keeps sessions in the application's"
                          + " DataSource, and the application has several and none is"
                          + " @Primary");
            });
  }

  /** Only Satchel's auto-configuration, for a whole application's start-up. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(SatchelAutoConfiguration.class)
  static class SatchelOnly {}

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void anApplicationWithoutADatabase_reportsWhatToSetAtStartUp(CapturedOutput output) {
    SpringApplication application = new SpringApplication(SatchelOnly.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    assertThrows(
        RuntimeException.class,
        () -> application.run("--satchel.driver=jdbc", "--spring.main.banner-mode=off"));
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("satchel.driver is jdbc, which keeps sessions in the application's DataSource")
        .contains("set spring.datasource.url")
        .contains("Or set satchel.driver.url");
  }

  // A whole web application over real HTTP.

  @RestController
  static class CartController {
    @PostMapping("/cart")
    List<String> add(TestCartSession cart, @RequestParam String item) {
      return cart.updateItems(
          items -> {
            List<String> next = items == null ? new ArrayList<>() : new ArrayList<>(items);
            next.add(item);
            return next;
          });
    }
  }

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(CartController.class)
  static class WebApplication {}

  /** A browser, with its cookies, against the application listening on {@code port}. */
  private static final class Browser {
    final CookieManager cookies = new CookieManager();
    final HttpClient client =
        HttpClient.newBuilder().cookieHandler(cookies).version(HttpClient.Version.HTTP_1_1).build();

    String add(int port, String item) throws Exception {
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/cart?item=" + item))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      return response.body();
    }

    String sessionId() {
      return cookies.getCookieStore().getCookies().stream()
          .filter(cookie -> cookie.getName().equals(Satchel.DEFAULT_COOKIE_NAME))
          .map(HttpCookie::getValue)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no session cookie"));
    }
  }

  private static ConfigurableApplicationContext startWebApplication(String... properties) {
    List<String> all = new ArrayList<>(Arrays.asList(properties));
    all.addAll(
        List.of(
            "server.port=0",
            "server.address=127.0.0.1",
            "satchel.driver=jdbc",
            "satchel.cookie.secure=false",
            "spring.datasource.hikari.pool-name=" + APPLICATION_POOL,
            "spring.main.banner-mode=off"));
    return new SpringApplicationBuilder(WebApplication.class)
        .web(WebApplicationType.SERVLET)
        .properties(all.toArray(String[]::new))
        .run();
  }

  private static int port(ConfigurableApplicationContext context) {
    return ((WebServerApplicationContext) context).getWebServer().getPort();
  }

  @Test
  void overHttp_onH2_theCartIsKeptAcrossRequests_inTheApplicationsDatabase() throws Exception {
    Browser browser = new Browser();
    try (ConfigurableApplicationContext context =
        startWebApplication(
            "spring.datasource.url=" + h2Url(),
            "spring.sql.init.schema-locations=classpath:dev/satchel/jdbc/schema-h2.sql",
            "satchel.driver.create-table=false")) {
      int port = port(context);
      assertEquals("[\"sku-1\"]", browser.add(port, "sku-1"));
      assertEquals("[\"sku-1\",\"sku-2\"]", browser.add(port, "sku-2"));
      assertEquals(
          1,
          rows(context.getBean(DataSource.class), "satchel_sessions", browser.sessionId()),
          "the session's row in the application's database");
      assertEquals(List.of(), poolThreads(DRIVER_POOL), "no pool of the driver's own");
      assertFalse(poolThreads(APPLICATION_POOL).isEmpty());
    }
  }

  @Test
  void overHttp_onPostgres_theCartIsKept_acrossRequestsAndARestartOfTheApplication()
      throws Exception {
    String url = postgresDatabase();
    String[] database = {
      "spring.datasource.url=" + url,
      "spring.datasource.username=" + POSTGRES.user(),
      "spring.datasource.password=" + POSTGRES.password()
    };
    Browser browser = new Browser();
    try (ConfigurableApplicationContext context = startWebApplication(database)) {
      int port = port(context);
      assertEquals("[\"sku-1\"]", browser.add(port, "sku-1"));
      assertEquals("[\"sku-1\",\"sku-2\"]", browser.add(port, "sku-2"));
      assertEquals(0, driverConnections(url), "no connection of the driver's own pool");
    }
    assertEquals(1, rows(postgres(url), "satchel_sessions", browser.sessionId()));
    try (ConfigurableApplicationContext restarted = startWebApplication(database)) {
      assertEquals(
          "[\"sku-1\",\"sku-2\",\"sku-3\"]",
          browser.add(port(restarted), "sku-3"),
          "the cart, kept in the database while the application was down");
    }
  }
}
