package dev.satchel.examples.springshop;

import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The shop's JSON API. */
@RestController
class CartApi {
  /**
   * The seed's API endpoint: {@code POST /api/addToCart} with {@code {"item": "..."}}.
   *
   * @return the cart as stored
   */
  @PostMapping("/api/addToCart")
  ResponseEntity<?> addToCart(
      @RequestBody(required = false) Map<String, Object> body, ShopDataSession shop) {
    Object item = body == null ? null : body.get("item");
    if (!(item instanceof String text) || text.isBlank()) {
      return ResponseEntity.badRequest().contentType(MediaType.TEXT_PLAIN).body("Item is required");
    }
    return ResponseEntity.ok(ShopController.addToCart(shop, List.of(text)));
  }

  /** {@code GET /api/cart}: the cart. */
  @GetMapping("/api/cart")
  List<String> cart(ShopDataSession shop) {
    return shop.cart().orElse(List.of());
  }
}
