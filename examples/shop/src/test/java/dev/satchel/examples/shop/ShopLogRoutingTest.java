package dev.satchel.examples.shop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Satchel's {@code System.Logger} lines reach the shop's logging: with {@code
 * slf4j-jdk-platform-logging} on the class path they go to SLF4J, and out through slf4j-simple as
 * Jetty's do, not through {@code java.util.logging}. The line is a real one: the store fails under
 * a visitor's request.
 */
final class ShopLogRoutingTest {
  @TempDir Path folder;

  @Test
  void satchelsWarning_comesOutThroughSlf4j_withoutTheSessionId() throws Exception {
    assertTrue(
        System.getLogger("dev.satchel").getClass().getName().startsWith("org.slf4j"),
        "System.Logger is SLF4J's: " + System.getLogger("dev.satchel").getClass());

    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream originalErr = System.err;
    // slf4j-simple writes to whatever System.err is when it writes.
    System.setErr(
        new PrintStream(new Tee(originalErr, captured), true, StandardCharsets.UTF_8.name()));
    List<LogRecord> throughJul = new CopyOnWriteArrayList<>();
    Logger jul = Logger.getLogger("dev.satchel");
    Handler julHandler =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            throughJul.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    jul.addHandler(julHandler);
    Path base = folder.resolve("sessions");
    try (Satchel satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", base.toString())
            .driverOption("fsync", "false")
            .secure(false)
            .build()) {
      Server server = ShopApp.start(satchel, 0, Clock.systemUTC());
      try {
        CookieManager cookies = new CookieManager();
        HttpClient visitor =
            HttpClient.newBuilder()
                .cookieHandler(cookies)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        URI add =
            URI.create(
                "http://127.0.0.1:"
                    + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
                    + "/cart/add");
        HttpRequest addItem =
            HttpRequest.newBuilder(add)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("item=sku-0001"))
                .build();
        assertEquals(303, visitor.send(addItem, HttpResponse.BodyHandlers.ofString()).statusCode());
        String id =
            cookies.getCookieStore().getCookies().stream()
                .filter(cookie -> cookie.getName().equals(Satchel.DEFAULT_COOKIE_NAME))
                .map(HttpCookie::getValue)
                .findFirst()
                .orElseThrow();

        // The folder becomes a file: reading the visitor's session file fails.
        try (Stream<Path> files = Files.walk(base)) {
          for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(file);
          }
        }
        Files.writeString(base, "not a folder");
        assertEquals(503, visitor.send(addItem, HttpResponse.BodyHandlers.ofString()).statusCode());

        String log = captured.toString(StandardCharsets.UTF_8);
        // slf4j-simple's format: "[thread] LEVEL logger - message".
        assertTrue(
            log.contains("WARN dev.satchel - The fs session store is failing"),
            "Satchel's warning in SLF4J's output:\n" + log);
        assertFalse(log.contains(id), "the session ID never reaches the log:\n" + log);
        assertEquals(List.of(), throughJul, "nothing went through java.util.logging");
      } finally {
        server.stop();
      }
    } finally {
      jul.removeHandler(julHandler);
      System.setErr(originalErr);
    }
  }

  /** Writes to both streams: the console keeps what the test captures. */
  private static final class Tee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    Tee(OutputStream first, OutputStream second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public synchronized void write(int b) throws java.io.IOException {
      first.write(b);
      second.write(b);
    }

    @Override
    public synchronized void write(byte[] bytes, int offset, int length)
        throws java.io.IOException {
      first.write(bytes, offset, length);
      second.write(bytes, offset, length);
    }

    @Override
    public synchronized void flush() throws java.io.IOException {
      first.flush();
      second.flush();
    }
  }
}
