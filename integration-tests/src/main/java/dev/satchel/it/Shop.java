package dev.satchel.it;

import dev.satchel.SessionData;
import dev.satchel.SessionTtl;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference session: the same keys and types an Astro shop would declare in App.SessionData.
 */
@SessionData
public interface Shop extends Localized {
  List<String> cart();

  @SessionTtl("PT1H")
  User user();

  Instant lastVisit();

  Map<String, Object> prefs();

  Set<String> tags();

  URI homepage();

  /** A signed-in user. */
  record User(String id, String name, String email) {}
}
