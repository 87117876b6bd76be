package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Tests that need programs beyond redis-server (redis-cli for a cluster, openssl for certificates):
 * skipped on a developer's machine without them, but failed in CI, where {@code .ci/run} installs
 * them, so that a skipped test never passes for a run one.
 */
final class RequiredTools {
  private RequiredTools() {}

  static void require(boolean available, String what) {
    if (System.getenv("CI") != null) {
      assertTrue(available, what + "; .ci/run installs it, so its absence is a CI failure");
    } else {
      assumeTrue(available, what);
    }
  }
}
