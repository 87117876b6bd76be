package dev.satchel.examples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.satchel.Satchel;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The seed's shop: a page with the cart button, an API endpoint, a form action and a middleware,
 * all through the generated {@link ShopDataSession}.
 *
 * <p>Run: {@code mvn -q -pl examples/shop -am package -DskipTests && java -jar
 * examples/shop/target/shop.jar}, then open http://localhost:8080. {@code PORT} picks another port;
 * {@code SATCHEL_DRIVER=redis SATCHEL_DRIVER_URL=redis://localhost:6379} another store.
 */
public final class ShopApp {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ShopApp() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(System.getenv().getOrDefault("PORT", "8080"));
    Satchel satchel = Satchel.fromEnvironment();
    Server server = start(satchel, port, Clock.systemUTC());
    System.out.println(
        "Satchel shop on http://localhost:" + port + "/ (sessions: " + satchel.driverName() + ")");
    server.join();
  }

  /**
   * Starts the shop on {@code port} (0 for any free one) with sessions from {@code satchel}.
   *
   * @param satchel the sessions, or {@code null} to run without any (the page shows an empty cart,
   *     the API stores nothing): the baseline the benchmarks compare against
   * @param clock the time the middleware records as the last visit
   */
  public static Server start(Satchel satchel, int port, Clock clock) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    EnumSet<DispatcherType> requests = EnumSet.of(DispatcherType.REQUEST);
    if (satchel != null) {
      context.addFilter(new FilterHolder(new SatchelFilter(satchel)), "/*", requests);
      context.addFilter(new FilterHolder(lastVisit(clock)), "/*", requests);
    }
    context.addServlet(new ServletHolder(new PageServlet()), "");
    context.addServlet(new ServletHolder(new AddToCartApi()), "/api/addToCart");
    context.addServlet(new ServletHolder(new AddToCartAction()), "/cart/add");
    context.addServlet(new ServletHolder(new LoginAction()), "/login");
    context.addServlet(new ServletHolder(new LogoutAction()), "/logout");
    context.addServlet(new ServletHolder(new ShareServlet()), "/share");
    server.setHandler(context);
    server.start();
    return server;
  }

  private static ShopDataSession session(HttpServletRequest request) {
    return ShopDataSession.of(SatchelFilter.session(request));
  }

  /** The session, or {@code null} when the shop runs without sessions. */
  private static ShopDataSession sessionIfAny(HttpServletRequest request) {
    try {
      return session(request);
    } catch (IllegalStateException noFilter) {
      return null;
    }
  }

  private static final String PREVIOUS_VISIT = "shop.previousVisit";

  /** The seed's middleware: remembers the last visit on every request. */
  private static Filter lastVisit(Clock clock) {
    return (request, response, chain) -> {
      ShopDataSession shop = ShopDataSession.of(SatchelFilter.session(request));
      request.setAttribute(PREVIOUS_VISIT, shop.lastVisit().orElse(null));
      shop.setLastVisit(Instant.now(clock));
      chain.doFilter(request, response);
    };
  }

  private static List<String> addToCart(ShopDataSession shop, String item) {
    List<String> cart = new ArrayList<>(shop.cart().orElse(List.of()));
    cart.add(item);
    shop.setCart(cart);
    return cart;
  }

  /** {@code GET /}: the cart button, the products, and the visitor's state. */
  static final class PageServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      if (!request.getRequestURI().equals("/")) {
        response.sendError(404);
        return;
      }
      ShopDataSession shop = sessionIfAny(request);
      List<String> cart = shop == null ? List.of() : shop.cart().orElse(List.of());
      StringBuilder html = new StringBuilder();
      html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
          .append("<title>Satchel shop</title></head><body>\n<header>\n")
          .append("<a id=\"cart\" href=\"/\">🛒 ")
          .append(cart.size())
          .append(cart.size() == 1 ? " item" : " items")
          .append("</a>\n");
      (shop == null ? java.util.Optional.<ShopData.User>empty() : shop.user())
          .ifPresentOrElse(
              user ->
                  html.append("<p id=\"user\">Signed in as ")
                      .append(escape(user.name()))
                      .append("</p>\n<form method=\"post\" action=\"/logout\">")
                      .append("<button id=\"logout\">Log out</button></form>\n"),
              () ->
                  html.append("<form method=\"post\" action=\"/login\">")
                      .append(
                          "<input id=\"name\" name=\"name\" placeholder=\"Your name\" required>")
                      .append("<button id=\"login\">Log in</button></form>\n"));
      Object previous = request.getAttribute(PREVIOUS_VISIT);
      html.append("<p id=\"last-visit\">")
          .append(previous == null ? "First visit" : "Last visit: " + previous)
          .append("</p>\n</header>\n<ul id=\"products\">\n");
      for (Map.Entry<String, String> product : Catalog.PRODUCTS.entrySet()) {
        html.append("<li>")
            .append(escape(product.getValue()))
            .append(" <form method=\"post\" action=\"/cart/add\">")
            .append("<input type=\"hidden\" name=\"item\" value=\"")
            .append(product.getKey())
            .append("\"><button id=\"add-")
            .append(product.getKey())
            .append("\">Add to cart</button></form></li>\n");
      }
      html.append("</ul>\n");
      if (!cart.isEmpty()) {
        html.append("<ul id=\"cart-items\">\n");
        for (String item : cart) {
          html.append("<li>")
              .append(escape(Catalog.PRODUCTS.getOrDefault(item, item)))
              .append("</li>\n");
        }
        html.append("</ul>\n");
      }
      (shop == null ? java.util.Optional.<String>empty() : shop.id())
          .ifPresent(
              id ->
                  html.append("<p><a id=\"share\" href=\"/share?id=")
                      .append(id)
                      .append("\">Share my cart</a></p>\n"));
      html.append("</body></html>\n");
      response.setContentType("text/html;charset=utf-8");
      response.getWriter().write(html.toString());
    }
  }

  /** The seed's API endpoint: {@code POST /api/addToCart} with {@code {"item": "..."}}. */
  static final class AddToCartApi extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String item = null;
      try {
        JsonNode body = JSON.readTree(request.getInputStream());
        if (body != null && body.path("item").isTextual()) {
          item = body.get("item").asText();
        }
      } catch (IOException malformed) {
        item = null;
      }
      if (item == null || item.isBlank()) {
        response.setStatus(400);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().write("Item is required");
        return;
      }
      ShopDataSession shop = sessionIfAny(request);
      List<String> cart = shop == null ? List.of(item) : addToCart(shop, item);
      response.setContentType("application/json");
      response
          .getOutputStream()
          .write(JSON.writeValueAsString(cart).getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The seed's form action: adds the posted item, then back to the page. */
  static final class AddToCartAction extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String item = request.getParameter("item");
      if (item == null || !Catalog.PRODUCTS.containsKey(item)) {
        response.sendError(400, "Unknown item");
        return;
      }
      addToCart(session(request), item);
      response.setStatus(303);
      response.setHeader("Location", "/");
    }
  }

  /** Log in: a new session ID for the signed-in visitor, keeping the cart. */
  static final class LoginAction extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String name = request.getParameter("name");
      if (name == null || name.isBlank()) {
        response.sendError(400, "Name is required");
        return;
      }
      ShopDataSession shop = session(request);
      shop.regenerate();
      shop.setUser(new ShopData.User(UUID.randomUUID().toString(), name.strip()));
      response.sendRedirect("/");
    }
  }

  /** Log out: the session ends. */
  static final class LogoutAction extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      session(request).destroy();
      response.sendRedirect("/");
    }
  }

  /** "Share my cart": opens the session a link names. */
  static final class ShareServlet extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      if (!session(request).load(request.getParameter("id"))) {
        response.sendError(404, "No such cart");
        return;
      }
      response.sendRedirect("/");
    }
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      switch (c) {
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '&' -> out.append("&amp;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}
