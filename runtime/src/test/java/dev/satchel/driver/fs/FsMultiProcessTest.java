package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several JVMs share one fs folder and change different keys of one session at the same time: the
 * file locks and compare-and-set keep every key.
 */
final class FsMultiProcessTest {
  @TempDir Path folder;

  @Test
  void processesWritingDifferentKeysOfOneSession_allKeysSurvive() throws Exception {
    String cookie;
    try (Satchel satchel =
        Satchel.builder().driver("fs").driverOption("base", folder.toString()).build()) {
      Session session = satchel.open(null, c -> {});
      session.set("start", true);
      session.commit();
      cookie = session.id().orElseThrow();
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<Process> writers = new ArrayList<>();
    for (String prefix : new String[] {"a", "b", "c"}) {
      writers.add(
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  FsKeyWriter.class.getName(),
                  folder.toString(),
                  cookie,
                  prefix,
                  "25")
              .redirectErrorStream(true)
              .redirectOutput(folder.resolve(prefix + ".log").toFile())
              .start());
    }
    for (int i = 0; i < writers.size(); i++) {
      Process writer = writers.get(i);
      assertTrue(writer.waitFor(120, TimeUnit.SECONDS));
      String log = Files.readString(folder.resolve("abc".charAt(i) + ".log"));
      assertEquals(0, writer.exitValue(), log);
    }
    try (Satchel satchel =
        Satchel.builder().driver("fs").driverOption("base", folder.toString()).build()) {
      Session session = satchel.open(cookie, c -> {});
      assertEquals(1 + 3 * 25, session.keys().size());
    }
  }
}
