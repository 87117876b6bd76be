package dev.satchel.examples.shop;

import dev.satchel.examples.shop.Catalog.Product;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.text.NumberFormat;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The shop's HTML: one layout with the stylesheet inlined, the header, and how money and times
 * read. Everything a visitor or the API supplied (names, items, links) goes through {@link
 * #escape(String)}.
 */
final class Pages {
  private Pages() {}

  /** Prices are in US dollars, written the American way whatever the server's locale. */
  private static final Locale MONEY_LOCALE = Locale.US;

  private static final DateTimeFormatter VISIT_TIME =
      DateTimeFormatter.ofPattern("d MMM uuuu, HH:mm 'UTC'", Locale.ENGLISH)
          .withZone(ZoneOffset.UTC);

  /** Names longer than this are refused at log-in: they would not fit the header. */
  static final int MAX_NAME_LENGTH = 60;

  // Inlined rather than served: a stylesheet request would pass through the session filter and
  // count as a visit.
  private static final String STYLE = resource("shop.css");

  private static String resource(String name) {
    try (InputStream in = Pages.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A whole page: {@code header} and {@code main} are HTML. */
  static String document(String title, String header, String main) {
    return "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>"
        + escape(title)
        + "</title>\n<style>\n"
        + STYLE
        + "</style>\n</head>\n<body>\n"
        + header
        + "<main>\n"
        + main
        + "</main>\n</body>\n</html>\n";
  }

  /**
   * The header of every shop page: the cart's size, and a log-in form or who is signed in.
   *
   * @param user the signed-in visitor, if any
   */
  static String header(int cartSize, Optional<ShopData.User> user) {
    StringBuilder html = new StringBuilder();
    html.append("<header class=\"site-header\">\n<div class=\"bar\">\n")
        .append("<a class=\"brand\" href=\"/\">Satchel shop</a>\n")
        .append("<a id=\"cart\" class=\"cart-count\" href=\"/#your-cart\">")
        .append(cartCount(cartSize))
        .append("</a>\n<div class=\"account\">\n");
    user.ifPresentOrElse(
        signedIn ->
            html.append("<p id=\"user\" class=\"user\">Signed in as ")
                .append(escape(signedIn.name()))
                .append("</p>\n<form method=\"post\" action=\"/logout\">")
                .append("<button id=\"logout\" class=\"secondary\">Log out</button></form>\n"),
        () ->
            html.append("<form class=\"sign-in\" method=\"post\" action=\"/login\">")
                .append("<label class=\"visually-hidden\" for=\"name\">Your name</label>")
                .append("<input id=\"name\" name=\"name\" placeholder=\"Your name\"")
                .append(" autocomplete=\"name\" maxlength=\"")
                .append(MAX_NAME_LENGTH)
                .append("\" required>")
                .append("<button id=\"login\">Log in</button></form>\n"));
    return html.append("</div>\n</div>\n</header>\n").toString();
  }

  /**
   * The header of an error page: no cart and no account, as the error may be that the session store
   * cannot be reached.
   */
  static String plainHeader() {
    return "<header class=\"site-header\">\n<div class=\"bar\">\n"
        + "<a class=\"brand\" href=\"/\">Satchel shop</a>\n</div>\n</header>\n";
  }

  static String cartCount(int size) {
    return "🛒 " + size + (size == 1 ? " item" : " items");
  }

  /**
   * Cart lines with their prices and total; an item the catalog does not know (the JSON API takes
   * any) is shown by its own text and counts for nothing.
   *
   * @param listId the list's element id
   * @param removable whether each line gets a "Remove" button
   */
  static String cartLines(String listId, List<String> items, boolean removable) {
    StringBuilder html = new StringBuilder();
    html.append("<ul id=\"").append(listId).append("\" class=\"lines\">\n");
    BigDecimal total = BigDecimal.ZERO;
    for (int index = 0; index < items.size(); index++) {
      String item = items.get(index);
      Optional<Product> product = Catalog.find(item);
      String name = product.map(Product::name).orElse(item);
      html.append("<li class=\"line\"><span class=\"line-name\">")
          .append(escape(name))
          .append("</span><span class=\"price\">")
          .append(product.map(known -> money(known.price())).orElse("—"))
          .append("</span>");
      if (removable) {
        html.append("<form method=\"post\" action=\"/cart/remove\">")
            .append("<input type=\"hidden\" name=\"item\" value=\"")
            .append(escape(item))
            .append("\"><input type=\"hidden\" name=\"index\" value=\"")
            .append(index)
            .append("\"><button id=\"remove-")
            .append(index)
            .append("\" class=\"remove\" aria-label=\"Remove ")
            .append(escape(name))
            .append("\">Remove</button></form>");
      }
      html.append("</li>\n");
      if (product.isPresent()) {
        total = total.add(product.get().price());
      }
    }
    return html.append("</ul>\n<p class=\"total\"><span>Total</span> <span id=\"")
        .append(listId)
        .append("-total\" class=\"price\">")
        .append(money(total))
        .append("</span></p>\n")
        .toString();
  }

  /** An amount in dollars and cents, such as {@code $1,234.50}. */
  static String money(BigDecimal amount) {
    // NumberFormat is not thread-safe: one per use.
    return NumberFormat.getCurrencyInstance(MONEY_LOCALE).format(amount);
  }

  /**
   * When the visitor last came, as a date and how long ago, such as {@code 1 Dec 2026, 14:05 UTC (5
   * minutes ago)}.
   */
  static String lastVisit(Instant previous, Instant now) {
    if (previous == null) {
      return "First visit: welcome!";
    }
    return "Last visit: <time datetime=\""
        + previous
        + "\">"
        + VISIT_TIME.format(previous)
        + "</time> ("
        + ago(Duration.between(previous, now))
        + ")";
  }

  /** A rough span, such as {@code 5 minutes ago}. */
  static String ago(Duration elapsed) {
    if (elapsed.toMinutes() < 1) {
      return "just now";
    }
    if (elapsed.toHours() < 1) {
      return plural(elapsed.toMinutes(), "minute") + " ago";
    }
    if (elapsed.toDays() < 1) {
      return plural(elapsed.toHours(), "hour") + " ago";
    }
    return plural(elapsed.toDays(), "day") + " ago";
  }

  private static String plural(long count, String unit) {
    return count + " " + unit + (count == 1 ? "" : "s");
  }

  /**
   * An error page in the shop's own words.
   *
   * @param message what the shop said when it refused a request (a 400 or 404), or {@code null}
   */
  static String error(int status, String message) {
    String title;
    String explanation;
    switch (status) {
      case 400 -> {
        title = "That did not work";
        explanation = "The shop could not use what was sent.";
      }
      case 404 -> {
        title = "Page not found";
        explanation = "There is nothing at this address.";
      }
      case 405 -> {
        title = "Not here";
        explanation = "This address does not take that kind of request.";
      }
      case 503 -> {
        title = "The shop is busy";
        explanation = "Your cart cannot be reached just now. Please try again in a moment.";
      }
      default -> {
        title = status >= 500 ? "Something went wrong" : "That did not work";
        explanation =
            status >= 500
                ? "Your last change may not have been saved. Please try again."
                : "The shop could not handle this request.";
      }
    }
    boolean refusal = (status == 400 || status == 404) && message != null && !message.isBlank();
    return document(
        title + " · Satchel shop",
        plainHeader(),
        "<section class=\"panel error\">\n<p class=\"status\">Error "
            + status
            + "</p>\n<h1>"
            + title
            + "</h1>\n<p id=\"error-message\">"
            + escape(refusal ? message : explanation)
            + "</p>\n<p><a class=\"button\" href=\"/\">Back to the shop</a></p>\n</section>\n");
  }

  /** {@code text} fit for HTML, in element content and in quoted attribute values alike. */
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
