package dev.satchel.it.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.servlet.SatchelFilter;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The filter as {@code web.xml} declares it: made with the no-argument constructor, configured from
 * the web app's {@code satchel.properties} and its {@code init-param}s, over real HTTP.
 */
final class WebXmlFilterTest {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  @TempDir Path webInfClasses;

  /** The web app's class loader, with {@code satchel.properties} as {@code WEB-INF/classes} has. */
  private ClassLoader webApp() throws Exception {
    Files.writeString(
        webInfClasses.resolve("satchel.properties"),
        "driver=memory\ncookie.secure=false\ncookie.name=from-properties\n");
    return new URLClassLoader(
        new URL[] {webInfClasses.toUri().toURL()}, getClass().getClassLoader());
  }

  private static FilterHolder declared(Map<String, String> initParams) {
    FilterHolder holder = new FilterHolder(SatchelFilter.class);
    initParams.forEach(holder::setInitParameter);
    return holder;
  }

  private static HttpResponse<String> send(URI uri, String header, String value) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody());
    if (header != null) {
      request.header(header, value);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void initParams_setTheSessionHeaderAndTheCookieName() throws Exception {
    try (TestApp app =
        new TestApp(
            declared(Map.of("session-header", "X-Token", "cookie-name", "shop-session")),
            webApp())) {
      HttpResponse<String> first = send(app.uri("/set?key=a&value=1"), null, null);
      String id = first.headers().firstValue("X-Token").orElseThrow();
      assertEquals(
          List.of("shop-session=" + id + "; Path=/; HttpOnly; SameSite=Lax"),
          first.headers().allValues("Set-Cookie"));
      assertEquals("1", send(app.uri("/get?key=a"), "X-Token", id).body());
      assertEquals("1", send(app.uri("/get?key=a"), "Cookie", "shop-session=" + id).body());
      assertEquals("none", send(app.uri("/get?key=a"), "Cookie", "from-properties=" + id).body());
    }
  }

  @Test
  void withoutInitParams_satchelPropertiesDecides_andThereIsNoSessionHeader() throws Exception {
    try (TestApp app = new TestApp(declared(Map.of()), webApp())) {
      HttpResponse<String> first = send(app.uri("/set?key=a&value=1"), null, null);
      String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
      assertTrue(cookie.startsWith("from-properties="), cookie);
      assertEquals(Optional.empty(), first.headers().firstValue("X-Session-Token"));
      assertEquals(Optional.empty(), first.headers().firstValue("X-Token"));
      assertEquals("1", send(app.uri("/get?key=a"), "Cookie", cookie.split(";")[0]).body());
    }
  }

  @Test
  void anUnknownInitParam_stopsTheApp() throws Exception {
    ClassLoader webApp = webApp();
    Exception failure =
        assertThrows(
            Exception.class, () -> new TestApp(declared(Map.of("cookie_name", "x")), webApp));
    assertTrue(describe(failure).contains("Unknown init-param cookie_name"), describe(failure));
  }

  @Test
  void initParams_onAFilterGivenItsSatchel_stopTheApp() throws Exception {
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      FilterHolder holder = new FilterHolder(new SatchelFilter(satchel));
      holder.setInitParameter("cookie-name", "shop-session");
      Exception failure = assertThrows(Exception.class, () -> new TestApp(holder, null));
      assertTrue(describe(failure).contains("no-argument constructor"), describe(failure));
    }
  }

  @Test
  void anInvalidSessionHeader_stopsTheApp() throws Exception {
    ClassLoader webApp = webApp();
    Exception failure =
        assertThrows(
            Exception.class,
            () -> new TestApp(declared(Map.of("session-header", "X Token")), webApp));
    assertTrue(describe(failure).contains("Invalid session header name"), describe(failure));
  }

  private static String describe(Throwable failure) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      messages.append(t).append('\n');
    }
    return messages.toString();
  }
}
