package dev.satchel.examples.shop;

import dev.satchel.SessionData;
import java.time.Instant;
import java.util.List;

/** What the shop keeps in a visitor's session: Java's mirror of Astro's App.SessionData. */
@SessionData
public interface ShopData {
  User user();

  List<String> cart();

  Instant lastVisit();

  /** A signed-in visitor. */
  record User(String id, String name) {}
}
