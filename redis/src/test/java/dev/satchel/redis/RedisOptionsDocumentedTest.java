package dev.satchel.redis;

import dev.satchel.testing.DocumentedOptions;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The README's table of the redis driver's options is the options the driver describes: each with
 * its default, and none it does not read.
 */
final class RedisOptionsDocumentedTest {
  @Test
  void everyOption_isDocumentedWithItsDefault_andNoOtherIs() throws IOException {
    // Surefire runs in the module's folder.
    DocumentedOptions.assertDocumented(
        Path.of("../README.md"), "## The redis driver", new RedisDriverProvider());
  }
}
