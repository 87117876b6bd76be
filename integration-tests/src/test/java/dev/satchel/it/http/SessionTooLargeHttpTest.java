package dev.satchel.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A change that would make the session larger than max-session-size, over real HTTP: a 413 that
 * says so without the exception's details, and the session keeps its data and its ID.
 */
final class SessionTooLargeHttpTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  private static HttpResponse<String> send(URI uri, String sessionId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET();
    if (sessionId != null) {
      request.header("Cookie", "satchel-session=" + sessionId);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String issuedId(HttpResponse<String> response) {
    String header = response.headers().firstValue("Set-Cookie").orElseThrow();
    return header.substring("satchel-session=".length(), header.indexOf(';'));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/big", "/big-update"})
  void aChangeOverTheMaximum_isA413_andTheSessionKeepsItsDataAndId(String route) throws Exception {
    try (Satchel satchel =
            Satchel.builder().driver("memory").secure(false).maxSessionSize(10_000).build();
        TestApp app = new TestApp(satchel)) {
      String id = issuedId(send(app.uri(route + "?size=100"), null));
      HttpResponse<String> refused = send(app.uri(route + "?size=20000"), id);
      assertEquals(413, refused.statusCode());
      assertTrue(refused.body().contains("too large"), refused.body());
      assertFalse(refused.body().contains("Exception"), refused.body());
      assertFalse(refused.body().contains("max-session-size"), refused.body());
      assertFalse(refused.headers().firstValue("Set-Cookie").isPresent());
      assertEquals(
          "x".repeat(100),
          satchel.open(id, cookie -> {}).get("big").map(Object::toString).orElseThrow());
    }
  }
}
