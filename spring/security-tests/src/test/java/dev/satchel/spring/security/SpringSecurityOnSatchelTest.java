package dev.satchel.spring.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.redis.CommandCounts;
import dev.satchel.redis.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Security application with form log-in, HTTP Basic, CSRF, the saved request, log-out and
 * {@code maximumSessions(2)}, configured as any Spring application is, on the starter: its log-ins
 * live in Satchel, shared by two instances on one store and kept across a restart, and no answer
 * ever sets {@code JSESSIONID}.
 */
final class SpringSecurityOnSatchelTest {
  private static final Pattern SESSION_COOKIE = Pattern.compile("satchel-session=([^;]*)");
  private static final Pattern REMEMBER_ME_COOKIE = Pattern.compile("^remember-me=([^;]*)");
  private static final Pattern CSRF_INPUT =
      Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  @RegisterExtension static final RedisServer redis = new RedisServer();

  /** The application: nothing in it mentions Satchel. */
  @SpringBootApplication
  static class SecuredApp {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(
              requests ->
                  requests
                      .requestMatchers("/public", "/public/**")
                      .permitAll()
                      .anyRequest()
                      .authenticated())
          .formLogin(Customizer.withDefaults())
          .httpBasic(Customizer.withDefaults())
          .logout(Customizer.withDefaults())
          .rememberMe(rememberMe -> rememberMe.key("satchel-security-tests"))
          .sessionManagement(sessions -> sessions.maximumSessions(2))
          .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}wonderland").roles("USER").build(),
          User.withUsername("bob").password("{noop}builder").roles("USER").build());
    }

    @Bean
    AccountController accountController(SessionRegistry registry) {
      return new AccountController(registry);
    }
  }

  @RestController
  static class AccountController {
    private final SessionRegistry registry;

    AccountController(SessionRegistry registry) {
      this.registry = registry;
    }

    @GetMapping("/public")
    String open() {
      return "public";
    }

    /** The user and cart through typed keys of the Satchel session, as an app without log-in. */
    @GetMapping("/public/cart")
    String cart(Session session) {
      return session.get("userName", ValueCodecs.strings()).orElse("-")
          + ":"
          + session.get("cart", ValueCodecs.list(ValueCodecs.strings())).orElse(List.of());
    }

    @GetMapping("/me")
    String me(Authentication authentication) {
      return "me:" + authentication.getName();
    }

    @GetMapping("/csrf")
    String csrf(CsrfToken token) {
      return token.getToken();
    }

    @PostMapping("/echo")
    String echo() {
      return "echoed";
    }

    @PostMapping("/logout-everywhere")
    String logOutEverywhere(Authentication authentication) {
      List<SessionInformation> sessions =
          registry.getAllSessions(authentication.getPrincipal(), false);
      sessions.forEach(SessionInformation::expireNow);
      return "ended " + sessions.size();
    }
  }

  /** Where the store lives, so that a second instance or a restart shares it. */
  private static List<String> settings(String driver) throws Exception {
    List<String> settings = new ArrayList<>(List.of("satchel.driver=" + driver));
    switch (driver) {
      case "fs" ->
          settings.add(
              "satchel.driver.base=" + Files.createTempDirectory("satchel-security").toString());
      case "redis" -> settings.add("satchel.driver.url=" + redis.url());
      default -> {}
    }
    return settings;
  }

  private static ConfigurableApplicationContext start(List<String> settings) {
    List<String> properties = new ArrayList<>(settings);
    properties.add("server.port=0");
    properties.add("satchel.cookie.secure=false");
    // The tests that count store commands must not count a periodic expiry check's.
    properties.add("satchel.expiry-check-interval=off");
    properties.add("spring.main.banner-mode=off");
    return new SpringApplicationBuilder(SecuredApp.class)
        .properties(properties.toArray(String[]::new))
        .run();
  }

  private static URI uri(ConfigurableApplicationContext app, String path) {
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** A browser that keeps the session cookie and never follows redirects. */
  private static final class Browser {
    String cookie;
    String rememberMe;

    HttpResponse<String> get(ConfigurableApplicationContext app, String path) throws Exception {
      return send(app, path, HttpRequest.newBuilder(uri(app, path)).GET());
    }

    HttpResponse<String> post(ConfigurableApplicationContext app, String path, String form)
        throws Exception {
      return send(
          app,
          path,
          HttpRequest.newBuilder(uri(app, path))
              .header("Content-Type", "application/x-www-form-urlencoded")
              .POST(HttpRequest.BodyPublishers.ofString(form)));
    }

    private HttpResponse<String> send(
        ConfigurableApplicationContext app, String path, HttpRequest.Builder request)
        throws Exception {
      List<String> sent = new ArrayList<>();
      if (cookie != null) {
        sent.add("satchel-session=" + cookie);
      }
      if (rememberMe != null) {
        sent.add("remember-me=" + rememberMe);
      }
      if (!sent.isEmpty()) {
        request.header("Cookie", String.join("; ", sent));
      }
      // What a browser accepts: Spring Security then answers with its log-in page, not Basic's 401.
      request.header("Accept", "text/html,*/*;q=0.8");
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String header : response.headers().allValues("Set-Cookie")) {
        assertFalse(header.toUpperCase().contains("JSESSIONID"), path + ": " + header);
        Matcher m = SESSION_COOKIE.matcher(header);
        if (m.find()) {
          cookie = header.contains("Max-Age=0") ? null : m.group(1);
        }
        Matcher remembered = REMEMBER_ME_COOKIE.matcher(header);
        if (remembered.find()) {
          rememberMe = header.contains("Max-Age=0") ? null : remembered.group(1);
        }
      }
      return response;
    }

    /** Logs in through the form, as a browser sent to the log-in page does. */
    HttpResponse<String> logIn(ConfigurableApplicationContext app, String user, String password)
        throws Exception {
      return logIn(app, user, password, "");
    }

    /** Logs in through the form, adding {@code extraFields} to what it posts. */
    HttpResponse<String> logIn(
        ConfigurableApplicationContext app, String user, String password, String extraFields)
        throws Exception {
      HttpResponse<String> page = get(app, "/login");
      Matcher csrf = CSRF_INPUT.matcher(page.body());
      assertTrue(csrf.find(), page.body());
      return post(
          app,
          "/login",
          "username="
              + user
              + "&password="
              + password
              + "&_csrf="
              + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)
              + extraFields);
    }

    boolean isLoggedIn(ConfigurableApplicationContext app) throws Exception {
      HttpResponse<String> response = get(app, "/me");
      return response.statusCode() == 200 && response.body().startsWith("me:");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void formLogIn_savedRequest_csrf_andLogOut_liveInSatchel(String driver) throws Exception {
    List<String> settings = settings(driver);
    try (ConfigurableApplicationContext app = start(settings)) {
      Browser browser = new Browser();
      HttpResponse<String> challenge = browser.get(app, "/me?from=bookmark");
      assertEquals(302, challenge.statusCode());
      String anonymous = browser.cookie;
      assertNotNull(anonymous, "the saved request lives in a Satchel session");

      HttpResponse<String> loggedIn = browser.logIn(app, "alice", "wonderland");
      assertEquals(302, loggedIn.statusCode());
      assertTrue(
          loggedIn.headers().firstValue("Location").orElseThrow().contains("/me?from=bookmark"),
          "the saved request comes back: " + loggedIn.headers().map());
      assertNotEquals(anonymous, browser.cookie, "the session ID rotates at log-in");
      assertEquals("me:alice", browser.get(app, "/me").body());

      Browser planted = new Browser();
      planted.cookie = anonymous;
      assertFalse(planted.isLoggedIn(app), "the pre-log-in ID does not carry the log-in");

      assertEquals(403, browser.post(app, "/echo", "").statusCode(), "CSRF without a token");
      String token = browser.get(app, "/csrf").body();
      assertEquals(
          "echoed",
          browser
              .post(app, "/echo", "_csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8))
              .body());

      String loggedInId = browser.cookie;
      HttpResponse<String> loggedOut =
          browser.post(app, "/logout", "_csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
      assertEquals(302, loggedOut.statusCode());
      assertFalse(browser.isLoggedIn(app));
      Browser replay = new Browser();
      replay.cookie = loggedInId;
      assertFalse(replay.isLoggedIn(app), "a logged-out ID is dead");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void rememberMe_logsInAgain_intoANewSatchelSession(String driver) throws Exception {
    List<String> settings = settings(driver);
    try (ConfigurableApplicationContext app = start(settings)) {
      Browser browser = new Browser();
      assertEquals(302, browser.logIn(app, "alice", "wonderland", "&remember-me=on").statusCode());
      assertNotNull(browser.rememberMe, "the log-in set the remember-me cookie");

      // A browser that kept only the remember-me cookie, as after closing it.
      Browser returning = new Browser();
      returning.rememberMe = browser.rememberMe;
      assertTrue(returning.isLoggedIn(app), "remember-me logs in");
      assertNotNull(returning.cookie, "the remembered log-in is kept in a Satchel session");
      assertNotEquals(browser.cookie, returning.cookie);
      returning.rememberMe = null;
      assertTrue(returning.isLoggedIn(app), "the session alone keeps the log-in");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"fs", "redis"})
  void aRestart_keepsTheLogIn(String driver) throws Exception {
    List<String> settings = settings(driver);
    Browser browser = new Browser();
    try (ConfigurableApplicationContext app = start(settings)) {
      assertEquals(302, browser.logIn(app, "bob", "builder").statusCode());
      assertTrue(browser.isLoggedIn(app));
    }
    try (ConfigurableApplicationContext restarted = start(settings)) {
      assertTrue(browser.isLoggedIn(restarted));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis"})
  void twoInstances_shareLogIns_limitSessions_andLogOutEverywhere(String driver) throws Exception {
    List<String> settings = settings(driver);
    try (ConfigurableApplicationContext first = start(settings);
        ConfigurableApplicationContext second = start(settings)) {
      Browser laptop = new Browser();
      laptop.get(first, "/me?from=laptop");
      // The saved request and the log-in page's CSRF token on one instance, the log-in on the
      // other: both are shared.
      HttpResponse<String> page = laptop.get(first, "/login");
      Matcher csrf = CSRF_INPUT.matcher(page.body());
      assertTrue(csrf.find());
      HttpResponse<String> loggedIn =
          laptop.post(
              second,
              "/login",
              "username=alice&password=wonderland&_csrf="
                  + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8));
      assertEquals(302, loggedIn.statusCode());
      assertTrue(
          loggedIn.headers().firstValue("Location").orElseThrow().contains("/me?from=laptop"),
          "the request saved on one instance is resumed by the other: " + loggedIn.headers().map());
      assertTrue(laptop.isLoggedIn(second), "logged in through one, logged in on the other");
      String laptopId = laptop.cookie;

      Browser phone = new Browser();
      phone.logIn(second, "alice", "wonderland");
      String phoneId = phone.cookie;
      Browser tablet = new Browser();
      tablet.logIn(first, "alice", "wonderland");
      String tabletId = tablet.cookie;
      // maximumSessions(2): the third log-in ended the oldest session, on every instance.
      assertFalse(laptop.isLoggedIn(second));
      assertFalse(laptop.isLoggedIn(first));
      assertTrue(phone.isLoggedIn(first));
      assertTrue(tablet.isLoggedIn(second));

      String token = tablet.get(second, "/csrf").body();
      assertEquals(
          "ended 2",
          tablet
              .post(
                  second,
                  "/logout-everywhere",
                  "_csrf=" + URLEncoder.encode(token, StandardCharsets.UTF_8))
              .body());
      assertFalse(phone.isLoggedIn(first));
      assertFalse(phone.isLoggedIn(second));
      assertFalse(tablet.isLoggedIn(first));
      // Sessions ended through the registry leave the user's index in the store at once.
      try (RedisClient client = RedisClient.create(redis.url());
          StatefulRedisConnection<String, String> connection = client.connect()) {
        for (String id : List.of(laptopId, phoneId, tabletId)) {
          assertFalse(connection.sync().hexists("principals:{alice}", id), id);
        }
      }
    }
  }

  @Test
  void anAuthenticatedRequestThatOnlyReads_costsOneRedisCommand() throws Exception {
    List<String> settings = settings("redis");
    try (ConfigurableApplicationContext app = start(settings);
        RedisClient client = RedisClient.create(redis.url());
        StatefulRedisConnection<String, String> connection = client.connect()) {
      Browser browser = new Browser();
      browser.logIn(app, "alice", "wonderland");
      assertTrue(browser.isLoggedIn(app));
      Map<String, Integer> commands =
          CommandCounts.during(
              List.of(connection.sync()),
              () -> {
                try {
                  assertEquals("me:alice", browser.get(app, "/me").body());
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      // GETEX reads the session and pushes its idle expiry in the same command.
      assertEquals(Map.of("getex", 1), commands);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "redis"})
  void httpBasic_withSessions_logsInOnce(String driver) throws Exception {
    List<String> settings = settings(driver);
    try (ConfigurableApplicationContext app = start(settings)) {
      Browser client = new Browser();
      HttpRequest.Builder basic =
          HttpRequest.newBuilder(uri(app, "/me"))
              .header(
                  "Authorization",
                  "Basic "
                      + java.util.Base64.getEncoder()
                          .encodeToString("bob:builder".getBytes(StandardCharsets.UTF_8)));
      HttpResponse<String> first = client.send(app, "/me", basic);
      assertEquals("me:bob", first.body());
      assertNotNull(client.cookie, "the log-in is kept in a Satchel session");
      assertTrue(client.isLoggedIn(app), "the next request needs no credentials");
    }
  }
}
