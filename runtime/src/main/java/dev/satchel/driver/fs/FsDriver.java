package dev.satchel.driver.fs;

import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One file per session, named by its ID, holding exactly the blob. A write goes to a temporary file
 * in the same folder, is forced to disk, and is moved over the old file atomically, so a reader or
 * a crash never sees half a file.
 *
 * <p>The file's modification time is the session's expiry; a time of 0 (1970) means it never
 * expires. That keeps the file itself the plain blob and makes an idle-timeout refresh a metadata
 * update instead of a rewrite.
 *
 * <p>Writers are serialized per session by a lock stripe: a {@link ReentrantLock} inside this JVM
 * and a {@link FileLock} on {@code .locks/<stripe>} across processes.
 */
final class FsDriver implements SessionDriver {
  private static final System.Logger LOG = System.getLogger("dev.satchel.driver.fs");
  private static final FileTime NEVER = FileTime.fromMillis(0);
  private static final int STRIPES = 64;
  private static final String TEMP_SUFFIX = ".tmp";

  private final Path base;
  private final Path locks;
  private final boolean fsync;
  private final Clock clock;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  private final ScheduledExecutorService cleaner;
  private volatile boolean closed;

  FsDriver(Path base, Duration cleanupInterval, boolean fsync, Clock clock) {
    this.base = base.toAbsolutePath().normalize();
    this.locks = this.base.resolve(".locks");
    this.fsync = fsync;
    this.clock = clock;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
    try {
      Files.createDirectories(locks);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the session folder " + this.base, e);
    }
    this.cleaner =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "satchel-fs-cleanup");
              thread.setDaemon(true);
              return thread;
            });
    cleaner.scheduleWithFixedDelay(
        this::cleanUpQuietly, 0, cleanupInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    Path file = fileFor(id);
    try {
      FileTime expiry = Files.getLastModifiedTime(file);
      if (isExpired(expiry)) {
        return null;
      }
      String blob = Files.readString(file, StandardCharsets.UTF_8);
      if (idleTimeout != null) {
        refresh(id, file, idleTimeout);
      }
      return StoredBlob.ofContent(blob);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read session file " + file, e);
    }
  }

  private void refresh(String id, Path file, Duration idleTimeout) throws IOException {
    withLock(
        id,
        () -> {
          try {
            if (!isExpired(Files.getLastModifiedTime(file))) {
              Files.setLastModifiedTime(file, FileTime.from(clock.instant().plus(idleTimeout)));
            }
          } catch (NoSuchFileException e) {
            // Removed meanwhile: nothing to refresh.
          }
          return null;
        });
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    Path file = fileFor(id);
    try {
      return withLock(
          id,
          () -> {
            String current = currentBlob(file);
            boolean matches =
                current == null ? expectedVersion == null : current.equals(expectedVersion);
            if (!matches) {
              return false;
            }
            Path temp = Files.createTempFile(base, id + ".", TEMP_SUFFIX);
            try {
              try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer bytes = ByteBuffer.wrap(blob.getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                  channel.write(bytes);
                }
                if (fsync) {
                  channel.force(true);
                }
              }
              Files.setLastModifiedTime(temp, expiresAt == null ? NEVER : FileTime.from(expiresAt));
              move(temp, file);
            } finally {
              Files.deleteIfExists(temp);
            }
            return true;
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write session file " + file, e);
    }
  }

  private static void move(Path temp, Path file) throws IOException {
    try {
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the file system cannot replace files atomically: " + e.getMessage(), e);
    }
  }

  /** The live blob in {@code file}, or {@code null} when there is none or it expired. */
  private String currentBlob(Path file) throws IOException {
    try {
      if (isExpired(Files.getLastModifiedTime(file))) {
        return null;
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
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
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void retire(String id, Retirement retirement, Instant markerExpiresAt) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public Retirement retirement(String id) {
    throw new UnsupportedOperationException("not yet");
  }

  @Override
  public void delete(String id) {
    Path file = fileFor(id);
    try {
      withLock(id, () -> Files.deleteIfExists(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove session file " + file, e);
    }
  }

  /** Stops the clean-up and waits for one under way, so the folder is left alone on return. */
  @Override
  public void close() {
    closed = true;
    cleaner.shutdownNow();
    try {
      if (!cleaner.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "The clean-up of " + base + " did not stop within 10 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean cleanUpStopped() {
    return cleaner.isTerminated();
  }

  private boolean isExpired(FileTime expiry) {
    return !expiry.equals(NEVER) && expiry.toMillis() < clock.millis();
  }

  private Path fileFor(String id) {
    // IDs are validated by the core already; checking again keeps any other string off the disk.
    if (!SessionIds.isValid(id)) {
      throw new IllegalArgumentException("not a session ID");
    }
    return base.resolve(id);
  }

  private interface LockedAction<T> {
    T run() throws IOException;
  }

  private <T> T withLock(String id, LockedAction<T> action) throws IOException {
    int stripe = Math.floorMod(id.hashCode(), STRIPES);
    ReentrantLock lock = stripes[stripe];
    lock.lock();
    try (FileChannel channel =
            FileChannel.open(
                locks.resolve(Integer.toString(stripe)),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock ignored = channel.lock()) {
      return action.run();
    } finally {
      lock.unlock();
    }
  }

  /** Removes expired sessions and temporary files left by a crash. */
  void cleanUp() throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(base)) {
      for (Path file : files) {
        if (closed) {
          return;
        }
        String name = file.getFileName().toString();
        if (SessionIds.isValid(name)) {
          withLock(
              name,
              () -> {
                try {
                  if (isExpired(Files.getLastModifiedTime(file))) {
                    Files.deleteIfExists(file);
                  }
                } catch (NoSuchFileException e) {
                  // Already gone.
                }
                return null;
              });
        } else if (name.endsWith(TEMP_SUFFIX)
            && SessionIds.isValid(name.substring(0, Math.min(36, name.length())))) {
          // A writer holds its session's lock for the whole life of its temporary file, so one
          // found under that lock was left by a process that died mid-write.
          withLock(name.substring(0, 36), () -> Files.deleteIfExists(file));
        }
      }
    }
  }

  private void cleanUpQuietly() {
    try {
      cleanUp();
    } catch (IOException | RuntimeException e) {
      if (closed) {
        return; // interrupted by close()
      }
      LOG.log(Level.WARNING, "Removing expired sessions from " + base + " failed", e);
    }
  }
}
