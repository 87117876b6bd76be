package dev.satchel.examples.springshop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Satchel's {@code System.Logger} lines arrive in Spring Boot's logging (through {@code
 * java.util.logging} and Spring Boot's bridge into SLF4J and Logback), in its format, and {@code
 * logging.level.dev.satchel=DEBUG} turns Satchel's DEBUG lines on. The lines are real ones: the
 * session store's folder becomes a file under a visitor's request.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "satchel.driver=fs",
      "satchel.cookie.secure=false",
      "logging.level.dev.satchel=DEBUG"
    })
@DirtiesContext
@ExtendWith(OutputCaptureExtension.class)
final class SpringShopLogRoutingTest {
  private static final Pattern LEVEL = Pattern.compile("^\\S+\\s+(TRACE|DEBUG|INFO|WARN|ERROR)\\s");
  private static Path folder;

  @LocalServerPort int port;

  @DynamicPropertySource
  static void sessionFolder(DynamicPropertyRegistry registry) {
    try {
      folder = Files.createTempDirectory("spring-shop-log-sessions");
      registry.add("satchel.driver.base", folder::toString);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void aStoreFailure_isLoggedThroughSpringBoot_atWarning_andAtDebugWhenAskedFor(
      CapturedOutput output) throws Exception {
    // The route under test: System.Logger into java.util.logging, bridged by Spring Boot; not
    // slf4j-jdk-platform-logging, which the Jetty shop's class path has.
    assertTrue(
        System.getLogger("dev.satchel").getClass().getName().startsWith("sun.util.logging"),
        System.getLogger("dev.satchel").getClass().getName());
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
    Files.writeString(folder, "not a folder");
    String id = SessionIds.generate();
    HttpResponse<String> page =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .header("Cookie", "satchel-session=" + id)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(503, page.statusCode(), page.body());

    List<String> lines = output.getAll().lines().toList();
    // Spring Boot's console format: "<time> <LEVEL> <pid> --- [<app>] [<thread>] <logger> :
    // <text>".
    String warning = line(lines, "The fs session store is failing", output);
    assertTrue(warning.contains(" WARN "), warning);
    assertTrue(warning.contains(" dev.satchel "), warning);
    String debug = line(lines, "The session store failed; answering 503", output);
    assertTrue(debug.contains(" DEBUG "), debug);
    assertTrue(debug.contains(" dev.satchel.servlet "), debug);
    assertNoIdAtInfoOrAbove(lines, id);
  }

  /** No line at INFO or above, nor the stack trace printed under it, holds {@code id}. */
  private static void assertNoIdAtInfoOrAbove(List<String> lines, String id) {
    boolean atInfoOrAbove = false;
    for (String line : lines) {
      Matcher header = LEVEL.matcher(line);
      if (header.find()) {
        atInfoOrAbove = !header.group(1).equals("DEBUG") && !header.group(1).equals("TRACE");
      }
      assertFalse(atInfoOrAbove && line.contains(id), line);
    }
  }

  private static String line(List<String> lines, String text, CapturedOutput output) {
    return lines.stream()
        .filter(line -> line.contains(text))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no line with \"" + text + "\" in:\n" + output));
  }
}
