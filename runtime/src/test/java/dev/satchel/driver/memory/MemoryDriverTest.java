package dev.satchel.driver.memory;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The memory driver passes the driver contract and stays within its byte bound. */
final class MemoryDriverTest extends SessionDriverContract {

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    return new MemoryDriverProvider().create(new DriverContext("memory", Map.of(), clock));
  }

  @Test
  void maxBytes_evictsOldSessionsToStayWithinTheBound() {
    SessionDriver small =
        new MemoryDriverProvider()
            .create(new DriverContext("memory", Map.of("max-bytes", "100000"), clock));
    List<String> ids = new ArrayList<>();
    String blob = "x".repeat(1000);
    for (int i = 0; i < 1000; i++) {
      String id = SessionIds.generate();
      ids.add(id);
      small.write(id, blob, null, null);
    }
    // 1000 blobs of ~2 KB each cannot all fit in 100 KB: the oldest are gone.
    assertNull(small.read(ids.get(0), null));
    small.close();
  }

  @Test
  void maxBytes_mustBeAWholePositiveNumber() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MemoryDriverProvider()
                .create(new DriverContext("memory", Map.of("max-bytes", "lots"), clock)));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MemoryDriverProvider()
                .create(new DriverContext("memory", Map.of("max-bytes", "0"), clock)));
  }
}
