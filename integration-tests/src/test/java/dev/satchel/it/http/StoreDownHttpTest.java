package dev.satchel.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.spi.SessionIds;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session store that fails, over real HTTP: the fs driver's folder is replaced by a regular file
 * after start-up, so every read and write of a session file fails in the file system. A read
 * failure is a 503 to retry, a save failure a 500, and neither body says what the store said.
 */
final class StoreDownHttpTest {
  private static final String UNAVAILABLE = "The session store is unavailable; try again shortly.";
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir Path folder;

  private Path base;

  private Satchel startedThenBroken() throws IOException {
    base = folder.resolve("sessions");
    Satchel satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", base.toString())
            .driverOption("fsync", "false")
            .secure(false)
            .build();
    try (Stream<Path> files = Files.walk(base)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
    Files.writeString(base, "not a folder");
    return satchel;
  }

  private static HttpResponse<String> send(String method, URI uri, String sessionId)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
    if (sessionId != null) {
      request.header("Cookie", "satchel-session=" + sessionId);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void assertUnavailable(HttpResponse<String> response) {
    assertEquals(503, response.statusCode());
    assertEquals(UNAVAILABLE, response.body());
    assertEquals(Optional.of("1"), response.headers().firstValue("Retry-After"));
    assertTrue(
        response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"),
        response.headers().toString());
    assertSaysNothingOfTheStore(response);
  }

  private void assertSaysNothingOfTheStore(HttpResponse<String> response) {
    for (String leak : List.of("Error when", "`fs`", "session file", base.toString())) {
      assertFalse(response.body().contains(leak), () -> leak + " in " + response.body());
    }
    assertEquals(List.of(), response.headers().allValues("Set-Cookie"));
  }

  @Test
  void aReadFailure_isA503ToRetry_thatSaysNothingOfTheStore() throws Exception {
    try (Satchel satchel = startedThenBroken();
        TestApp app = new TestApp(satchel)) {
      assertUnavailable(send("GET", app.uri("/read"), SessionIds.generate()));
    }
  }

  @Test
  void aReadFailureTheHandlerWrapped_isA503Too() throws Exception {
    try (Satchel satchel = startedThenBroken();
        TestApp app = new TestApp(satchel)) {
      assertUnavailable(send("GET", app.uri("/read-wrapped"), SessionIds.generate()));
    }
  }

  @Test
  void aReadFailureAfterOutput_dropsTheOutput() throws Exception {
    try (Satchel satchel = startedThenBroken();
        TestApp app = new TestApp(satchel)) {
      assertUnavailable(send("GET", app.uri("/write-then-read"), SessionIds.generate()));
    }
  }

  @Test
  void aSaveFailure_isA500_thatSaysNothingOfTheStore() throws Exception {
    try (Satchel satchel = startedThenBroken();
        TestApp app = new TestApp(satchel)) {
      HttpResponse<String> response = send("POST", app.uri("/set?key=a&value=1"), null);
      assertEquals(500, response.statusCode());
      assertNotEquals("set", response.body());
      assertTrue(response.body().contains("The session could not be saved"), response.body());
      assertSaysNothingOfTheStore(response);
    }
  }
}
