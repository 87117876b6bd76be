package dev.satchel.examples.springshop;

import dev.satchel.Satchel;
import dev.satchel.Session;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The shop's pages and form actions: the page with the cart button, adding to the cart, and "share
 * my cart". Log-in and log-out are Spring Security's ({@link ShopSecurity}); the page shows who is
 * logged in and offers both. Every form carries the session's CSRF token, from the {@link
 * CsrfToken} request attribute Spring Security sets.
 */
@Controller
class ShopController {
  /** How long a shared cart can be opened. */
  static final Duration SHARED_CART_TTL = Duration.ofDays(1);

  private static final MediaType HTML = MediaType.parseMediaType("text/html;charset=utf-8");

  private final Satchel satchel;

  ShopController(Satchel satchel) {
    this.satchel = satchel;
  }

  /**
   * Adds to the cart atomically, so that concurrent adds all land.
   *
   * @return the cart as stored
   */
  static List<String> addToCart(ShopDataSession shop, List<String> items) {
    return shop.updateCart(
        current -> {
          // A new list each run: the change may run again on fresher data.
          List<String> next = current == null ? new ArrayList<>() : new ArrayList<>(current);
          next.addAll(items);
          return next;
        });
  }

  /**
   * {@code GET /}: the cart button, the products, and the visitor's state: who is logged in, from
   * Spring Security's {@link Authentication} ({@code null} for an anonymous visitor), with the
   * log-out button, or else the log-in form. The CSRF token is also in {@code <meta>} elements, for
   * a script that calls the JSON API.
   */
  @GetMapping("/")
  ResponseEntity<String> page(
      ShopDataSession shop, Model model, Authentication user, CsrfToken csrf) {
    List<String> cart = shop.cart().orElse(List.of());
    String csrfField = csrfField(csrf);
    StringBuilder html = new StringBuilder();
    html.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"_csrf\" content=\"")
        .append(escape(csrf.getToken()))
        .append("\"><meta name=\"_csrf_header\" content=\"")
        .append(escape(csrf.getHeaderName()))
        .append("\">")
        .append("<title>Satchel shop</title></head><body>\n<header>\n")
        .append("<a id=\"cart\" href=\"/\">🛒 ")
        .append(cart.size())
        .append(cart.size() == 1 ? " item" : " items")
        .append("</a>\n");
    if (user != null && user.isAuthenticated()) {
      html.append("<p id=\"user\">Signed in as ")
          .append(escape(user.getName()))
          .append("</p>\n<form method=\"post\" action=\"/logout\">")
          .append(csrfField)
          .append("<button id=\"logout\">Log out</button></form>\n");
    } else {
      html.append("<form method=\"post\" action=\"/login\">")
          .append(csrfField)
          .append("<input id=\"username\" name=\"username\" placeholder=\"User\"")
          .append(" autocomplete=\"username\" required>")
          .append("<input id=\"password\" name=\"password\" type=\"password\"")
          .append(" placeholder=\"Password\" autocomplete=\"current-password\" required>")
          .append("<button id=\"login\">Log in</button></form>\n");
    }
    Object previous = model.getAttribute(LastVisit.PREVIOUS_VISIT);
    html.append("<p id=\"last-visit\">")
        .append(previous == null ? "First visit" : "Last visit: " + previous)
        .append("</p>\n</header>\n<ul id=\"products\">\n");
    for (Map.Entry<String, String> product : Catalog.PRODUCTS.entrySet()) {
      html.append("<li>")
          .append(escape(product.getValue()))
          .append(" <form method=\"post\" action=\"/cart/add\">")
          .append(csrfField)
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
      html.append("</ul>\n<form method=\"post\" action=\"/share\">")
          .append(csrfField)
          .append("<button id=\"share\">Share my cart</button></form>\n");
    }
    html.append("</body></html>\n");
    return ResponseEntity.ok().contentType(HTML).body(html.toString());
  }

  /** The seed's form action: adds the posted item, then back to the page. */
  @PostMapping("/cart/add")
  ResponseEntity<String> add(@RequestParam(required = false) String item, ShopDataSession shop) {
    if (item == null || !Catalog.PRODUCTS.containsKey(item)) {
      return plain(HttpStatus.BAD_REQUEST, "Unknown item");
    }
    addToCart(shop, List.of(item));
    return redirect(HttpStatus.SEE_OTHER);
  }

  /**
   * "Share my cart": copies the cart into a snapshot, a session of its own that holds only the
   * shared items and expires after {@link #SHARED_CART_TTL}, and answers with the link to it. The
   * snapshot's ID is the link's token; the sharer's session ID never leaves the cookie.
   */
  @PostMapping("/share")
  ResponseEntity<String> share(ShopDataSession shop) {
    List<String> cart = shop.cart().orElse(List.of());
    if (cart.isEmpty()) {
      return plain(HttpStatus.BAD_REQUEST, "The cart is empty");
    }
    // No cookie in, none out: the snapshot is never anyone's session.
    Session snapshot = satchel.open(null, cookie -> {});
    ShopDataSession.of(snapshot).setSharedCart(cart, SHARED_CART_TTL);
    snapshot.commit();
    String link = "/shared/" + snapshot.id().orElseThrow();
    String absolute = ServletUriComponentsBuilder.fromCurrentContextPath().path(link).toUriString();
    return ResponseEntity.ok()
        .contentType(HTML)
        .body(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<title>Share your cart</title></head><body>\n"
                + "<p>Anyone with this link can see the items in your cart, for a day:</p>\n"
                + "<p><a id=\"share-link\" href=\""
                + link
                + "\">"
                + escape(absolute)
                + "</a></p>\n<p><a href=\"/\">Back to the shop</a></p>\n</body></html>\n");
  }

  /**
   * The shared items, or empty for an unknown, expired or malformed token. The snapshot is only
   * read, through a session of its own that sends no cookie, so the visitor never holds its ID.
   */
  private Optional<List<String>> sharedCart(String token) {
    return ShopDataSession.of(satchel.open(token, cookie -> {})).sharedCart();
  }

  /** A shared cart, read-only, with a button that copies it into the visitor's own cart. */
  @GetMapping("/shared/{token}")
  ResponseEntity<String> sharedCartPage(@PathVariable String token, CsrfToken csrf) {
    Optional<List<String>> shared = sharedCart(token);
    if (shared.isEmpty()) {
      return noSuchSharedCart();
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
        .append(escape(token))
        .append("/copy\">")
        .append(csrfField(csrf))
        .append("<button id=\"copy\">Add these to my cart</button></form>\n")
        .append("<p><a href=\"/\">Back to the shop</a></p>\n</body></html>\n");
    return ResponseEntity.ok().contentType(HTML).body(html.toString());
  }

  /** Adds a shared cart's items to the visitor's own cart. */
  @PostMapping("/shared/{token}/copy")
  ResponseEntity<String> copySharedCart(@PathVariable String token, ShopDataSession shop) {
    Optional<List<String>> shared = sharedCart(token);
    if (shared.isEmpty()) {
      return noSuchSharedCart();
    }
    addToCart(shop, shared.get());
    return redirect(HttpStatus.SEE_OTHER);
  }

  /** Any other path or method under {@code /shared/}. */
  @RequestMapping("/shared/**")
  ResponseEntity<String> noSuchSharedCart() {
    return plain(HttpStatus.NOT_FOUND, "No such shared cart: it may have expired");
  }

  /** The hidden field that carries the CSRF token in a form. */
  private static String csrfField(CsrfToken csrf) {
    return "<input type=\"hidden\" name=\""
        + escape(csrf.getParameterName())
        + "\" value=\""
        + escape(csrf.getToken())
        + "\">";
  }

  private static ResponseEntity<String> redirect(HttpStatus status) {
    return ResponseEntity.status(status).location(URI.create("/")).build();
  }

  private static ResponseEntity<String> plain(HttpStatus status, String message) {
    return ResponseEntity.status(status).contentType(MediaType.TEXT_PLAIN).body(message);
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
