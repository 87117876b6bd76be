package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.MutableClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code file-mode} option: what the fs driver creates is its owner's alone by default (a
 * session ID is a credential, and a readable file or folder listing hands it out), or readable by
 * others as configured, so that an Astro app running as another user can share the folder; folders
 * get the matching execute bits; the umask does not narrow the mode; a folder that exists keeps its
 * own; a bad value is refused with a message naming the option.
 */
final class FsFileModeTest {
  @TempDir Path folder;
  private final MutableClock clock = new MutableClock();
  private final List<SessionDriver> drivers = new ArrayList<>();

  @AfterEach
  void close() {
    drivers.forEach(SessionDriver::close);
  }

  private SessionDriver open(Path base, String fileMode) {
    Map<String, String> options = new HashMap<>(Map.of("base", base.toString(), "fsync", "false"));
    if (fileMode != null) {
      options.put("file-mode", fileMode);
    }
    SessionDriver driver =
        new FsDriverProvider()
            .create(new DriverContext("fs", options, clock, Duration.ofMinutes(30)));
    drivers.add(driver);
    return driver;
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  /** Stores, retires and indexes sessions, then checks every file and folder made under base. */
  private void assertEverythingMadeHas(Path base, String fileMode, String files, String folders)
      throws Exception {
    SessionDriver driver = open(base, fileMode);
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "[\"s\"]", null, clock.instant().plusSeconds(600)));
    driver.index("alice", id, clock.instant());
    driver.retire(
        SessionIds.generate(),
        Retirement.destroyed(clock.instant()),
        clock.instant().plusSeconds(60));
    driver.read(id, null);
    List<Path> made;
    try (Stream<Path> all = Files.walk(base)) {
      made = all.toList();
    }
    int filesSeen = 0;
    int foldersSeen = 0;
    for (Path path : made) {
      if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        foldersSeen++;
        assertEquals(folders, mode(path), folder.relativize(path).toString());
      } else {
        filesSeen++;
        assertEquals(files, mode(path), folder.relativize(path).toString());
      }
    }
    // The session, the marker, the ledger and index entries, at least one lock file.
    assertTrue(filesSeen >= 5, made.toString());
    // sessions, .locks, .retired, .expiring, .principals and the principal's folder.
    assertTrue(foldersSeen >= 6, made.toString());
  }

  @Test
  void byDefault_filesAreTheOwnersAlone_andFoldersToo() throws Exception {
    Path created = folder.resolve("new");
    assertEverythingMadeHas(created.resolve("sessions"), null, "rw-------", "rwx------");
    assertEquals("rwx------", mode(created), "a missing parent is made the same way");
  }

  @Test
  void mode640_letsTheGroupRead() throws Exception {
    assertEverythingMadeHas(folder.resolve("sessions"), "640", "rw-r-----", "rwxr-x---");
  }

  @Test
  void mode0644_letsEveryoneRead_asAstrosFilesDo() throws Exception {
    assertEverythingMadeHas(folder.resolve("sessions"), "0644", "rw-r--r--", "rwxr-xr-x");
  }

  @Test
  void aFolderThatExists_keepsItsMode() throws Exception {
    Path base = Files.createDirectories(folder.resolve("sessions"));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-x--x"));
    SessionDriver driver = open(base, null);
    String id = SessionIds.generate();
    assertTrue(driver.write(id, "[\"s\"]", null, null));
    assertEquals("rwxr-x--x", mode(base));
    assertEquals("rw-------", mode(base.resolve(id)));
  }

  @Test
  void badModes_areRefused_namingTheOption() {
    for (String bad : List.of("777", "700", "755", "400", "200", "666", "abc", "64", "6440", "")) {
      IllegalArgumentException refused =
          assertThrows(
              IllegalArgumentException.class,
              () -> open(folder.resolve("s"), bad),
              "\"" + bad + "\"");
      assertTrue(
          refused.getMessage().contains("file-mode") && refused.getMessage().contains(bad),
          refused.getMessage());
    }
  }

  /** Under a umask of 077, which would make every file 600, the mode asked for is the mode got. */
  @Test
  void theUmask_doesNotNarrowTheMode() throws Exception {
    Path base = folder.resolve("sessions");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process writer =
        new ProcessBuilder(
                "sh",
                "-c",
                "umask 077 && exec \"$0\" -cp \"$1\" "
                    + FsModeWriter.class.getName()
                    + " \"$2\" 644",
                java,
                System.getProperty("java.class.path"),
                base.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String id;
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      id = out.readLine();
    }
    assertTrue(writer.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, writer.exitValue());
    assertTrue(SessionIds.isValid(id), String.valueOf(id));
    assertEquals("rw-r--r--", mode(base.resolve(".retired").resolve(id)));
    try (Stream<Path> all = Files.walk(base)) {
      for (Path path : all.toList()) {
        boolean isFolder = Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS);
        assertEquals(
            isFolder ? "rwxr-xr-x" : "rw-r--r--", mode(path), folder.relativize(path).toString());
      }
    }
  }
}
