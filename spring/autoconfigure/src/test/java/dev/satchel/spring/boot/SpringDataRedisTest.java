package dev.satchel.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.redis.RedisClusterProcess;
import dev.satchel.redis.RedisServerProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The redis driver connects where Spring Boot's {@code spring.data.redis.*} properties say, on a
 * real {@code redis-server}: the database, the password, the URL.
 */
final class SpringDataRedisTest {
  private static RedisServerProcess server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> connection;

  @BeforeAll
  static void startRedis() {
    server = RedisServerProcess.start(false);
    client = RedisClient.create(server.url());
    connection = client.connect();
  }

  @AfterAll
  static void stopRedis() throws Exception {
    connection.close();
    client.shutdown();
    server.close();
  }

  private static ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SatchelAutoConfiguration.class))
        .withPropertyValues("satchel.driver=redis");
  }

  /** Stores a session through the context's Satchel and returns its ID. */
  private static String store(Satchel satchel) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "sku-0001");
    session.commit();
    return session.id().orElseThrow();
  }

  private static RedisCommands<String, String> database(int index) {
    RedisCommands<String, String> commands = connection.sync();
    commands.select(index);
    return commands;
  }

  @Test
  void hostPortAndDatabase() {
    runner()
        .withPropertyValues(
            "spring.data.redis.host=127.0.0.1",
            "spring.data.redis.port=" + server.port(),
            "spring.data.redis.database=2",
            "spring.data.redis.timeout=1s")
        .run(
            context -> {
              String id = store(context.getBean(Satchel.class));
              assertNotNull(database(2).get(id), "stored in database 2");
              assertNull(database(0).get(id));
            });
  }

  @Test
  void theUrl() {
    runner()
        .withPropertyValues(
            "spring.data.redis.url=" + server.url() + "/3", "spring.data.redis.port=1")
        .run(context -> assertNotNull(database(3).get(store(context.getBean(Satchel.class)))));
  }

  @Test
  void aUsernameAndAPasswordWithCharactersAUrlMustEscape() {
    String password = "p@ss:w/rd %+?#";
    RedisCommands<String, String> admin = database(0);
    admin.configSet("requirepass", password);
    try {
      runner()
          .withPropertyValues(
              "spring.data.redis.port=" + server.port(),
              "spring.data.redis.host=127.0.0.1",
              "spring.data.redis.username=default",
              "spring.data.redis.password=" + password)
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                assertNotNull(admin.get(store(context.getBean(Satchel.class))));
              });
    } finally {
      admin.configSet("requirepass", "");
    }
  }

  @Test
  void sentinels_leadToThePrimaryTheyWatch_overTheSingleServerSettings() throws Exception {
    try (RedisServerProcess primary = RedisServerProcess.start(false);
        RedisServerProcess sentinel =
            RedisServerProcess.startSentinel(primary.port(), "shop-primary", 1);
        RedisClient direct = RedisClient.create(primary.url() + "/1");
        StatefulRedisConnection<String, String> primaryDatabase = direct.connect()) {
      runner()
          .withPropertyValues(
              "spring.data.redis.sentinel.master=shop-primary",
              "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.port(),
              "spring.data.redis.database=1",
              // Spring Boot uses the Sentinels when they are set; so does Satchel.
              "spring.data.redis.port=1")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                String id = store(context.getBean(Satchel.class));
                assertNotNull(primaryDatabase.sync().get(id), "stored on the primary, database 1");
              });
    }
  }

  @Test
  void aClustersNodes() throws Exception {
    try (RedisClusterProcess cluster = RedisClusterProcess.start(3, 0);
        RedisClusterClient client = RedisClusterClient.create(cluster.nodes().get(0).url());
        StatefulRedisClusterConnection<String, String> nodes = client.connect()) {
      runner()
          .withPropertyValues(
              "spring.data.redis.cluster.nodes=127.0.0.1:"
                  + cluster.nodes().get(0).port()
                  + ", 127.0.0.1:"
                  + cluster.nodes().get(1).port(),
              "spring.data.redis.url=redis://127.0.0.1:1")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                String id = store(context.getBean(Satchel.class));
                assertNotNull(nodes.sync().get(id), "stored in the cluster");
              });
    }
  }

  @Test
  void aSentinelMasterWithoutNodes_isRefusedNamingWhatIsMissing() {
    runner()
        .withPropertyValues("spring.data.redis.sentinel.master=shop-primary")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(context.getStartupFailure())
                  .rootCause()
                  .hasMessage(
                      "spring.data.redis.sentinel.master is set without"
                          + " spring.data.redis.sentinel.nodes: set both to reach the primary the"
                          + " Sentinels watch");
            });
  }

  @Test
  void sentinelsAskingForAPasswordOfTheirOwn() throws Exception {
    try (RedisServerProcess primary = RedisServerProcess.startWith("--requirepass", "primary-pw");
        RedisServerProcess sentinel =
            RedisServerProcess.startSentinel(
                primary.port(),
                "guarded",
                1,
                "sentinel auth-pass guarded primary-pw",
                "requirepass sentinel-pw");
        RedisClient direct = RedisClient.create("redis://:primary-pw@127.0.0.1:" + primary.port());
        StatefulRedisConnection<String, String> primaryConnection = direct.connect()) {
      runner()
          .withPropertyValues(
              "spring.data.redis.sentinel.master=guarded",
              "spring.data.redis.sentinel.nodes=127.0.0.1:" + sentinel.port(),
              "spring.data.redis.sentinel.password=sentinel-pw",
              "spring.data.redis.password=primary-pw")
          .run(
              context -> {
                assertThat(context).hasNotFailed();
                String id = store(context.getBean(Satchel.class));
                assertNotNull(primaryConnection.sync().get(id), "stored on the primary");
              });
    }
  }

  @Test
  void satchelsOwnUrlWins() {
    runner()
        .withPropertyValues("satchel.driver.url=" + server.url() + "/4", "spring.data.redis.port=1")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertEquals("redis", context.getBean(Satchel.class).driverName());
              assertNotNull(database(4).get(store(context.getBean(Satchel.class))));
            });
  }

  // Failures name the properties that caused them.

  @Test
  void aDerivedUrlThatReachesNothing_isNamedByTheSpringBootPropertiesItCameFrom() throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    ConfigurableEnvironment[] environment = {null};
    runner()
        .withInitializer(context -> environment[0] = context.getEnvironment())
        .withPropertyValues(
            "spring.data.redis.host=127.0.0.1",
            "spring.data.redis.port=" + closed,
            "spring.data.redis.connect-timeout=2s")
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelStorageFailureAnalyzer(environment[0])
                      .analyze(context.getStartupFailure());
              assertTrue(
                  analysis.getDescription().contains("cannot reach Redis at 127.0.0.1:" + closed),
                  analysis.getDescription());
              assertEquals(
                  "Make sure the store is reachable and that the redis driver's settings point at"
                      + " it: driver from satchel.driver, connect-timeout from"
                      + " spring.data.redis.connect-timeout, url built from spring.data.redis.host"
                      + " and spring.data.redis.port. Spring Boot's properties give what"
                      + " satchel.driver.connect-timeout and satchel.driver.url do not set:"
                      + " correct them, or set those.",
                  analysis.getAction());
            });
  }

  @Test
  void aBadSpringDataRedisUrl_isNamed_asTheSettingItStandsFor() {
    ConfigurableEnvironment[] environment = {null};
    runner()
        .withInitializer(context -> environment[0] = context.getEnvironment())
        .withPropertyValues("spring.data.redis.url=redis-sentinel://127.0.0.1:" + server.port())
        .run(
            context -> {
              assertThat(context).hasFailed();
              FailureAnalysis analysis =
                  new SatchelConfigurationFailureAnalyzer(environment[0])
                      .analyze(context.getStartupFailure());
              assertTrue(
                  analysis
                      .getDescription()
                      .startsWith(
                          "Satchel's configuration is invalid: spring.data.redis.url names"
                              + " Sentinels but not the primary they watch"),
                  analysis.getDescription());
              assertTrue(
                  analysis
                      .getAction()
                      .startsWith(
                          "Correct spring.data.redis.url, which Satchel reads because"
                              + " satchel.driver.url is not set, or set satchel.driver.url."),
                  analysis.getAction());
            });
  }

  /** Only Satchel's auto-configuration, for a whole application's start-up. */
  @Configuration(proxyBeanMethods = false)
  @ImportAutoConfiguration(SatchelAutoConfiguration.class)
  static class SatchelOnly {}

  @Test
  @ExtendWith(OutputCaptureExtension.class)
  void anApplicationThatCannotReachTheDerivedUrl_reportsThePropertiesAtStartUp(
      CapturedOutput output) throws Exception {
    int closed;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    SpringApplication application = new SpringApplication(SatchelOnly.class);
    application.setWebApplicationType(WebApplicationType.NONE);
    org.junit.jupiter.api.Assertions.assertThrows(
        RuntimeException.class,
        () ->
            application.run(
                "--satchel.driver=redis",
                "--spring.data.redis.host=127.0.0.1",
                "--spring.data.redis.port=" + closed,
                "--spring.main.banner-mode=off"));
    assertThat(output.getOut() + output.getErr())
        .contains("APPLICATION FAILED TO START")
        .contains("cannot reach Redis at 127.0.0.1:" + closed)
        .contains(
            "driver from satchel.driver, url built from spring.data.redis.host and"
                + " spring.data.redis.port.");
  }
}
