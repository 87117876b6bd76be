package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.examples.shop.ShopApp;
import dev.satchel.redis.RedisServerProcess;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Requests per second on the example shop over real HTTP: {@code GET /} and {@code POST
 * /api/addToCart}, with sessions on each driver and with sessions disabled ({@code none}), in one
 * run. Each client thread is one visitor with its own cookie; its cart starts over every 20
 * requests, as a visitor's would.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar ShopBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 4, time = 3)
@Fork(1)
@Threads(4)
public class ShopBenchmark {

  /** The shop, on the driver of this run. */
  @State(Scope.Benchmark)
  public static class Shop {
    @Param({"none", "memory", "fs", "redis"})
    public String driver;

    RedisServerProcess redis;
    Satchel satchel;
    Server server;
    URI page;
    URI api;

    @Setup(Level.Trial)
    public void start() throws Exception {
      if (!driver.equals("none")) {
        Satchel.Builder builder = Satchel.builder().driver(driver).secure(false);
        if (driver.equals("fs")) {
          builder.driverOption("base", Files.createTempDirectory("shop-bench").toString());
        } else if (driver.equals("redis")) {
          redis = RedisServerProcess.start(false);
          builder.driverOption("url", redis.url());
        }
        satchel = builder.build();
      }
      server = ShopApp.start(satchel, 0, Clock.systemUTC());
      int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
      page = URI.create("http://127.0.0.1:" + port + "/");
      api = URI.create("http://127.0.0.1:" + port + "/api/addToCart");
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
      server.stop();
      if (satchel != null) {
        satchel.close();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  /** One visitor: a client with its own cookie jar. */
  @State(Scope.Thread)
  public static class Visitor {
    HttpClient client;
    int requests;

    @Setup(Level.Trial)
    public void open() {
      client = newClient();
    }

    HttpClient client() {
      if (++requests % 20 == 0) {
        client = newClient();
      }
      return client;
    }

    private static HttpClient newClient() {
      return HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .cookieHandler(new CookieManager())
          .build();
    }
  }

  @Benchmark
  public int getPage(Shop shop, Visitor visitor) throws Exception {
    return visitor
        .client()
        .send(HttpRequest.newBuilder(shop.page).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Benchmark
  public int postAddToCart(Shop shop, Visitor visitor) throws Exception {
    return visitor
        .client()
        .send(
            HttpRequest.newBuilder(shop.api)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"item\":\"sku-0001\"}"))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
