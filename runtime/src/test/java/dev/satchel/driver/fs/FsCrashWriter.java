package dev.satchel.driver.fs;

import dev.satchel.Satchel;
import dev.satchel.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A separate process for the crash test: writes sessions to an fs store as fast as it can, with
 * blobs of varying size, printing a line after each commit, until it is killed.
 */
public final class FsCrashWriter {
  private FsCrashWriter() {}

  public static void main(String[] args) {
    String base = args[0];
    Random random = new Random(42);
    String[] cookies = new String[5];
    try (Satchel satchel = Satchel.builder().driver("fs").driverOption("base", base).build()) {
      for (long n = 0; ; n++) {
        int slot = (int) (n % cookies.length);
        String[] issued = {cookies[slot]};
        Session session = satchel.open(cookies[slot], cookie -> issued[0] = cookie.value());
        List<String> payload = new ArrayList<>();
        int size = 1000 + random.nextInt(20_000);
        for (int i = 0; i < size; i++) {
          payload.add("item-" + n + "-" + i);
        }
        session.set("payload", payload);
        session.set("n", n);
        session.commit();
        cookies[slot] = issued[0];
        System.out.println("committed " + n);
        System.out.flush();
      }
    }
  }
}
