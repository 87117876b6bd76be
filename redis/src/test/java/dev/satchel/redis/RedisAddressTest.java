package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the {@code url} option names one server, Sentinels or a cluster, and what it refuses. */
final class RedisAddressTest {
  private static final String OPTION = "the redis option `url`";

  private static RedisCredentials credentials(RedisURI uri) {
    return uri.getCredentialsProvider().resolveCredentials().block();
  }

  @Test
  void oneServer() {
    RedisAddress address = RedisAddress.parse("redis://:secret@cache.internal:6380/2", OPTION);
    assertEquals(RedisAddress.Kind.SERVER, address.kind());
    assertEquals("Redis at cache.internal:6380", address.description());
    RedisURI uri = address.uris().get(0);
    assertEquals(2, uri.getDatabase());
    assertEquals("secret", new String(credentials(uri).getPassword()));
    assertFalse(address.tls());
    assertTrue(RedisAddress.parse("rediss://cache.internal:6380", OPTION).tls());
  }

  @Test
  void sentinels_inLettucesSyntax() {
    RedisAddress address =
        RedisAddress.parse(
            "redis-sentinel://s1.internal:26379,s2.internal:26380/1#mymaster", OPTION);
    assertEquals(RedisAddress.Kind.SENTINEL, address.kind());
    RedisURI uri = address.uris().get(0);
    assertEquals("mymaster", uri.getSentinelMasterId());
    assertEquals(1, uri.getDatabase());
    assertEquals(2, uri.getSentinels().size());
    assertEquals(
        "the Redis primary \"mymaster\" (through the Sentinels at s1.internal:26379,s2.internal:26380)",
        address.description());
    assertTrue(RedisAddress.parse("rediss-sentinel://s1:26379#m", OPTION).tls());
    IllegalArgumentException unnamed =
        assertThrows(
            IllegalArgumentException.class,
            () -> RedisAddress.parse("redis-sentinel://s1:26379,s2:26379/0", OPTION));
    assertTrue(unnamed.getMessage().contains("#<master name>"), unnamed.getMessage());
  }

  @Test
  void aCluster_throughItsSeedNodes_withTheirCredentials() {
    RedisAddress address =
        RedisAddress.parse("redis-cluster://user:secret@n1.internal:7000,n2.internal:7001", OPTION);
    assertEquals(RedisAddress.Kind.CLUSTER, address.kind());
    assertEquals(2, address.uris().size());
    for (RedisURI seed : address.uris()) {
      assertEquals("user", credentials(seed).getUsername());
      assertEquals("secret", new String(credentials(seed).getPassword()));
      assertFalse(seed.isSsl());
    }
    assertEquals(List.of(7000, 7001), address.uris().stream().map(RedisURI::getPort).toList());
    assertEquals("the Redis Cluster at n1.internal:7000,n2.internal:7001", address.description());
    assertFalse(address.description().contains("secret"));

    RedisAddress tls = RedisAddress.parse("rediss-cluster://n1:7000,n2:7001/0", OPTION);
    assertTrue(tls.tls());
    assertTrue(tls.uris().stream().allMatch(RedisURI::isSsl));

    IllegalArgumentException database =
        assertThrows(
            IllegalArgumentException.class,
            () -> RedisAddress.parse("redis-cluster://n1:7000/3", OPTION));
    assertTrue(database.getMessage().contains("only database 0"), database.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> RedisAddress.parse("redis-cluster://", OPTION));
  }

  @Test
  void somethingElse_isRefusedNamingTheOption() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> RedisAddress.parse("http://cache:6379", OPTION));
    assertTrue(e.getMessage().startsWith(OPTION), e.getMessage());
    assertTrue(e.getMessage().contains("redis-cluster://"), e.getMessage());
  }
}
