package dev.satchel;

import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;

/**
 * Wraps a driver so that every failure reaches the caller as a {@link SessionStorageException} in
 * Astro's words, naming the driver, and is logged once.
 */
final class GuardedDriver implements SessionDriver {
  private static final System.Logger LOG = System.getLogger("dev.satchel");

  private final String name;
  private final SessionDriver driver;

  GuardedDriver(String name, SessionDriver driver) {
    this.name = name;
    this.driver = driver;
  }

  String name() {
    return name;
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    try {
      return driver.read(id, idleTimeout);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Reading a session from the " + name + " driver failed", e);
      throw SessionStorageException.initializing(name, describe(e), e);
    }
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    try {
      return driver.write(id, blob, expectedVersion, expiresAt);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Writing a session to the " + name + " driver failed", e);
      throw SessionStorageException.saving(name, describe(e), e);
    }
  }

  @Override
  public boolean writeReplacing(
      String id,
      String blob,
      String expectedVersion,
      Instant expiresAt,
      java.util.Collection<String> obsoleteIds) {
    try {
      return driver.writeReplacing(id, blob, expectedVersion, expiresAt, obsoleteIds);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Writing a session to the " + name + " driver failed", e);
      throw SessionStorageException.saving(name, describe(e), e);
    }
  }

  @Override
  public void delete(String id) {
    try {
      driver.delete(id);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Removing a session from the " + name + " driver failed", e);
      throw SessionStorageException.saving(name, describe(e), e);
    }
  }

  @Override
  public void close() {
    try {
      driver.close();
    } catch (Exception e) {
      LOG.log(Level.WARNING, "Closing the " + name + " driver failed", e);
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }
}
