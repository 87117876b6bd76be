package dev.satchel.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.satchel.Satchel;
import dev.satchel.testing.MutableClock;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shop over real HTTP: the page, the API endpoint, the form action, the middleware, the shared
 * cart, and where it listens.
 */
final class ShopHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SHARE_LINK =
      Pattern.compile("<a id=\"share-link\" href=\"(/shared/[^\"]+)\">([^<]*)</a>");

  private final MutableClock clock = new MutableClock();
  private final CookieManager cookies = new CookieManager();
  private Satchel satchel;
  private Server server;
  private HttpClient browser;

  @BeforeEach
  void start() throws Exception {
    // A plain-HTTP Java client sends no Secure cookies, so this shop runs without them.
    satchel =
        Satchel.builder()
            .driver("memory")
            .secure(false)
            .idleTimeout(ShopApp.IDLE_TIMEOUT)
            .clock(clock)
            .build();
    server = ShopApp.start(satchel, 0, clock);
    browser = client(cookies);
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
    String before = sessionId(cookies);
    HttpResponse<String> loggedIn =
        post("/login", "application/x-www-form-urlencoded", "name=Ann+<b>");
    assertTrue(loggedIn.body().contains("Signed in as Ann &lt;b&gt;"), loggedIn.body());
    assertTrue(loggedIn.body().contains("🛒 1 item<"));
    assertNotEquals(before, sessionId(cookies), "the ID changed at log-in");
    HttpResponse<String> loggedOut = post("/logout", "application/x-www-form-urlencoded", "");
    assertTrue(loggedOut.body().contains("🛒 0 items"), loggedOut.body());
    assertTrue(loggedOut.body().contains("Log in"));
  }

  /** Ann signs in, fills her cart and shares it: the share page. */
  private HttpResponse<String> annSharesHerCart() throws Exception {
    post("/login", "application/x-www-form-urlencoded", "name=Ann");
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0004");
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0002");
    HttpResponse<String> page = get("/");
    assertTrue(page.body().contains("id=\"share\""), page.body());
    return post("/share", "application/x-www-form-urlencoded", "");
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
    // Reading the snapshot set no cookie of its own: the friend holds only their own session.
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
    assertTrue(page.body().contains("id=\"login\""), page.body());
    assertEquals(List.of("sku-0001", "sku-0004", "sku-0002"), cartOf(friend));
    assertEquals(friendsId, sessionId(friendsCookies), "the friend kept their own session");
    assertNotEquals(annsId, friendsId);
    assertFalse(link.endsWith(friendsId));

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
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0003");
    post("/logout", "application/x-www-form-urlencoded", "");
    HttpResponse<String> shared = get(client(new CookieManager()), link);
    assertEquals(200, shared.statusCode(), "the snapshot outlives the sharer's session");
    assertFalse(shared.body().contains("Wool socks"), shared.body());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
  }

  @Test
  void unknownOrMalformedShareTokens_are404() throws Exception {
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0001");
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
    clock.advance(ShopApp.SHARED_CART_TTL.minusMinutes(1));
    assertEquals(200, get(link).statusCode());
    clock.advance(Duration.ofMinutes(2));
    assertEquals(404, get(link).statusCode());
  }

  @Test
  void sharingAnEmptyCart_isRefused() throws Exception {
    assertFalse(get("/").body().contains("id=\"share\""));
    assertEquals(400, post("/share", "application/x-www-form-urlencoded", "").statusCode());
  }

  private List<String> cartOf(HttpClient client) throws Exception {
    return JSON.readValue(get(client, "/api/cart").body(), new TypeReference<List<String>>() {});
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
        List<String> cart = JSON.readValue(answer.body(), new TypeReference<List<String>>() {});
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
                  return post("/cart/add", "application/x-www-form-urlencoded", "item=" + sku);
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

  @Test
  void portInUse_isOneClearMessage() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.setReuseAddress(false);
      taken.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
      int port = taken.getLocalPort();
      ShopApp.StartupException failure =
          assertThrows(
              ShopApp.StartupException.class,
              () -> ShopApp.start(satchel, "127.0.0.1", port, Clock.systemUTC()));
      assertEquals(
          "Port " + port + " is already in use; set PORT to another port", failure.getMessage());
    }
  }

  @Test
  void host_isTheAddressListenedOn() throws Exception {
    assertEquals("127.0.0.1", ((ServerConnector) server.getConnectors()[0]).getHost());
    Server anyAddress = ShopApp.start(satchel, "0.0.0.0", 0, Clock.systemUTC());
    try {
      ServerConnector connector = (ServerConnector) anyAddress.getConnectors()[0];
      assertEquals("0.0.0.0", connector.getHost());
      HttpResponse<String> page =
          browser.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, page.statusCode());
    } finally {
      anyAddress.stop();
    }
  }

  @Test
  void port_isReadFromItsSetting() {
    assertEquals(8080, ShopApp.port("8080"));
    assertEquals(0, ShopApp.port("0"));
    assertEquals(-1, ShopApp.port("http"));
    assertEquals(-1, ShopApp.port("65536"));
    assertEquals(-1, ShopApp.port("-2"));
  }
}
