package dev.satchel.driver.fs;

import dev.satchel.Satchel;
import dev.satchel.Session;

/**
 * A separate process for the file-mode test, run under a restrictive umask: stores one session in
 * an fs folder with the {@code file-mode} given, retires another, and prints the first one's ID.
 */
public final class FsModeWriter {
  private FsModeWriter() {}

  public static void main(String[] args) {
    try (Satchel satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", args[0])
            .driverOption("file-mode", args[1])
            .driverOption("fsync", "false")
            .build()) {
      String[] issued = new String[1];
      Session session = satchel.open((String) null, cookie -> issued[0] = cookie.value());
      session.set("cart", "one item");
      session.setPrincipal("alice");
      session.commit();
      Session loggedOut = satchel.open(issued[0], cookie -> {});
      loggedOut.regenerate();
      loggedOut.commit();
      System.out.println(issued[0]);
    }
  }
}
