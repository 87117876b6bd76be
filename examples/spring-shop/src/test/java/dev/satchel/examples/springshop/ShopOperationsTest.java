package dev.satchel.examples.springshop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The shop as an operator sees it, over real HTTP with sessions in files: the health with the
 * satchel component, and Satchel's meters in the Prometheus scrape after visitors log in and fill
 * carts; every endpoint but the health for the operator alone, by HTTP Basic.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"satchel.driver=fs", "satchel.cookie.secure=false"})
@DirtiesContext
final class ShopOperationsTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern LOG_IN_FORM_CSRF =
      Pattern.compile(
          "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"_csrf\""
              + " value=\"([^\"]+)\">");
  private static final Pattern META_CSRF =
      Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

  @LocalServerPort int port;

  @DynamicPropertySource
  static void sessionFolder(DynamicPropertyRegistry registry) {
    try {
      registry.add(
          "satchel.driver.base", Files.createTempDirectory("spring-shop-operations")::toString);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** A browser with its cookies, following redirects. */
  private final class Visitor {
    final HttpClient client =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .version(HttpClient.Version.HTTP_1_1)
            .build();

    HttpResponse<String> get(String path) throws Exception {
      return client.send(HttpRequest.newBuilder(uri(path)).build(), BODY);
    }

    HttpResponse<String> form(String path, String body) throws Exception {
      return client.send(
          HttpRequest.newBuilder(uri(path))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build(),
          BODY);
    }

    void logIn(String user, String password) throws Exception {
      Matcher token = LOG_IN_FORM_CSRF.matcher(get("/").body());
      assertTrue(token.find());
      HttpResponse<String> page =
          form(
              "/login",
              "username="
                  + encode(user)
                  + "&password="
                  + encode(password)
                  + "&_csrf="
                  + encode(token.group(1)));
      assertTrue(page.body().contains("Signed in as " + user), page.body());
    }

    void addToCart(String item) throws Exception {
      Matcher token = META_CSRF.matcher(get("/").body());
      assertTrue(token.find());
      HttpResponse<String> page =
          form("/cart/add", "item=" + item + "&_csrf=" + encode(token.group(1)));
      assertEquals(200, page.statusCode(), page.body());
    }
  }

  private static final HttpResponse.BodyHandler<String> BODY = HttpResponse.BodyHandlers.ofString();

  /** A call to Actuator, as the operator when {@code credentials} are given ("user:password"). */
  private HttpResponse<String> actuator(String path, String credentials) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("/actuator" + path));
    if (credentials != null) {
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return HttpClient.newHttpClient().send(request.build(), BODY);
  }

  /** The value of the scrape's first sample line that starts with {@code series}. */
  private static double sample(String scrape, String series) {
    for (String line : scrape.lines().toList()) {
      if (line.startsWith(series)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new AssertionError("no " + series + " in the scrape:\n" + scrape);
  }

  @Test
  void prometheus_scrapesSatchelsMeters_afterVisitsLogInsAndCarts() throws Exception {
    Visitor ann = new Visitor();
    ann.addToCart("sku-0001");
    ann.logIn("ann", "satchel");
    ann.addToCart("sku-0002");
    Visitor guest = new Visitor();
    guest.addToCart("sku-0003");

    HttpResponse<String> response = actuator("/prometheus", "ops:on-call");
    assertEquals(200, response.statusCode(), response.body());
    String scrape = response.body();
    assertTrue(
        sample(scrape, "satchel_sessions_total{driver=\"fs\",event=\"created\",reason=\"none\"}")
            >= 2,
        "ann's and the guest's sessions");
    assertTrue(
        sample(scrape, "satchel_sessions_total{driver=\"fs\",event=\"id.changed\",reason=\"none\"}")
            >= 1,
        "ann's log-in");
    assertTrue(
        sample(scrape, "satchel_commits_total{driver=\"fs\",outcome=\"written\"}") >= 4,
        "every add and the log-in");
    assertTrue(scrape.contains("satchel_store_calls_seconds_count{driver=\"fs\""), scrape);
    assertTrue(scrape.contains("# TYPE satchel_store_calls_seconds summary"), scrape);
    // The driver's name, never a session ID or a user.
    assertFalse(scrape.contains("ann\""), "no principal in a label");
  }

  @Test
  void prometheus_isTheOperatorsOnly() throws Exception {
    assertEquals(401, actuator("/prometheus", null).statusCode());
    assertEquals(401, actuator("/prometheus", "ann:satchel").statusCode(), "not a customer");
    assertEquals(401, actuator("/prometheus", "ops:wrong").statusCode());

    // A logged-in customer's session cookie does not reach Actuator either.
    Visitor ann = new Visitor();
    ann.logIn("ann", "satchel");
    assertEquals(401, ann.get("/actuator/prometheus").statusCode());
    assertEquals(404, actuator("/satchelsessions/ann", "ops:on-call").statusCode(), "unexposed");
  }

  @Test
  void health_showsTheSatchelComponentUp_andItsDetailsToTheOperator() throws Exception {
    HttpResponse<String> open = actuator("/health", null);
    assertEquals(200, open.statusCode(), open.body());
    JsonNode component = JSON.readTree(open.body()).path("components").path("satchel");
    assertEquals("UP", component.path("status").asString(), open.body());
    assertTrue(component.path("details").isMissingNode(), "details for operators only");

    JsonNode detailed =
        JSON.readTree(actuator("/health", "ops:on-call").body()).path("components").path("satchel");
    assertEquals("UP", detailed.path("status").asString());
    assertEquals("fs", detailed.path("details").path("driver").asString());
    assertFalse(detailed.path("details").path("latency").asString().isBlank());
    assertEquals(
        List.of("driver", "latency"),
        detailed.path("details").propertyNames().stream().sorted().toList(),
        "fs does not count its sessions");
  }

  @Autowired DataSource dataSource;

  /**
   * The DataSource Spring Boot makes for {@code satchel.driver=jdbc} (on an embedded H2 when {@code
   * spring.datasource.url} is unset) is there on the other drivers too, but unused: visits, the
   * health and a scrape open no connection, so its pool never starts.
   */
  @Test
  void onFs_theUnusedDataSourcesPool_neverStarts() throws Exception {
    Visitor ann = new Visitor();
    ann.addToCart("sku-0001");
    ann.logIn("ann", "satchel");
    JsonNode health = JSON.readTree(actuator("/health", "ops:on-call").body());
    assertEquals("UP", health.path("status").asString(), health.toString());
    assertEquals(200, actuator("/prometheus", "ops:on-call").statusCode());
    HikariDataSource pool = assertInstanceOf(HikariDataSource.class, dataSource);
    assertNull(pool.getHikariPoolMXBean(), "the pool has not started");
  }
}
