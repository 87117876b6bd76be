package dev.satchel.examples.springshop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.testing.MutableClock;
import java.io.IOException;
import java.net.CookieHandler;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.context.bean.override.convention.TestBean;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Spring Boot shop over real HTTP, as the Jetty shop's tests drive it: the page, the API
 * endpoint, the form action, the middleware, the shared cart, and 32 adds at once; log-in and
 * log-out through Spring Security's form log-in, with CSRF tokens taken from the pages as a browser
 * posts them. No response, redirects included, ever sets {@code JSESSIONID}. Each subclass runs
 * them on one driver.
 */
@TestPropertySource(
    properties = {
      "shop.demo-user=" + SpringShopHttpTests.USER,
      "shop.demo-password=" + SpringShopHttpTests.PASSWORD
    })
abstract class SpringShopHttpTests {
  /** The customer who can log in; the markup in the name shows that the page escapes it. */
  static final String USER = "Ann <b>";

  /** Ann's password; not the shop's default, so the tests show that the property is read. */
  static final String PASSWORD = "correct horse";

  private static final String SHOWN_USER = "Signed in as Ann &lt;b&gt;";
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {};
  private static final Pattern SHARE_LINK =
      Pattern.compile("<a id=\"share-link\" href=\"(/shared/[^\"]+)\">([^<]*)</a>");

  /**
   * The CSRF token in a page: the shop's {@code <meta name="_csrf" content>} and hidden {@code
   * <input name="_csrf" value>}, or the hidden field of Spring Security's log-in page.
   */
  private static final Pattern CSRF =
      Pattern.compile("name=\"_csrf\"(?: type=\"hidden\")? (?:content|value)=\"([^\"]+)\"");

  /** The hidden field of the log-in form on the shop's page. */
  private static final Pattern LOG_IN_FORM_CSRF =
      Pattern.compile(
          "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"_csrf\""
              + " value=\"([^\"]+)\">");

  /** The shop's clock, which the sessions measure expiry by too; the tests move it. */
  @TestBean(name = "clock", methodName = "movableClock")
  Clock clock;

  static Clock movableClock() {
    return new MutableClock();
  }

  @LocalServerPort int port;

  @Autowired Satchel satchel;

  /** Every {@code Set-Cookie} header any response sent to any visitor, redirects included. */
  private final List<String> setCookies = new CopyOnWriteArrayList<>();

  /** Every {@code Location} header any response sent to any visitor. */
  private final List<String> locations = new CopyOnWriteArrayList<>();

  /** The visitor most tests are: Ann, once logged in. */
  final Visitor browser = new Visitor();

  @AfterEach
  void noResponseEverSetsAContainerSession() {
    assertFalse(setCookies.isEmpty(), "the check saw the cookies set");
    for (String header : setCookies) {
      assertFalse(header.toUpperCase(Locale.ROOT).contains("JSESSIONID"), header);
    }
    for (String location : locations) {
      assertFalse(location.toLowerCase(Locale.ROOT).contains("jsessionid"), location);
    }
  }

  private void advance(Duration duration) {
    ((MutableClock) clock).advance(duration);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** Keeps a visitor's cookies, and records every response's cookies and redirects on the way. */
  private final class Recording extends CookieHandler {
    private final CookieManager cookies;

    Recording(CookieManager cookies) {
      this.cookies = cookies;
    }

    @Override
    public Map<String, List<String>> get(URI uri, Map<String, List<String>> requestHeaders)
        throws IOException {
      return cookies.get(uri, requestHeaders);
    }

    @Override
    public void put(URI uri, Map<String, List<String>> responseHeaders) throws IOException {
      responseHeaders.forEach(
          (name, values) -> {
            if (name.equalsIgnoreCase("Set-Cookie")) {
              setCookies.addAll(values);
            } else if (name.equalsIgnoreCase("Location")) {
              locations.addAll(values);
            }
          });
      cookies.put(uri, responseHeaders);
    }
  }

  /**
   * A browser: its own cookies, and the CSRF token of the last page it loaded, which its forms and
   * API calls send; one that has loaded no page loads the shop's first.
   */
  final class Visitor {
    final CookieManager cookies = new CookieManager();
    final HttpClient client = client(HttpClient.Redirect.NORMAL);
    final HttpClient noRedirects = client(HttpClient.Redirect.NEVER);
    private volatile String csrf;

    Visitor() {}

    /** A visitor who holds {@code sessionId} in the session cookie, however they came by it. */
    Visitor(String sessionId) {
      HttpCookie cookie = new HttpCookie(Satchel.DEFAULT_COOKIE_NAME, sessionId);
      // The domain and path a cookie the shop sets gets, so that one it sets replaces this one.
      cookie.setDomain(uri("/").getHost());
      cookie.setPath("/");
      // As a browser sends it (name=value): HttpCookie's default, version 1, would be sent in
      // RFC 2965's form, which the server does not read as the session cookie.
      cookie.setVersion(0);
      cookies.getCookieStore().add(uri("/"), cookie);
    }

    private HttpClient client(HttpClient.Redirect redirects) {
      return HttpClient.newBuilder()
          .cookieHandler(new Recording(cookies))
          .followRedirects(redirects)
          .version(HttpClient.Version.HTTP_1_1)
          .build();
    }

    /** The session ID this visitor holds in its cookie. */
    String sessionId() {
      return cookies.getCookieStore().getCookies().stream()
          .filter(cookie -> cookie.getName().equals(Satchel.DEFAULT_COOKIE_NAME))
          .map(HttpCookie::getValue)
          .findFirst()
          .orElseThrow(() -> new AssertionError("no session cookie"));
    }

    HttpResponse<String> send(HttpClient with, HttpRequest request) throws Exception {
      HttpResponse<String> response = with.send(request, HttpResponse.BodyHandlers.ofString());
      Matcher token = CSRF.matcher(response.body());
      if (token.find()) {
        csrf = token.group(1);
      }
      return response;
    }

    HttpResponse<String> get(String path) throws Exception {
      return send(client, HttpRequest.newBuilder(uri(path)).build());
    }

    /** A POST as it is, with no CSRF token unless the body or headers carry one. */
    HttpResponse<String> post(HttpClient with, String path, String contentType, String body)
        throws Exception {
      return send(
          with,
          HttpRequest.newBuilder(uri(path))
              .header("Content-Type", contentType)
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build());
    }

    /** The CSRF token of the last page loaded, loading the shop's page if none was. */
    String csrf() throws Exception {
      if (csrf == null) {
        get("/");
      }
      return csrf;
    }

    /** Submits a form, as from the last page loaded. */
    HttpResponse<String> form(String path, String body) throws Exception {
      return form(client, path, body);
    }

    HttpResponse<String> form(HttpClient with, String path, String body) throws Exception {
      String fields = (body.isEmpty() ? "" : body + "&") + "_csrf=" + encode(csrf());
      return post(with, path, "application/x-www-form-urlencoded", fields);
    }

    /** Calls the JSON API as a script on the page does: the token in the X-CSRF-TOKEN header. */
    HttpResponse<String> api(String path, String json) throws Exception {
      return send(
          client,
          HttpRequest.newBuilder(uri(path))
              .header("Content-Type", "application/json")
              .header("X-CSRF-TOKEN", csrf())
              .POST(HttpRequest.BodyPublishers.ofString(json))
              .build());
    }

    /** Logs in with the form on the shop's page: loads it, and posts the form with its token. */
    HttpResponse<String> logIn(HttpClient with, String user, String password) throws Exception {
      HttpResponse<String> page = get("/");
      Matcher token = LOG_IN_FORM_CSRF.matcher(page.body());
      assertTrue(token.find(), page.body());
      return post(
          with,
          "/login",
          "application/x-www-form-urlencoded",
          "username="
              + encode(user)
              + "&password="
              + encode(password)
              + "&_csrf="
              + encode(token.group(1)));
    }

    HttpResponse<String> logIn(String user, String password) throws Exception {
      return logIn(client, user, password);
    }

    List<String> cart() throws Exception {
      return JSON.readValue(get("/api/cart").body(), STRINGS);
    }
  }

  @Test
  void page_showsAnEmptyCartAndTheProducts() throws Exception {
    HttpResponse<String> page = browser.get("/");
    assertEquals(200, page.statusCode());
    assertEquals(
        "text/html;charset=utf-8",
        page.headers().firstValue("Content-Type").orElseThrow().toLowerCase().replace(" ", ""));
    assertTrue(page.body().contains("🛒 0 items"), page.body());
    assertTrue(page.body().contains("Canvas backpack"));
    assertTrue(page.body().contains("id=\"login\""), "an anonymous visitor may log in");
    assertTrue(page.body().contains("<meta name=\"_csrf_header\" content=\"X-CSRF-TOKEN\">"));
  }

  @Test
  void api_requiresAnItem() throws Exception {
    HttpResponse<String> missing = browser.api("/api/addToCart", "{}");
    assertEquals(400, missing.statusCode());
    assertEquals("Item is required", missing.body());
    assertEquals(400, browser.api("/api/addToCart", "not json").statusCode());
    assertEquals(400, browser.api("/api/addToCart", "{\"item\":5}").statusCode());
  }

  @Test
  void api_addsToTheCartAndAnswersWithIt() throws Exception {
    HttpResponse<String> first = browser.api("/api/addToCart", "{\"item\":\"sku-0001\"}");
    assertEquals("[\"sku-0001\"]", first.body());
    assertTrue(
        first.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    assertEquals(
        "[\"sku-0001\",\"sku-0002\"]",
        browser.api("/api/addToCart", "{\"item\":\"sku-0002\"}").body());
    assertTrue(browser.get("/").body().contains("🛒 2 items"));
  }

  @Test
  void formAction_addsAndRedirectsToThePageThatShowsIt() throws Exception {
    HttpResponse<String> page = browser.form("/cart/add", "item=sku-0003");
    assertEquals(303, page.previousResponse().orElseThrow().statusCode());
    assertEquals(uri("/"), page.uri());
    assertTrue(page.body().contains("🛒 1 item<"), page.body());
    assertTrue(page.body().contains("Wool socks</li>"));
    assertEquals(400, browser.form("/cart/add", "item=sku-9999").statusCode());
  }

  @Test
  void middleware_recordsTheLastVisit_ofAVisitorWithASession() throws Exception {
    assertTrue(browser.get("/").body().contains("First visit"));
    advance(Duration.ofMinutes(5));
    assertTrue(browser.get("/").body().contains("First visit"), "no session: no visit recorded");
    HttpResponse<String> added = browser.form("/cart/add", "item=sku-0001");
    assertTrue(added.body().contains("First visit"), "recorded from the page after the add");
    String before = clock.instant().toString();
    advance(Duration.ofMinutes(5));
    assertTrue(browser.get("/").body().contains("Last visit: " + before));
  }

  /** How many sessions the store holds now. */
  long storedSessions() {
    return satchel.countSessions().orElseThrow();
  }

  /**
   * Requests without a cookie, as crawlers and floods send them, store no session and set no
   * session cookie, on any page, while a shopper keeps their cart.
   */
  @Test
  void cookielessRequests_storeNoSession_andACartKeepsItsItems() throws Exception {
    browser.form("/cart/add", "item=sku-0004");
    long before = storedSessions();
    HttpClient flood = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    List<String> pages =
        List.of(
            "/", "/api/cart", "/shared/3f1c1f1e-1111-4111-8111-111111111111", "/login", "/nope");
    List<String> cookiesSet = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      HttpResponse<String> page =
          flood.send(
              HttpRequest.newBuilder(uri(pages.get(i % pages.size()))).build(),
              HttpResponse.BodyHandlers.ofString());
      assertTrue(page.statusCode() == 200 || page.statusCode() == 404, page.body());
      cookiesSet.addAll(sessionCookies(page));
    }
    // Not more than before: sessions the tests before left may expire meanwhile.
    long after = storedSessions();
    assertTrue(after <= before, before + " sessions before, " + after + " after");
    assertEquals(List.of(), cookiesSet);
    assertEquals(List.of("sku-0004"), browser.cart());
  }

  /**
   * Every POST needs the visitor's own CSRF token, the one its CSRF cookie holds: forms in the
   * {@code _csrf} field, the API in the {@code X-CSRF-TOKEN} header. None, a forged one or another
   * visitor's is refused with 403.
   */
  @Test
  void postsWithoutTheVisitorsCsrfToken_areRefused() throws Exception {
    browser.form("/cart/add", "item=sku-0001");
    String othersToken = new Visitor().csrf();
    String form = "application/x-www-form-urlencoded";
    for (String token : List.of("", "forged", othersToken)) {
      String field = token.isEmpty() ? "" : "&_csrf=" + encode(token);
      assertEquals(
          403,
          browser.post(browser.client, "/cart/add", form, "item=sku-0002" + field).statusCode());
      assertEquals(403, browser.post(browser.client, "/share", form, field).statusCode());
      HttpRequest.Builder api =
          HttpRequest.newBuilder(uri("/api/addToCart"))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"sku-0002\"}"));
      if (!token.isEmpty()) {
        api.header("X-CSRF-TOKEN", token);
      }
      assertEquals(403, browser.send(browser.client, api.build()).statusCode(), "API: " + token);
      HttpResponse<String> logIn =
          browser.post(
              browser.noRedirects,
              "/login",
              form,
              "username=" + encode(USER) + "&password=" + encode(PASSWORD) + field);
      assertEquals(403, logIn.statusCode(), "log-in: " + token);
    }
    assertEquals(List.of("sku-0001"), browser.cart());
    assertFalse(browser.get("/").body().contains("Signed in"));
    assertEquals(200, browser.form("/cart/add", "item=sku-0002").statusCode());
    assertEquals(List.of("sku-0001", "sku-0002"), browser.cart(), "the own token is taken");
  }

  @Test
  void logInKeepsTheCartUnderANewIdAndLogOutEndsTheSession() throws Exception {
    browser.form("/cart/add", "item=sku-0001");
    String before = browser.sessionId();
    HttpResponse<String> loggedIn = browser.logIn(USER, PASSWORD);
    assertTrue(loggedIn.body().contains(SHOWN_USER), loggedIn.body());
    assertTrue(loggedIn.body().contains("🛒 1 item<"));
    assertNotEquals(before, browser.sessionId(), "the ID changed at log-in");
    HttpResponse<String> loggedOut = browser.form("/logout", "");
    assertEquals(uri("/"), loggedOut.uri());
    assertTrue(loggedOut.body().contains("🛒 0 items"), loggedOut.body());
    assertTrue(loggedOut.body().contains("Log in"));
    assertFalse(loggedOut.body().contains("Signed in"));
  }

  /** The log-in is in the session: later requests, and any holder of the cookie, see Ann. */
  @Test
  void aLogIn_isKeptForTheRequestsThatFollow() throws Exception {
    browser.logIn(USER, PASSWORD);
    HttpResponse<String> next = browser.get("/");
    assertTrue(next.body().contains(SHOWN_USER), next.body());
    assertTrue(next.body().contains("id=\"logout\""), next.body());
    HttpResponse<String> elsewhere = new Visitor(browser.sessionId()).get("/");
    assertTrue(elsewhere.body().contains(SHOWN_USER), elsewhere.body());
    HttpResponse<String> forgedLogOut =
        browser.post(browser.noRedirects, "/logout", "application/x-www-form-urlencoded", "");
    assertEquals(403, forgedLogOut.statusCode(), "a log-out without the token");
    assertTrue(browser.get("/").body().contains(SHOWN_USER), "it ended nothing");
  }

  @Test
  void aWrongPassword_doesNotLogIn_andLeavesTheSessionAsItWas() throws Exception {
    browser.form("/cart/add", "item=sku-0001");
    String anonymous = browser.sessionId();
    for (String[] attempt :
        List.of(new String[] {USER, "wrong"}, new String[] {"nobody", PASSWORD})) {
      HttpResponse<String> refused = browser.logIn(browser.noRedirects, attempt[0], attempt[1]);
      assertEquals(302, refused.statusCode());
      String location = refused.headers().firstValue("Location").orElseThrow();
      assertEquals(uri("/login?error"), uri("/").resolve(location));
      assertEquals(anonymous, browser.sessionId(), "no new session ID");
      HttpResponse<String> page = browser.get("/");
      assertFalse(page.body().contains("Signed in"), page.body());
      assertTrue(page.body().contains("🛒 1 item<"), page.body());
    }

    // Spring Security's own log-in page tells of the failure, and logs in all the same.
    HttpResponse<String> logInPage = browser.get("/login?error");
    assertEquals(200, logInPage.statusCode());
    assertTrue(logInPage.body().contains("Invalid credentials"), logInPage.body());
    HttpResponse<String> loggedIn =
        browser.form("/login", "username=" + encode(USER) + "&password=" + encode(PASSWORD));
    assertEquals(uri("/"), loggedIn.uri());
    assertTrue(loggedIn.body().contains(SHOWN_USER), loggedIn.body());
    assertTrue(loggedIn.body().contains("🛒 1 item<"), loggedIn.body());
    assertNotEquals(anonymous, browser.sessionId());
  }

  /** The {@code Set-Cookie} headers for the session cookie in a response. */
  private static List<String> sessionCookies(HttpResponse<?> response) {
    return response.headers().allValues("Set-Cookie").stream()
        .filter(header -> header.startsWith(Satchel.DEFAULT_COOKIE_NAME + "="))
        .toList();
  }

  @Test
  void logInAndLogOut_eachSendOneSessionCookie_andTheOldIdsAreDead() throws Exception {
    browser.form("/cart/add", "item=sku-0001");
    String anonymous = browser.sessionId();

    HttpResponse<String> logIn = browser.logIn(browser.noRedirects, USER, PASSWORD);
    assertEquals(302, logIn.statusCode());
    assertEquals(uri("/"), uri("/").resolve(logIn.headers().firstValue("Location").orElseThrow()));
    List<String> logInCookies = sessionCookies(logIn);
    assertEquals(1, logInCookies.size(), logInCookies.toString());
    String signedIn = browser.sessionId();
    assertTrue(logInCookies.get(0).startsWith(Satchel.DEFAULT_COOKIE_NAME + "=" + signedIn + ";"));
    assertNotEquals(anonymous, signedIn);
    assertTrue(browser.get("/").body().contains(SHOWN_USER));

    HttpResponse<String> logOut = browser.form(browser.noRedirects, "/logout", "");
    assertEquals(302, logOut.statusCode());
    assertEquals(uri("/"), uri("/").resolve(logOut.headers().firstValue("Location").orElseThrow()));
    List<String> logOutCookies = sessionCookies(logOut);
    assertEquals(1, logOutCookies.size(), logOutCookies.toString());
    assertTrue(logOutCookies.get(0).contains("Expires=Thu, 01 Jan 1970"), logOutCookies.get(0));

    // Just after the log-in, the pre-log-in ID reads as an empty session that cannot be written
    // (Satchel's rule for requests racing a log-in): its holder gets neither the cart nor the
    // log-in, and an add is refused with a 409, to retry with the new cookie.
    Visitor racer = new Visitor(anonymous);
    HttpResponse<String> racing = racer.get("/");
    assertTrue(racing.body().contains("🛒 0 items"), racing.body());
    assertFalse(racing.body().contains("Signed in"), racing.body());
    HttpResponse<String> racingAdd = racer.form(racer.noRedirects, "/cart/add", "item=sku-0002");
    assertEquals(409, racingAdd.statusCode(), racingAdd.body());
    // Later, each old ID is only a new visitor's: what its holder adds is stored under a new ID.
    advance(Duration.ofSeconds(11));
    for (String id : List.of(anonymous, signedIn)) {
      Visitor holder = new Visitor(id);
      HttpResponse<String> page = holder.get("/");
      assertTrue(page.body().contains("🛒 0 items"), id + ": " + page.body());
      assertTrue(page.body().contains("id=\"login\""), id + ": " + page.body());
      List<String> issued =
          sessionCookies(holder.form(holder.noRedirects, "/cart/add", "item=sku-0002"));
      assertEquals(1, issued.size(), issued.toString());
      assertFalse(issued.get(0).startsWith(Satchel.DEFAULT_COOKIE_NAME + "=" + id), issued.get(0));
      assertEquals(issued.get(0).split("[=;]")[1], holder.sessionId(), "the new ID replaced it");
    }
  }

  /** Ann logs in, fills her cart and shares it: the share page. */
  private HttpResponse<String> annSharesHerCart() throws Exception {
    browser.logIn(USER, PASSWORD);
    browser.form("/cart/add", "item=sku-0004");
    browser.form("/cart/add", "item=sku-0002");
    HttpResponse<String> page = browser.get("/");
    assertTrue(page.body().contains("id=\"share\""), page.body());
    return browser.form("/share", "");
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
    String annsId = browser.sessionId();
    String link = shareLink(sharePage);
    assertFalse(sharePage.body().contains(annsId), sharePage.body());
    assertFalse(link.contains(annsId), link);
    assertTrue(sharePage.body().contains(uri(link).toString()), "the full link is shown");
    for (String path : List.of("/", "/api/cart", link)) {
      assertFalse(browser.get(path).body().contains(annsId), path);
    }
    assertEquals(annsId, browser.sessionId(), "sharing leaves Ann's session as it was");
  }

  @Test
  void sharedCart_isShownReadOnly_toAnyone() throws Exception {
    String link = shareLink(annSharesHerCart());
    Visitor friend = new Visitor();
    HttpResponse<String> shared = friend.get(link);
    assertEquals(200, shared.statusCode());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
    assertTrue(shared.body().contains("Trail water bottle</li>"), shared.body());
    assertTrue(shared.body().contains("id=\"copy\""), shared.body());
    assertFalse(shared.body().contains("Ann &lt;b&gt;"), "only the cart is shared");
    assertFalse(shared.body().contains("Signed in"), "the friend is not logged in");
    for (HttpCookie cookie : friend.cookies.getCookieStore().getCookies()) {
      assertFalse(link.endsWith(cookie.getValue()), "the friend was given the snapshot's ID");
    }
    assertEquals(0, friend.cart().size(), "looking copies nothing");
  }

  @Test
  void copyingASharedCart_addsItsItemsToTheVisitorsOwnSession() throws Exception {
    String link = shareLink(annSharesHerCart());
    String annsId = browser.sessionId();
    Visitor friend = new Visitor();
    friend.api("/api/addToCart", "{\"item\":\"sku-0001\"}");
    String friendsId = friend.sessionId();

    friend.get(link);
    HttpResponse<String> page = friend.form(link + "/copy", "");
    assertEquals(uri("/"), page.uri());
    assertTrue(page.body().contains("🛒 3 items"), page.body());
    assertFalse(page.body().contains("Signed in"), "the friend did not become Ann");
    assertEquals(List.of("sku-0001", "sku-0004", "sku-0002"), friend.cart());
    assertEquals(friendsId, friend.sessionId(), "the friend kept their own session");
    assertNotEquals(annsId, friendsId);

    assertEquals(List.of("sku-0004", "sku-0002"), browser.cart(), "Ann's cart is untouched");
    assertTrue(browser.get("/").body().contains(SHOWN_USER));
  }

  @Test
  void sharedCart_cannotBeChanged_evenByPlantingItsTokenAsTheSessionCookie() throws Exception {
    String link = shareLink(annSharesHerCart());
    Visitor intruder = new Visitor(link.substring("/shared/".length()));
    HttpResponse<String> added = intruder.form("/cart/add", "item=sku-0003");
    assertEquals(200, added.statusCode(), "the add itself went through");
    HttpResponse<String> shared = intruder.get(link);
    assertEquals(200, shared.statusCode());
    assertFalse(shared.body().contains("Wool socks"), shared.body());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
  }

  @Test
  void aSessionId_isNotAShareToken() throws Exception {
    annSharesHerCart();
    assertEquals(404, new Visitor().get("/shared/" + browser.sessionId()).statusCode());
  }

  @Test
  void sharedCart_isASnapshot_thatLaterChangesDoNotReach() throws Exception {
    String link = shareLink(annSharesHerCart());
    browser.form("/cart/add", "item=sku-0003");
    browser.form("/logout", "");
    HttpResponse<String> shared = new Visitor().get(link);
    assertEquals(200, shared.statusCode(), "the snapshot outlives the sharer's session");
    assertFalse(shared.body().contains("Wool socks"), shared.body());
    assertTrue(shared.body().contains("Pocket knife</li>"), shared.body());
  }

  @Test
  void unknownOrMalformedShareTokens_are404() throws Exception {
    browser.form("/cart/add", "item=sku-0001");
    String ownId = browser.sessionId();
    Visitor friend = new Visitor();
    String unknown = "/shared/3f1c1f1e-1111-4111-8111-111111111111";
    for (String path : List.of(unknown, "/shared/not-a-token", "/shared/%3Cb%3E", "/shared/")) {
      assertEquals(404, friend.get(path).statusCode(), path);
    }
    for (String path :
        List.of(
            unknown + "/copy",
            "/shared/not-a-token/copy",
            unknown,
            "/shared/" + ownId + "/copy/again")) {
      assertEquals(404, friend.form(path, "").statusCode(), path);
    }
    assertEquals(0, friend.cart().size());
    assertEquals(List.of("sku-0001"), browser.cart());
    assertEquals(ownId, browser.sessionId());
  }

  @Test
  void sharedCart_expiresAfterADay() throws Exception {
    String link = shareLink(annSharesHerCart());
    advance(ShopController.SHARED_CART_TTL.minusMinutes(1));
    assertEquals(200, browser.get(link).statusCode());
    advance(Duration.ofMinutes(2));
    assertEquals(404, browser.get(link).statusCode());
  }

  @Test
  void sharingAnEmptyCart_isRefused() throws Exception {
    assertFalse(browser.get("/").body().contains("id=\"share\""));
    assertEquals(400, browser.form("/share", "").statusCode());
  }

  /**
   * 32 adds at once to one session, each with an item of its own: every item lands, and each answer
   * is the cart as that add stored it (so the answers hold 1 to 32 items, each its own).
   */
  @Test
  void concurrentAddsToOneSession_loseNoItem_andEachAnswerIsTheStoredCart() throws Exception {
    browser.logIn(USER, PASSWORD); // the session and its cookie exist before the adds race
    String id = browser.sessionId();
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
                  return browser.api("/api/addToCart", "{\"item\":\"" + item + "\"}");
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
    List<String> cart = browser.cart();
    assertEquals(adds, cart.size(), cart.toString());
    for (int i = 0; i < adds; i++) {
      assertTrue(cart.contains("item-" + i), "lost item-" + i + ": " + cart);
    }
    assertEquals(id, browser.sessionId());
  }

  /** The same through the form action, whose answer is a redirect to the page. */
  @Test
  void concurrentFormAddsToOneSession_loseNoItem() throws Exception {
    browser.logIn(USER, PASSWORD);
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
                  return browser.form("/cart/add", "item=" + sku);
                }));
      }
      for (Future<HttpResponse<String>> answer : answers) {
        assertEquals(200, answer.get().statusCode());
      }
    } finally {
      pool.shutdownNow();
    }
    List<String> cart = browser.cart();
    assertEquals(adds, cart.size(), cart.toString());
    for (String sku : skus) {
      assertEquals(adds / skus.size(), cart.stream().filter(sku::equals).count(), sku);
    }
  }
}
