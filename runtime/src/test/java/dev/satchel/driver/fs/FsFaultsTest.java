package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import dev.satchel.testing.MutableClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fs driver under the faults of a real deployment: its folder removed while running, a process
 * that hangs holding a lock, two drivers on one folder in one JVM, and forced writes.
 */
final class FsFaultsTest {
  @TempDir Path folder;
  private final MutableClock clock = new MutableClock();
  private final List<SessionDriver> drivers = new ArrayList<>();

  @AfterEach
  void closeDrivers() {
    drivers.forEach(SessionDriver::close);
  }

  private SessionDriver open(Path base, String... options) {
    Map<String, String> all = new HashMap<>(Map.of("base", base.toString(), "fsync", "false"));
    for (int i = 0; i < options.length; i += 2) {
      all.put(options[i], options[i + 1]);
    }
    SessionDriver driver = new FsDriverProvider().create(new DriverContext("fs", all, clock));
    drivers.add(driver);
    try {
      // The clean-up at start would race the faults a test sets up.
      ((FsDriver) driver).awaitFirstCleanUp();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return driver;
  }

  private static void removeRecursively(Path root) throws Exception {
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }

  @Test
  void aRemovedFolder_isCreatedAgainByTheNextWrite() throws Exception {
    Path base = folder.resolve("sessions");
    SessionDriver driver = open(base);
    String before = SessionIds.generate();
    assertTrue(driver.write(before, "before", null, null));

    removeRecursively(base);
    assertNull(driver.read(before, null));

    String after = SessionIds.generate();
    assertTrue(driver.write(after, "after", null, null));
    assertEquals("after", driver.read(after, null).blob());
    assertTrue(Files.isDirectory(base.resolve(".locks")));
    assertTrue(Files.isDirectory(base.resolve(".retired")));

    removeRecursively(base);
    driver.retire(after, Retirement.destroyed(clock.instant()), clock.instant().plusSeconds(60));
    assertTrue(driver.retirement(after).isDestroyed());
  }

  /**
   * Another process holds a stripe's lock and hangs: a write to a session of that stripe fails
   * after the lock time-out, naming the lock file, and works again once the process is gone.
   */
  @Test
  void aLockHeldByAHungProcess_failsTheRequestAfterTheLockTimeout() throws Exception {
    SessionDriver driver = open(folder, "lock-timeout", "PT0.3S");
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "before", null, null));
    String next = SessionIds.generate();
    Path lockFile = folder.toRealPath().resolve(".locks").resolve(stripe(next));

    String java = ProcessHandle.current().info().command().orElse("java");
    Process holder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                FsLockHolder.class.getName(),
                lockFile.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());

      RuntimeException write =
          assertThrows(RuntimeException.class, () -> driver.write(next, "x", null, null));
      assertTrue(write.getMessage().contains(lockFile.toString()), write.getMessage());
      assertTrue(write.getMessage().contains("another process"), write.getMessage());
      // A replace onto an ID of the held stripe waits for that stripe too, and changes nothing.
      StoredBlob current = driver.read(id, null);
      assertThrows(
          RuntimeException.class,
          () ->
              driver.replace(
                  id,
                  current.version(),
                  next,
                  "new",
                  null,
                  Retirement.movedTo(next, clock.instant()),
                  clock.instant().plusSeconds(60)));
      assertEquals("before", driver.read(id, null).blob());
      assertNull(driver.retirement(id));
      assertNull(driver.read(next, null));
    } finally {
      holder.destroyForcibly();
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
    }
    assertTrue(driver.write(next, "after", null, null));
    assertEquals("after", driver.read(next, null).blob());
  }

  /**
   * A process hangs holding one stripe's lock: the clean-up skips that stripe's sessions, after one
   * lock time-out, and removes the expired sessions of every other stripe.
   */
  @Test
  void aLockHeldByAHungProcess_costsTheCleanUpOnlyThatLocksSessions() throws Exception {
    FsDriver driver = (FsDriver) open(folder, "lock-timeout", "PT0.3S");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      String id = SessionIds.generate();
      // A session whose only key expired a minute ago, which the clean-up removes.
      String expired =
          "[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":4},\"v\","
              + (clock.millis() - 60_000)
              + "]";
      assertTrue(driver.write(id, expired, null, null));
      ids.add(id);
    }
    Path lockFile = folder.toRealPath().resolve(".locks").resolve(stripe(ids.get(0)));
    String java = ProcessHandle.current().info().command().orElse("java");
    Process holder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                FsLockHolder.class.getName(),
                lockFile.toString())
            .redirectErrorStream(true)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("locked", out.readLine());
      driver.cleanUp();
      for (String id : ids) {
        boolean held = FsLocks.stripeOf(id) == FsLocks.stripeOf(ids.get(0));
        assertEquals(held, Files.exists(folder.resolve(id)), "held: " + held);
      }
    } finally {
      holder.destroyForcibly();
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
    }
    driver.cleanUp();
    assertFalse(Files.exists(folder.resolve(ids.get(0))), "removed once the lock is free");
  }

  private static String stripe(String id) {
    return Integer.toString(FsLocks.stripeOf(id));
  }

  /**
   * Two drivers on one folder in one JVM (one through a symbolic link) share its locks: threads
   * using either one append to the same sessions by compare-and-set, and no append is lost.
   */
  @Test
  void twoDriversOnOneFolder_shareTheLocks_andLoseNoUpdate() throws Exception {
    Path link =
        Files.createSymbolicLink(folder.resolveSibling(folder.getFileName() + "-link"), folder);
    try {
      SessionDriver first = open(folder);
      SessionDriver second = open(link);
      List<String> ids = List.of(SessionIds.generate(), SessionIds.generate());
      int threads = 6;
      int keysPerThread = 20;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SessionDriver driver = t % 2 == 0 ? first : second;
        int thread = t;
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int k = 0; k < keysPerThread; k++) {
                    for (String id : ids) {
                      String key = "t" + thread + "k" + k;
                      while (true) {
                        StoredBlob current = driver.read(id, null);
                        String blob = current == null ? key : current.blob() + "," + key;
                        String version = current == null ? null : current.version();
                        if (driver.write(id, blob, version, null)) {
                          break;
                        }
                      }
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : done) {
        future.get(120, TimeUnit.SECONDS);
      }
      pool.shutdown();
      for (String id : ids) {
        Set<String> keys = new TreeSet<>(List.of(first.read(id, null).blob().split(",")));
        assertEquals(threads * keysPerThread, keys.size());
      }

      // Closing one leaves the other working.
      second.close();
      String id = SessionIds.generate();
      assertTrue(first.write(id, "still", null, null));
      assertEquals("still", first.read(id, null).blob());
    } finally {
      Files.delete(link);
    }
  }

  @Test
  void closingTheLastDriver_releasesTheFoldersLocks() throws Exception {
    Path link =
        Files.createSymbolicLink(folder.resolveSibling(folder.getFileName() + "-link"), folder);
    try {
      SessionDriver first = open(folder);
      SessionDriver second = open(link);
      Path real = folder.toRealPath();
      first.close();
      assertTrue(FsLocks.isOpen(real), "the driver through the link still uses them");
      second.close();
      assertFalse(FsLocks.isOpen(real));
      assertTrue(open(folder).write(SessionIds.generate(), "reopened", null, null));
    } finally {
      Files.delete(link);
    }
  }

  @Test
  void withFsync_everyOperationForcesItsFilesAndFolders() throws Exception {
    SessionDriver driver = open(folder, "fsync", "true");
    String old = SessionIds.generate();
    String next = SessionIds.generate();
    assertTrue(driver.write(old, "old", null, null));
    assertTrue(
        driver.replace(
            old,
            "old",
            next,
            "new",
            null,
            Retirement.movedTo(next, clock.instant()),
            clock.instant().plusSeconds(60)));
    driver.retire(next, Retirement.destroyed(clock.instant()), clock.instant().plusSeconds(60));
    assertEquals(next, driver.retirement(old).successor());
    assertTrue(driver.retirement(next).isDestroyed());
    assertNull(driver.read(next, null));
  }
}
