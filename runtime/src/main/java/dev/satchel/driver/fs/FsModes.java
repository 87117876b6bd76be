package dev.satchel.driver.fs;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.Set;

/**
 * The permissions of what the fs driver creates, from its {@code file-mode} option: files
 * (sessions, retirement markers, ledger and index entries, lock files) get the mode, folders the
 * same with an execute bit wherever it has a read bit ({@code 600} gives {@code 700}, {@code 640}
 * gives {@code 750}). They are set again after creation when the mode lets others in, so the
 * process's umask cannot narrow them; nothing that exists already is changed. A file system without
 * POSIX permissions (Windows) gets none.
 *
 * <p>The default, {@code 600}, keeps sessions to the owner: a session ID is a credential, and a
 * file or a folder listing other local users can read hands them every session in it.
 */
final class FsModes {
  /** Files for the owner alone, folders it alone can open: the default. */
  static final FsModes OWNER_ONLY = new FsModes(0600);

  private final int mode;
  private final Set<PosixFilePermission> file;
  private final Set<PosixFilePermission> folder;

  private FsModes(int mode) {
    this.mode = mode;
    this.file = permissions(mode);
    int execute = 0;
    for (int shift = 0; shift <= 6; shift += 3) {
      if ((mode & (04 << shift)) != 0) {
        execute |= 01 << shift;
      }
    }
    this.folder = permissions(mode | execute);
  }

  /**
   * Reads an octal file mode such as {@code 600}, {@code 640} or {@code 0644}.
   *
   * @param what how to name the option in a message
   * @throws IllegalArgumentException naming the option when the value is not octal, gives its owner
   *     less than read and write, sets an execute or special bit, or lets other users write
   */
  static FsModes parse(String what, String value) {
    String text = value.trim();
    if (!text.matches("0?[0-7]{3}")) {
      throw invalid(what, value, "three octal digits such as 600, 640 or 644");
    }
    int mode = Integer.parseInt(text, 8);
    if ((mode & 0600) != 0600) {
      throw invalid(what, value, "a mode that lets the owner read and write, such as 600");
    }
    if ((mode & 0111) != 0) {
      throw invalid(what, value, "a mode without execute bits (folders get them by themselves)");
    }
    if ((mode & 0002) != 0) {
      throw invalid(
          what, value, "a mode that does not let other users write (they could forge sessions)");
    }
    return new FsModes(mode);
  }

  private static IllegalArgumentException invalid(String what, String value, String expected) {
    return new IllegalArgumentException(what + " must be " + expected + ", got \"" + value + "\"");
  }

  /** The mode in octal, as configured. */
  @Override
  public String toString() {
    return String.format("%03o", mode);
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits =
        PosixFilePermission.values(); // OWNER_READ first, OTHERS_EXECUTE last
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        permissions.add(bits[i]);
      }
    }
    return permissions;
  }

  private static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The attributes that create a file with this mode (as narrowed by the umask), if any. */
  FileAttribute<?>[] fileAttributes(Path file) {
    return isPosix(file)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(this.file)}
        : new FileAttribute<?>[0];
  }

  /**
   * Sets the mode of a file this driver just created, when the umask may have narrowed it: a mode
   * that gives nothing beyond the owner's read and write needs no second call.
   */
  void created(Path file) throws IOException {
    if ((mode & 0077) != 0 && isPosix(file)) {
      Files.setPosixFilePermissions(file, this.file);
    }
  }

  /**
   * Creates {@code folder} and any missing folder above it with the folder mode; folders that exist
   * are left as they are.
   */
  void createFolders(Path folder) throws IOException {
    Path absolute = folder.toAbsolutePath();
    Deque<Path> missing = new ArrayDeque<>();
    for (Path at = absolute; at != null && !Files.isDirectory(at); at = at.getParent()) {
      missing.push(at);
    }
    boolean posix = isPosix(absolute);
    while (!missing.isEmpty()) {
      Path next = missing.pop();
      try {
        if (posix) {
          Files.createDirectory(next, PosixFilePermissions.asFileAttribute(this.folder));
          if ((mode & 0077) != 0) {
            Files.setPosixFilePermissions(next, this.folder);
          }
        } else {
          Files.createDirectory(next);
        }
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(next)) {
          throw e;
        }
        // Made meanwhile by another driver or process: theirs.
      }
    }
  }

  /** The permissions files get, for tests. */
  Set<PosixFilePermission> filePermissions() {
    return file;
  }

  /** The permissions folders get, for tests. */
  Set<PosixFilePermission> folderPermissions() {
    return folder;
  }
}
