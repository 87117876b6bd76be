package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionStorageException;
import dev.satchel.spi.DriverContext;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import dev.satchel.testing.MutableClock;
import dev.satchel.testing.NoSessionIdsInLogs;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log-in or a log-out whose steps fail half-way (a full disk, a read-only folder whose {@code
 * .retired} is still writable) undoes the steps before, so the session stays live and loses none of
 * the items acknowledged before or after; an ID left marked (a crash, an undo that failed too)
 * refuses writes, and the clean-up removes only a file its marker proves retired.
 */
@ExtendWith(NoSessionIdsInLogs.class)
final class FsFailedStepsTest {
  @TempDir Path folder;
  private final MutableClock clock = new MutableClock();
  private final List<AutoCloseable> opened = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = opened.size() - 1; i >= 0; i--) {
      opened.get(i).close();
    }
  }

  private FsDriver driver(Path base) throws InterruptedException {
    FsDriver driver =
        (FsDriver)
            new FsDriverProvider()
                .create(
                    new DriverContext(
                        "fs",
                        Map.of("base", base.toString(), "fsync", "false"),
                        clock,
                        Duration.ofMinutes(30)));
    opened.add(driver);
    driver.awaitFirstCleanUp();
    return driver;
  }

  private Satchel satchel(Path base) {
    Satchel satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", base.toString())
            .driverOption("fsync", "false")
            .build();
    opened.add(satchel);
    return satchel;
  }

  /** An item of about {@code size} characters, so that sessions are as large as a test needs. */
  private static String item(int n, int size) {
    return "item-" + n + "-" + "x".repeat(size);
  }

  /** One request that adds an item to the cart and commits: acknowledged once this returns. */
  private static String addItem(Satchel satchel, String id, String item) {
    String[] issued = {id};
    Session session = satchel.open(id, cookie -> issued[0] = cookie.value());
    List<Object> cart = new ArrayList<>(cartOf(session));
    cart.add(item);
    session.set("cart", cart);
    session.commit();
    assertTrue(id == null || id.equals(issued[0]), "the session kept its ID");
    return issued[0];
  }

  private static List<?> cartOf(Session session) {
    return (List<?>) session.get("cart").orElse(List.of());
  }

  private static List<?> cart(Satchel satchel, String id) {
    return cartOf(satchel.open(id, cookie -> {}));
  }

  private void report(String test, FsRealFaults.Fault fault) {
    System.out.println(test + ": the fault was made by " + fault.how());
  }

  // ------------------------------------------------------------------ through Satchel, for real

  /**
   * A log-out fails half-way on a read-only folder whose {@code .retired} is writable: its marker
   * is written, the session file cannot be removed. The marker is taken back, and the four items
   * added before and the four after all stay, through a clean-up.
   */
  @Test
  void aLogOutFailingHalfWay_undoesItsMarker_andLosesNoItem() throws Exception {
    Path base = folder.resolve("sessions");
    Satchel satchel = satchel(base);
    String id = null;
    for (int i = 1; i <= 4; i++) {
      id = addItem(satchel, id, item(i, 10));
    }
    try (FsRealFaults.Fault readOnly = FsRealFaults.readOnlyFolder(base)) {
      report("log-out on a read-only folder", readOnly);
      Session logOut = satchel.open(id, cookie -> {});
      logOut.get("cart");
      logOut.destroy();
      assertThrows(SessionStorageException.class, logOut::commit);
    }
    assertFalse(Files.exists(base.resolve(".retired").resolve(id)), "the marker was taken back");
    for (int i = 5; i <= 8; i++) {
      assertEquals(id, addItem(satchel, id, item(i, 10)));
    }
    driver(base).cleanUp();
    assertEquals(8, cart(satchel, id).size());
  }

  /** A log-in on a read-only folder fails before changing anything; no item is lost. */
  @Test
  void aLogInOnAReadOnlyFolder_changesNothing_andLosesNoItem() throws Exception {
    Path base = folder.resolve("sessions");
    Satchel satchel = satchel(base);
    String id = null;
    for (int i = 1; i <= 4; i++) {
      id = addItem(satchel, id, item(i, 10));
    }
    try (FsRealFaults.Fault readOnly = FsRealFaults.readOnlyFolder(base)) {
      report("log-in on a read-only folder", readOnly);
      Session logIn = satchel.open(id, cookie -> {});
      logIn.get("cart");
      logIn.regenerate();
      logIn.setPrincipal("alice");
      assertThrows(SessionStorageException.class, logIn::commit);
    }
    assertFalse(Files.exists(base.resolve(".retired").resolve(id)));
    for (int i = 5; i <= 8; i++) {
      assertEquals(id, addItem(satchel, id, item(i, 10)));
    }
    driver(base).cleanUp();
    assertEquals(8, cart(satchel, id).size());
  }

  /**
   * A log-in on a full disk (a small tmpfs filled up, or the seam) fails before changing anything;
   * once there is room again, the session takes more items and keeps them all.
   */
  @Test
  void aLogInOnAFullDisk_changesNothing_andLosesNoItem() throws Exception {
    Path disk = folder.resolve("disk");
    FsRealFaults.Fault mounted = FsRealFaults.smallFileSystem(disk, 1024);
    if (mounted != null) {
      opened.add(0, mounted); // unmounted last, once everything on it is closed
    }
    Path base = disk.resolve("sessions");
    Satchel satchel = satchel(base);
    String id = null;
    for (int i = 1; i <= 4; i++) {
      id = addItem(satchel, id, item(i, 10_000)); // a session of about 40 KB
    }
    try (FsRealFaults.Fault full =
        mounted != null ? FsRealFaults.fill(disk, 16 * 1024) : FsRealFaults.diskFullSeam(base)) {
      report("log-in on a full disk", full);
      Session logIn = satchel.open(id, cookie -> {});
      logIn.get("cart");
      logIn.regenerate();
      logIn.setPrincipal("alice");
      assertThrows(SessionStorageException.class, logIn::commit);
      assertEquals(4, cart(satchel, id).size(), "readable while the disk is full");
    }
    assertFalse(Files.exists(base.resolve(".retired").resolve(id)));
    for (int i = 5; i <= 8; i++) {
      assertEquals(id, addItem(satchel, id, item(i, 10_000)));
    }
    driver(base).cleanUp();
    assertEquals(8, cart(satchel, id).size());
  }

  // ------------------------------------------------------------------ each step, by the seam

  private static FsDriver.Injected failing(Path base, BiPredicate<FsDriver.Operation, Path> when)
      throws IOException {
    return FsDriver.injectFaults(
        base,
        (operation, file) -> {
          if (when.test(operation, file)) {
            throw new AccessDeniedException(file.toString());
          }
        });
  }

  private Path real(Path path) throws IOException {
    return path.toRealPath();
  }

  /**
   * A replace failing at each of its steps (writing the marker, moving the new session in place,
   * removing the old one) leaves the old session live, writable and unmarked, and no new one.
   */
  @Test
  void aReplaceFailingAtAnyStep_leavesTheOldSessionLiveAndUnmarked() throws Exception {
    FsDriver driver = driver(folder);
    Path retired = real(folder).resolve(".retired");
    List<String> steps = List.of("marker", "move", "remove");
    for (String step : steps) {
      String old = SessionIds.generate();
      String next = SessionIds.generate();
      Path oldFile = real(folder).resolve(old);
      Path newFile = real(folder).resolve(next);
      assertTrue(driver.write(old, "[\"old\"]", null, null));
      StoredBlob read = driver.read(old, null);
      BiPredicate<FsDriver.Operation, Path> when =
          switch (step) {
            case "marker" ->
                (op, file) -> op == FsDriver.Operation.MOVE && file.startsWith(retired);
            case "move" -> (op, file) -> op == FsDriver.Operation.MOVE && file.equals(newFile);
            default -> (op, file) -> op == FsDriver.Operation.DELETE && file.equals(oldFile);
          };
      try (FsDriver.Injected fault = failing(folder, when)) {
        assertThrows(
            RuntimeException.class,
            () ->
                driver.replace(
                    old,
                    read.version(),
                    next,
                    "[\"new\"]",
                    null,
                    Retirement.movedTo(next, clock.instant()),
                    clock.instant().plusSeconds(600)),
            step);
      }
      assertNull(driver.retirement(old), step);
      assertFalse(Files.exists(retired.resolve(old)), step);
      assertNull(driver.read(next, null), step);
      assertFalse(Files.exists(newFile), step);
      assertEquals("[\"old\"]", driver.read(old, null).blob(), step);
      assertTrue(driver.write(old, "[\"after\"]", read.version(), null), step);
      driver.cleanUp();
      assertEquals("[\"after\"]", driver.read(old, null).blob(), step);
    }
  }

  /**
   * A retire whose removal of the session fails puts back the marker that was there before: none,
   * or, for an ID a crash left marked beside its file, that marker, byte for byte.
   */
  @Test
  void aRetireFailingToRemoveTheSession_putsTheEarlierMarkerBack() throws Exception {
    FsDriver driver = driver(folder);
    Path retired = real(folder).resolve(".retired");
    String id = SessionIds.generate();
    Path file = real(folder).resolve(id);
    assertTrue(driver.write(id, "[\"live\"]", null, null));
    String version = driver.read(id, null).version();
    try (FsDriver.Injected fault =
        failing(folder, (op, path) -> op == FsDriver.Operation.DELETE && path.equals(file))) {
      assertThrows(
          RuntimeException.class,
          () ->
              driver.retire(
                  id, Retirement.destroyed(clock.instant()), clock.instant().plusSeconds(600)));
    }
    assertFalse(Files.exists(retired.resolve(id)));
    assertTrue(driver.write(id, "[\"still live\"]", version, null));

    // A crash left a marker beside the file; a second retire fails the same way.
    String crashed = SessionIds.generate();
    Path crashedFile = real(folder).resolve(crashed);
    assertTrue(driver.write(crashed, "[\"old\"]", null, null));
    byte[] marker =
        (Retirement.movedTo(id, clock.instant()).encode()
                + "\n"
                + clock.instant().plusSeconds(600).toEpochMilli()
                + "\n"
                + FsDriver.digest(Files.readAllBytes(crashedFile))
                + "\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    Files.write(retired.resolve(crashed), marker);
    try (FsDriver.Injected fault =
        failing(
            folder, (op, path) -> op == FsDriver.Operation.DELETE && path.equals(crashedFile))) {
      assertThrows(
          RuntimeException.class,
          () ->
              driver.retire(
                  crashed,
                  Retirement.destroyed(clock.instant()),
                  clock.instant().plusSeconds(600)));
    }
    assertArrayEquals(marker, Files.readAllBytes(retired.resolve(crashed)));
  }

  /**
   * When an undo fails too, the ID stays marked: reads find nothing, every write is refused, and
   * the clean-up removes the file only when the marker proves it retired: a log-out's file, which
   * is what it retired, goes; a log-in's old file, whose move never completed, stays, the only copy
   * of its session, until it expires.
   */
  @Test
  void anUndoThatFailsToo_leavesTheIdMarked_andTheCleanUpRemovesOnlyWhatItProves()
      throws Exception {
    FsDriver driver = driver(folder);
    Path retired = real(folder).resolve(".retired");

    String loggedOut = SessionIds.generate();
    Path loggedOutFile = real(folder).resolve(loggedOut);
    assertTrue(driver.write(loggedOut, "[\"out\"]", null, null));
    String version = driver.read(loggedOut, null).version();
    try (FsDriver.Injected fault =
        failing(
            folder,
            (op, path) ->
                op == FsDriver.Operation.DELETE
                    && (path.equals(loggedOutFile) || path.startsWith(retired)))) {
      RuntimeException failure =
          assertThrows(
              RuntimeException.class,
              () ->
                  driver.retire(
                      loggedOut,
                      Retirement.destroyed(clock.instant()),
                      clock.instant().plusSeconds(600)));
      assertEquals(1, failure.getCause().getSuppressed().length, "the undo's failure is told");
    }
    assertTrue(Files.exists(loggedOutFile));
    assertNotNull(driver.retirement(loggedOut));
    assertNull(driver.read(loggedOut, null));
    assertFalse(driver.write(loggedOut, "[\"again\"]", version, null), "a marked ID refuses");
    assertFalse(driver.write(loggedOut, "[\"again\"]", null, null));

    String loggedIn = SessionIds.generate();
    String next = SessionIds.generate();
    Path loggedInFile = real(folder).resolve(loggedIn);
    Path nextFile = real(folder).resolve(next);
    assertTrue(driver.write(loggedIn, "[\"in\"]", null, null));
    String inVersion = driver.read(loggedIn, null).version();
    try (FsDriver.Injected fault =
        failing(
            folder,
            (op, path) ->
                (op == FsDriver.Operation.MOVE && path.equals(nextFile))
                    || (op == FsDriver.Operation.DELETE && path.startsWith(retired)))) {
      assertThrows(
          RuntimeException.class,
          () ->
              driver.replace(
                  loggedIn,
                  inVersion,
                  next,
                  "[\"new\"]",
                  null,
                  Retirement.movedTo(next, clock.instant()),
                  clock.instant().plusSeconds(600)));
    }
    assertNull(driver.read(loggedIn, null));
    assertFalse(driver.write(loggedIn, "[\"again\"]", inVersion, null));

    driver.cleanUp();
    assertFalse(Files.exists(loggedOutFile), "proven retired: removed");
    assertTrue(Files.exists(loggedInFile), "its move never completed: kept");
    assertEquals(Optional.of("[\"in\"]"), Optional.of(Files.readString(loggedInFile)));
  }
}
