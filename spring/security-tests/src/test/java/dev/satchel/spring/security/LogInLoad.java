package dev.satchel.spring.security;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A load run by hand (not a test): the server's CPU time per request of a logged-in request that
 * only reads, through Spring Security's security context in the Satchel session ({@code GET /me}),
 * next to an anonymous request reading the same user's name and a cart from typed keys of a Satchel
 * session ({@code GET /public/cart}), in one Spring Security application on the memory driver, over
 * real HTTP. CPU is summed over the server's request threads only, so the client's own work does
 * not dilute the difference. The two loads alternate in each round; the round's ratio is reported.
 *
 * <p>Run from {@code spring/security-tests}, after {@code mvn -q -pl spring/security-tests -am
 * test-compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
 * -Dmdep.includeScope=test}: {@code java -cp target/test-classes:$(cat target/classpath.txt)
 * dev.satchel.spring.security.LogInLoad [threads] [requests] [rounds]}.
 */
public final class LogInLoad {
  private static final Pattern CSRF =
      Pattern.compile("name=\"_csrf\" type=\"hidden\" value=\"([^\"]+)\"");
  private static final Pattern COOKIE = Pattern.compile("satchel-session=([^;]*)");

  private LogInLoad() {}

  public static void main(String[] args) throws Exception {
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 4;
    int requests = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    try (ConfigurableApplicationContext app =
        new SpringApplicationBuilder(SpringSecurityOnSatchelTest.SecuredApp.class)
            .properties(
                "server.port=0",
                "server.address=127.0.0.1",
                "spring.main.banner-mode=off",
                "logging.level.root=warn",
                "satchel.driver=memory",
                "satchel.cookie.secure=false")
            .run()) {
      URI base =
          URI.create(
              "http://127.0.0.1:" + ((WebServerApplicationContext) app).getWebServer().getPort());
      Satchel satchel = app.getBean(Satchel.class);
      HttpClient client = HttpClient.newHttpClient();
      // One session of each kind, shared by every client thread (the app allows alice two).
      Session session = satchel.open(null, cookie -> {});
      session.set("userName", "alice", ValueCodecs.strings());
      session.set("cart", List.of("socks", "hat"), ValueCodecs.list(ValueCodecs.strings()));
      session.commit();
      List<String> typed = List.of(session.id().orElseThrow());
      List<String> loggedIn = List.of(logIn(client, base));
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
      // Warm-up, uncounted.
      load(pool, threads, client, base.resolve("/public/cart"), typed, requests / 2, cpu);
      load(pool, threads, client, base.resolve("/me"), loggedIn, requests / 2, cpu);
      for (int round = 1; round <= rounds; round++) {
        long typedNanos =
            load(pool, threads, client, base.resolve("/public/cart"), typed, requests, cpu);
        long securedNanos =
            load(pool, threads, client, base.resolve("/me"), loggedIn, requests, cpu);
        System.out.printf(
            Locale.ROOT,
            "round %d: typed keys %.1f us, Spring Security %.1f us of server CPU a request;"
                + " ratio %.3f%n",
            round,
            typedNanos / 1000.0 / requests,
            securedNanos / 1000.0 / requests,
            (double) securedNanos / typedNanos);
      }
      pool.shutdown();
    }
  }

  private static String logIn(HttpClient client, URI base) throws Exception {
    HttpResponse<String> page =
        client.send(
            HttpRequest.newBuilder(base.resolve("/login")).build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher csrf = CSRF.matcher(page.body());
    Matcher cookie = COOKIE.matcher(page.headers().firstValue("Set-Cookie").orElseThrow());
    if (!csrf.find() || !cookie.find()) {
      throw new IllegalStateException("no log-in form: " + page.body());
    }
    HttpResponse<String> loggedIn =
        client.send(
            HttpRequest.newBuilder(base.resolve("/login"))
                .header("Cookie", "satchel-session=" + cookie.group(1))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "username=alice&password=wonderland&_csrf="
                            + URLEncoder.encode(csrf.group(1), StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    Matcher rotated = COOKIE.matcher(loggedIn.headers().firstValue("Set-Cookie").orElseThrow());
    if (!rotated.find()) {
      throw new IllegalStateException("not logged in");
    }
    return rotated.group(1);
  }

  /** Sends {@code requests} GETs spread over the sessions; the server threads' CPU they took. */
  private static long load(
      ExecutorService pool,
      int threads,
      HttpClient client,
      URI uri,
      List<String> sessions,
      int requests,
      ThreadMXBean cpu)
      throws Exception {
    long before = serverCpu(cpu);
    List<Future<?>> done = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      String session = sessions.get(t % sessions.size());
      done.add(
          pool.submit(
              () -> {
                HttpRequest request =
                    HttpRequest.newBuilder(uri)
                        .header("Cookie", "satchel-session=" + session)
                        .build();
                for (int i = 0; i < requests / threads; i++) {
                  HttpResponse<String> response =
                      client.send(request, HttpResponse.BodyHandlers.ofString());
                  if (response.statusCode() != 200) {
                    throw new IllegalStateException(uri + ": " + response.statusCode());
                  }
                }
                return null;
              }));
    }
    for (Future<?> future : done) {
      future.get();
    }
    return serverCpu(cpu) - before;
  }

  /** CPU time of Tomcat's request threads. */
  private static long serverCpu(ThreadMXBean cpu) {
    long total = 0;
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().contains("-exec-")) {
        long nanos = cpu.getThreadCpuTime(thread.getId());
        total += Math.max(0, nanos);
      }
    }
    return total;
  }
}
