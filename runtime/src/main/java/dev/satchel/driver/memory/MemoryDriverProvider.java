package dev.satchel.driver.memory;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionDriverProvider;
import java.util.List;

/**
 * The {@code memory} driver: sessions in this JVM's heap, bounded by total size, for tests and
 * single-instance apps that may lose sessions on restart. Option {@code max-bytes}: the most the
 * stored blobs may take, 64 MiB by default; the least recently used go first.
 */
public final class MemoryDriverProvider implements SessionDriverProvider {
  private static final long MAX_BYTES = 64L * 1024 * 1024;

  /** Creates the provider; {@link java.util.ServiceLoader} calls this. */
  public MemoryDriverProvider() {}

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public List<Option> describedOptions() {
    return List.of(
        new Option(
            "max-bytes",
            Long.class,
            Long.toString(MAX_BYTES),
            "The most bytes the stored sessions may take; past it, the least recently used"
                + " sessions go first."));
  }

  @Override
  public SessionDriver create(DriverContext context) {
    long maxBytes = context.longOption("max-bytes").orElse(MAX_BYTES);
    if (maxBytes < 1) {
      throw new IllegalArgumentException("the memory option `max-bytes` must be positive");
    }
    return new MemoryDriver(maxBytes, context.clock());
  }
}
