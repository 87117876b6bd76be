package dev.satchel;

import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.StoredBlob;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * Wraps a driver so that every failure reaches the caller as a {@link SessionStorageException} in
 * Astro's words, naming the driver and never a session ID (a file path or key naming one is {@link
 * LogRedaction redacted}, as applications log these exceptions); failures are logged as an {@link
 * StoreOutage outage}, not one by one, and every call is reported to the {@link Instrumentation}.
 */
final class GuardedDriver implements SessionDriver {
  private static final System.Logger LOG = System.getLogger("dev.satchel");

  private final String name;
  private final SessionDriver driver;
  private final StoreOutage outage;
  private volatile Instrumentation instrumentation = Instrumentation.NONE;

  GuardedDriver(String name, SessionDriver driver) {
    this.name = name;
    this.driver = driver;
    this.outage = new StoreOutage(name);
  }

  String name() {
    return name;
  }

  void instrument(Instrumentation instrumentation) {
    this.instrumentation = instrumentation;
  }

  Instrumentation instrumentation() {
    return instrumentation;
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    return reading("read", "Reading a session from", () -> driver.read(id, idleTimeout));
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    return saving(
        "write", "Writing a session to", () -> driver.write(id, blob, expectedVersion, expiresAt));
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
        "replace",
        "Replacing a session in",
        () ->
            driver.replace(
                replacedId, replacedVersion, id, blob, expiresAt, retirement, markerExpiresAt));
  }

  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    return saving(
        "retire", "Retiring a session in", () -> driver.retire(id, retirement, markerExpiresAt));
  }

  @Override
  public Retirement retirement(String id) {
    return reading(
        "retirement", "Reading a retired session's marker from", () -> driver.retirement(id));
  }

  @Override
  public boolean indexesPrincipals() {
    return driver.indexesPrincipals();
  }

  @Override
  public void index(String principal, String id, Instant indexedAt) {
    saving(
        "index",
        "Indexing a session in",
        () -> {
          driver.index(principal, id, indexedAt);
          return null;
        });
  }

  @Override
  public void unindex(String principal, String id) {
    saving(
        "unindex",
        "Removing a session from the index of",
        () -> {
          driver.unindex(principal, id);
          return null;
        });
  }

  @Override
  public List<IndexedSession> indexed(String principal) {
    return reading("indexed", "Listing a user's sessions from", () -> driver.indexed(principal));
  }

  @Override
  public boolean reportsExpiry() {
    return driver.reportsExpiry();
  }

  @Override
  public List<String> claimExpired(Instant now, int max) {
    return reading(
        "claim-expired", "Looking for expired sessions in", () -> driver.claimExpired(now, max));
  }

  @Override
  public void acknowledgeExpired(List<String> ids) {
    saving(
        "acknowledge-expired",
        "Acknowledging expired sessions in",
        () -> {
          driver.acknowledgeExpired(ids);
          return null;
        });
  }

  @Override
  public OptionalLong countSessions() {
    return reading("count", "Counting the sessions in", driver::countSessions);
  }

  @Override
  public void ping() {
    reading(
        "ping",
        "Pinging",
        () -> {
          driver.ping();
          return null;
        });
  }

  @Override
  public void delete(String id) {
    saving(
        "delete",
        "Removing a session from",
        () -> {
          driver.delete(id);
          return null;
        });
  }

  @Override
  public boolean deleteIfUnchanged(String id, String version) {
    return saving("delete", "Removing a session from", () -> driver.deleteIfUnchanged(id, version));
  }

  @Override
  public String changeMark(String id) {
    return reading("read", "Reading a session from", () -> driver.changeMark(id));
  }

  private <T> T reading(String operation, String action, Supplier<T> call) {
    Instrumentation.StoreCall instrumented = instrumentation.storeCall(operation);
    try {
      T result = call.get();
      answered(instrumented);
      return result;
    } catch (RuntimeException e) {
      failed(instrumented, action, e);
      throw SessionStorageException.initializing(
          name, LogRedaction.text(describe(e)), LogRedaction.throwable(e));
    }
  }

  private <T> T saving(String operation, String action, Supplier<T> call) {
    Instrumentation.StoreCall instrumented = instrumentation.storeCall(operation);
    try {
      T result = call.get();
      answered(instrumented);
      return result;
    } catch (RuntimeException e) {
      failed(instrumented, action, e);
      throw SessionStorageException.saving(
          name, LogRedaction.text(describe(e)), LogRedaction.throwable(e));
    }
  }

  private void answered(Instrumentation.StoreCall instrumented) {
    instrumented.end(null);
    outage.answered();
  }

  private void failed(Instrumentation.StoreCall instrumented, String action, RuntimeException e) {
    instrumented.end(e);
    outage.failed(action + " the " + name + " driver", describe(e), e);
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
