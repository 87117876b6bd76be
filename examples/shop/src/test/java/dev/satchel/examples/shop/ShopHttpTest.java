package dev.satchel.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.testing.MutableClock;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shop over real HTTP: the page, the API endpoint, the form action, the middleware. */
final class ShopHttpTest {
  private final MutableClock clock = new MutableClock();
  private Satchel satchel;
  private Server server;
  private HttpClient browser;

  @BeforeEach
  void start() throws Exception {
    // A plain-HTTP Java client sends no Secure cookies, so this shop runs without them.
    satchel = Satchel.builder().driver("memory").secure(false).build();
    server = ShopApp.start(satchel, 0, clock);
    browser =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
    satchel.close();
  }

  private URI uri(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return browser.send(
        HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return browser.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void page_showsAnEmptyCartAndTheProducts() throws Exception {
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("🛒 0 items"), page.body());
    assertTrue(page.body().contains("Canvas backpack"));
  }

  @Test
  void api_requiresAnItem() throws Exception {
    HttpResponse<String> missing = post("/api/addToCart", "application/json", "{}");
    assertEquals(400, missing.statusCode());
    assertEquals("Item is required", missing.body());
    assertEquals(400, post("/api/addToCart", "application/json", "not json").statusCode());
  }

  @Test
  void api_addsToTheCartAndAnswersWithIt() throws Exception {
    assertEquals(
        "[\"sku-0001\"]",
        post("/api/addToCart", "application/json", "{\"item\":\"sku-0001\"}").body());
    assertEquals(
        "[\"sku-0001\",\"sku-0002\"]",
        post("/api/addToCart", "application/json", "{\"item\":\"sku-0002\"}").body());
    assertTrue(get("/").body().contains("🛒 2 items"));
  }

  @Test
  void formAction_addsAndRedirectsToThePageThatShowsIt() throws Exception {
    HttpResponse<String> page =
        post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0003");
    assertEquals(uri("/"), page.uri());
    assertTrue(page.body().contains("🛒 1 item<"), page.body());
    assertTrue(page.body().contains("Wool socks</li>"));
  }

  @Test
  void middleware_recordsTheLastVisit() throws Exception {
    assertTrue(get("/").body().contains("First visit"));
    String before = clock.instant().toString();
    clock.advance(Duration.ofMinutes(5));
    assertTrue(get("/").body().contains("Last visit: " + before));
  }

  @Test
  void logInKeepsTheCartUnderANewIdAndLogOutEndsTheSession() throws Exception {
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0001");
    String share = get("/").body().replaceAll("(?s).*href=\"/share\\?id=([^\"]+)\".*", "$1");
    HttpResponse<String> loggedIn =
        post("/login", "application/x-www-form-urlencoded", "name=Ann+<b>");
    assertTrue(loggedIn.body().contains("Signed in as Ann &lt;b&gt;"), loggedIn.body());
    assertTrue(loggedIn.body().contains("🛒 1 item<"));
    assertFalse(loggedIn.body().contains(share), "the ID changed at log-in");
    HttpResponse<String> loggedOut = post("/logout", "application/x-www-form-urlencoded", "");
    assertTrue(loggedOut.body().contains("🛒 0 items"), loggedOut.body());
    assertTrue(loggedOut.body().contains("Log in"));
  }

  @Test
  void shareLink_opensTheSharedCart() throws Exception {
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0004");
    String id = get("/").body().replaceAll("(?s).*href=\"/share\\?id=([^\"]+)\".*", "$1");
    HttpClient friend =
        HttpClient.newBuilder()
            .cookieHandler(new CookieManager())
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    HttpResponse<String> shared =
        friend.send(
            HttpRequest.newBuilder(uri("/share?id=" + id)).build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
    assertEquals(
        404,
        friend
            .send(
                HttpRequest.newBuilder(uri("/share?id=../../etc/passwd")).build(),
                HttpResponse.BodyHandlers.ofString())
            .statusCode());
  }
}
