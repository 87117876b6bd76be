package dev.satchel.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when told to, so that expiry is tested without waiting. */
public final class MutableClock extends Clock {
  private final AtomicLong millis;

  /** A clock at {@code start}. */
  public MutableClock(Instant start) {
    this.millis = new AtomicLong(start.toEpochMilli());
  }

  /**
   * A clock at the current time, so that expiries it computes are also in the future for stores
   * that keep their own time.
   */
  public MutableClock() {
    this(Instant.ofEpochMilli(System.currentTimeMillis()));
  }

  /** Moves the clock forward. */
  public void advance(Duration duration) {
    millis.addAndGet(duration.toMillis());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
