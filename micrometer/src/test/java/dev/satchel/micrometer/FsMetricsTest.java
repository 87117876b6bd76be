package dev.satchel.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionStorageException;
import dev.satchel.codec.ValueCodecs;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The meters on the fs driver: a store that fails, sizes as stored, and two instances sharing. */
class FsMetricsTest {
  @TempDir Path folder;

  private Satchel fs(Path base) {
    return Satchel.builder().driver("fs").driverOption("base", base.toString()).build();
  }

  private static String newSession(Satchel satchel) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "socks", ValueCodecs.strings());
    session.commit();
    return session.id().orElseThrow();
  }

  @Test
  void aStoreThatFailsIsTimedAsAFailureAndItsCommitAsFailed() throws IOException {
    Path base = folder.resolve("sessions");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Satchel satchel = fs(base)) {
      new SatchelMetrics(satchel).bindTo(registry);
      newSession(satchel);
      // The folder becomes a plain file: every write fails, even for root.
      try (Stream<Path> files = Files.walk(base)) {
        files.sorted(Comparator.reverseOrder()).forEach(FsMetricsTest::delete);
      }
      Files.writeString(base, "not a folder");

      Session session = satchel.open(null, cookie -> {});
      session.set("cart", "shoes", ValueCodecs.strings());
      assertThrows(SessionStorageException.class, session::commit);
    }

    assertEquals(1, SatchelMetricsTest.commits(registry, "written"));
    assertEquals(1, SatchelMetricsTest.commits(registry, "failed"));
    assertEquals(1, SatchelMetricsTest.calls(registry, "write"));
    FunctionTimer failed =
        registry
            .get("satchel.store.calls")
            .tag("operation", "write")
            .tag("outcome", "failure")
            .functionTimer();
    assertEquals(1, failed.count());
    assertEquals("UncheckedIOException", failed.getId().getTag("exception"));
    assertEquals(1, SatchelMetricsTest.sessions(registry, "created", "none"));
    SatchelMetricsTest.assertTagsClean(registry, "fs", Set.of());
  }

  private static void delete(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theSizeIsTheStoredTextsLength() throws IOException {
    Path base = folder.resolve("sessions");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Satchel satchel = fs(base)) {
      new SatchelMetrics(satchel).bindTo(registry);
      String first = newSession(satchel);
      Session bigger = satchel.open(null, cookie -> {});
      bigger.set("note", "é".repeat(40), ValueCodecs.strings());
      bigger.commit();
      String second = bigger.id().orElseThrow();

      long characters =
          Files.readString(base.resolve(first), StandardCharsets.UTF_8).length()
              + Files.readString(base.resolve(second), StandardCharsets.UTF_8).length();
      assertEquals(2, registry.get("satchel.session.size").summary().count());
      assertEquals(characters, registry.get("satchel.session.size").summary().totalAmount());
    }
  }

  @Test
  void anotherInstancesWriteIsParsedOnceThenCached() {
    Path base = folder.resolve("shared");
    SimpleMeterRegistry writer = new SimpleMeterRegistry();
    SimpleMeterRegistry reader = new SimpleMeterRegistry();
    try (Satchel one = fs(base);
        Satchel two = fs(base)) {
      new SatchelMetrics(one).bindTo(writer);
      new SatchelMetrics(two).bindTo(reader);
      String id = newSession(one);

      for (int i = 0; i < 3; i++) {
        assertEquals("socks", two.open(id, cookie -> {}).get("cart", ValueCodecs.strings()).get());
      }

      assertEquals(1, reader.get("satchel.decoded.cache").tag("result", "miss").counter().count());
      assertEquals(2, reader.get("satchel.decoded.cache").tag("result", "hit").counter().count());
      assertEquals(0, writer.get("satchel.decoded.cache").tag("result", "miss").counter().count());
      assertEquals(3, SatchelMetricsTest.calls(reader, "read"));
      assertEquals(1, SatchelMetricsTest.calls(writer, "write"));
      assertEquals(0, SatchelMetricsTest.calls(reader, "write"));
    }
  }

  @Test
  void fsCannotCountSoHasNoActiveSessionsGauge() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (Satchel satchel = fs(folder.resolve("sessions"))) {
      new SatchelMetrics(satchel).bindTo(registry);
      newSession(satchel);

      assertNull(registry.find("satchel.sessions.active").gauge());
      assertEquals(1, SatchelMetricsTest.sessions(registry, "created", "none"));
    }
  }
}
