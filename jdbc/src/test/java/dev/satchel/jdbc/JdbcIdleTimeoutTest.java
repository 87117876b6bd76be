package dev.satchel.jdbc;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A session's own idle timeout on PostgreSQL, through requests that only read: the row's expiry
 * follows the session's timeout, shorter or longer than the configured one, whether or not the
 * instance has the session decoded already (another instance wrote it last, or it left the cache).
 */
final class JdbcIdleTimeoutTest {
  @RegisterExtension static final PostgresServer postgres = new PostgresServer();

  private static final Duration CONFIGURED = Duration.ofMinutes(30);

  private final MutableClock clock = new MutableClock();
  private final String table = "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
  private final List<Satchel> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(Satchel::close);
  }

  private Satchel instance(long decodedCacheSize) {
    Satchel satchel =
        Satchel.builder()
            .driver("jdbc")
            .driverOption("url", postgres.jdbcUrl())
            .driverOption("username", postgres.user())
            .driverOption("password", postgres.password())
            .driverOption("table", table)
            .driverOption("pool-size", "2")
            .driverOption("cleanup-interval", "1d")
            .clock(clock)
            .idleTimeout(CONFIGURED)
            .decodedCacheSize(decodedCacheSize)
            .build();
    opened.add(satchel);
    return satchel;
  }

  private String create(Satchel satchel, Duration ownIdle) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "socks", ValueCodecs.strings());
    session.setIdleTimeout(ownIdle);
    session.commit();
    return session.id().orElseThrow();
  }

  private boolean readOnly(Satchel satchel, String id) {
    Session session = satchel.open(id, cookie -> {});
    boolean live = session.get("cart", ValueCodecs.strings()).isPresent();
    session.commit();
    return live;
  }

  @ParameterizedTest
  @ValueSource(longs = {0, Satchel.DEFAULT_DECODED_CACHE_SIZE})
  void aShorterOwnTimeout_endsTheSession_afterRequestsThatOnlyRead(long decodedCacheSize) {
    Satchel satchel = instance(decodedCacheSize);
    String id = create(satchel, Duration.ofMinutes(10));
    clock.advance(Duration.ofMinutes(5));
    assertTrue(readOnly(satchel, id), "read within its own timeout");
    clock.advance(Duration.ofMinutes(9));
    assertTrue(readOnly(satchel, id), "nine minutes after the last read");
    clock.advance(Duration.ofMinutes(11));
    assertFalse(readOnly(satchel, id), "eleven minutes after the last read: past its own 10");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, Satchel.DEFAULT_DECODED_CACHE_SIZE})
  void aShorterOwnTimeout_isHeldToATenthOfItself_byCommitsThatKeepTheStoredExpiry(
      long decodedCacheSize) {
    Satchel satchel = instance(decodedCacheSize);
    String id = create(satchel, Duration.ofMinutes(10));
    clock.advance(Duration.ofSeconds(150));
    Session change = satchel.open(id, cookie -> {});
    change.set("cart", "shoes", ValueCodecs.strings());
    change.commit();
    // A commit may keep an expiry a tenth of the timeout short: one minute of its own ten here,
    // not the three of the configured thirty.
    clock.advance(Duration.ofMinutes(9));
    assertTrue(readOnly(satchel, id), "nine minutes after the last request");
  }

  @ParameterizedTest
  @ValueSource(longs = {0, Satchel.DEFAULT_DECODED_CACHE_SIZE})
  void aLongerOwnTimeout_outlivesTheConfiguredOne_throughRequestsThatOnlyRead(
      long decodedCacheSize) {
    Satchel satchel = instance(decodedCacheSize);
    String id = create(satchel, Duration.ofDays(30));
    for (int day = 0; day < 3; day++) {
      clock.advance(Duration.ofDays(20));
      assertTrue(readOnly(satchel, id), "twenty days after the last read, day " + day);
    }
    clock.advance(Duration.ofDays(31));
    assertFalse(readOnly(satchel, id));
  }

  @ParameterizedTest
  @ValueSource(longs = {0, Satchel.DEFAULT_DECODED_CACHE_SIZE})
  void aSessionReadByAnotherInstance_keepsItsOwnTimeout(long decodedCacheSize) {
    Satchel writer = instance(decodedCacheSize);
    Satchel reader = instance(decodedCacheSize);
    String id = create(writer, Duration.ofMinutes(10));
    assertTrue(readOnly(reader, id));
    clock.advance(Duration.ofMinutes(11));
    assertFalse(readOnly(writer, id), "the other instance's read kept its own 10 minutes");
  }
}
