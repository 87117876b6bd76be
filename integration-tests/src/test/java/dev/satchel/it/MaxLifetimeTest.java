package dev.satchel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.redis.RedisServer;
import dev.satchel.testing.MutableClock;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The absolute lifetime on every driver: a session used every 25 minutes, well within its idle
 * timeout, ends eight hours after it began, for every request, and leaves its user's sessions.
 */
final class MaxLifetimeTest {
  @RegisterExtension static final RedisServer redis = new RedisServer();

  private static Satchel satchel(String driver, MutableClock clock) throws Exception {
    Satchel.Builder builder =
        Satchel.builder().driver(driver).clock(clock).maxLifetime(Duration.ofHours(8));
    switch (driver) {
      case "fs" ->
          builder
              .driverOption("base", Files.createTempDirectory("satchel-lifetime").toString())
              .driverOption("fsync", "false");
      case "redis" -> builder.driverOption("url", redis.url());
      default -> {}
    }
    return builder.build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs", "redis"})
  void anActiveSession_endsAtItsMaximumLifetime_onEveryDriver(String driver) throws Exception {
    MutableClock clock = new MutableClock();
    try (Satchel satchel = satchel(driver, clock)) {
      String principal = "lifetime-" + driver + "-" + System.nanoTime();
      Session login = satchel.open(null, cookie -> {});
      login.set("cart", "socks", ValueCodecs.strings());
      login.setPrincipal(principal);
      login.commit();
      String id = login.id().orElseThrow();
      for (int request = 0; request < 19; request++) {
        clock.advance(Duration.ofMinutes(25));
        assertEquals(
            "socks",
            satchel.open(id, cookie -> {}).get("cart", ValueCodecs.strings()).orElseThrow(),
            "request " + request);
      }
      assertEquals(1, satchel.sessionsOf(principal).size());

      clock.advance(Duration.ofMinutes(6));
      assertTrue(satchel.sessionsOf(principal).isEmpty(), "past its lifetime, it is not listed");
      Session late = satchel.open(id, cookie -> {});
      assertTrue(late.get("cart", ValueCodecs.strings()).isEmpty());
      late.set("cart", "hat", ValueCodecs.strings());
      late.commit();
      assertNotEquals(id, late.id().orElseThrow(), "an ended ID is never written again");
      assertTrue(
          satchel.open(id, cookie -> {}).get("cart", ValueCodecs.strings()).isEmpty(),
          "it ended for every request");
    }
  }
}
