package dev.satchel.examples.springshop;

import dev.satchel.Satchel;
import dev.satchel.examples.shop.ShopApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A load run by hand (not a test): requests per second of the Spring Boot shop next to the Jetty
 * shop ({@code examples/shop}), both with sessions in memory, for {@code GET /} and {@code POST
 * /api/addToCart}, over real HTTP on the loopback interface. Each client thread is one visitor with
 * its own connection and session cookie; its cart starts over every 20 requests, as in {@code
 * ShopBenchmark}. A visitor that adds to the cart first loads the page, uncounted, as a browser
 * does: it gives the session and, in the Spring shop, the CSRF token that the adds send in the
 * {@code X-CSRF-TOKEN} header (the Jetty shop's page has none). In each round both shops take the
 * same load one after the other, each going first in every other round, and the round's
 * Spring-to-Jetty ratio is reported: other work on the machine disturbs it less than the rates
 * themselves.
 *
 * <p>Run (after building the class path as {@link StartupTime} says), from {@code
 * examples/spring-shop}: {@code java -cp target/test-classes:target/classes:$(cat
 * target/classpath.txt) dev.satchel.examples.springshop.ShopLoad [threads] [requests] [rounds]}.
 */
public final class ShopLoad {
  private static final String COOKIE = Satchel.DEFAULT_COOKIE_NAME + "=";
  private static final Pattern CSRF = Pattern.compile("<meta name=\"_csrf\" content=\"([^\"]+)\"");

  private ShopLoad() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;

    Satchel jettySessions =
        Satchel.builder().driver("memory").secure(false).idleTimeout(Duration.ofDays(1)).build();
    Server jetty = ShopApp.start(jettySessions, 0, Clock.systemUTC());
    URI jettyUri =
        URI.create(
            "http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort());
    ConfigurableApplicationContext spring =
        SpringApplication.run(
            SpringShopApplication.class,
            "--server.port=0",
            "--satchel.driver=memory",
            "--satchel.cookie.secure=false",
            "--satchel.idle-timeout=P1D",
            "--logging.level.root=WARN");
    URI springUri =
        URI.create(
            "http://127.0.0.1:" + ((WebServerApplicationContext) spring).getWebServer().getPort());
    try {
      System.out.printf(
          Locale.ROOT,
          "%d threads, %d requests a measurement, %d rounds%n",
          threads,
          requests,
          rounds);
      for (String path : List.of("/", "/api/addToCart")) {
        // Warm both up before the first measurement.
        run(jettyUri, path, threads, requests / 2);
        run(springUri, path, threads, requests / 2);
        List<Double> jettyRates = new ArrayList<>();
        List<Double> springRates = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          // Each shop goes first in every other round.
          if (round % 2 == 0) {
            jettyRates.add(run(jettyUri, path, threads, requests));
            springRates.add(run(springUri, path, threads, requests));
          } else {
            springRates.add(run(springUri, path, threads, requests));
            jettyRates.add(run(jettyUri, path, threads, requests));
          }
        }
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
          ratios.add(springRates.get(round) / jettyRates.get(round));
        }
        String what = path.equals("/") ? "GET /" : "POST /api/addToCart";
        System.out.printf(
            Locale.ROOT,
            "%-20s Jetty shop  %7.0f req/s (median; rounds %s)%n"
                + "%-20s Spring shop %7.0f req/s (median; rounds %s)%n"
                + "%-20s Spring/Jetty, round by round: %.2f (median of %s)%n",
            what,
            median(jettyRates),
            rounded(jettyRates),
            "",
            median(springRates),
            rounded(springRates),
            "",
            median(ratios),
            ratios.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).toList());
      }
    } finally {
      spring.close();
      jetty.stop();
      jettySessions.close();
    }
  }

  /** Sends {@code requests} requests from {@code threads} visitors; returns requests a second. */
  private static double run(URI base, String path, int threads, int requests) throws Exception {
    AtomicInteger left = new AtomicInteger(requests);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long started = System.nanoTime();
    try {
      List<Future<?>> visitors = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        visitors.add(pool.submit(() -> visit(base.resolve(path), path.equals("/"), left)));
      }
      for (Future<?> visitor : visitors) {
        visitor.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return requests / ((System.nanoTime() - started) / 1e9);
  }

  /**
   * One visitor: requests until none are left, starting over with no cookie every 20; one that adds
   * loads the page first each time it starts over.
   */
  private static Void visit(URI uri, boolean page, AtomicInteger left) throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    String cookie = null;
    String csrf = null;
    for (int sent = 1; left.getAndDecrement() > 0; sent++) {
      if (!page && cookie == null) {
        HttpResponse<String> shop =
            client.send(
                HttpRequest.newBuilder(uri.resolve("/")).build(),
                HttpResponse.BodyHandlers.ofString());
        cookie = sessionCookie(uri, shop, null);
        Matcher token = CSRF.matcher(shop.body());
        csrf = token.find() ? token.group(1) : null;
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(uri);
      if (!page) {
        request
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"sku-0001\"}"));
        if (csrf != null) {
          request.header("X-CSRF-TOKEN", csrf);
        }
      }
      if (cookie != null) {
        request.header("Cookie", cookie);
      }
      HttpResponse<Void> response =
          client.send(request.build(), HttpResponse.BodyHandlers.discarding());
      cookie = sessionCookie(uri, response, cookie);
      if (sent % 20 == 0) {
        cookie = null;
      }
    }
    return null;
  }

  /** The session cookie a response sets, or {@code cookie} if none; fails unless it is a 200. */
  private static String sessionCookie(URI uri, HttpResponse<?> response, String cookie) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException(uri + " answered " + response.statusCode());
    }
    for (String header : response.headers().allValues("Set-Cookie")) {
      if (header.startsWith(COOKIE)) {
        cookie = header.substring(0, header.indexOf(';'));
      }
    }
    return cookie;
  }

  private static double median(List<Double> rates) {
    List<Double> sorted = new ArrayList<>(rates);
    sorted.sort(null);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static List<Long> rounded(List<Double> rates) {
    return rates.stream().map(Math::round).toList();
  }
}
