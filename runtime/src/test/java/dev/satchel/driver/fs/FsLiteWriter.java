package dev.satchel.driver.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.locks.LockSupport;

/**
 * A file store as unstorage's {@code fs-lite} driver keeps one, the store Astro's Node adapter uses
 * for sessions by default. {@code setItem} is {@code ensuredir(dirname(path))} then {@code
 * fs.promises.writeFile(path, value, "utf8")}: Node opens the file with flag {@code "w"} ({@code
 * O_WRONLY|O_CREAT|O_TRUNC}, mode 0666 less the umask: 644), then writes the bytes and closes it, a
 * step of the event loop apart each. The file is written in place: from the open to the last write,
 * a reader finds it empty or cut short. Here the bytes go in {@code pieces} writes with a pause
 * after the open and after each write, the event loop's turns, so that readers meet every state.
 * {@code getItem} reads the whole file ({@code null} when there is none); {@code removeItem}
 * unlinks it. No lock is taken, as none is by Astro.
 */
final class FsLiteWriter {
  private final int pieces;
  private final long pauseNanos;

  FsLiteWriter(int pieces, long pauseNanos) {
    this.pieces = pieces;
    this.pauseNanos = pauseNanos;
  }

  void setItem(Path file, String value) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.WRITE,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      pause();
      int piece = Math.max(1, (bytes.length + pieces - 1) / pieces);
      for (int offset = 0; offset < bytes.length; offset += piece) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, Math.min(piece, bytes.length - offset));
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        pause();
      }
    }
  }

  /** Writes only the first {@code bytes} of {@code value}: a write in place caught half done. */
  void setItemCutShort(Path file, String value, int bytes) throws IOException {
    Files.createDirectories(file.getParent());
    byte[] all = value.getBytes(StandardCharsets.UTF_8);
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.WRITE,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(ByteBuffer.wrap(all, 0, bytes));
    }
  }

  String getItem(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  void removeItem(Path file) throws IOException {
    Files.deleteIfExists(file);
  }

  private void pause() {
    if (pauseNanos > 0) {
      LockSupport.parkNanos(pauseNanos);
    }
  }
}
