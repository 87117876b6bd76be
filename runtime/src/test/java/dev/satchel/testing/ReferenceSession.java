package dev.satchel.testing;

import dev.satchel.devalue.JsUrl;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.Undefined;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The reference session value every benchmark uses (a 20-item cart, a user, a date, ten
 * preferences, five tags, a URL), built from Java values, with the texts the JavaScript side
 * produces for it.
 */
public final class ReferenceSession {
  /** The expiry Astro's blob gives the {@code user} key. */
  public static final long USER_EXPIRES = 4102444800000L;

  private ReferenceSession() {}

  /** The six keys and their values, as plain Java values. */
  public static Map<String, Object> values() {
    Map<String, Object> values = new LinkedHashMap<>();
    List<String> cart = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      cart.add(String.format("sku-%04d", i));
    }
    values.put("cart", cart);
    PlainObject user = new PlainObject();
    user.put("id", "u-12345");
    user.put("name", "Houston");
    user.put("email", "houston@example.com");
    values.put("user", user);
    values.put("lastVisit", Instant.parse("2026-11-26T12:34:56.789Z"));
    Map<String, Object> prefs = new LinkedHashMap<>();
    prefs.put("theme", "dark");
    prefs.put("pageSize", 25);
    prefs.put("newsletter", true);
    prefs.put("currency", "EUR");
    prefs.put("fontScale", 1.25);
    prefs.put("locale", "en-GB");
    prefs.put("beta", false);
    prefs.put("lastTab", "orders");
    prefs.put("itemsSeen", 1042);
    prefs.put("region", "eu-west");
    values.put("prefs", prefs);
    Set<String> tags =
        new LinkedHashSet<>(List.of("vip", "early-adopter", "eu", "mobile", "returning"));
    values.put("tags", tags);
    values.put("homepage", new JsUrl("https://example.com/shop?ref=satchel"));
    return values;
  }

  /** The value as one plain object, as devalue writes the {@code value} text. */
  public static PlainObject asObject() {
    return new PlainObject(values());
  }

  /** The session blob's shape: a Map of key to {@code {data, expires}}, as Astro stores it. */
  public static Map<String, Object> asAstroEntries() {
    Map<String, Object> entries = new LinkedHashMap<>();
    values()
        .forEach(
            (key, value) -> {
              PlainObject entry = new PlainObject();
              entry.put("data", value);
              entry.put("expires", key.equals("user") ? (Object) USER_EXPIRES : Undefined.INSTANCE);
              entries.put(key, entry);
            });
    return entries;
  }

  /** devalue's text for {@link #asObject()}. */
  public static String devalueText() {
    return field("value");
  }

  /** The exact blob Astro stores for the session. */
  public static String astroBlob() {
    return field("astroBlob");
  }

  private static String field(String name) {
    String json = resource();
    Matcher m = Pattern.compile("\"" + name + "\": (\"(?:[^\"\\\\]|\\\\.)*\")").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("reference-session.json has no " + name);
    }
    return unquote(m.group(1));
  }

  private static String unquote(String quoted) {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < quoted.length() - 1; i++) {
      char c = quoted.charAt(i);
      if (c == '\\') {
        char next = quoted.charAt(++i);
        out.append(next == 'n' ? '\n' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String resource() {
    try (InputStream in = ReferenceSession.class.getResourceAsStream("/reference-session.json")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
