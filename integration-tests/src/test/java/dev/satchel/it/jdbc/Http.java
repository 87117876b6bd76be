package dev.satchel.it.jdbc;

import dev.satchel.redis.RedisClusterProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Requests to the shops, with the session cookie handled as a browser would; and waiting. */
final class Http {
  private static final Pattern SESSION_COOKIE = Pattern.compile("^satchel-session=([^;]*)");

  /** Long enough that only a hang reaches it. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  private Http() {}

  /**
   * One answer: its status and body, when it was sent and answered ({@link System#nanoTime()}), and
   * the session cookie it set: {@code null} when it set none, empty when it deleted it.
   */
  record Reply(int status, String body, long sentNanos, long answeredNanos, String setCookie) {
    boolean ok() {
      return status / 100 == 2;
    }

    long millis() {
      return (answeredNanos - sentNanos) / 1_000_000;
    }
  }

  static Reply send(String method, URI uri, String cookie) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (cookie != null) {
      request.header("Cookie", "satchel-session=" + cookie);
    }
    long sent = System.nanoTime();
    HttpResponse<String> response =
        CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    long answered = System.nanoTime();
    String setCookie = null;
    for (String header : response.headers().allValues("Set-Cookie")) {
      Matcher m = SESSION_COOKIE.matcher(header);
      if (m.find()) {
        setCookie = m.group(1);
      }
    }
    return new Reply(response.statusCode(), response.body(), sent, answered, setCookie);
  }

  /**
   * Waits for {@code condition}, through the tests' one polling helper, failing after {@code
   * limit}.
   */
  static void await(String what, Duration limit, BooleanSupplier condition) {
    RedisClusterProcess.await(limit, condition, what);
  }

  /** Something a wait looks at, which may fail. */
  @FunctionalInterface
  interface Probe<T> {
    T get() throws Exception;
  }
}
