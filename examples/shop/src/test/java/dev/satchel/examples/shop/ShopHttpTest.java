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
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
    assertEquals(List.of("Wool socks"), lineNames(page, "cart-items"));
  }

  @Test
  void page_showsEveryPrice_andTheCartsLinesAndTotal() throws Exception {
    HttpResponse<String> empty = get("/");
    String products = element(empty, "products");
    for (String price : List.of("$64.00", "$18.50", "$12.00", "$34.95")) {
      assertTrue(products.contains("<span class=\"price\">" + price + "</span>"), products);
    }
    assertTrue(empty.body().contains("Your cart is empty."), empty.body());
    assertFalse(empty.body().contains("id=\"cart-items\""), empty.body());

    for (String sku : List.of("sku-0001", "sku-0004", "sku-0001")) {
      post("/cart/add", "application/x-www-form-urlencoded", "item=" + sku);
    }
    HttpResponse<String> page = get("/");
    assertEquals(
        List.of("Canvas backpack", "Pocket knife", "Canvas backpack"),
        lineNames(page, "cart-items"));
    assertEquals(List.of("$64.00", "$34.95", "$64.00"), linePrices(page, "cart-items"));
    assertTrue(
        page.body().contains("<span id=\"cart-items-total\" class=\"price\">$162.95</span>"),
        page.body());
  }

  @Test
  void page_formatsLargeTotalsWithGrouping() throws Exception {
    for (int i = 0; i < 20; i++) {
      post("/api/addToCart", "application/json", "{\"item\":\"sku-0001\"}");
    }
    assertTrue(get("/").body().contains(">$1,280.00</span>"));
  }

  @Test
  void itemsTheCatalogLacks_areShownByTheirTextAndCountForNothing() throws Exception {
    post("/api/addToCart", "application/json", "{\"item\":\"sku-0003\"}");
    post("/api/addToCart", "application/json", "{\"item\":\"gift card\"}");
    HttpResponse<String> page = get("/");
    assertEquals(List.of("Wool socks", "gift card"), lineNames(page, "cart-items"));
    assertTrue(page.body().contains("id=\"cart-items-total\" class=\"price\">$12.00<"));
  }

  @Test
  void middleware_recordsTheLastVisit_ofAVisitorWithASession() throws Exception {
    assertTrue(get("/").body().contains("First visit"));
    clock.advance(Duration.ofMinutes(5));
    assertTrue(get("/").body().contains("First visit"), "a visitor without a session: no record");
    HttpResponse<String> added =
        post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0001");
    assertTrue(added.body().contains("First visit"), "recorded from the page after the add");
    clock.advance(Duration.ofMinutes(5));
    assertTrue(get("/").body().contains("(5 minutes ago)"));
  }

  /**
   * Requests without a cookie, as crawlers and floods send them, store no session and set no
   * cookie, on any page: a store bounded to a few hundred sessions keeps a shopper's cart through
   * thousands of them.
   */
  @Test
  void cookielessRequests_storeNoSession_andACartOutlastsAFloodOfThem() throws Exception {
    try (Satchel bounded =
        Satchel.builder()
            .driver("memory")
            .driverOption("max-bytes", "50000")
            .secure(false)
            .idleTimeout(ShopApp.IDLE_TIMEOUT)
            .clock(clock)
            .build()) {
      Server shop = ShopApp.start(bounded, 0, clock);
      try {
        String base =
            "http://127.0.0.1:" + ((ServerConnector) shop.getConnectors()[0]).getLocalPort();
        HttpClient shopper = client(new CookieManager());
        shopper.send(
            HttpRequest.newBuilder(URI.create(base + "/cart/add"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("item=sku-0004"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(OptionalLong.of(1), bounded.countSessions());

        HttpClient flood = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        List<String> pages =
            List.of("/", "/api/cart", "/shared/3f1c1f1e-1111-4111-8111-111111111111", "/nope");
        List<String> cookiesSet = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
          HttpResponse<String> page = get(flood, URI.create(base + pages.get(i % pages.size())));
          assertTrue(page.statusCode() == 200 || page.statusCode() == 404, page.body());
          cookiesSet.addAll(page.headers().allValues("Set-Cookie"));
        }
        assertEquals(
            "[\"sku-0004\"]", get(shopper, URI.create(base + "/api/cart")).body(), "cart kept");
        assertEquals(OptionalLong.of(1), bounded.countSessions(), "the shopper's only");
        assertEquals(List.of(), cookiesSet);
      } finally {
        shop.stop();
      }
    }
  }

  @Test
  void lastVisit_readsAsADateAndHowLongAgo_byTheShopsClock() throws Exception {
    MutableClock pinned = new MutableClock(Instant.parse("2026-12-01T14:05:30Z"));
    try (Satchel pinnedSatchel =
        Satchel.builder()
            .driver("memory")
            .secure(false)
            .idleTimeout(ShopApp.IDLE_TIMEOUT)
            .clock(pinned)
            .build()) {
      Server pinnedShop = ShopApp.start(pinnedSatchel, 0, pinned);
      try {
        HttpClient visitor = client(new CookieManager());
        String page =
            "http://127.0.0.1:" + ((ServerConnector) pinnedShop.getConnectors()[0]).getLocalPort();
        // A visit is recorded once the visitor has a session: here, from adding to the cart.
        HttpResponse<String> added =
            visitor.send(
                HttpRequest.newBuilder(URI.create(page + "/cart/add"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("item=sku-0001"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(added.body().contains("First visit"), added.body());
        pinned.advance(Duration.ofSeconds(20));
        assertTrue(
            get(visitor, URI.create(page))
                .body()
                .contains(
                    "Last visit: <time datetime=\"2026-12-01T14:05:30Z\">1 Dec 2026, 14:05 UTC"
                        + "</time> (just now)"));
        pinned.advance(Duration.ofMinutes(3));
        assertTrue(
            get(visitor, URI.create(page))
                .body()
                .contains("1 Dec 2026, 14:05 UTC</time> (3 minutes ago)"));
        pinned.advance(Duration.ofHours(2));
        assertTrue(
            get(visitor, URI.create(page))
                .body()
                .contains("1 Dec 2026, 14:08 UTC</time> (2 hours ago)"));
        pinned.advance(Duration.ofMinutes(59));
        assertTrue(
            get(visitor, URI.create(page))
                .body()
                .contains("1 Dec 2026, 16:08 UTC</time> (59 minutes ago)"));
        pinned.advance(Duration.ofHours(23));
        assertTrue(
            get(visitor, URI.create(page))
                .body()
                .contains("1 Dec 2026, 17:07 UTC</time> (23 hours ago)"));
      } finally {
        pinnedShop.stop();
      }
    }
  }

  @Test
  void lastVisit_spansReadNaturally() {
    assertEquals("just now", Pages.ago(Duration.ofSeconds(59)));
    assertEquals("just now", Pages.ago(Duration.ofSeconds(-5)));
    assertEquals("1 minute ago", Pages.ago(Duration.ofSeconds(60)));
    assertEquals("59 minutes ago", Pages.ago(Duration.ofMinutes(59)));
    assertEquals("1 hour ago", Pages.ago(Duration.ofMinutes(60)));
    assertEquals("1 day ago", Pages.ago(Duration.ofHours(24)));
    assertEquals("3 days ago", Pages.ago(Duration.ofDays(3)));
  }

  @Test
  void removeAction_removesTheLine_andRedirectsToThePage() throws Exception {
    for (String sku : List.of("sku-0001", "sku-0002", "sku-0003")) {
      post("/cart/add", "application/x-www-form-urlencoded", "item=" + sku);
    }
    HttpResponse<String> page =
        post("/cart/remove", "application/x-www-form-urlencoded", "item=sku-0002&index=1");
    assertEquals(uri("/"), page.uri());
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("🛒 2 items<"), page.body());
    assertEquals(List.of("Canvas backpack", "Wool socks"), lineNames(page, "cart-items"));
    assertTrue(page.body().contains("id=\"cart-items-total\" class=\"price\">$76.00<"));
    assertEquals(List.of("sku-0001", "sku-0003"), cartOf(browser));
  }

  @Test
  void removeAction_takesTheLineAtItsIndex_orTheFirstCopyWhenTheCartMoved() throws Exception {
    for (String item : List.of("a", "b", "a", "c", "a")) {
      post("/api/addToCart", "application/json", "{\"item\":\"" + item + "\"}");
    }
    post("/cart/remove", "application/x-www-form-urlencoded", "item=c&index=3");
    assertEquals(List.of("a", "b", "a", "a"), cartOf(browser));
    // Index 1 holds "b" now, not "a": the first "a" goes.
    post("/cart/remove", "application/x-www-form-urlencoded", "item=a&index=1");
    assertEquals(List.of("b", "a", "a"), cartOf(browser));
    post("/cart/remove", "application/x-www-form-urlencoded", "item=a&index=99");
    assertEquals(List.of("b", "a"), cartOf(browser));
    post("/cart/remove", "application/x-www-form-urlencoded", "item=a");
    assertEquals(List.of("b"), cartOf(browser));
  }

  @Test
  void removingAnItemTheCartLacks_changesNothing() throws Exception {
    post("/cart/remove", "application/x-www-form-urlencoded", "item=sku-0001&index=0");
    assertEquals(List.of(), cartOf(browser), "an empty cart stays empty");
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0001");
    HttpResponse<String> page =
        post("/cart/remove", "application/x-www-form-urlencoded", "item=sku-0004&index=0");
    assertEquals(200, page.statusCode());
    assertEquals(uri("/"), page.uri());
    assertEquals(List.of("sku-0001"), cartOf(browser));
    post("/cart/remove", "application/x-www-form-urlencoded", "item=sku-0001&index=0");
    assertEquals(List.of(), cartOf(browser));
    assertTrue(get("/").body().contains("Your cart is empty."));
  }

  @Test
  void removeAction_refusesBadInput_withTheShopsOwn400() throws Exception {
    post("/cart/add", "application/x-www-form-urlencoded", "item=sku-0001");
    for (String body : List.of("", "item=", "index=0", "item=sku-0001&index=first")) {
      HttpResponse<String> refused =
          post("/cart/remove", "application/x-www-form-urlencoded", body);
      assertEquals(400, refused.statusCode(), body);
      assertShopsOwnErrorPage(refused, "Choose an item to remove.");
    }
    assertEquals(List.of("sku-0001"), cartOf(browser));
  }

  /**
   * 16 adds and 8 removes at once on one session, each of an item of its own: every add lands and
   * every removed item goes, whichever order they ran in.
   */
  @Test
  void concurrentAddsAndRemoves_endInAConsistentCart() throws Exception {
    int adds = 16;
    int removes = 8;
    for (int i = 0; i < removes; i++) {
      post("/api/addToCart", "application/json", "{\"item\":\"old-" + i + "\"}");
    }
    String id = sessionId(cookies);
    ExecutorService pool = Executors.newFixedThreadPool(adds + removes);
    try {
      CountDownLatch ready = new CountDownLatch(adds + removes);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      for (int i = 0; i < adds; i++) {
        String body = "{\"item\":\"new-" + i + "\"}";
        answers.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  ready.await();
                  return post("/api/addToCart", "application/json", body);
                }));
      }
      for (int i = 0; i < removes; i++) {
        // Each line's index as the page showed it before the race.
        String body = "item=old-" + i + "&index=" + i;
        answers.add(
            pool.submit(
                () -> {
                  ready.countDown();
                  ready.await();
                  return post("/cart/remove", "application/x-www-form-urlencoded", body);
                }));
      }
      for (Future<HttpResponse<String>> answer : answers) {
        assertEquals(200, answer.get().statusCode(), answer.get().body());
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> cart = cartOf(browser);
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < adds; i++) {
      expected.add("new-" + i);
    }
    assertEquals(adds, cart.size(), cart.toString());
    assertEquals(expected, new HashSet<>(cart), cart.toString());
    assertEquals(id, sessionId(cookies));
  }

  @Test
  void unknownPaths_getTheShopsOwn404() throws Exception {
    for (String path : List.of("/nope", "/cart", "/api/nope", "/error", "/index.html")) {
      HttpResponse<String> missing = get(path);
      assertEquals(404, missing.statusCode(), path);
      assertShopsOwnErrorPage(missing, "There is nothing at this address.");
    }
  }

  @Test
  void anUnknownSharedCart_getsTheShopsOwn404() throws Exception {
    HttpResponse<String> missing = get("/shared/3f1c1f1e-1111-4111-8111-111111111111");
    assertEquals(404, missing.statusCode());
    assertShopsOwnErrorPage(missing, "There is no such shared cart: it may have expired.");
  }

  @Test
  void badInput_getsTheShopsOwn400() throws Exception {
    HttpResponse<String> unknownItem =
        post("/cart/add", "application/x-www-form-urlencoded", "item=sku-9999");
    assertEquals(400, unknownItem.statusCode());
    assertShopsOwnErrorPage(unknownItem, "That product is not in the catalog.");

    HttpResponse<String> noName = post("/login", "application/x-www-form-urlencoded", "name=+");
    assertEquals(400, noName.statusCode());
    assertShopsOwnErrorPage(noName, "Please enter your name to log in.");

    HttpResponse<String> longName =
        post("/login", "application/x-www-form-urlencoded", "name=" + "x".repeat(61));
    assertEquals(400, longName.statusCode());
    assertShopsOwnErrorPage(longName, "Please use a name of at most 60 characters.");
    assertTrue(get("/").body().contains("id=\"login\""), "nobody was signed in");

    HttpResponse<String> emptyShare = post("/share", "application/x-www-form-urlencoded", "");
    assertEquals(400, emptyShare.statusCode());
    assertShopsOwnErrorPage(emptyShare, "Your cart is empty: there is nothing to share.");
  }

  @Test
  void aWrongMethod_getsTheShopsOwnPage() throws Exception {
    HttpResponse<String> wrong = get("/cart/add");
    assertEquals(405, wrong.statusCode());
    assertShopsOwnErrorPage(wrong, "This address does not take that kind of request.");
  }

  @Test
  void namesAndItems_areEscapedEverywhere() throws Exception {
    String script = "<script>alert(1)</script>";
    post("/login", "application/x-www-form-urlencoded", "name=" + urlEncode(script));
    String item = "\"><img src=x onerror=alert(2)>";
    post("/api/addToCart", "application/json", JSON.writeValueAsString(Map.of("item", item)));
    HttpResponse<String> page = get("/");
    assertTrue(
        page.body().contains("Signed in as &lt;script&gt;alert(1)&lt;/script&gt;"), page.body());
    assertFalse(page.body().contains("<script"), page.body());
    assertFalse(page.body().contains("<img"), page.body());
    assertTrue(
        page.body().contains("value=\"&quot;&gt;&lt;img src=x onerror=alert(2)&gt;\""),
        page.body());
    assertEquals(List.of("\"><img src=x onerror=alert(2)>"), lineNames(page, "cart-items"));

    String shared = shareLink(post("/share", "application/x-www-form-urlencoded", ""));
    HttpResponse<String> sharedPage = get(client(new CookieManager()), shared);
    assertFalse(sharedPage.body().contains("<img"), sharedPage.body());

    Map<String, String> missingPages =
        Map.of(
            "/shared/%3Cscript%3Ealert(3)", "There is no such shared cart: it may have expired.",
            "/%3Cscript%3Ealert(4)", "There is nothing at this address.");
    for (Map.Entry<String, String> path : missingPages.entrySet()) {
      HttpResponse<String> missing = get(path.getKey());
      assertEquals(404, missing.statusCode(), path.getKey());
      assertShopsOwnErrorPage(missing, path.getValue());
      assertFalse(missing.body().contains("<script"), missing.body());
    }
  }

  /** Jetty refuses an encoded slash before any servlet runs: the page is still the shop's. */
  @Test
  void aRequestJettyRefuses_getsTheShopsOwnPage() throws Exception {
    for (String path : List.of("/shared/%3Cscript%3E%2F..%2F", "/a%2Fb")) {
      HttpResponse<String> refused = get(path);
      assertEquals(400, refused.statusCode(), path);
      assertShopsOwnErrorPage(refused, "The shop could not use what was sent.");
      assertFalse(refused.body().contains("<script"), refused.body());
      assertFalse(refused.body().contains("Ambiguous"), refused.body());
    }
  }

  @Test
  void errorPages_areHtml_whateverTheClientAccepts() throws Exception {
    for (String accept : List.of("application/json", "text/plain", "image/png", "*/*")) {
      HttpResponse<String> missing =
          browser.send(
              HttpRequest.newBuilder(uri("/nope")).header("Accept", accept).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(404, missing.statusCode(), accept);
      assertShopsOwnErrorPage(missing, "There is nothing at this address.");
    }
  }

  @Test
  void responses_doNotNameTheServersVersion() throws Exception {
    for (String path : List.of("/", "/nope")) {
      assertEquals(Optional.empty(), get(path).headers().firstValue("Server"), path);
    }
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
    assertEquals(List.of("Pocket knife", "Trail water bottle"), lineNames(shared, "shared-items"));
    assertTrue(
        shared.body().contains("id=\"shared-items-total\" class=\"price\">$53.45<"), shared.body());
    assertFalse(shared.body().contains("/cart/remove"), "a shared cart has no remove buttons");
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
    assertEquals(List.of("Pocket knife", "Trail water bottle"), lineNames(shared, "shared-items"));
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
    assertEquals(List.of("Pocket knife", "Trail water bottle"), lineNames(shared, "shared-items"));
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

  private HttpResponse<String> get(HttpClient client, URI uri) throws Exception {
    return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String urlEncode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  /** The HTML of the element with {@code id}, up to its list's or section's end. */
  private static String element(HttpResponse<String> page, String id) {
    String body = page.body();
    int start = body.indexOf("id=\"" + id + "\"");
    assertTrue(start >= 0, "no #" + id + " in " + body);
    int end = body.indexOf("</ul>", start);
    return body.substring(start, end < 0 ? body.length() : end);
  }

  private static final Pattern LINE_NAME =
      Pattern.compile("<span class=\"line-name\">([^<]*)</span>");
  private static final Pattern LINE_PRICE =
      Pattern.compile("<span class=\"line-name\">[^<]*</span><span class=\"price\">([^<]*)<");

  /** The names a cart list shows, unescaped. */
  private static List<String> lineNames(HttpResponse<String> page, String listId) {
    return matches(LINE_NAME, element(page, listId)).stream().map(ShopHttpTest::unescape).toList();
  }

  private static List<String> linePrices(HttpResponse<String> page, String listId) {
    return matches(LINE_PRICE, element(page, listId));
  }

  private static List<String> matches(Pattern pattern, String html) {
    List<String> found = new ArrayList<>();
    Matcher matcher = pattern.matcher(html);
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  private static String unescape(String html) {
    return html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
  }

  /** An error page of the shop's: its header and words, none of the container's. */
  static void assertShopsOwnErrorPage(HttpResponse<String> page, String explanation) {
    String body = page.body();
    assertTrue(
        page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"),
        page.headers().toString());
    assertTrue(body.contains("<a class=\"brand\" href=\"/\">Satchel shop</a>"), body);
    assertTrue(body.contains("<p class=\"status\">Error " + page.statusCode() + "</p>"), body);
    assertTrue(body.contains("<p id=\"error-message\">" + explanation + "</p>"), body);
    for (String foreign : List.of("Powered by", "Jetty", "Exception", "at org.", "at dev.")) {
      assertFalse(body.contains(foreign), foreign + " in " + body);
    }
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
    // The session, and its cookie, exist before the adds race.
    post("/login", "application/x-www-form-urlencoded", "name=Ann");
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
    post("/login", "application/x-www-form-urlencoded", "name=Ann");
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

  @Test
  void sharingTheSameCartAgain_givesTheSameLink_andANewCartANewOne() throws Exception {
    post("/api/addToCart", "application/json", "{\"item\":\"sku-0001\"}");
    String first = shareLink(post("/share", "application/x-www-form-urlencoded", ""));
    String again = shareLink(post("/share", "application/x-www-form-urlencoded", ""));
    assertEquals(first, again);
    post("/api/addToCart", "application/json", "{\"item\":\"sku-0002\"}");
    String changed = shareLink(post("/share", "application/x-www-form-urlencoded", ""));
    assertFalse(first.equals(changed));
  }
}
