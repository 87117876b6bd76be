package test;

import dev.satchel.SessionData;
import dev.satchel.SessionKey;
import dev.satchel.SessionTtl;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@SessionData
public interface Shop {
  @SessionTtl("PT1H")
  User user();

  List<String> getCart();

  @SessionKey("last-visit")
  Instant lastVisit();

  Map<String, List<Item>> wishlists();

  Optional<Size> preferredSize();

  int visits();

  record User(String id, String name) {}

  record Item(String sku, int quantity, Optional<String> note) {}

  enum Size {
    SMALL,
    LARGE
  }
}
