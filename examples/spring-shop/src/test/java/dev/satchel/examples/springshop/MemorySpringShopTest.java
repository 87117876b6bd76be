package dev.satchel.examples.springshop;

import org.springframework.boot.test.context.SpringBootTest;

/** The Spring Boot shop with sessions in memory. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    // A plain-HTTP Java client sends no Secure cookies, so the shop runs without them.
    properties = {"satchel.driver=memory", "satchel.cookie.secure=false"})
final class MemorySpringShopTest extends SpringShopHttpTests {}
