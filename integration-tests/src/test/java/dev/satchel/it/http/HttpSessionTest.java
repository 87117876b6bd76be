package dev.satchel.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.redis.RedisServer;
import dev.satchel.redis.RedisServerProcess;
import dev.satchel.spi.SessionIds;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Astro's session integration scenarios (I1–I8) over real HTTP, plus the guarantees of the filter:
 * cookie attributes, writes visible after a redirect, a failed save as a 500, parallel requests,
 * async requests and the header mode; for the memory, fs and redis drivers.
 */
final class HttpSessionTest {
  private static final Pattern SESSION_COOKIE = Pattern.compile("satchel-session=([^;]*)");
  @RegisterExtension static final RedisServer redis = new RedisServer();

  private static Satchel satchel(String driver, Consumer<Satchel.Builder> configure)
      throws Exception {
    Satchel.Builder builder = Satchel.builder().driver(driver);
    switch (driver) {
      case "fs" ->
          builder
              .driverOption("base", Files.createTempDirectory("satchel-http").toString())
              .driverOption("fsync", "false");
      case "redis" -> builder.driverOption("url", redis.url());
      default -> {}
    }
    configure.accept(builder);
    return builder.build();
  }

  /** Plain-HTTP test clients do not send Secure cookies, so the app under test turns it off. */
  private static Satchel plain(String driver) throws Exception {
    return satchel(driver, b -> b.secure(false));
  }

  private static HttpClient browser() {
    return HttpClient.newBuilder()
        .cookieHandler(new CookieManager())
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  private static final HttpClient RAW = HttpClient.newHttpClient();

  private static HttpResponse<String> send(HttpClient client, String method, URI uri, String cookie)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (cookie != null) {
      request.header("Cookie", "satchel-session=" + cookie);
    }
    request.method(method, HttpRequest.BodyPublishers.noBody());
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String issued(HttpResponse<?> response) {
    List<String> headers = response.headers().allValues("Set-Cookie");
    String last = null;
    for (String header : headers) {
      Matcher m = SESSION_COOKIE.matcher(header);
      if (m.find()) {
        last = m.group(1);
      }
    }
    return last;
  }

  // ------------------------------------------------------------------------------- I1–I8

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i1_regenerate_issuesANewId(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      String first = issued(send(RAW, "GET", app.uri("/regenerate"), null));
      String second = issued(send(RAW, "GET", app.uri("/regenerate"), first));
      assertTrue(SessionIds.isValid(first) && SessionIds.isValid(second));
      assertNotEquals(first, second);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i2_cookieAttributes_exactly(String driver) throws Exception {
    try (Satchel satchel = satchel(driver, b -> {});
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> response = send(RAW, "GET", app.uri("/update"), null);
      String id = issued(response);
      assertEquals(
          List.of("satchel-session=" + id + "; Path=/; HttpOnly; Secure; SameSite=Lax"),
          response.headers().allValues("Set-Cookie"));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i3_valuesAreSavedAsTheyWereAtSet(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      HttpClient browser = browser();
      assertEquals(
          "{\"previousValue\":\"none\"}", send(browser, "GET", app.uri("/update"), null).body());
      assertEquals(
          "{\"previousValue\":\"expected\"}",
          send(browser, "GET", app.uri("/update"), null).body());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i4_urlsRoundTrip(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      HttpClient browser = browser();
      assertEquals(
          "Favorite URL set to https://domain.invalid/ from nothing",
          send(browser, "POST", app.uri("/addUrl?favoriteUrl=https://domain.invalid/"), null)
              .body());
      assertEquals(
          "Favorite URL set to https://example.com/ from https://domain.invalid/",
          send(browser, "POST", app.uri("/addUrl?favoriteUrl=https://example.com/"), null).body());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i5_loadById_withoutACookie(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> added = send(RAW, "POST", app.uri("/addToCart?productId=item1"), null);
      assertEquals("item1", added.body());
      HttpResponse<String> loaded =
          send(RAW, "POST", app.uri("/loadCart?id=" + issued(added)), null);
      assertEquals("item1", loaded.body());
      assertEquals(issued(added), issued(loaded));
      assertEquals(
          404,
          send(RAW, "POST", app.uri("/loadCart?id=" + SessionIds.generate()), null).statusCode());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i6_unknownCookie_isNeverAdopted(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      for (String planted : new String[] {"nonexistent-session-id-12345", SessionIds.generate()}) {
        HttpResponse<String> login = send(RAW, "POST", app.uri("/login"), planted);
        assertNotEquals(planted, issued(login));
        assertEquals(
            "{\"previousValue\":\"none\"}", send(RAW, "GET", app.uri("/update"), planted).body());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i7_knownId_isKept(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      String id = issued(send(RAW, "GET", app.uri("/update"), null));
      assertEquals(id, issued(send(RAW, "GET", app.uri("/update"), id)));
      assertEquals(id, issued(send(RAW, "GET", app.uri("/update"), id)));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void i8_regenerateAtLogin_leavesNothingUnderTheOldId(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      String before = issued(send(RAW, "GET", app.uri("/update"), null));
      String after = issued(send(RAW, "POST", app.uri("/login-safe"), before));
      assertNotEquals(before, after);
      assertEquals(
          "{\"previousValue\":\"expected\"}", send(RAW, "GET", app.uri("/update"), after).body());
      // The old ID was replaced moments ago: a request still carrying it reads nothing, and its
      // write is refused rather than forking a session the logged-in client would lose: a 409,
      // since the client has the new ID and a retry with it succeeds.
      HttpResponse<String> stale = send(RAW, "GET", app.uri("/update"), before);
      assertEquals(409, stale.statusCode());
      assertTrue(stale.body().contains("replaced by a log-in"), stale.body());
      assertEquals(
          "{\"previousValue\":\"expected\"}", send(RAW, "GET", app.uri("/update"), after).body());
    }
  }

  // ------------------------------------------------------------------------------- the filter

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void writeBeforeARedirect_isVisibleToTheRedirectedRequest(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      HttpClient browser = browser();
      for (int i = 0; i < 20; i++) {
        HttpResponse<String> followed =
            send(
                browser, "POST", app.uri("/set?key=step&value=" + i + "&then=/get?key=step"), null);
        assertEquals(Integer.toString(i), followed.body());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void parallelRequestsFromOneClient_loseNoKey(String driver) throws Exception {
    try (Satchel satchel = satchel(driver, b -> b.secure(false).maxCommitAttempts(100));
        TestApp app = new TestApp(satchel)) {
      String cookie = issued(send(RAW, "POST", app.uri("/set?key=start&value=0"), null));
      List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        HttpRequest request =
            HttpRequest.newBuilder(app.uri("/set?key=k" + i + "&value=" + i))
                .header("Cookie", "satchel-session=" + cookie)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build();
        requests.add(RAW.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      for (CompletableFuture<HttpResponse<String>> request : requests) {
        assertEquals(200, request.get().statusCode());
      }
      for (int i = 0; i < 24; i++) {
        assertEquals(
            Integer.toString(i), send(RAW, "GET", app.uri("/get?key=k" + i), cookie).body());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void asyncRequest_isSavedWhenItCompletes(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> response =
          send(RAW, "POST", app.uri("/async-set?key=a&value=later"), null);
      assertEquals("async set", response.body());
      assertEquals("later", send(RAW, "GET", app.uri("/get?key=a"), issued(response)).body());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void sessionHeader_worksWithoutCookies(String driver) throws Exception {
    try (Satchel satchel = plain(driver);
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> first =
          RAW.send(
              HttpRequest.newBuilder(app.uri("/set?key=a&value=1"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      String token = first.headers().firstValue("X-Session-Token").orElseThrow();
      assertEquals(
          "1",
          RAW.send(
                  HttpRequest.newBuilder(app.uri("/get?key=a"))
                      .header("X-Session-Token", token)
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    }
  }

  @org.junit.jupiter.api.Test
  void failedSave_isA500AndNeverASuccess() throws Exception {
    String store = "http-" + System.nanoTime();
    try (Satchel satchel =
            Satchel.builder()
                .driver("counting")
                .driverOption("store", store)
                .secure(false)
                .build();
        TestApp app = new TestApp(satchel)) {
      dev.satchel.testing.CountingDriverProvider.store(store).failWrites("disk full");
      HttpResponse<String> write = send(RAW, "POST", app.uri("/set?key=a&value=1"), null);
      assertEquals(500, write.statusCode());
      assertNotEquals("set", write.body());
      assertTrue(write.body().contains("The session could not be saved"), write.body());
      HttpResponse<String> redirect =
          send(RAW, "POST", app.uri("/set?key=a&value=1&then=/get?key=a"), null);
      assertEquals(500, redirect.statusCode());
    }
  }

  @org.junit.jupiter.api.Test
  void redisDown_isA500() throws Exception {
    try (RedisServerProcess dying = RedisServerProcess.start(false);
        Satchel satchel =
            Satchel.builder()
                .driver("redis")
                .driverOption("url", dying.url())
                .driverOption("timeout", "PT1S")
                .secure(false)
                .build();
        TestApp app = new TestApp(satchel)) {
      assertEquals(200, send(RAW, "POST", app.uri("/set?key=a&value=1"), null).statusCode());
      dying.kill();
      assertEquals(500, send(RAW, "POST", app.uri("/set?key=a&value=1"), null).statusCode());
    }
  }
}
