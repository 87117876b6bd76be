package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.JsMap;
import dev.satchel.devalue.PlainObject;
import dev.satchel.spi.SessionIds;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a separate JVM while it writes sessions to an fs store, then checks that every session file
 * left behind is a complete blob: the atomic move never exposes half a file.
 */
final class FsCrashSafetyTest {
  @TempDir Path folder;

  @Test
  void killedWhileWriting_everySessionFileIsComplete() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process writer =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                FsCrashWriter.class.getName(),
                folder.toString())
            .redirectErrorStream(true)
            .start();
    int committed = 0;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while (committed < 60 && (line = out.readLine()) != null) {
        if (line.startsWith("committed ")) {
          committed++;
        }
      }
      // Kill mid-stream: SIGKILL, no shutdown hooks, whatever write is in flight stays unfinished.
      writer.destroyForcibly();
      assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
    }
    assertEquals(60, committed, "the writer stopped before committing 60 sessions");

    List<Path> sessions;
    try (Stream<Path> files = Files.list(folder)) {
      sessions = files.filter(f -> SessionIds.isValid(f.getFileName().toString())).toList();
    }
    assertFalse(sessions.isEmpty());
    for (Path file : sessions) {
      Object blob = Devalue.astro().parse(Files.readString(file, StandardCharsets.UTF_8));
      JsMap entries = assertInstanceOf(JsMap.class, blob, file.toString());
      PlainObject payload = assertInstanceOf(PlainObject.class, entries.get("payload"));
      assertInstanceOf(List.class, payload.get("data"));
    }
  }
}
