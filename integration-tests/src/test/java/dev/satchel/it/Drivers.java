package dev.satchel.it;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import dev.satchel.testing.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A Satchel on a real driver, and requests that keep their cookie like a browser. */
final class Drivers implements AutoCloseable {
  final MutableClock clock = new MutableClock();
  final Satchel satchel;
  private final Path folder;

  Drivers(String driver) throws Exception {
    Satchel.Builder builder = Satchel.builder().driver(driver).clock(clock);
    if (driver.equals("fs")) {
      folder = Files.createTempDirectory("satchel-it");
      builder.driverOption("base", folder.toString()).driverOption("fsync", "false");
    } else {
      folder = null;
    }
    satchel = builder.build();
  }

  /** One request: the session, and the Set-Cookie values it produced. */
  record Request(Session session, List<SessionCookie> cookies) {
    String cookie(String sent) {
      if (cookies.isEmpty()) {
        return sent;
      }
      SessionCookie last = cookies.get(cookies.size() - 1);
      return last.isDeletion() ? null : last.value();
    }
  }

  Request open(String cookie) {
    List<SessionCookie> cookies = new ArrayList<>();
    return new Request(satchel.open(cookie, cookies::add), cookies);
  }

  @Override
  public void close() throws Exception {
    satchel.close();
    if (folder != null) {
      try (var files = Files.walk(folder)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
