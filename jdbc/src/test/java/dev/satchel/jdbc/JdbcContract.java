package dev.satchel.jdbc;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.SessionDriver;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.SessionDriverContract;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The driver contract on a database, with the clean-up left out so that it moves no rows. */
abstract class JdbcContract extends SessionDriverContract {
  /** The driver's options for the database under test (its url, or a table of its own). */
  protected abstract Map<String, String> options();

  @Override
  protected SessionDriver createDriver(MutableClock clock) {
    return create(clock);
  }

  @Override
  protected SessionDriver createSecondInstance(MutableClock clock) {
    return create(clock);
  }

  private SessionDriver create(MutableClock clock) {
    Map<String, String> options = new HashMap<>(options());
    options.putIfAbsent("cleanup-interval", "1d");
    return new JdbcDriverProvider()
        .create(new DriverContext("jdbc", options, clock, Duration.ofMinutes(30)));
  }
}
