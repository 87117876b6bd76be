package dev.satchel;

import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

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
    return reading(() -> driver.read(id, idleTimeout));
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    return saving("Writing a session to", () -> driver.write(id, blob, expectedVersion, expiresAt));
  }

  @Override
  public boolean replace(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      Instant expiresAt,
      Retirement retirement,
      Instant markerExpiresAt) {
    return saving(
        "Replacing a session in",
        () ->
            driver.replace(
                replacedId, replacedVersion, id, blob, expiresAt, retirement, markerExpiresAt));
  }

  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    return saving("Retiring a session in", () -> driver.retire(id, retirement, markerExpiresAt));
  }

  @Override
  public Retirement retirement(String id) {
    return reading(() -> driver.retirement(id));
  }

  @Override
  public boolean indexesPrincipals() {
    return driver.indexesPrincipals();
  }

  @Override
  public void index(String principal, String id, Instant indexedAt) {
    saving(
        "Indexing a session in",
        () -> {
          driver.index(principal, id, indexedAt);
          return null;
        });
  }

  @Override
  public void unindex(String principal, String id) {
    saving(
        "Removing a session from the index of",
        () -> {
          driver.unindex(principal, id);
          return null;
        });
  }

  @Override
  public List<IndexedSession> indexed(String principal) {
    return reading(() -> driver.indexed(principal));
  }

  @Override
  public void delete(String id) {
    saving(
        "Removing a session from",
        () -> {
          driver.delete(id);
          return null;
        });
  }

  private <T> T reading(Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Reading a session from the " + name + " driver failed", e);
      throw SessionStorageException.initializing(name, describe(e), e);
    }
  }

  private <T> T saving(String action, Supplier<T> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, action + " the " + name + " driver failed", e);
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
