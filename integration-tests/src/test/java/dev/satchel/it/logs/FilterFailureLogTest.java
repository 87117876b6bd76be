package dev.satchel.it.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CorruptDataPolicy;
import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.servlet.SatchelFilter;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.NoSessionIdsInLogs;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the filter logs over HTTP for requests it answers 503: nothing above DEBUG when the store
 * failed (Satchel logs the outage), and an ERROR with its stack trace, once, when something else
 * failed (here, data the store returns that cannot be read, under {@code CorruptDataPolicy.FAIL}).
 */
@ExtendWith(NoSessionIdsInLogs.class)
final class FilterFailureLogTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir Path folder;

  private final Logger satchelLog = Logger.getLogger("dev.satchel");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private Level levelBefore;

  @BeforeEach
  void capture() {
    levelBefore = satchelLog.getLevel();
    satchelLog.setLevel(Level.FINE);
    capture.setLevel(Level.ALL);
    satchelLog.addHandler(capture);
  }

  @AfterEach
  void release() {
    satchelLog.removeHandler(capture);
    satchelLog.setLevel(levelBefore);
  }

  private Satchel fs(Path base, CorruptDataPolicy policy) {
    return Satchel.builder()
        .driver("fs")
        .driverOption("base", base.toString())
        .driverOption("fsync", "false")
        .corruptData(policy)
        .secure(false)
        .build();
  }

  private static Server start(Satchel satchel) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(
        new FilterHolder(new SatchelFilter(satchel)), "/*", EnumSet.allOf(DispatcherType.class));
    context.addServlet(
        new ServletHolder(
            new HttpServlet() {
              @Override
              protected void service(HttpServletRequest req, HttpServletResponse res)
                  throws IOException {
                Session session = SatchelFilter.session(req);
                res.getWriter().write("cart=" + session.get("cart").orElse("empty"));
              }
            }),
        "/cart");
    server.setHandler(context);
    server.start();
    return server;
  }

  private static int get(Server server, String sessionId) throws Exception {
    URI uri =
        URI.create(
            "http://127.0.0.1:"
                + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
                + "/cart");
    return CLIENT
        .send(
            HttpRequest.newBuilder(uri).header("Cookie", "satchel-session=" + sessionId).build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  private List<LogRecord> from(String logger, Level level) {
    return records.stream()
        .filter(r -> r.getLoggerName().equals(logger) && r.getLevel() == level)
        .toList();
  }

  @Test
  void requestsTheStoreFailed_areAtDebug_andTheOutageIsOneWarning() throws Exception {
    Path base = folder.resolve("sessions");
    try (Satchel satchel = fs(base, CorruptDataPolicy.RESET)) {
      Server server = start(satchel);
      try {
        try (Stream<Path> files = Files.walk(base)) {
          for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(file);
          }
        }
        Files.writeString(base, "not a folder");
        for (int i = 0; i < 50; i++) {
          assertEquals(503, get(server, SessionIds.generate()));
        }
      } finally {
        server.stop();
      }
    }
    List<LogRecord> filterDebug = from("dev.satchel.servlet", Level.FINE);
    assertEquals(50, filterDebug.size());
    filterDebug.forEach(record -> assertNotNull(record.getThrown(), "each with its trace"));
    assertEquals(
        List.of(),
        records.stream()
            .filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
            .filter(r -> r.getLoggerName().equals("dev.satchel.servlet"))
            .toList());
    List<LogRecord> warnings = from("dev.satchel", Level.WARNING);
    assertEquals(1, warnings.size(), "the outage's start");
    assertTrue(warnings.get(0).getMessage().contains("The fs session store is failing"));
  }

  @Test
  void anotherFailure_isAnError_loggedOnceWhileItRepeats() throws Exception {
    Path base = folder.resolve("sessions");
    String id = SessionIds.generate();
    try (Satchel satchel = fs(base, CorruptDataPolicy.FAIL)) {
      Files.writeString(base.resolve(id), "{not devalue");
      Server server = start(satchel);
      try {
        for (int i = 0; i < 20; i++) {
          assertEquals(503, get(server, id));
        }
      } finally {
        server.stop();
      }
    }
    List<LogRecord> errors = from("dev.satchel.servlet", Level.SEVERE);
    assertEquals(1, errors.size(), "once, not once a request");
    assertNotNull(errors.get(0).getThrown(), "with its stack trace");
    assertTrue(
        errors.get(0).getMessage().contains("The session store failed; answering 503"),
        errors.get(0).getMessage());
    assertEquals(19, from("dev.satchel.servlet", Level.FINE).size(), "the others at DEBUG");
  }
}
