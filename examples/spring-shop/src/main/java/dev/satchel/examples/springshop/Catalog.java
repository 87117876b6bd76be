package dev.satchel.examples.springshop;

import java.util.LinkedHashMap;
import java.util.Map;

/** The products on sale, by SKU. */
final class Catalog {
  private Catalog() {}

  static final Map<String, String> PRODUCTS = new LinkedHashMap<>();

  static {
    PRODUCTS.put("sku-0001", "Canvas backpack");
    PRODUCTS.put("sku-0002", "Trail water bottle");
    PRODUCTS.put("sku-0003", "Wool socks");
    PRODUCTS.put("sku-0004", "Pocket knife");
  }
}
