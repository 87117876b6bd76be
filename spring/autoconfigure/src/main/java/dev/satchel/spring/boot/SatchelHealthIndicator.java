package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import java.time.Duration;
import java.util.OptionalLong;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code satchel} health component: up when the store answers {@link Satchel#ping()}, with the
 * driver, how long the ping took and, when the driver counts them cheaply, how many sessions the
 * store holds; down with the driver and the error's message when it does not answer.
 *
 * <p>A failure is not logged here: the store's outage is logged by Satchel once, with summaries,
 * whatever polls the health. The details hold no stack trace and no session ID.
 */
final class SatchelHealthIndicator implements HealthIndicator {
  private final Satchel satchel;

  SatchelHealthIndicator(Satchel satchel) {
    this.satchel = satchel;
  }

  @Override
  public Health health() {
    String driver = satchel.driverName();
    try {
      Duration latency = satchel.ping();
      Health.Builder health = Health.up().withDetail("driver", driver);
      health.withDetail("latency", latency.toString());
      OptionalLong sessions = satchel.countSessions();
      if (sessions.isPresent()) {
        health.withDetail("sessions", sessions.getAsLong());
      }
      return health.build();
    } catch (RuntimeException e) {
      return Health.down()
          .withDetail("driver", driver)
          .withDetail("error", e.getMessage() == null ? e.getClass().getName() : e.getMessage())
          .build();
    }
  }
}
