package dev.satchel.examples.springshop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.testing.MutableClock;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.convention.TestBean;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Spring Boot shop over real HTTP, as the Jetty shop's tests drive it: the page, the API
 * endpoint, the form action, the middleware, log-in and log-out, the shared cart, and 32 adds at
 * once. Each subclass runs them on one driver.
 */
abstract class SpringShopHttpTests {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final Pattern SHARE_LINK =
      Pattern.compile("<a id=\"share-link\" href=\"(/shared/[^\"]+)\">([^<]*)</a>");

  /** The shop's clock, which the sessions measure expiry by too; the tests move it. */
  @TestBean(name = "clock", methodName = "movableClock")
  Clock clock;

  static Clock movableClock() {
    return new MutableClock();
  }

  @LocalServerPort int port;

  private final CookieManager cookies = new CookieManager();
  private final HttpClient browser = client(cookies);

  private void advance(Duration duration) {
    ((MutableClock) clock).advance(duration);
  }

  private static HttpClient client(CookieManager cookies) {
    return HttpClient.newBuilder()
        .cookieHandler(cookies)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .version(HttpClient.Version.HTTP_1_1)
        .build();
  }

  /** The session ID a client holds in its cookie. */
  private static String sessionId(CookieManager cookies) {
    return cookies.getCookieStore().getCookies().stream()
        .filter(cookie -> cookie.getName().equals(Satchel.DEFAULT_COOKIE_NAME))
        .map(HttpCookie::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no session cookie"));
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return get(browser, path);
  }

  private HttpResponse<String> get(HttpClient client, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return post(browser, path, contentType, body);
  }

  private HttpResponse<String> post(HttpClient client, String path, String contentType, String body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> form(String path, String body) throws Exception {
    return post(path, "application/x-www-form-urlencoded", body);
  }

  private List<String> cartOf(HttpClient client) throws Exception {
    return JSON.readValue(get(client, "/api/cart").body(), STRINGS);
  }

  @Test
  void page_showsAnEmptyCartAndTheProducts() throws Exception {
    HttpResponse<String> page = get("/");
    assertEquals(200, page.statusCode());
    assertEquals(
        "text/html;charset=utf-8",
        page.headers().firstValue("Content-Type").orElseThrow().toLowerCase().replace(" ", ""));
    assertTrue(page.body().contains("🛒 0 items"), page.body());
    assertTrue(page.body().contains("Canvas backpack"));
  }

  @Test
  void api_requiresAnItem() throws Exception {
    HttpResponse<String> missing = post("/api/addToCart", "application/json", "{}");
    assertEquals(400, missing.statusCode());
    assertEquals("Item is required", missing.body());
    assertEquals(400, post("/api/addToCart", "application/json", "not json").statusCode());
    assertEquals(400, post("/api/addToCart", "application/json", "{\"item\":5}").statusCode());
  }

  @Test
  void api_addsToTheCartAndAnswersWithIt() throws Exception {
    HttpResponse<String> first =
        post("/api/addToCart", "application/json", "{\"item\":\"sku-0001\"}");
    assertEquals("[\"sku-0001\"]", first.body());
    assertTrue(
        first.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals(
        "[\"sku-0001\",\"sku-0002\"]",
        post("/api/addToCart", "application/json", "{\"item\":\"sku-0002\"}").body());
    assertTrue(get("/").body().contains("🛒 2 items"));
  }

  @Test
  void formAction_addsAndRedirectsToThePageThatShowsIt() throws Exception {
    HttpResponse<String> page = form("/cart/add", "item=sku-0003");
    assertEquals(303, page.previousResponse().orElseThrow().statusCode());
    assertEquals(uri("/"), page.uri());
    assertTrue(page.body().contains("🛒 1 item<"), page.body());
    assertTrue(page.body().contains("Wool socks</li>"));
    assertEquals(400, form("/cart/add", "item=sku-9999").statusCode());
  }

  @Test
  void middleware_recordsTheLastVisit() throws Exception {
    assertTrue(get("/").body().contains("First visit"));
    String before = clock.instant().toString();
    advance(Duration.ofMinutes(5));
    assertTrue(get("/").body().contains("Last visit: " + before));
  }

  @Test
  void logInKeepsTheCartUnderANewIdAndLogOutEndsTheSession() throws Exception {
    form("/cart/add", "item=sku-0001");
    String before = sessionId(cookies);
    HttpResponse<String> loggedIn = form("/login", "name=Ann+<b>");
    assertTrue(loggedIn.body().contains("Signed in as Ann &lt;b&gt;"), loggedIn.body());
    assertTrue(loggedIn.body().contains("🛒 1 item<"));
    assertNotEquals(before, sessionId(cookies), "the ID changed at log-in");
    HttpResponse<String> loggedOut = form("/logout", "");
    assertTrue(loggedOut.body().contains("🛒 0 items"), loggedOut.body());
    assertTrue(loggedOut.body().contains("Log in"));
    assertEquals(400, form("/login", "name=+").statusCode());
  }

  /** The {@code Set-Cookie} headers for the session cookie in a response. */
  private static List<String> sessionCookies(HttpResponse<?> response) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(header -> header.startsWith(Satchel.DEFAULT_COOKIE_NAME + "="))
        .toList();
  }

  @Test
  void logInAndLogOut_eachSendOneSessionCookie_andTheOldIdsAreDead() throws Exception {
    HttpClient noRedirects =
        HttpClient.newBuilder().cookieHandler(cookies).version(HttpClient.Version.HTTP_1_1).build();
    form("/cart/add", "item=sku-0001");
    String anonymous = sessionId(cookies);

    HttpResponse<String> logIn =
        post(noRedirects, "/login", "application/x-www-form-urlencoded", "name=Ann");
    assertEquals(302, logIn.statusCode());
    assertEquals("/", logIn.headers().firstValue("Location").orElseThrow());
    List<String> logInCookies = sessionCookies(logIn);
    assertEquals(1, logInCookies.size(), logInCookies.toString());
    String signedIn = sessionId(cookies);
    assertTrue(logInCookies.get(0).startsWith(Satchel.DEFAULT_COOKIE_NAME + "=" + signedIn + ";"));
    assertNotEquals(anonymous, signedIn);

    HttpResponse<String> logOut =
        post(noRedirects, "/logout", "application/x-www-form-urlencoded", "");
    assertEquals(302, logOut.statusCode());
    List<String> logOutCookies = sessionCookies(logOut);
    assertEquals(1, logOutCookies.size(), logOutCookies.toString());
    assertTrue(logOutCookies.get(0).contains("Expires=Thu, 01 Jan 1970"), logOutCookies.get(0));

    for (String id : List.of(anonymous, signedIn)) {
      CookieManager stale = new CookieManager();
      HttpCookie cookie = new HttpCookie(Satchel.DEFAULT_COOKIE_NAME, id);
      cookie.setPath("/");
      stale.getCookieStore().add(uri("/"), cookie);
      HttpResponse<String> page = get(client(stale), "/");
      assertTrue(page.body().contains("🛒 0 items"), id + ": " + page.body());
      assertTrue(page.body().contains("id=\"login\""), id + ": " + page.body());
    }
  }

  /** Ann signs in, fills her cart and shares it: the share page. */
  private HttpResponse<String> annSharesHerCart() throws Exception {
    form("/login", "name=Ann");
    form("/cart/add", "item=sku-0004");
    form("/cart/add", "item=sku-0002");
    HttpResponse<String> page = get("/");
    assertTrue(page.body().contains("id=\"share\""), page.body());
    return form("/share", "");
  }

  private static String shareLink(HttpResponse<String> sharePage) {
    Matcher link = SHARE_LINK.matcher(sharePage.body());
    assertTrue(link.find(), sharePage.body());
    return link.group(1);
  }

  @Test
  void share_givesALinkToASnapshot_neverTheSessionId() throws Exception {
    HttpResponse<String> sharePage = annSharesHerCart();
    assertEquals(200, sharePage.statusCode());
    String annsId = sessionId(cookies);
    String link = shareLink(sharePage);
    assertFalse(sharePage.body().contains(annsId), sharePage.body());
    assertFalse(link.contains(annsId), link);
    assertTrue(sharePage.body().contains(uri(link).toString()), "the full link is shown");
    for (String path : List.of("/", "/api/cart", link)) {
      assertFalse(get(path).body().contains(annsId), path);
    }
    assertEquals(annsId, sessionId(cookies), "sharing leaves Ann's session as it was");
  }

  @Test
  void sharedCart_isShownReadOnly_toAnyone() throws Exception {
    String link = shareLink(annSharesHerCart());
    CookieManager friendsCookies = new CookieManager();
    HttpClient friend = client(friendsCookies);
    HttpResponse<String> shared = get(friend, link);
    assertEquals(200, shared.statusCode());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
    assertTrue(shared.body().contains("Trail water bottle</li>"), shared.body());
    assertTrue(shared.body().contains("id=\"copy\""), shared.body());
    assertFalse(shared.body().contains("Ann"), "only the cart is shared");
    for (HttpCookie cookie : friendsCookies.getCookieStore().getCookies()) {
      assertFalse(link.endsWith(cookie.getValue()), "the friend was given the snapshot's ID");
    }
    assertEquals(0, cartOf(friend).size(), "looking copies nothing");
  }

  @Test
  void copyingASharedCart_addsItsItemsToTheVisitorsOwnSession() throws Exception {
    String link = shareLink(annSharesHerCart());
    String annsId = sessionId(cookies);
    CookieManager friendsCookies = new CookieManager();
    HttpClient friend = client(friendsCookies);
    post(friend, "/api/addToCart", "application/json", "{\"item\":\"sku-0001\"}");
    String friendsId = sessionId(friendsCookies);

    HttpResponse<String> page =
        post(friend, link + "/copy", "application/x-www-form-urlencoded", "");
    assertEquals(uri("/"), page.uri());
    assertTrue(page.body().contains("🛒 3 items"), page.body());
    assertFalse(page.body().contains("Signed in as Ann"), "the friend did not become Ann");
    assertEquals(List.of("sku-0001", "sku-0004", "sku-0002"), cartOf(friend));
    assertEquals(friendsId, sessionId(friendsCookies), "the friend kept their own session");
    assertNotEquals(annsId, friendsId);

    assertEquals(List.of("sku-0004", "sku-0002"), cartOf(browser), "Ann's cart is untouched");
    assertTrue(get("/").body().contains("Signed in as Ann"));
  }

  @Test
  void sharedCart_cannotBeChanged_evenByPlantingItsTokenAsTheSessionCookie() throws Exception {
    String link = shareLink(annSharesHerCart());
    CookieManager plantedCookies = new CookieManager();
    HttpCookie planted =
        new HttpCookie(Satchel.DEFAULT_COOKIE_NAME, link.substring("/shared/".length()));
    planted.setPath("/");
    plantedCookies.getCookieStore().add(uri("/"), planted);
    HttpClient intruder = client(plantedCookies);
    post(intruder, "/cart/add", "application/x-www-form-urlencoded", "item=sku-0003");
    HttpResponse<String> shared = get(intruder, link);
    assertEquals(200, shared.statusCode());
    assertFalse(shared.body().contains("Wool socks"), shared.body());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
  }

  @Test
  void aSessionId_isNotAShareToken() throws Exception {
    annSharesHerCart();
    assertEquals(
        404, get(client(new CookieManager()), "/shared/" + sessionId(cookies)).statusCode());
  }

  @Test
  void sharedCart_isASnapshot_thatLaterChangesDoNotReach() throws Exception {
    String link = shareLink(annSharesHerCart());
    form("/cart/add", "item=sku-0003");
    form("/logout", "");
    HttpResponse<String> shared = get(client(new CookieManager()), link);
    assertEquals(200, shared.statusCode(), "the snapshot outlives the sharer's session");
    assertFalse(shared.body().contains("Wool socks"), shared.body());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
  }

  @Test
  void unknownOrMalformedShareTokens_are404() throws Exception {
    form("/cart/add", "item=sku-0001");
    String ownId = sessionId(cookies);
    HttpClient friend = client(new CookieManager());
    String unknown = "/shared/3f1c1f1e-1111-4111-8111-111111111111";
    for (String path : List.of(unknown, "/shared/not-a-token", "/shared/%3Cb%3E", "/shared/")) {
      assertEquals(404, get(friend, path).statusCode(), path);
    }
    for (String path :
        List.of(
            unknown + "/copy",
            "/shared/not-a-token/copy",
            unknown,
            "/shared/" + ownId + "/copy/again")) {
      assertEquals(
          404, post(friend, path, "application/x-www-form-urlencoded", "").statusCode(), path);
    }
    assertEquals(0, cartOf(friend).size());
    assertEquals(List.of("sku-0001"), cartOf(browser));
    assertEquals(ownId, sessionId(cookies));
  }

  @Test
  void sharedCart_expiresAfterADay() throws Exception {
    String link = shareLink(annSharesHerCart());
    advance(ShopController.SHARED_CART_TTL.minusMinutes(1));
    assertEquals(200, get(link).statusCode());
    advance(Duration.ofMinutes(2));
    assertEquals(404, get(link).statusCode());
  }

  @Test
  void sharingAnEmptyCart_isRefused() throws Exception {
    assertFalse(get("/").body().contains("id=\"share\""));
    assertEquals(400, form("/share", "").statusCode());
  }

  /**
   * 32 adds at once to one session, each with an item of its own: every item lands, and each answer
   * is the cart as that add stored it (so the answers hold 1 to 32 items, each its own).
   */
  @Test
  void concurrentAddsToOneSession_loseNoItem_andEachAnswerIsTheStoredCart() throws Exception {
    get("/"); // the session, and its cookie, exist before the adds race
    String id = sessionId(cookies);
    int adds = 32;
    ExecutorService pool = Executors.newFixedThreadPool(adds);
    try {
      CountDownLatch ready = new CountDownLatch(adds);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < adds; i++) {
        String item = "item-" + i;
        answers.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  ready.await();
                  return post("/api/addToCart", "application/json", "{\"item\":\"" + item + "\"}");
                }));
      }
      Set<Integer> sizes = new HashSet<>();
      for (int i = 0; i < adds; i++) {
        HttpResponse<String> answer = answers.get(i).get();
        assertEquals(200, answer.statusCode(), answer.body());
        List<String> cart = JSON.readValue(answer.body(), STRINGS);
        assertTrue(cart.contains("item-" + i), "answer " + i + " lacks its item: " + cart);
        sizes.add(cart.size());
      }
      Set<Integer> oneToAll = new HashSet<>();
      for (int size = 1; size <= adds; size++) {
        oneToAll.add(size);
      }
      assertEquals(oneToAll, sizes, "each add stored exactly one item more than the one before");
    } finally {
      pool.shutdownNow();
    }
    List<String> cart = cartOf(browser);
    assertEquals(adds, cart.size(), cart.toString());
    for (int i = 0; i < adds; i++) {
      assertTrue(cart.contains("item-" + i), "lost item-" + i + ": " + cart);
    }
    assertEquals(id, sessionId(cookies));
  }

  /** The same through the form action, whose answer is a redirect to the page. */
  @Test
  void concurrentFormAddsToOneSession_loseNoItem() throws Exception {
    get("/");
    List<String> skus = new ArrayList<>(Catalog.PRODUCTS.keySet());
    int adds = 32;
    ExecutorService pool = Executors.newFixedThreadPool(adds);
    try {
      CountDownLatch ready = new CountDownLatch(adds);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < adds; i++) {
        String sku = skus.get(i % skus.size());
        answers.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  ready.await();
                  return form("/cart/add", "item=" + sku);
                }));
      }
      for (Future<HttpResponse<String>> answer : answers) {
        assertEquals(200, answer.get().statusCode());
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> cart = cartOf(browser);
    assertEquals(adds, cart.size(), cart.toString());
    for (String sku : skus) {
      assertEquals(adds / skus.size(), cart.stream().filter(sku::equals).count(), sku);
    }
  }
}
