package dev.satchel.spring.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.redis.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * OAuth2 log-in on Satchel, against a provider that the application itself serves on its own port
 * (authorization, token and user-info endpoints): the authorization request waits in a Satchel
 * session between the redirect out and the way back, the log-in lands in the session under a new
 * ID, and the other instance on the same Redis knows the user. No response sets {@code JSESSIONID}.
 */
final class OAuth2LogInOnSatchelTest {
  private static final Pattern SESSION_COOKIE = Pattern.compile("satchel-session=([^;]*)");
  private static final HttpClient CLIENT = HttpClient.newHttpClient();
  @RegisterExtension static final RedisServer redis = new RedisServer();

  /** The application, and the provider it logs in with, which it serves itself. */
  @SpringBootApplication
  static class OAuth2App {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(
              requests ->
                  requests.requestMatchers("/provider/**").permitAll().anyRequest().authenticated())
          .oauth2Login(Customizer.withDefaults())
          .csrf(csrf -> csrf.ignoringRequestMatchers("/provider/**"))
          .build();
    }

    @Bean
    Endpoints endpoints() {
      return new Endpoints();
    }
  }

  @RestController
  static class Endpoints {
    @GetMapping("/me")
    String me(Authentication authentication) {
      return "me:" + authentication.getName();
    }

    /** The provider's consent: granted at once, back to the application with a code. */
    @GetMapping("/provider/authorize")
    ResponseEntity<Void> authorize(
        @RequestParam("redirect_uri") String redirectUri, @RequestParam String state) {
      return ResponseEntity.status(302)
          .location(URI.create(redirectUri + "?code=the-code&state=" + state))
          .build();
    }

    @PostMapping(value = "/provider/token", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> token(@RequestParam String code) {
      if (!code.equals("the-code")) {
        throw new IllegalArgumentException("unknown code");
      }
      return Map.of("access_token", "the-token", "token_type", "Bearer", "expires_in", 3600);
    }

    @GetMapping(value = "/provider/userinfo", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> userInfo() {
      return Map.of("login", "octocat", "id", 42);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static ConfigurableApplicationContext start(int port) {
    String provider = "http://127.0.0.1:" + port + "/provider";
    String registration = "spring.security.oauth2.client.registration.fake.";
    String providerSettings = "spring.security.oauth2.client.provider.fake.";
    List<String> properties =
        new ArrayList<>(
            List.of(
                "server.port=" + port,
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "satchel.driver=redis",
                "satchel.driver.url=" + redis.url(),
                "satchel.cookie.secure=false",
                registration + "client-id=shop",
                registration + "client-secret=shop-secret",
                registration + "authorization-grant-type=authorization_code",
                registration + "redirect-uri={baseUrl}/login/oauth2/code/{registrationId}",
                registration + "scope=profile",
                providerSettings + "authorization-uri=" + provider + "/authorize",
                providerSettings + "token-uri=" + provider + "/token",
                providerSettings + "user-info-uri=" + provider + "/userinfo",
                providerSettings + "user-name-attribute=login"));
    return new SpringApplicationBuilder(OAuth2App.class)
        .properties(properties.toArray(String[]::new))
        .run();
  }

  /** A browser that keeps the session cookie and follows redirects itself. */
  private static final class Browser {
    String cookie;

    HttpResponse<String> get(URI uri) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(uri).header("Accept", "text/html,*/*;q=0.8");
      if (cookie != null && !uri.getPath().startsWith("/provider")) {
        request.header("Cookie", "satchel-session=" + cookie);
      }
      HttpResponse<String> response =
          CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String header : response.headers().allValues("Set-Cookie")) {
        assertFalse(header.toUpperCase().contains("JSESSIONID"), uri + ": " + header);
        Matcher m = SESSION_COOKIE.matcher(header);
        if (m.find()) {
          cookie = header.contains("Max-Age=0") ? null : m.group(1);
        }
      }
      return response;
    }

    /**
     * Follows redirects from {@code uri}, as a browser does, to the first answer that is not one.
     */
    HttpResponse<String> follow(URI uri) throws Exception {
      URI next = uri;
      for (int hops = 0; hops < 10; hops++) {
        HttpResponse<String> response = get(next);
        if (response.statusCode() / 100 != 3) {
          return response;
        }
        next = next.resolve(response.headers().firstValue("Location").orElseThrow());
      }
      throw new AssertionError("too many redirects from " + uri);
    }
  }

  @Test
  void oauth2LogIn_keepsItsStateInSatchel_andTheOtherInstanceKnowsTheUser() throws Exception {
    int firstPort = freePort();
    int secondPort = freePort();
    try (ConfigurableApplicationContext first = start(firstPort);
        ConfigurableApplicationContext second = start(secondPort)) {
      Browser browser = new Browser();
      URI me = URI.create("http://127.0.0.1:" + firstPort + "/me");

      // Out to the provider: the authorization request waits in a Satchel session.
      HttpResponse<String> challenge = browser.get(me);
      assertEquals(302, challenge.statusCode());
      HttpResponse<String> out =
          browser.get(me.resolve(challenge.headers().firstValue("Location").orElseThrow()));
      assertEquals(302, out.statusCode());
      assertTrue(
          out.headers().firstValue("Location").orElseThrow().contains("/provider/authorize"),
          out.headers().map().toString());
      String beforeLogIn = browser.cookie;
      assertNotNull(beforeLogIn, "the authorization request is kept in a Satchel session");

      // The provider sends the browser back; the log-in lands under a new ID.
      HttpResponse<String> landed =
          browser.follow(me.resolve(out.headers().firstValue("Location").orElseThrow()));
      assertEquals(200, landed.statusCode(), landed.body());
      assertEquals("me:octocat", landed.body());
      assertNotEquals(beforeLogIn, browser.cookie, "the session ID rotates at log-in");

      HttpResponse<String> elsewhere =
          browser.get(URI.create("http://127.0.0.1:" + secondPort + "/me"));
      assertEquals("me:octocat", elsewhere.body(), "the other instance knows the user");

      Browser planted = new Browser();
      planted.cookie = beforeLogIn;
      assertEquals(302, planted.get(me).statusCode(), "the pre-log-in ID carries no log-in");
    }
  }
}
