package dev.satchel.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.spi.SessionIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The session cookie over real HTTP: one {@code Set-Cookie} for it per response, the latest,
 * however often the request changed it, with the application's own cookies left alone; and the
 * stored session chosen when a request carries several session cookies.
 */
final class SessionCookieHttpTest {
  private static final String PREFIX = "satchel-session=";
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static Satchel satchel(String driver) throws Exception {
    Satchel.Builder builder = Satchel.builder().driver(driver).secure(false);
    if (driver.equals("fs")) {
      builder
          .driverOption("base", Files.createTempDirectory("satchel-cookie").toString())
          .driverOption("fsync", "false");
    }
    return builder.build();
  }

  private static HttpResponse<String> send(String method, URI uri, String cookieHeader)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    if (cookieHeader != null) {
      request.header("Cookie", cookieHeader);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The response's {@code Set-Cookie} headers for the session cookie, as sent. */
  private static List<String> sessionCookies(HttpResponse<?> response) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(header -> header.startsWith(PREFIX))
        .toList();
  }

  private static List<String> otherCookies(HttpResponse<?> response) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(header -> !header.startsWith(PREFIX))
        .toList();
  }

  /** The ID in the response's one session cookie. */
  private static String onlySessionId(HttpResponse<?> response) {
    List<String> cookies = sessionCookies(response);
    assertEquals(1, cookies.size(), () -> "session cookies: " + cookies);
    String cookie = cookies.get(0);
    return cookie.substring(PREFIX.length(), cookie.indexOf(';'));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void setThenRegenerate_sendsOneCookie_withTheNewId(String driver) throws Exception {
    try (Satchel satchel = satchel(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> fresh =
          send("POST", app.uri("/set-then-regenerate?key=user&value=alice"), null);
      String freshId = onlySessionId(fresh);
      assertEquals(freshId, fresh.body());
      assertEquals("alice", send("GET", app.uri("/get?key=user"), PREFIX + freshId).body());

      // Log-in with a session that already exists: the middleware's write names the old ID first.
      String old = onlySessionId(send("POST", app.uri("/set?key=cart&value=3"), null));
      HttpResponse<String> login =
          send("POST", app.uri("/set-then-regenerate?key=user&value=bob"), PREFIX + old);
      String loggedIn = onlySessionId(login);
      assertNotEquals(old, loggedIn);
      assertTrue(SessionIds.isValid(loggedIn));
      assertEquals(loggedIn, login.body());
      assertEquals("bob", send("GET", app.uri("/get?key=user"), PREFIX + loggedIn).body());
      assertEquals("3", send("GET", app.uri("/get?key=cart"), PREFIX + loggedIn).body());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void setThenDestroy_sendsOnlyTheDeletionCookie(String driver) throws Exception {
    try (Satchel satchel = satchel(driver);
        TestApp app = new TestApp(satchel)) {
      String id = onlySessionId(send("POST", app.uri("/set?key=user&value=alice"), null));
      HttpResponse<String> logout = send("POST", app.uri("/set-then-destroy"), PREFIX + id);
      assertEquals(
          List.of(
              "satchel-session=deleted; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly;"
                  + " SameSite=Lax"),
          sessionCookies(logout));
      assertEquals("none", send("GET", app.uri("/get?key=user"), PREFIX + id).body());

      // Without a session to begin with: the middleware's write never reaches the client either.
      assertEquals(
          List.of(
              "satchel-session=deleted; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly;"
                  + " SameSite=Lax"),
          sessionCookies(send("POST", app.uri("/set-then-destroy"), null)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void theApplicationsCookies_areUntouched(String driver) throws Exception {
    try (Satchel satchel = satchel(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> login =
          send("POST", app.uri("/set-then-regenerate?key=user&value=alice"), null);
      assertEquals(List.of("theme=dark", "tracking=1; Path=/"), otherCookies(login));
      onlySessionId(login);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void aChangeAfterTheBodyStarted_replacesTheCookieSentBefore(String driver) throws Exception {
    try (Satchel satchel = satchel(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> response =
          send("POST", app.uri("/set-write-regenerate?key=user&value=alice"), null);
      String id = onlySessionId(response);
      assertEquals("before " + id, response.body());
      assertEquals(List.of("theme=dark", "tracking=1; Path=/"), otherCookies(response));
      assertEquals("alice", send("GET", app.uri("/get?key=user"), PREFIX + id).body());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void headerMode_sendsTheHeaderOnce_withTheLatestId(String driver) throws Exception {
    try (Satchel satchel = satchel(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> login =
          send("POST", app.uri("/set-then-regenerate?key=user&value=alice"), null);
      assertEquals(List.of(login.body()), login.headers().allValues("X-Session-Token"));
      HttpResponse<String> logout =
          CLIENT.send(
              HttpRequest.newBuilder(app.uri("/set-then-destroy"))
                  .header("X-Session-Token", login.body())
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(List.of(""), logout.headers().allValues("X-Session-Token"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void asyncRequestWithoutABody_sendsTheCookie_andIsStoredBeforeItCompletes(String driver)
      throws Exception {
    try (Satchel satchel = satchel(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> response =
          send("POST", app.uri("/async-set-quiet?key=a&value=later"), null);
      String id = onlySessionId(response);
      assertEquals("later", send("GET", app.uri("/get?key=a"), PREFIX + id).body());
    }
  }

  /** A stale cookie on a parent path, sent before the current one, must not hide the session. */
  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void twoSessionCookies_theOneTheStoreKnowsIsUsed(String driver) throws Exception {
    try (Satchel satchel = satchel(driver);
        TestApp app = new TestApp(satchel)) {
      String stored = onlySessionId(send("POST", app.uri("/set?key=k&value=fromB"), null));
      String unknown = SessionIds.generate();
      assertEquals(
          "fromB",
          send("GET", app.uri("/get?key=k"), PREFIX + unknown + "; " + PREFIX + stored).body());
      assertEquals(
          "fromB",
          send("GET", app.uri("/get?key=k"), PREFIX + stored + "; " + PREFIX + unknown).body());
    }
  }
}
