package dev.satchel.driver.fs;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock stripes of one session folder: for each stripe a {@link ReentrantLock} for the threads
 * of this JVM and a {@link FileLock} on {@code .locks/<stripe>} for other processes.
 *
 * <p>A JVM may hold only one lock on a file: a second one, even through another channel, throws
 * {@link OverlappingFileLockException} instead of waiting. So every driver on a folder in this JVM
 * shares one instance, found by the folder's real path and released by the last driver to close.
 * The stripe's {@link ReentrantLock} also guards its channel, so no two threads ever use one
 * channel and an interrupted thread can close only a channel nobody else is locking through.
 */
final class FsLocks {
  static final int STRIPES = 64;
  static final String LOCK_FOLDER = ".locks";
  static final String RETIRED_FOLDER = ".retired";

  /** The first pause while another process holds a stripe; it doubles up to the maximum. */
  private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(16);

  private static final Map<Path, FsLocks> OPEN = new HashMap<>();

  private final Path folder;
  private final Path lockFolder;
  private final FsModes modes;
  private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
  // Each slot is guarded by its stripe's ReentrantLock.
  private final FileChannel[] channels = new FileChannel[STRIPES];
  private final Object[] channelFileKeys = new Object[STRIPES];
  private final FileLock[] held = new FileLock[STRIPES];
  private int users; // guarded by OPEN
  private volatile boolean released;

  private FsLocks(Path folder, FsModes modes) {
    this.folder = folder;
    this.lockFolder = folder.resolve(LOCK_FOLDER);
    this.modes = modes;
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new ReentrantLock();
    }
  }

  /**
   * The locks of {@code folder}, shared with every other driver on it in this JVM; each call must
   * be matched by one {@link #release()}.
   *
   * @param folder the folder's real path ({@link Path#toRealPath}), so that every spelling of it
   *     finds the same instance
   * @param modes the permissions of the lock files and folders it creates; the first driver's
   */
  static FsLocks open(Path folder, FsModes modes) {
    synchronized (OPEN) {
      FsLocks locks = OPEN.computeIfAbsent(folder, path -> new FsLocks(path, modes));
      locks.users++;
      return locks;
    }
  }

  /** Gives up one use; the last closes the lock files once no thread holds their stripe. */
  void release() {
    synchronized (OPEN) {
      if (--users > 0) {
        return;
      }
      OPEN.remove(folder);
      released = true;
    }
    for (int i = 0; i < STRIPES; i++) {
      stripes[i].lock();
      try {
        closeChannel(i);
      } finally {
        stripes[i].unlock();
      }
    }
  }

  /**
   * Creates the folder and its lock and marker folders, as at start or after someone removed it.
   */
  static void createFolders(Path folder, FsModes modes) throws IOException {
    modes.createFolders(folder.resolve(LOCK_FOLDER));
    modes.createFolders(folder.resolve(RETIRED_FOLDER));
  }

  /** The stripe of a session ID; every process computes the same one. */
  static int stripeOf(String id) {
    return Math.floorMod(id.hashCode(), STRIPES);
  }

  /** The lock file of a stripe, for messages and tests. */
  Path lockFile(int stripe) {
    return lockFolder.resolve(Integer.toString(stripe));
  }

  interface Action<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code action} holding the stripes of both IDs (once when they share one), taken in stripe
   * order so that two callers locking the same pair in opposite order cannot deadlock.
   *
   * @throws IllegalStateException when the stripes are not free within {@code timeout}, naming the
   *     lock file
   */
  <T> T withStripes(String id, String otherId, Duration timeout, Action<T> action)
      throws IOException {
    int a = stripeOf(id);
    int b = otherId == null ? a : stripeOf(otherId);
    int first = Math.min(a, b);
    int second = Math.max(a, b);
    long deadline = System.nanoTime() + timeout.toNanos();
    acquire(first, deadline, timeout);
    try {
      if (second != first) {
        acquire(second, deadline, timeout);
      }
      try {
        return action.run();
      } finally {
        if (second != first) {
          unlock(second);
        }
      }
    } finally {
      unlock(first);
    }
  }

  private void acquire(int stripe, long deadline, Duration timeout) throws IOException {
    ReentrantLock lock = stripes[stripe];
    try {
      if (!lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        throw timedOut(stripe, timeout, "another thread of this process holds it");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for the lock file " + lockFile(stripe));
    }
    boolean locked = false;
    try {
      if (lock.getHoldCount() == 1) {
        held[stripe] = lockFileOf(stripe, deadline, timeout);
      }
      locked = true;
    } finally {
      if (!locked) {
        lock.unlock();
      }
    }
  }

  private void unlock(int stripe) throws IOException {
    ReentrantLock lock = stripes[stripe];
    try {
      if (lock.getHoldCount() == 1) {
        FileLock fileLock = held[stripe];
        held[stripe] = null;
        if (fileLock != null && fileLock.isValid()) {
          fileLock.release();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the stripe's file lock, polling while another process holds it: {@link
   * FileChannel#lock()} would wait for ever on a process that hangs.
   */
  private FileLock lockFileOf(int stripe, long deadline, Duration timeout) throws IOException {
    long pause = FIRST_PAUSE_NANOS;
    while (true) {
      if (released) {
        throw new IllegalStateException("the fs session store at " + folder + " is closed");
      }
      FileChannel channel = channel(stripe);
      FileLock fileLock;
      try {
        fileLock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        // A driver closed while its requests still run holds the file through its own channel.
        fileLock = null;
      }
      if (fileLock != null) {
        if (isStillTheLockFile(stripe)) {
          return fileLock;
        }
        // The folder was removed (and maybe created again): this lock excludes nobody.
        closeChannel(stripe);
        continue;
      }
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        throw timedOut(stripe, timeout, "another process holds it");
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(pause, remaining));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException(
            "interrupted waiting for the lock file " + lockFile(stripe));
      }
      pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
    }
  }

  private FileChannel channel(int stripe) throws IOException {
    FileChannel channel = channels[stripe];
    if (channel != null && channel.isOpen()) {
      return channel;
    }
    Path file = lockFile(stripe);
    try {
      channel = openLockFile(file);
    } catch (NoSuchFileException e) {
      createFolders(folder, modes);
      channel = openLockFile(file);
    }
    channels[stripe] = channel;
    channelFileKeys[stripe] = fileKey(file);
    return channel;
  }

  /** Opens a lock file for writing, creating it with the driver's file mode when it is missing. */
  private FileChannel openLockFile(Path file) throws IOException {
    try {
      FileChannel created =
          FileChannel.open(
              file,
              java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              modes.fileAttributes(file));
      modes.created(file);
      return created;
    } catch (FileAlreadyExistsException e) {
      return FileChannel.open(file, StandardOpenOption.WRITE);
    }
  }

  /**
   * Whether the locked channel's file is still the one at the lock file's path. Someone who removes
   * the folder unlinks the files that this JVM keeps open; another process then locks a new file of
   * the same name, and the two would no longer exclude each other.
   */
  private boolean isStillTheLockFile(int stripe) throws IOException {
    Object key = channelFileKeys[stripe];
    if (key == null) {
      return true; // the platform gives files no identity to compare
    }
    try {
      return key.equals(fileKey(lockFile(stripe)));
    } catch (NoSuchFileException e) {
      createFolders(folder, modes);
      return false;
    }
  }

  private static Object fileKey(Path file) throws IOException {
    return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
  }

  private void closeChannel(int stripe) {
    FileChannel channel = channels[stripe];
    channels[stripe] = null;
    channelFileKeys[stripe] = null;
    if (channel != null) {
      try {
        channel.close(); // releases any lock taken through it
      } catch (IOException e) {
        // Nothing was written through it; a failed close loses nothing.
      }
    }
  }

  private LockTimeoutException timedOut(int stripe, Duration timeout, String holder) {
    return new LockTimeoutException(
        "waited "
            + timeout.toMillis()
            + " ms for the lock file "
            + lockFile(stripe)
            + " and gave up: "
            + holder
            + " (the fs option `lock-timeout` sets how long to wait)");
  }

  /** A stripe still held by another thread or process after the lock time-out. */
  static final class LockTimeoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    LockTimeoutException(String message) {
      super(message);
    }
  }

  /** For tests: whether this instance is still registered for its folder. */
  static boolean isOpen(Path folder) {
    synchronized (OPEN) {
      return OPEN.containsKey(Objects.requireNonNull(folder));
    }
  }
}
