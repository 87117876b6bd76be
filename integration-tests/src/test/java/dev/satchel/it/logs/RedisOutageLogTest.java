package dev.satchel.it.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.redis.RedisClusterProcess;
import dev.satchel.redis.RedisServerProcess;
import dev.satchel.servlet.SatchelFilter;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A real {@code redis-server} stops for about ten seconds under the load of eight concurrent
 * clients of a Jetty application behind the filter, and starts again. Every line the application
 * logs (Satchel's {@code System.Logger}, Jetty's and Lettuce's, all into {@code java.util.logging}
 * here) is captured: the outage is a handful of lines, its start and its end among them, however
 * many requests it failed; each failed request is at DEBUG.
 */
@ExtendWith(NoSessionIdsInLogs.class)
final class RedisOutageLogTest {
  private static final Pattern SESSION_COOKIE = Pattern.compile("satchel-session=([^;]*)");
  private static final int CLIENTS = 8;

  /** Every record, as published to the root logger's handlers. */
  private static final class Capture extends Handler {
    final List<LogRecord> records = new CopyOnWriteArrayList<>();

    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}

    List<LogRecord> from(int index) {
      return records.subList(index, records.size());
    }
  }

  private static final class App implements AutoCloseable {
    final Server server;

    App(Satchel satchel) throws Exception {
      server = new Server();
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
                  int visits = session.get("visits", ValueCodecs.integers()).orElse(0) + 1;
                  session.set("visits", visits, ValueCodecs.integers());
                  res.setContentType("text/plain;charset=utf-8");
                  res.getWriter().write("visits=" + visits);
                }
              }),
          "/visit");
      server.setHandler(context);
      server.start();
    }

    URI uri(String path) {
      return URI.create(
          "http://127.0.0.1:"
              + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
              + path);
    }

    @Override
    public void close() throws Exception {
      server.stop();
    }
  }

  /** One client: keeps its session cookie, and counts what it was answered. */
  private static final class Client {
    final HttpClient http;
    final Phase phase;
    String cookie;
    volatile int lastStatus;

    Client(HttpClient http, Phase phase) {
      this.http = http;
      this.phase = phase;
    }

    int visit(URI uri) throws Exception {
      HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
      if (cookie != null) {
        request.header("Cookie", "satchel-session=" + cookie);
      }
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      for (String header : response.headers().allValues("Set-Cookie")) {
        Matcher m = SESSION_COOKIE.matcher(header);
        if (m.find()) {
          cookie = m.group(1);
        }
      }
      phase
          .statuses()
          .computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
          .incrementAndGet();
      lastStatus = response.statusCode();
      return response.statusCode();
    }
  }

  @Test
  void anOutageUnderLoad_isAFewLines_itsStartAndItsEnd() throws Exception {
    Logger root = Logger.getLogger("");
    Logger servlet = Logger.getLogger("dev.satchel.servlet");
    Logger core = Logger.getLogger("dev.satchel");
    Level servletLevel = servlet.getLevel();
    Level coreLevel = core.getLevel();
    Capture capture = new Capture();
    capture.setLevel(Level.ALL);
    root.addHandler(capture);
    // DEBUG on, to count the requests each logged at DEBUG (the console prints INFO and above).
    servlet.setLevel(Level.FINE);
    core.setLevel(Level.FINE);
    ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(CLIENTS))
            .build();
    Map<Integer, AtomicInteger> before = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> during = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> after = new ConcurrentHashMap<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong requests = new AtomicLong();
    List<Client> clients = new ArrayList<>();
    try (RedisServerProcess redis = RedisServerProcess.start(false);
        Satchel satchel =
            Satchel.builder()
                .driver("redis")
                .driverOption("url", redis.url())
                .driverOption("timeout", "PT1S")
                .secure(false)
                .build();
        App app = new App(satchel)) {
      URI visit = app.uri("/visit");
      Phase phase = new Phase(before);
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        Client client = new Client(http, phase);
        clients.add(client);
        running.add(
            threads.submit(
                () -> {
                  while (!stop.get()) {
                    client.visit(visit);
                    requests.incrementAndGet();
                  }
                  return null;
                }));
      }
      awaitRequests(requests, 500);
      assertEquals(
          List.of(200),
          List.copyOf(new TreeMap<>(before).keySet()),
          "before the outage every request is served: " + before);

      int outageStart = capture.records.size();
      phase.set(during);
      redis.kill();
      Thread.sleep(10_000);
      redis.restart();
      long restartedAt = System.nanoTime();
      // Until every client was served again.
      while (clients.stream().anyMatch(client -> client.lastStatus != 200)) {
        assertTrue(
            System.nanoTime() - restartedAt < TimeUnit.SECONDS.toNanos(60),
            "the application did not recover within 60 s of the restart");
        Thread.sleep(50);
      }
      phase.set(after);
      awaitRequests(requests, 500);
      stop.set(true);
      for (Future<?> client : running) {
        client.get(1, TimeUnit.MINUTES);
      }

      List<LogRecord> outage = List.copyOf(capture.from(outageStart));
      List<LogRecord> lines =
          outage.stream().filter(r -> r.getLevel().intValue() >= Level.INFO.intValue()).toList();
      long debugFromFilter =
          outage.stream()
              .filter(r -> r.getLevel().intValue() < Level.INFO.intValue())
              .filter(r -> "dev.satchel.servlet".equals(r.getLoggerName()))
              .count();
      String report =
          "requests "
              + requests.get()
              + "; answers before "
              + before
              + ", during "
              + during
              + ", after "
              + after
              + "; lines at INFO and above during the outage: "
              + lines.size()
              + "; failed requests logged at DEBUG by the filter: "
              + debugFromFilter
              + describe(lines);
      System.out.println(report);

      assertTrue(count(during, 503) > 0, "the outage answered 503s: " + report);
      assertEquals(
          List.of(200), List.copyOf(new TreeMap<>(after).keySet()), "after recovery: " + report);
      assertTrue(lines.size() <= 10, report);
      assertEquals(
          1,
          lines.stream().filter(r -> text(r).contains("session store is failing")).count(),
          report);
      assertEquals(
          1,
          lines.stream().filter(r -> text(r).contains("session store answers again")).count(),
          report);
      assertTrue(
          debugFromFilter >= count(during, 503),
          "every request the store failed is at DEBUG: " + report);
    } finally {
      stop.set(true);
      threads.shutdownNow();
      root.removeHandler(capture);
      servlet.setLevel(servletLevel);
      core.setLevel(coreLevel);
    }
  }

  /** Where the clients count the answers: before, during or after the outage. */
  private static final class Phase {
    private volatile Map<Integer, AtomicInteger> statuses;

    Phase(Map<Integer, AtomicInteger> first) {
      statuses = first;
    }

    Map<Integer, AtomicInteger> statuses() {
      return statuses;
    }

    void set(Map<Integer, AtomicInteger> next) {
      statuses = next;
    }
  }

  private static int count(Map<Integer, AtomicInteger> statuses, int status) {
    AtomicInteger count = statuses.get(status);
    return count == null ? 0 : count.get();
  }

  private static String text(LogRecord record) {
    return String.valueOf(record.getMessage());
  }

  private static String describe(List<LogRecord> lines) {
    StringBuilder out = new StringBuilder();
    for (LogRecord line : lines) {
      out.append("\n  ")
          .append(line.getLevel())
          .append(' ')
          .append(line.getLoggerName())
          .append(": ")
          .append(line.getMessage())
          .append(line.getThrown() == null ? "" : " [+ stack trace]");
    }
    return out.toString();
  }

  /** Waits until the clients have made {@code more} requests beyond those made so far. */
  private static void awaitRequests(AtomicLong requests, int more) {
    long target = requests.get() + more;
    RedisClusterProcess.await(
        Duration.ofSeconds(60), () -> requests.get() >= target, more + " more requests");
  }
}
