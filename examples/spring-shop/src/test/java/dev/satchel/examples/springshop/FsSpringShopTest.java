package dev.satchel.examples.springshop;

import dev.satchel.spi.SessionIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The Spring Boot shop with sessions in files, in a folder of its own. */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"satchel.driver=fs", "satchel.cookie.secure=false"})
@DirtiesContext
final class FsSpringShopTest extends SpringShopHttpTests {
  private static Path folder;

  @DynamicPropertySource
  static void sessionFolder(DynamicPropertyRegistry registry) {
    try {
      folder = Files.createTempDirectory("spring-shop-sessions");
      registry.add("satchel.driver.base", folder::toString);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The fs driver does not count its sessions: the files in the folder named by a session ID. */
  @Override
  long storedSessions() {
    try (Stream<Path> files = Files.list(folder)) {
      return files
          .filter(Files::isRegularFile)
          .filter(file -> SessionIds.isValid(file.getFileName().toString()))
          .count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
