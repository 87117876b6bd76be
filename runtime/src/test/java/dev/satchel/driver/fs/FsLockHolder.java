package dev.satchel.driver.fs;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A separate process for the lock time-out test: takes the file lock on the path it is given,
 * prints {@code locked}, and holds it until its standard input closes, like a process that hangs.
 */
public final class FsLockHolder {
  private FsLockHolder() {}

  public static void main(String[] args) throws Exception {
    try (FileChannel channel =
            FileChannel.open(
                Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // Hold the lock until the test closes our input or kills us.
      }
    }
  }
}
