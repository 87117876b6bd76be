package dev.satchel.examples.springshop;

import dev.satchel.SessionData;
import java.time.Instant;
import java.util.List;

/**
 * What the shop keeps in a visitor's session: Java's mirror of Astro's App.SessionData. Who is
 * logged in is Spring Security's, in the same session (its security context), not a key here.
 */
@SessionData
public interface ShopData {
  List<String> cart();

  Instant lastVisit();

  /**
   * The items of a shared cart, set only in the snapshot that "share my cart" creates: a key of its
   * own, so that a visitor's session is never taken for a shared cart, and a shared cart is never
   * changed by adding to a cart.
   */
  List<String> sharedCart();
}
