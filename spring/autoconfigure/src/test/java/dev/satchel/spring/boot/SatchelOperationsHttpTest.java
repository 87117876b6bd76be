package dev.satchel.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionEvent;
import dev.satchel.redis.RedisServerProcess;
import dev.satchel.spi.SessionIds;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.session.SessionCreationEvent;
import org.springframework.security.core.session.SessionDestroyedEvent;
import org.springframework.security.core.session.SessionIdChangedEvent;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.session.HttpSessionCreatedEvent;
import org.springframework.security.web.session.HttpSessionDestroyedEvent;
import org.springframework.security.web.session.HttpSessionEventPublisher;
import org.springframework.security.web.session.HttpSessionIdChangedEvent;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Operating a Spring Security application on a real {@code redis-server}, over real HTTP: the
 * {@code satchel} health component goes down when the server stops and up when it is back; the
 * {@code satchelsessions} endpoint, exposed to operators only, lists a user's sessions by
 * fingerprint and ends them; log-in, log-out and {@code maximumSessions(1)} arrive as Spring
 * application events, and through Spring Security's {@link HttpSessionEventPublisher} as its own.
 */
@SpringBootTest(
    classes = SatchelOperationsHttpTest.SecuredApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "satchel.driver=redis",
      "satchel.cookie.secure=false",
      "satchel.driver.timeout=1",
      "satchel.driver.connect-timeout=1",
      "management.endpoints.web.exposure.include=health,satchelsessions",
      "management.endpoint.health.show-components=always",
      "management.endpoint.health.show-details=always"
    })
@DirtiesContext
final class SatchelOperationsHttpTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Pattern SESSION_COOKIE = Pattern.compile("^satchel-session=([^;]*)");
  private static final Pattern LOG_IN_CSRF =
      Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static RedisServerProcess redis;

  @DynamicPropertySource
  static void redisServer(DynamicPropertyRegistry registry) {
    redis = RedisServerProcess.start(false);
    registry.add("satchel.driver.url", redis::url);
  }

  @AfterAll
  static void stopRedis() throws Exception {
    if (redis != null) {
      redis.close();
    }
  }

  /**
   * An application secured as usual: form log-in for users, HTTP Basic for operators, the health
   * open to all and the rest of Actuator to operators only.
   */
  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @EnableWebSecurity
  @Import({AccountController.class, SessionEventCollector.class, SpringSecurityEvents.class})
  static class SecuredApp {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(
              requests ->
                  requests
                      .requestMatchers("/actuator/health", "/actuator/health/**")
                      .permitAll()
                      .requestMatchers("/actuator/**")
                      .hasRole("OPERATOR")
                      .anyRequest()
                      .authenticated())
          .formLogin(Customizer.withDefaults())
          .httpBasic(Customizer.withDefaults())
          .logout(Customizer.withDefaults())
          // Operators' scripts authenticate every call with Basic, and send no CSRF token.
          .csrf(csrf -> csrf.ignoringRequestMatchers("/actuator/**"))
          .sessionManagement(sessions -> sessions.maximumSessions(1))
          .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("ann").password("{noop}satchel").roles("CUSTOMER").build(),
          User.withUsername("bob").password("{noop}builder").roles("CUSTOMER").build(),
          User.withUsername("cleo").password("{noop}patra").roles("CUSTOMER").build(),
          User.withUsername("eve").password("{noop}curious").roles("CUSTOMER").build(),
          User.withUsername("ops").password("{noop}on-call").roles("OPERATOR").build());
    }

    @Bean
    HttpSessionEventPublisher httpSessionEventPublisher() {
      return new HttpSessionEventPublisher();
    }
  }

  @RestController
  static class AccountController {
    @GetMapping("/me")
    String me(Authentication authentication) {
      return "me:" + authentication.getName();
    }

    @GetMapping("/csrf")
    String csrf(CsrfToken token) {
      return token.getToken();
    }
  }

  /** What Spring Security's {@link HttpSessionEventPublisher} publishes. */
  static final class SpringSecurityEvents {
    final List<ApplicationEvent> events = new CopyOnWriteArrayList<>();

    @EventListener
    void on(SessionCreationEvent event) {
      events.add(event);
    }

    @EventListener
    void on(SessionIdChangedEvent event) {
      events.add(event);
    }

    @EventListener
    void on(SessionDestroyedEvent event) {
      events.add(event);
    }

    <T extends ApplicationEvent> T await(Class<T> type, Predicate<? super T> matching)
        throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      do {
        for (ApplicationEvent event : events) {
          if (type.isInstance(event) && matching.test(type.cast(event))) {
            return type.cast(event);
          }
        }
        Thread.sleep(20);
      } while (System.nanoTime() < deadline);
      throw new AssertionError("no such " + type.getSimpleName() + ": " + events);
    }
  }

  @LocalServerPort int port;
  @Autowired Satchel satchel;
  @Autowired SessionEventCollector sessionEvents;
  @Autowired SpringSecurityEvents securityEvents;

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** A browser that keeps the session cookie and never follows redirects. */
  private final class Browser {
    String cookie;

    HttpResponse<String> get(String path) throws Exception {
      return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    HttpResponse<String> post(String path, String form) throws Exception {
      return send(
          HttpRequest.newBuilder(uri(path))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
      if (cookie != null) {
        request.header("Cookie", "satchel-session=" + cookie);
      }
      request.header("Accept", "text/html,*/*;q=0.8");
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String header : response.headers().allValues("Set-Cookie")) {
        Matcher session = SESSION_COOKIE.matcher(header);
        if (session.find()) {
          cookie = header.contains("Max-Age=0") ? null : session.group(1);
        }
      }
      return response;
    }

    /** Loads the log-in page, which stores its CSRF token in a new session, and returns it. */
    String logInPage() throws Exception {
      HttpResponse<String> page = get("/login");
      Matcher csrf = LOG_IN_CSRF.matcher(page.body());
      assertTrue(csrf.find(), page.body());
      return csrf.group(1);
    }

    /** Logs in through the form: a 302 to where the user was going. */
    void logIn(String user, String password) throws Exception {
      HttpResponse<String> loggedIn =
          post(
              "/login",
              "username=" + user + "&password=" + password + "&_csrf=" + encode(logInPage()));
      assertEquals(302, loggedIn.statusCode());
      assertFalse(
          loggedIn.headers().firstValue("Location").orElse("").contains("error"),
          "logged in: " + loggedIn.headers().map());
    }

    void logOut() throws Exception {
      String token = get("/csrf").body();
      assertEquals(302, post("/logout", "_csrf=" + encode(token)).statusCode());
    }

    boolean isLoggedIn() throws Exception {
      HttpResponse<String> me = get("/me");
      return me.statusCode() == 200 && me.body().startsWith("me:");
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /**
   * A call to Actuator, authenticated with HTTP Basic as {@code ops}, the operator, or {@code eve},
   * a customer, or not at all. (With {@code maximumSessions}, Spring Security counts such a request
   * as a log-in of its own, so the users here are not the ones whose sessions the tests count.)
   */
  private HttpResponse<String> actuator(String method, String path, String user) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri("/actuator" + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (user != null) {
      String credentials = user.equals("ops") ? "ops:on-call" : "eve:curious";
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode operatorJson(String method, String path) throws Exception {
    HttpResponse<String> response = actuator(method, path, "ops");
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  /** A session of {@code principal} stored as another instance or a remember-me log-in would. */
  private String storedSessionOf(String principal) {
    Session session = satchel.open(null, cookie -> {});
    session.setPrincipal(principal);
    session.set("device", "tablet");
    session.commit();
    return session.id().orElseThrow();
  }

  // Health

  /** The satchel component of the health, and the HTTP status of the whole. */
  private record SatchelHealth(int httpStatus, JsonNode component) {
    String status() {
      return component.path("status").asString();
    }
  }

  private SatchelHealth health() throws Exception {
    HttpResponse<String> response = actuator("GET", "/health", null);
    JsonNode satchelComponent = JSON.readTree(response.body()).path("components").path("satchel");
    return new SatchelHealth(response.statusCode(), satchelComponent);
  }

  private SatchelHealth awaitHealth(String status) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    SatchelHealth health;
    do {
      health = health();
      if (health.status().equals(status)) {
        return health;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the satchel health stayed " + health.component());
  }

  @Test
  void health_goesDownWhenRedisStops_andUpWhenItIsBack() throws Exception {
    String id = storedSessionOf("dora");
    SatchelHealth up = health();
    assertEquals(200, up.httpStatus());
    assertEquals("UP", up.status(), up.component().toString());
    assertEquals("redis", up.component().path("details").path("driver").asString());
    assertFalse(
        Duration.parse(up.component().path("details").path("latency").asString()).isNegative());

    redis.kill();
    try {
      SatchelHealth down = awaitHealth("DOWN");
      assertEquals(503, down.httpStatus(), "a down component makes the whole down");
      JsonNode details = down.component().path("details");
      assertEquals("redis", details.path("driver").asString());
      String error = details.path("error").asString();
      assertFalse(error.isBlank(), down.component().toString());
      assertFalse(error.contains("\tat ") || error.contains("Exception:"), error);
      assertFalse(down.component().toString().contains(id), "no session ID in the health");
    } finally {
      redis.restart();
    }
    SatchelHealth back = awaitHealth("UP");
    assertEquals(200, back.httpStatus());
    assertEquals("redis", back.component().path("details").path("driver").asString());
  }

  // The satchelsessions endpoint

  @Test
  void sessionsEndpoint_listsAUsersSessionsByFingerprint_andEndsThem() throws Exception {
    Browser laptop = new Browser();
    laptop.logIn("ann", "satchel");
    assertTrue(laptop.isLoggedIn());
    String tablet = storedSessionOf("ann");
    String bobs = storedSessionOf("bob");

    HttpResponse<String> listed = actuator("GET", "/satchelsessions/ann", "ops");
    assertEquals(200, listed.statusCode(), listed.body());
    assertFalse(listed.body().contains(laptop.cookie), "never a session ID: " + listed.body());
    assertFalse(listed.body().contains(tablet), listed.body());
    JsonNode ann = JSON.readTree(listed.body());
    assertEquals("ann", ann.path("principal").asString());
    List<String> fingerprints = new ArrayList<>();
    for (JsonNode session : ann.path("sessions")) {
      fingerprints.add(session.path("fingerprint").asString());
      assertFalse(session.path("createdAt").asString().isBlank(), session.toString());
      assertFalse(session.path("lastAccessedAt").asString().isBlank(), session.toString());
      assertFalse(session.path("expiresAt").asString().isBlank(), session.toString());
    }
    assertEquals(
        List.of(SessionIds.fingerprint(laptop.cookie), SessionIds.fingerprint(tablet)),
        fingerprints);

    assertEquals(401, actuator("GET", "/satchelsessions/ann", null).statusCode());
    assertEquals(
        403, actuator("GET", "/satchelsessions/ann", "eve").statusCode(), "operators only");
    assertEquals(
        401, actuator("DELETE", "/satchelsessions/ann", null).statusCode(), "nothing ended");
    assertTrue(laptop.isLoggedIn());

    assertEquals(
        0,
        operatorJson("DELETE", "/satchelsessions/ann/" + SessionIds.fingerprint(bobs))
            .path("ended")
            .asInt(),
        "bob's fingerprint under ann's name");
    assertEquals(1, operatorJson("GET", "/satchelsessions/bob").path("sessions").size());

    assertEquals(
        1,
        operatorJson("DELETE", "/satchelsessions/ann/" + SessionIds.fingerprint(tablet))
            .path("ended")
            .asInt());
    assertEquals(
        SessionEvent.Reason.ENDED,
        sessionEvents.await(SessionEvent.Destroyed.class, tablet).reason());
    assertTrue(laptop.isLoggedIn(), "only the one session ended");
    assertEquals(1, operatorJson("GET", "/satchelsessions/ann").path("sessions").size());

    String laptopId = laptop.cookie;
    assertEquals(1, operatorJson("DELETE", "/satchelsessions/ann").path("ended").asInt());
    assertEquals(
        SessionEvent.Reason.ENDED_ALL,
        sessionEvents.await(SessionEvent.Destroyed.class, laptopId).reason());
    assertFalse(laptop.isLoggedIn(), "logged out everywhere");
    assertEquals(0, operatorJson("GET", "/satchelsessions/ann").path("sessions").size());
    assertEquals(1, operatorJson("GET", "/satchelsessions/bob").path("sessions").size());
  }

  // Events

  @Test
  void logInAndLogOut_arriveAsApplicationEvents_andAsSpringSecuritysSessionEvents()
      throws Exception {
    Browser browser = new Browser();
    browser.logInPage();
    String anonymous = browser.cookie;
    assertNotNull(anonymous, "the log-in page's CSRF token is kept in a session");
    SessionEvent.Created created = sessionEvents.await(SessionEvent.Created.class, anonymous);
    assertNull(created.principal());

    browser.logIn("bob", "builder");
    String loggedIn = browser.cookie;
    assertNotEquals(anonymous, loggedIn);
    SessionEvent.IdChanged changed = sessionEvents.await(SessionEvent.IdChanged.class, loggedIn);
    assertEquals(anonymous, changed.previousId());
    assertEquals("bob", changed.principal());

    browser.logOut();
    SessionEvent.Destroyed loggedOut = sessionEvents.await(SessionEvent.Destroyed.class, loggedIn);
    assertEquals(SessionEvent.Reason.LOG_OUT, loggedOut.reason());
    assertEquals("bob", loggedOut.principal());

    // The same, as Spring Security's HttpSessionEventPublisher tells its listeners.
    securityEvents.await(
        HttpSessionCreatedEvent.class, event -> event.getSession().getId().equals(anonymous));
    HttpSessionIdChangedEvent idChanged =
        securityEvents.await(
            HttpSessionIdChangedEvent.class, event -> event.getNewSessionId().equals(loggedIn));
    assertEquals(anonymous, idChanged.getOldSessionId());
    securityEvents.await(HttpSessionDestroyedEvent.class, event -> event.getId().equals(loggedIn));
  }

  /** {@code maximumSessions(1)}: a second log-in ends the first session, for that reason. */
  @Test
  void aLogInPastMaximumSessions_endsTheOlderSession_forTheLimit() throws Exception {
    Browser laptop = new Browser();
    laptop.logIn("cleo", "patra");
    String older = laptop.cookie;
    assertTrue(laptop.isLoggedIn());

    Browser phone = new Browser();
    phone.logIn("cleo", "patra");
    assertTrue(phone.isLoggedIn());

    SessionEvent.Destroyed limited = sessionEvents.await(SessionEvent.Destroyed.class, older);
    assertEquals(SessionEvent.Reason.LIMIT, limited.reason());
    assertEquals("cleo", limited.principal());
    securityEvents.await(HttpSessionDestroyedEvent.class, event -> event.getId().equals(older));
    assertFalse(laptop.isLoggedIn(), "the older session is over");
    assertTrue(phone.isLoggedIn());
  }
}
