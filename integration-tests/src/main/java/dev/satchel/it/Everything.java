package dev.satchel.it;

import dev.satchel.SessionData;
import dev.satchel.SessionKey;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** One key of every supported kind, nested in the shapes users write. */
@SessionData
public interface Everything {
  String text();

  boolean flag();

  int count();

  long total();

  double ratio();

  float scale();

  short small();

  byte tiny();

  char letter();

  BigInteger huge();

  Instant when();

  Date legacyDate();

  URI link();

  URL address();

  Pattern pattern();

  byte[] bytes();

  int[] numbers();

  String[] words();

  Colour colour();

  Map<String, List<Item>> wishlists();

  Optional<Set<Colour>> favourites();

  Map<Colour, Integer> stock();

  Node tree();

  Object anything();

  @SessionKey("renamed-key")
  String renamed();

  /** An enum, stored by name. */
  enum Colour {
    RED,
    GREEN
  }

  /** A record inside containers. */
  record Item(String sku, int quantity, Optional<String> note) {}

  /** A record that refers to itself. */
  record Node(String label, List<Node> children) {}

  /** A nested @SessionData interface. */
  @SessionData
  interface Nested {
    String value();
  }
}
