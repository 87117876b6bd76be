package com.example.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The README's servlet quick start, deployed as a container would deploy it, used over HTTP. */
class QuickStartTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private Server server;
  private URI cart;

  @BeforeEach
  void start() throws Exception {
    server = new Server(0);
    ServletContextHandler context = new ServletContextHandler();
    context.addEventListener(new SessionSetup());
    context.addServlet(CartServlet.class, "/cart");
    server.setHandler(context);
    server.start();
    int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    cart = URI.create("http://127.0.0.1:" + port + "/cart");
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  @Test
  void aVisitorsCartLastsAcrossRequests() throws Exception {
    HttpResponse<String> first = add("sku-0001", null);
    assertEquals(302, first.statusCode());
    Optional<String> setCookie = first.headers().firstValue("Set-Cookie");
    assertTrue(setCookie.isPresent(), "the first change sends the session cookie");
    String cookie = setCookie.get().substring(0, setCookie.get().indexOf(';'));
    assertTrue(cookie.startsWith("satchel-session="), cookie);

    assertEquals(302, add("sku-0002", cookie).statusCode());
    assertEquals("[sku-0001, sku-0002]", get(cookie).body().strip());
  }

  @Test
  void aVisitorWithoutACookieGetsAnEmptyCartAndNoSession() throws Exception {
    HttpResponse<String> response = get(null);
    assertEquals("[]", response.body().strip());
    assertEquals(Optional.empty(), response.headers().firstValue("Set-Cookie"));
  }

  private HttpResponse<String> add(String item, String cookie) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(cart)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("item=" + item));
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(cart).GET();
    if (cookie != null) {
      request.header("Cookie", cookie);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
