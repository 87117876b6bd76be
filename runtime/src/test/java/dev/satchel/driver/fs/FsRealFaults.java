package dev.satchel.driver.fs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Faults made for real where this machine can make them, otherwise through the driver's seam
 * ({@link FsDriver#injectFaults}), so that the tests run everywhere and for real wherever they can.
 * A read-only folder is made by its permissions as a user other than root (whom permissions do not
 * stop), and as root by the immutable attribute ({@code chattr +i}), where the file system and the
 * process's capabilities allow it. A full disk is a small tmpfs that root mounts and fills. Each
 * fault says how it was made, for the test's output. The system property {@code
 * satchel.test.faults=seam} makes every fault through the seam, to test that path too.
 */
final class FsRealFaults {
  private FsRealFaults() {}

  /** A fault in place until closed. */
  interface Fault extends AutoCloseable {
    /** How it was made: {@code chmod}, {@code chattr +i}, {@code tmpfs} or {@code seam}. */
    String how();

    @Override
    void close() throws IOException;
  }

  private interface Undo {
    void run() throws IOException;
  }

  private static Fault fault(String how, Undo undo) {
    return new Fault() {
      @Override
      public String how() {
        return how;
      }

      @Override
      public void close() throws IOException {
        undo.run();
      }
    };
  }

  private static boolean seamOnly() {
    return "seam".equals(System.getProperty("satchel.test.faults"));
  }

  static boolean isRoot() {
    try {
      Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String uid = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return id.waitFor(30, TimeUnit.SECONDS) && uid.equals("0");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Whether creating a file in {@code folder} is refused. */
  private static boolean refusesNewFiles(Path folder) {
    Path probe = folder.resolve("probe-" + UUID.randomUUID() + ".probe");
    try {
      Files.createFile(probe);
      Files.delete(probe);
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /**
   * Makes {@code folder} read-only until closed: no file can be created in it, moved into or out of
   * it, or removed from it. Its subfolders ({@code .retired}) stay writable, and its files too.
   */
  static Fault readOnlyFolder(Path folder) throws IOException {
    Path real = folder.toRealPath();
    boolean root = isRoot();
    if (seamOnly()) {
      // Straight to the seam.
    } else if (!root) {
      Set<PosixFilePermission> before = Files.getPosixFilePermissions(real);
      Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("r-xr-xr-x"));
      if (refusesNewFiles(real)) {
        return fault("chmod", () -> Files.setPosixFilePermissions(real, before));
      }
      Files.setPosixFilePermissions(real, before);
    } else if (run("chattr", "+i", real.toString())) {
      if (refusesNewFiles(real)) {
        return fault("chattr +i", () -> run("chattr", "-i", real.toString()));
      }
      run("chattr", "-i", real.toString());
    }
    FsDriver.Injected seam =
        FsDriver.injectFaults(
            real,
            (operation, file) -> {
              boolean changesTheFolder =
                  operation == FsDriver.Operation.CREATE
                      || operation == FsDriver.Operation.MOVE
                      || operation == FsDriver.Operation.DELETE;
              if (changesTheFolder && real.equals(file.getParent())) {
                throw new AccessDeniedException(file.toString());
              }
            });
    return fault("seam", seam::close);
  }

  /**
   * A folder on a file system of its own of {@code kilobytes}, which {@link #fill} fills: a tmpfs
   * mounted at {@code mountPoint} when this process may mount one, else {@code null}, and the test
   * uses the seam instead ({@link #diskFullSeam}). Closing unmounts it.
   */
  static Fault smallFileSystem(Path mountPoint, int kilobytes) throws IOException {
    Files.createDirectories(mountPoint);
    if (!seamOnly()
        && isRoot()
        && run(
            "mount",
            "-t",
            "tmpfs",
            "-o",
            "size=" + kilobytes + "k",
            "tmpfs",
            mountPoint.toString())) {
      return fault("tmpfs", () -> run("umount", "-l", mountPoint.toString()));
    }
    return null;
  }

  /**
   * Fills the file system of {@code folder}, leaving about {@code bytes} free, until closed: a
   * write larger than that fails with "No space left on device".
   */
  static Fault fill(Path folder, int bytes) throws IOException {
    Path filler = folder.resolve("filler-" + UUID.randomUUID() + ".fill");
    byte[] block = new byte[4096];
    try (OutputStream out = Files.newOutputStream(filler)) {
      while (true) {
        out.write(block);
        out.flush();
      }
    } catch (IOException full) {
      // Full: make the room asked for.
    }
    long size = Files.size(filler);
    try (var channel =
        java.nio.channels.FileChannel.open(filler, java.nio.file.StandardOpenOption.WRITE)) {
      channel.truncate(Math.max(0, size - bytes));
    }
    return fault("tmpfs", () -> Files.deleteIfExists(filler));
  }

  /** The seam's full disk: every write of a session file's bytes in {@code folder} fails. */
  static Fault diskFullSeam(Path folder) throws IOException {
    Path real = folder.toRealPath();
    FsDriver.Injected seam =
        FsDriver.injectFaults(
            real,
            (operation, file) -> {
              if (operation == FsDriver.Operation.WRITE && real.equals(file.getParent())) {
                throw new IOException("No space left on device");
              }
            });
    return fault("seam", seam::close);
  }
}
