package dev.satchel.examples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.BindException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The seed's shop: a page with the cart button, an API endpoint, a form action, a middleware and a
 * "share my cart" link, all through the generated {@link ShopDataSession}.
 *
 * <p>Run: {@code mvn -q -pl examples/shop -am package -DskipTests && java -jar
 * examples/shop/target/shop.jar}, then open http://localhost:8080. {@code PORT} picks another port
 * and {@code HOST} another address to listen on (127.0.0.1 unless set); {@code SATCHEL_DRIVER=redis
 * SATCHEL_DRIVER_URL=redis://localhost:6379} another store.
 */
public final class ShopApp {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How long a shared cart can be opened. */
  static final Duration SHARED_CART_TTL = Duration.ofDays(1);

  /**
   * How long a visitor's session, and so their cart, lives without a visit: a day, longer than
   * Satchel's 30-minute default, as shops keep carts; {@code SATCHEL_IDLE_TIMEOUT} overrides it. A
   * shared cart's snapshot lives no longer than this either.
   */
  static final Duration IDLE_TIMEOUT = Duration.ofDays(1);

  private ShopApp() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> environment = System.getenv();
    String host = environment.getOrDefault("HOST", "127.0.0.1");
    int port = port(environment.getOrDefault("PORT", "8080"));
    if (port < 0) {
      System.err.println("PORT must be a port number from 0 to 65535, such as 8080");
      System.exit(1);
      return;
    }
    Satchel satchel =
        Satchel.builder().idleTimeout(IDLE_TIMEOUT).environment(System.getenv()).build();
    Server server;
    try {
      server = start(satchel, host, port, Clock.systemUTC());
    } catch (StartupException e) {
      satchel.close();
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
    int boundPort = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
    String shownHost = host.contains(":") ? "[" + host + "]" : host;
    System.out.println(
        "Satchel shop on http://"
            + shownHost
            + ":"
            + boundPort
            + "/ (sessions: "
            + satchel.driverName()
            + ")");
    server.join();
  }

  /** The port {@code text} names, or -1 if it names none. */
  static int port(String text) {
    try {
      int port = Integer.parseInt(text.strip());
      return port >= 0 && port <= 65535 ? port : -1;
    } catch (NumberFormatException notANumber) {
      return -1;
    }
  }

  /** Why the shop could not start, in one line fit for the console. */
  public static final class StartupException extends Exception {
    private static final long serialVersionUID = 1L;

    StartupException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Starts the shop on 127.0.0.1, as {@link #start(Satchel, String, int, Clock)} does. */
  public static Server start(Satchel satchel, int port, Clock clock) throws Exception {
    return start(satchel, "127.0.0.1", port, clock);
  }

  /**
   * Starts the shop on {@code host} and {@code port} (0 for any free one) with sessions from {@code
   * satchel}.
   *
   * @param satchel the sessions, or {@code null} to run without any (the page shows an empty cart,
   *     the API stores nothing): the baseline the benchmarks compare against
   * @param clock the time the middleware records as the last visit
   * @throws StartupException if the address cannot be listened on, such as a port in use
   */
  public static Server start(Satchel satchel, String host, int port, Clock clock) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    EnumSet<DispatcherType> requests = EnumSet.of(DispatcherType.REQUEST);
    if (satchel != null) {
      context.addFilter(new FilterHolder(new SatchelFilter(satchel)), "/*", requests);
      context.addFilter(new FilterHolder(lastVisit(clock)), "/*", requests);
      context.addServlet(new ServletHolder(new ShareAction(satchel)), "/share");
      context.addServlet(new ServletHolder(new SharedCartServlet(satchel)), "/shared/*");
      context.addServlet(new ServletHolder(new CartApi()), "/api/cart");
    }
    context.addServlet(new ServletHolder(new PageServlet()), "");
    context.addServlet(new ServletHolder(new AddToCartApi()), "/api/addToCart");
    context.addServlet(new ServletHolder(new AddToCartAction()), "/cart/add");
    context.addServlet(new ServletHolder(new LoginAction()), "/login");
    context.addServlet(new ServletHolder(new LogoutAction()), "/logout");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      BindException bind = bindFailure(e);
      if (bind == null) {
        throw e;
      }
      String message = String.valueOf(bind.getMessage());
      throw new StartupException(
          message.contains("in use")
              ? "Port " + port + " is already in use; set PORT to another port"
              : "Cannot listen on " + host + ":" + port + " (" + message + "); set HOST or PORT",
          e);
    }
    return server;
  }

  private static BindException bindFailure(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof BindException) {
        return (BindException) cause;
      }
    }
    return null;
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

  /**
   * Adds to the cart atomically, so that concurrent adds all land.
   *
   * @return the cart as stored
   */
  private static List<String> addToCart(ShopDataSession shop, List<String> items) {
    return shop.updateCart(
        current -> {
          // A new list each run: the change may run again on fresher data.
          List<String> next = current == null ? new ArrayList<>() : new ArrayList<>(current);
          next.addAll(items);
          return next;
        });
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
      (shop == null ? Optional.<ShopData.User>empty() : shop.user())
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
      if (!cart.isEmpty()) {
        html.append("<form method=\"post\" action=\"/share\">")
            .append("<button id=\"share\">Share my cart</button></form>\n");
      }
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
      List<String> cart = shop == null ? List.of(item) : addToCart(shop, List.of(item));
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
      addToCart(session(request), List.of(item));
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

  /** {@code GET /api/cart}: the cart, as JSON. */
  static final class CartApi extends HttpServlet {
    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      List<String> cart = session(request).cart().orElse(List.of());
      response.setContentType("application/json");
      response
          .getOutputStream()
          .write(JSON.writeValueAsString(cart).getBytes(StandardCharsets.UTF_8));
    }
  }

  /**
   * "Share my cart", {@code POST /share}: copies the cart into a snapshot, a session of its own
   * that holds only the shared items and expires after {@link #SHARED_CART_TTL}, and answers with
   * the link to it. The snapshot's ID is the link's token; the sharer's session ID never leaves the
   * cookie.
   */
  static final class ShareAction extends HttpServlet {
    private final Satchel satchel;

    ShareAction(Satchel satchel) {
      this.satchel = satchel;
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      List<String> cart = session(request).cart().orElse(List.of());
      if (cart.isEmpty()) {
        response.sendError(400, "The cart is empty");
        return;
      }
      // No cookie in, none out: the snapshot is never anyone's session.
      Session snapshot = satchel.open(null, cookie -> {});
      ShopDataSession.of(snapshot).setSharedCart(cart, SHARED_CART_TTL);
      snapshot.commit();
      String link = "/shared/" + snapshot.id().orElseThrow();
      String absolute = request.getRequestURL().toString().replaceFirst("/share$", "") + link;
      response.setContentType("text/html;charset=utf-8");
      response
          .getWriter()
          .write(
              "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                  + "<title>Share your cart</title></head><body>\n"
                  + "<p>Anyone with this link can see the items in your cart, for a day:</p>\n"
                  + "<p><a id=\"share-link\" href=\""
                  + link
                  + "\">"
                  + escape(absolute)
                  + "</a></p>\n<p><a href=\"/\">Back to the shop</a></p>\n</body></html>\n");
    }
  }

  /**
   * A shared cart: {@code GET /shared/<token>} shows it, {@code POST /shared/<token>/copy} adds its
   * items to the visitor's own cart. The snapshot is only read, through a session of its own that
   * sends no cookie, so the visitor never holds its ID.
   */
  static final class SharedCartServlet extends HttpServlet {
    private final Satchel satchel;

    SharedCartServlet(Satchel satchel) {
      this.satchel = satchel;
    }

    /** The shared items, or empty for an unknown, expired or malformed token. */
    private Optional<List<String>> sharedCart(String token) {
      return ShopDataSession.of(satchel.open(token, cookie -> {})).sharedCart();
    }

    /** The path after {@code /shared/}, split at slashes. */
    private static String[] segments(HttpServletRequest request) {
      String path = request.getPathInfo();
      return path == null || path.length() < 2 ? new String[0] : path.substring(1).split("/", -1);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String[] segments = segments(request);
      Optional<List<String>> shared =
          segments.length == 1 ? sharedCart(segments[0]) : Optional.empty();
      if (shared.isEmpty()) {
        response.sendError(404, "No such shared cart: it may have expired");
        return;
      }
      StringBuilder html = new StringBuilder();
      html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
          .append("<title>A shared cart</title></head><body>\n")
          .append("<p>Someone shared this cart with you:</p>\n<ul id=\"shared-items\">\n");
      for (String item : shared.get()) {
        html.append("<li>")
            .append(escape(Catalog.PRODUCTS.getOrDefault(item, item)))
            .append("</li>\n");
      }
      html.append("</ul>\n<form method=\"post\" action=\"/shared/")
          .append(escape(segments[0]))
          .append("/copy\"><button id=\"copy\">Add these to my cart</button></form>\n")
          .append("<p><a href=\"/\">Back to the shop</a></p>\n</body></html>\n");
      response.setContentType("text/html;charset=utf-8");
      response.getWriter().write(html.toString());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String[] segments = segments(request);
      Optional<List<String>> shared =
          segments.length == 2 && segments[1].equals("copy")
              ? sharedCart(segments[0])
              : Optional.empty();
      if (shared.isEmpty()) {
        response.sendError(404, "No such shared cart: it may have expired");
        return;
      }
      addToCart(session(request), shared.get());
      response.setStatus(303);
      response.setHeader("Location", "/");
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
