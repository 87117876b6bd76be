package dev.satchel.examples.shop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionConfigurationException;
import dev.satchel.SessionStorageException;
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
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The seed's shop: a page with the cart button, an API endpoint, form actions to add and remove, a
 * middleware and a "share my cart" link, all through the generated {@link ShopDataSession}; its own
 * error pages for everything else.
 *
 * <p>Run: {@code mvn -q -pl examples/shop -am package -DskipTests && java -jar
 * examples/shop/target/shop.jar}, then open http://localhost:8080. {@code PORT} picks another port
 * and {@code HOST} another address to listen on (127.0.0.1 unless set); {@code SATCHEL_DRIVER=redis
 * SATCHEL_DRIVER_URL=redis://localhost:6379} another store, as does {@code SATCHEL_DRIVER=jdbc
 * SATCHEL_DRIVER_URL=jdbc:postgresql://localhost:5432/shop} with {@code SATCHEL_DRIVER_USERNAME}
 * and {@code SATCHEL_DRIVER_PASSWORD} (or {@code jdbc:h2:./.satchel/shop}, an H2 file): the driver
 * creates its tables there on first start.
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
    Satchel satchel;
    try {
      satchel = sessions(environment);
    } catch (StartupException e) {
      System.err.println(e.getMessage());
      System.exit(1);
      return;
    }
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

  /**
   * The sessions the {@code SATCHEL_*} variables in {@code environment} configure, kept for {@link
   * #IDLE_TIMEOUT} unless {@code SATCHEL_IDLE_TIMEOUT} says otherwise.
   *
   * @throws StartupException when a setting is wrong or the store cannot be started, such as a
   *     database that cannot be reached
   */
  static Satchel sessions(Map<String, String> environment) throws StartupException {
    try {
      return Satchel.builder().idleTimeout(IDLE_TIMEOUT).environment(environment).build();
    } catch (SessionStorageException | SessionConfigurationException e) {
      throw new StartupException("The session store cannot start: " + e.getMessage(), e);
    }
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
   * @param clock the clock of the last visit: the middleware records it, the page says how long ago
   *     it was
   * @throws StartupException if the address cannot be listened on, such as a port in use
   */
  public static Server start(Satchel satchel, String host, int port, Clock clock) throws Exception {
    Server server = new Server();
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false); // tells attackers more than visitors
    ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    EnumSet<DispatcherType> requests = EnumSet.of(DispatcherType.REQUEST);
    if (satchel != null) {
      // The first filter sees the response last: it turns the session filter's 503 into a page.
      context.addFilter(new FilterHolder(new ErrorPages.StoreUnavailablePage()), "/*", requests);
      context.addFilter(new FilterHolder(new SatchelFilter(satchel)), "/*", requests);
      context.addFilter(new FilterHolder(lastVisit(clock)), "/*", requests);
      context.addServlet(new ServletHolder(new ShareAction(satchel)), "/share");
      context.addServlet(new ServletHolder(new SharedCartServlet(satchel)), "/shared/*");
      context.addServlet(new ServletHolder(new CartApi()), "/api/cart");
    }
    ErrorPages.install(server, context);
    context.addServlet(new ServletHolder(new PageServlet(clock)), "");
    context.addServlet(new ServletHolder(new AddToCartApi()), "/api/addToCart");
    context.addServlet(new ServletHolder(new AddToCartAction()), "/cart/add");
    context.addServlet(new ServletHolder(new RemoveFromCartAction()), "/cart/remove");
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

  /**
   * The seed's middleware: remembers the last visit of a visitor who already has a session. A
   * request without one (a first look, a crawler, a flood of requests without cookies) is not given
   * one for this: writing the visit would store a session for every such request. A visitor's
   * session begins when they do something worth keeping, such as adding to the cart.
   */
  private static Filter lastVisit(Clock clock) {
    return (request, response, chain) -> {
      Session session = SatchelFilter.session(request);
      ShopDataSession shop = ShopDataSession.of(session);
      request.setAttribute(PREVIOUS_VISIT, shop.lastVisit().orElse(null));
      // Reads nothing more: lastVisit() has read the session, if the request named one.
      if (session.exists()) {
        shop.setLastVisit(Instant.now(clock));
      }
      chain.doFilter(request, response);
    };
  }

  /** What a visitor is told when their session ended (a log-out in another tab) mid-request. */
  static final String SESSION_ENDED =
      "Your session ended while this was being saved (you signed out in another tab);"
          + " nothing was added.";

  /**
   * Adds to the cart atomically, so that concurrent adds all land.
   *
   * @return the cart as stored, or {@code null} when the session was ended meanwhile by a log-out
   *     in another request, and nothing was stored
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

  /** {@code GET /}: the header with the cart's size, the products, the cart and its total. */
  static final class PageServlet extends HttpServlet {
    private final Clock clock;

    PageServlet(Clock clock) {
      this.clock = clock;
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      if (!request.getRequestURI().equals("/")) {
        response.sendError(404);
        return;
      }
      ShopDataSession shop = sessionIfAny(request);
      List<String> cart = shop == null ? List.of() : shop.cart().orElse(List.of());
      StringBuilder main = new StringBuilder();
      main.append("<p id=\"last-visit\" class=\"last-visit\">")
          .append(Pages.lastVisit((Instant) request.getAttribute(PREVIOUS_VISIT), clock.instant()))
          .append("</p>\n<div class=\"columns\">\n<section aria-labelledby=\"products-title\">\n")
          .append(
              "<h1 id=\"products-title\">Products</h1>\n<ul id=\"products\" class=\"products\">\n");
      for (Catalog.Product product : Catalog.PRODUCTS.values()) {
        main.append("<li class=\"product\"><span class=\"product-name\">")
            .append(escape(product.name()))
            .append("</span><span class=\"price\">")
            .append(Pages.money(product.price()))
            .append("</span><form method=\"post\" action=\"/cart/add\">")
            .append("<input type=\"hidden\" name=\"item\" value=\"")
            .append(escape(product.sku()))
            .append("\"><button id=\"add-")
            .append(escape(product.sku()))
            .append("\">Add to cart</button></form></li>\n");
      }
      main.append("</ul>\n</section>\n")
          .append("<section id=\"your-cart\" aria-labelledby=\"cart-title\">\n")
          .append("<h2 id=\"cart-title\">Your cart</h2>\n<div class=\"panel\">\n");
      if (cart.isEmpty()) {
        main.append("<p class=\"empty\">Your cart is empty.</p>\n");
      } else {
        main.append(Pages.cartLines("cart-items", cart, true))
            .append("<form method=\"post\" action=\"/share\">")
            .append("<button id=\"share\" class=\"secondary\">Share my cart</button></form>\n");
      }
      main.append("</div>\n</section>\n</div>\n");
      writeHtml(response, Pages.document("Satchel shop", header(shop, cart), main.toString()));
    }
  }

  /** The header for {@code shop}'s visitor, whose cart is {@code cart}. */
  private static String header(ShopDataSession shop, List<String> cart) {
    return Pages.header(cart.size(), shop == null ? Optional.empty() : shop.user());
  }

  /** The header for the request's visitor. */
  private static String header(HttpServletRequest request) {
    ShopDataSession shop = sessionIfAny(request);
    return header(shop, shop == null ? List.of() : shop.cart().orElse(List.of()));
  }

  private static void writeHtml(HttpServletResponse response, String html) throws IOException {
    response.setContentType("text/html;charset=utf-8");
    response.getWriter().write(html);
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
      if (cart == null) {
        response.setStatus(409);
        response.setContentType("text/plain;charset=utf-8");
        response.getWriter().write(SESSION_ENDED);
        return;
      }
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
        response.sendError(400, "That product is not in the catalog.");
        return;
      }
      if (addToCart(session(request), List.of(item)) == null) {
        response.sendError(409, SESSION_ENDED);
        return;
      }
      response.setStatus(303);
      response.setHeader("Location", "/");
    }
  }

  /**
   * Removes one copy of the posted item from the cart, then back to the page. The line's index
   * picks which copy when it still holds the item; when the cart changed meanwhile (another tab),
   * the first copy goes. An item the cart lacks changes nothing.
   */
  static final class RemoveFromCartAction extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String item = request.getParameter("item");
      String indexText = request.getParameter("index");
      int index;
      try {
        index = indexText == null ? -1 : Integer.parseInt(indexText);
      } catch (NumberFormatException notANumber) {
        index = Integer.MIN_VALUE;
      }
      if (item == null || item.isEmpty() || index == Integer.MIN_VALUE) {
        response.sendError(400, "Choose an item to remove.");
        return;
      }
      removeFromCart(session(request), item, index);
      response.setStatus(303);
      response.setHeader("Location", "/");
    }
  }

  /**
   * Removes one copy of {@code item} atomically, so that concurrent adds and removes all land.
   *
   * @param index where the visitor saw it, or -1
   */
  private static void removeFromCart(ShopDataSession shop, String item, int index) {
    shop.updateCart(
        current -> {
          if (current == null) {
            return null;
          }
          int at =
              index >= 0 && index < current.size() && current.get(index).equals(item)
                  ? index
                  : current.indexOf(item);
          if (at < 0) {
            return current;
          }
          List<String> next = new ArrayList<>(current);
          next.remove(at);
          return next;
        });
  }

  /** Log in: a new session ID for the signed-in visitor, keeping the cart. */
  static final class LoginAction extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String name = request.getParameter("name");
      if (name == null || name.isBlank()) {
        response.sendError(400, "Please enter your name to log in.");
        return;
      }
      if (name.strip().length() > Pages.MAX_NAME_LENGTH) {
        response.sendError(
            400, "Please use a name of at most " + Pages.MAX_NAME_LENGTH + " characters.");
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
        response.sendError(400, "Your cart is empty: there is nothing to share.");
        return;
      }
      ShopDataSession sharer = session(request);
      // Sharing the same cart again gives the same link: a visitor cannot fill the store with
      // copies of one large cart by sharing it over and over.
      String token =
          sharer
              .shareToken()
              .filter(previous -> sharedCart(satchel, previous).filter(cart::equals).isPresent())
              .orElse(null);
      if (token == null) {
        // No cookie in, none out: the snapshot is never anyone's session.
        Session snapshot = satchel.open(null, cookie -> {});
        ShopDataSession.of(snapshot).setSharedCart(cart, SHARED_CART_TTL);
        snapshot.commit();
        token = snapshot.id().orElseThrow();
        sharer.setShareToken(token, SHARED_CART_TTL);
      }
      String link = "/shared/" + token;
      String absolute = request.getRequestURL().toString().replaceFirst("/share$", "") + link;
      writeHtml(
          response,
          Pages.document(
              "Share your cart · Satchel shop",
              header(request),
              "<section class=\"panel narrow\">\n<h1>Share your cart</h1>\n"
                  + "<p>Anyone with this link can see the items in your cart, for a day:</p>\n"
                  + "<p class=\"share-link\"><a id=\"share-link\" href=\""
                  + escape(link)
                  + "\">"
                  + escape(absolute)
                  + "</a></p>\n<p><a href=\"/\">Back to the shop</a></p>\n</section>\n"));
    }
  }

  /** The items shared under {@code token}, or empty for an unknown, expired or malformed token. */
  static Optional<List<String>> sharedCart(Satchel satchel, String token) {
    return ShopDataSession.of(satchel.open(token, cookie -> {})).sharedCart();
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

    private Optional<List<String>> sharedCart(String token) {
      return ShopApp.sharedCart(satchel, token);
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
        response.sendError(404, "There is no such shared cart: it may have expired.");
        return;
      }
      String main =
          "<section class=\"panel narrow\">\n<h1>A shared cart</h1>\n"
              + "<p>Someone shared this cart with you:</p>\n"
              + Pages.cartLines("shared-items", shared.get(), false)
              + "<form method=\"post\" action=\"/shared/"
              + escape(segments[0])
              + "/copy\"><button id=\"copy\">Add these to my cart</button></form>\n"
              + "<p><a href=\"/\">Back to the shop</a></p>\n</section>\n";
      writeHtml(response, Pages.document("A shared cart · Satchel shop", header(request), main));
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
        response.sendError(404, "There is no such shared cart: it may have expired.");
        return;
      }
      if (addToCart(session(request), shared.get()) == null) {
        response.sendError(409, SESSION_ENDED);
        return;
      }
      response.setStatus(303);
      response.setHeader("Location", "/");
    }
  }

  private static String escape(String text) {
    return Pages.escape(text);
  }
}
