package dev.satchel.driver.fs;

import dev.satchel.Satchel;
import dev.satchel.Session;

/**
 * A separate process for the multi-process test: commits {@code count} keys named after its {@code
 * prefix} to one session of an fs store, one request per key.
 */
public final class FsKeyWriter {
  private FsKeyWriter() {}

  public static void main(String[] args) {
    String base = args[0];
    String cookie = args[1];
    String prefix = args[2];
    int count = Integer.parseInt(args[3]);
    // Three processes committing to one session in a tight loop is contention no real session
    // sees; the test is about losing nothing, so a request may retry as long as it needs.
    try (Satchel satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", base)
            .driverOption("fsync", "false")
            .maxCommitAttempts(200)
            .build()) {
      for (int i = 0; i < count; i++) {
        Session session = satchel.open(cookie, c -> {});
        session.get(prefix + i);
        session.set(prefix + i, i);
        session.commit();
      }
    }
    System.out.println("done");
  }
}
