package dev.satchel.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.jdbc.PostgresServer;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop on the jdbc driver, configured as a user runs it, by {@code SATCHEL_DRIVER=jdbc} and
 * {@code SATCHEL_DRIVER_URL} alone (with the user and password for PostgreSQL), over real HTTP: on
 * a real PostgreSQL and on an H2 file database, the cart is kept across requests and across a
 * restart of the shop, and a log-in keeps it under a new session ID.
 */
final class ShopOnJdbcTest {
  @RegisterExtension static final PostgresServer POSTGRES = new PostgresServer();

  @TempDir Path folder;

  private final CookieManager cookies = new CookieManager();
  private final HttpClient browser =
      HttpClient.newBuilder()
          .cookieHandler(cookies)
          .followRedirects(HttpClient.Redirect.NORMAL)
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private Satchel satchel;
  private Server server;

  /** The environment a user sets for the jdbc driver on {@code url}. */
  private static Map<String, String> jdbc(String url) {
    Map<String, String> environment = new HashMap<>();
    environment.put("SATCHEL_DRIVER", "jdbc");
    environment.put("SATCHEL_DRIVER_URL", url);
    // A plain-HTTP Java client sends no Secure cookies, so this shop runs without them.
    environment.put("SATCHEL_COOKIE_SECURE", "false");
    return environment;
  }

  private static Map<String, String> postgres(String url) {
    Map<String, String> environment = jdbc(url);
    environment.put("SATCHEL_DRIVER_USERNAME", POSTGRES.user());
    environment.put("SATCHEL_DRIVER_PASSWORD", POSTGRES.password());
    return environment;
  }

  /** Starts the shop as {@code ShopApp.main} does, with sessions from {@code environment}. */
  private void start(Map<String, String> environment) throws Exception {
    satchel = ShopApp.sessions(environment);
    assertEquals("jdbc", satchel.driverName());
    server = ShopApp.start(satchel, 0, Clock.systemUTC());
  }

  /** Stops the shop and its sessions, as when its process ends. */
  private void stop() throws Exception {
    if (server != null) {
      server.stop();
      server = null;
    }
    if (satchel != null) {
      satchel.close();
      satchel = null;
    }
  }

  @AfterEach
  void stopTheShop() throws Exception {
    stop();
  }

  private URI uri(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
  }

  private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return browser.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Adds through the form action, as the page's button does; answers with the page. */
  private HttpResponse<String> addThroughTheForm(String item) throws Exception {
    return post("/cart/add", "application/x-www-form-urlencoded", "item=" + item);
  }

  /** Adds through the API endpoint; answers with the cart as stored. */
  private String addThroughTheApi(String item) throws Exception {
    HttpResponse<String> response =
        post("/api/addToCart", "application/json", "{\"item\":\"" + item + "\"}");
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  private String cart() throws Exception {
    HttpResponse<String> response =
        browser.send(
            HttpRequest.newBuilder(uri("/api/cart")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  private String sessionId() {
    return cookies.getCookieStore().getCookies().stream()
        .filter(cookie -> cookie.getName().equals(Satchel.DEFAULT_COOKIE_NAME))
        .map(HttpCookie::getValue)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no session cookie"));
  }

  /** Adds across requests, restarts the shop, and finds the cart where it was. */
  private void theCartOutlivesTheShop(Map<String, String> environment) throws Exception {
    start(environment);
    HttpResponse<String> page = addThroughTheForm("sku-0001");
    assertEquals(200, page.statusCode());
    assertTrue(page.body().contains("Canvas backpack"), "the page shows the added item");
    assertEquals("[\"sku-0001\",\"sku-0002\"]", addThroughTheApi("sku-0002"));
    assertEquals("[\"sku-0001\",\"sku-0002\"]", cart(), "the next request reads it back");
    String id = sessionId();

    stop();
    start(environment);
    assertEquals("[\"sku-0001\",\"sku-0002\"]", cart(), "kept while the shop was down");
    assertEquals("[\"sku-0001\",\"sku-0002\",\"sku-0003\"]", addThroughTheApi("sku-0003"));
    assertEquals(id, sessionId(), "the same session");
  }

  @Test
  void onPostgres_theCartIsKeptAcrossRequestsAndARestart() throws Exception {
    String url = POSTGRES.process().createDatabase("shop_restart");
    theCartOutlivesTheShop(postgres(url));
    assertEquals(1, sessions(url, sessionId()), "the visitor's row in the shop's database");
  }

  @Test
  void onPostgres_aLogIn_keepsTheCartUnderANewId_andTheOldOneIsDead() throws Exception {
    String url = POSTGRES.process().createDatabase("shop_login");
    start(postgres(url));
    assertEquals("[\"sku-0004\"]", addThroughTheApi("sku-0004"));
    String before = sessionId();
    HttpResponse<String> loggedIn = post("/login", "application/x-www-form-urlencoded", "name=Ann");
    assertEquals(200, loggedIn.statusCode());
    assertTrue(loggedIn.body().contains("Ann"), "the page greets the signed-in visitor");
    String after = sessionId();
    assertNotEquals(before, after, "a new session ID at log-in");
    assertEquals(0, sessions(url, before), "the old ID names no live session");
    assertEquals(1, sessions(url, after));

    stop();
    start(postgres(url));
    assertEquals("[\"sku-0004\"]", cart(), "the signed-in cart, after a restart");
  }

  @Test
  void onAnH2File_theCartIsKeptAcrossRequestsAndARestart() throws Exception {
    Path database = folder.resolve("shop");
    theCartOutlivesTheShop(jdbc("jdbc:h2:file:" + database));
    assertTrue(Files.exists(folder.resolve("shop.mv.db")), "the sessions are in the H2 file");
  }

  @Test
  void aDatabaseThatCannotBeReached_stopsTheShop_withOneLineNamingTheVariable() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    ShopApp.StartupException failure =
        assertThrows(
            ShopApp.StartupException.class,
            () -> ShopApp.sessions(postgres("jdbc:postgresql://127.0.0.1:" + closed + "/shop")));
    String message = failure.getMessage();
    assertTrue(message.startsWith("The session store cannot start: "), message);
    assertTrue(message.contains("SATCHEL_DRIVER_URL"), message);
    assertTrue(message.contains("127.0.0.1:" + closed), message);
    assertFalse(message.contains("\n"), "one line: " + message);
  }

  /** How many live (not retired) sessions of the shop's database have the ID {@code id}. */
  private static int sessions(String url, String id) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(url, POSTGRES.user(), POSTGRES.password());
        PreparedStatement select =
            connection.prepareStatement(
                "SELECT COUNT(*) FROM satchel_sessions WHERE \"key\" = ? AND \"retired\" IS NULL"
                    + " AND (\"expires_at\" IS NULL OR \"expires_at\" > ?)")) {
      select.setString(1, id);
      select.setLong(2, System.currentTimeMillis());
      try (ResultSet result = select.executeQuery()) {
        result.next();
        return result.getInt(1);
      }
    }
  }
}
