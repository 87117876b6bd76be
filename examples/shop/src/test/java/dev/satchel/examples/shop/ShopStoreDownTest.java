package dev.satchel.examples.shop;

import static dev.satchel.examples.shop.ShopHttpTest.assertShopsOwnErrorPage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop when its session store fails, over real HTTP: sessions in files, whose folder is
 * replaced by a regular file once a visitor has a session, so that every read and write fails in
 * the file system. The visitor sees the shop's own error page, never the store's words.
 */
final class ShopStoreDownTest {
  @TempDir Path folder;

  private Path base;
  private Satchel satchel;
  private Server server;
  private final CookieManager cookies = new CookieManager();
  private HttpClient visitor;

  @BeforeEach
  void start() throws Exception {
    base = folder.resolve("sessions");
    satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", base.toString())
            .driverOption("fsync", "false")
            .secure(false)
            .idleTimeout(ShopApp.IDLE_TIMEOUT)
            .build();
    server = ShopApp.start(satchel, 0, Clock.systemUTC());
    visitor =
        HttpClient.newBuilder()
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
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

  private HttpResponse<String> send(String method, String path) throws Exception {
    return send(method, path, "item=sku-0001");
  }

  private HttpResponse<String> send(String method, String path, String form) throws Exception {
    return visitor.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .method(method, HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private void breakTheStore() throws Exception {
    try (Stream<Path> files = Files.walk(base)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
    Files.writeString(base, "not a folder");
  }

  private void assertSaysNothingOfTheStore(HttpResponse<String> page) {
    for (String leak :
        List.of("Error when", "`fs`", "session file", "session store", base.toString())) {
      assertFalse(page.body().contains(leak), () -> leak + " in " + page.body());
    }
    assertEquals(List.of(), page.headers().allValues("Set-Cookie"));
  }

  @Test
  void aSessionThatCannotBeRead_isTheShops503_withRetryAfter() throws Exception {
    assertEquals(303, send("POST", "/cart/add").statusCode());
    String id =
        cookies.getCookieStore().getCookies().stream()
            .filter(cookie -> cookie.getName().equals(Satchel.DEFAULT_COOKIE_NAME))
            .map(HttpCookie::getValue)
            .findFirst()
            .orElseThrow();
    breakTheStore();
    for (String[] request :
        List.of(new String[] {"GET", "/"}, new String[] {"POST", "/cart/add"})) {
      HttpResponse<String> page = send(request[0], request[1]);
      assertEquals(503, page.statusCode(), request[1] + ": " + page.body());
      assertEquals(Optional.of("1"), page.headers().firstValue("Retry-After"));
      assertShopsOwnErrorPage(
          page, "Your cart cannot be reached just now. Please try again in a moment.");
      assertTrue(page.body().contains("<h1>The shop is busy</h1>"), page.body());
      assertFalse(page.body().contains(id), page.body());
      assertSaysNothingOfTheStore(page);
    }
  }

  @Test
  void aSessionThatCannotBeSaved_isTheShops500() throws Exception {
    breakTheStore();
    // A first visitor's log-in reads nothing, and their new session cannot be saved.
    HttpResponse<String> page = send("POST", "/login", "name=Ann");
    assertEquals(500, page.statusCode(), page.body());
    assertShopsOwnErrorPage(page, "Your last change may not have been saved. Please try again.");
    assertTrue(page.body().contains("<h1>Something went wrong</h1>"), page.body());
    assertSaysNothingOfTheStore(page);
  }
}
