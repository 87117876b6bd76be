package dev.satchel.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A redis-server of its own for a test class, started before the class's first test and stopped
 * after its last: {@code @RegisterExtension static final RedisServer redis = new RedisServer();}.
 */
public final class RedisServer implements BeforeAllCallback, AfterAllCallback {
  private RedisServerProcess process;

  /** Creates the extension; the server starts when the test class does. */
  public RedisServer() {}

  @Override
  public void beforeAll(ExtensionContext context) {
    process = RedisServerProcess.start(false);
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    process.close();
  }

  /** The server's {@code redis://} URL. */
  public String url() {
    return process.url();
  }
}
