package dev.satchel.examples.springshop;

import dev.satchel.Session;
import java.time.Clock;
import java.time.Instant;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/**
 * The seed's middleware: remembers the last visit of a visitor who already has a session, on every
 * request to the shop. A request without one (a first look, a crawler, a flood of requests without
 * cookies) is not given one for this: writing the visit would store a session for every such
 * request. A visitor's session begins when they do something worth keeping, such as adding to the
 * cart or logging in.
 */
@ControllerAdvice(assignableTypes = {ShopController.class, CartApi.class})
class LastVisit {
  /** The model attribute holding the visit before this one, absent on a first visit. */
  static final String PREVIOUS_VISIT = "previousVisit";

  private final Clock clock;

  LastVisit(Clock clock) {
    this.clock = clock;
  }

  @ModelAttribute
  void record(Session session, ShopDataSession shop, Model model) {
    shop.lastVisit().ifPresent(previous -> model.addAttribute(PREVIOUS_VISIT, previous));
    // Reads nothing more: lastVisit() has read the session, if the request named one.
    if (session.exists()) {
      shop.setLastVisit(Instant.now(clock));
    }
  }
}
