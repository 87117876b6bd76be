package dev.satchel.examples.shop;

import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The products on sale, by SKU. */
final class Catalog {
  private Catalog() {}

  /** A product: its SKU is what a cart holds, its name and price are what the page shows. */
  record Product(String sku, String name, BigDecimal price) {}

  /** Every product, in the order the page lists them. */
  static final Map<String, Product> PRODUCTS =
      products(
          new Product("sku-0001", "Canvas backpack", new BigDecimal("64.00")),
          new Product("sku-0002", "Trail water bottle", new BigDecimal("18.50")),
          new Product("sku-0003", "Wool socks", new BigDecimal("12.00")),
          new Product("sku-0004", "Pocket knife", new BigDecimal("34.95")));

  private static Map<String, Product> products(Product... products) {
    Map<String, Product> bySku = new LinkedHashMap<>();
    for (Product product : products) {
      bySku.put(product.sku(), product);
    }
    return Collections.unmodifiableMap(bySku);
  }

  /**
   * The product a cart item names, or empty: the JSON API takes any item, not only the catalog's.
   */
  static Optional<Product> find(String sku) {
    return Optional.ofNullable(PRODUCTS.get(sku));
  }
}
