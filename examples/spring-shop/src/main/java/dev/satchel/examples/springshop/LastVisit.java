package dev.satchel.examples.springshop;

import java.time.Clock;
import java.time.Instant;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ModelAttribute;

/** The seed's middleware: remembers the last visit on every request to the shop. */
@ControllerAdvice(assignableTypes = {ShopController.class, CartApi.class})
class LastVisit {
  /** The model attribute holding the visit before this one, absent on a first visit. */
  static final String PREVIOUS_VISIT = "previousVisit";

  private final Clock clock;

  LastVisit(Clock clock) {
    this.clock = clock;
  }

  @ModelAttribute
  void record(ShopDataSession shop, Model model) {
    shop.lastVisit().ifPresent(previous -> model.addAttribute(PREVIOUS_VISIT, previous));
    shop.setLastVisit(Instant.now(clock));
  }
}
