package dev.satchel.driver.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionCookie;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.PlainObject;
import dev.satchel.spi.SessionIds;
import dev.satchel.testing.NoSessionIdsInLogs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * An fs folder shared with an Astro app, whose store ({@link FsLiteWriter}) writes files in place:
 * Satchel, reading and writing the same sessions meanwhile, never takes a write in progress for
 * corrupt data, never replaces such a session by a new one, and never removes a file but the very
 * bytes it judged unreadable.
 */
@ExtendWith(NoSessionIdsInLogs.class)
final class FsSharedWithAstroTest {
  @TempDir Path folder;
  private Satchel satchel;
  private final List<String> warnings = new ArrayList<>();
  private final List<String> rereads = new ArrayList<>();
  private final List<String> waits = new ArrayList<>();
  private final List<String> putBacks = new ArrayList<>();
  private final List<String> linksRefused = new ArrayList<>();
  private final Logger satchelLogger = Logger.getLogger("dev.satchel");
  private Level levelBefore;
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (warnings) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(record.getLevel() + " " + record.getMessage());
            } else if (record.getMessage() != null
                && record.getMessage().contains("reading it again")) {
              rereads.add(record.getMessage());
              warnings.notifyAll();
            } else if (record.getMessage() != null
                && record.getMessage().contains("its write is put back")) {
              putBacks.add(record.getMessage());
            } else if (record.getMessage() != null
                && record.getMessage().contains("refuses hard links")) {
              linksRefused.add(record.getMessage());
            } else if (record.getMessage() != null
                && record.getMessage().contains("waiting for it to fill")) {
              waits.add(record.getMessage());
              warnings.notifyAll();
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void open() {
    levelBefore = satchelLogger.getLevel();
    satchelLogger.setLevel(Level.FINE);
    capture.setLevel(Level.FINE);
    satchelLogger.addHandler(capture);
    satchel =
        Satchel.builder()
            .driver("fs")
            .driverOption("base", folder.toString())
            .driverOption("fsync", "false")
            .build();
  }

  @AfterEach
  void close() {
    satchel.close();
    satchelLogger.removeHandler(capture);
    satchelLogger.setLevel(levelBefore);
  }

  /**
   * What follows the session's ID in the name of the file the driver sets beside it to check it.
   */
  private static final String SIDE_FILE = "\\..+\\.tmp";

  /** The names of the session {@code id} followed by {@code suffix}, a regular expression. */
  private static Pattern named(String id, String suffix) {
    return Pattern.compile(Pattern.quote(id) + suffix);
  }

  /** A session as Astro stores it: a devalue {@code Map} of key to {@code {data}}. */
  private static String astroBlob(Map<String, Object> values) {
    LinkedHashMap<String, PlainObject> entries = new LinkedHashMap<>();
    values.forEach(
        (key, value) -> {
          PlainObject entry = new PlainObject();
          entry.put("data", value);
          entries.put(key, entry);
        });
    return Devalue.astro().stringify(entries);
  }

  /** A cart of {@code items} items, as a list of short strings. */
  private static List<Object> cart(int items) {
    List<Object> cart = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      cart.add("sku-" + i + "-blue");
    }
    return cart;
  }

  /**
   * What one request of an Astro app does: reads the session, sets {@code astro}, writes it.
   * Returns the {@code astro} counter it read.
   */
  private static long astroRequest(FsLiteWriter store, Path file, long counter) throws Exception {
    String text = store.getItem(file);
    if (text == null) {
      throw new AssertionError("the session file was gone for Astro");
    }
    @SuppressWarnings("unchecked")
    Map<Object, Object> entries = (Map<Object, Object>) Devalue.astro().parse(text);
    long read = ((Number) ((PlainObject) entries.get("astro")).get("data")).longValue();
    PlainObject astro = new PlainObject();
    astro.put("data", (double) counter);
    entries.put("astro", astro);
    store.setItem(file, Devalue.astro().stringify(entries));
    return read;
  }

  private record Opened(Session session, List<SessionCookie> cookies) {}

  private Opened request(String cookie) {
    List<SessionCookie> cookies = new ArrayList<>();
    return new Opened(satchel.open(cookie, cookies::add), cookies);
  }

  /**
   * Astro adds to carts with its {@code fs} store (small sessions and sessions of about 117 KB)
   * while Satchel's requests, on several threads, read and update the same sessions: no request
   * ever finds its session unreadable or new, every file stays in place throughout, and Astro's
   * writes are kept: Astro nearly always reads back what it wrote last, and a request nearly never
   * sees Astro's counter go back.
   */
  @Test
  void astroWritingInPlace_whileSatchelReadsAndWrites_losesNoSession() throws Exception {
    int[] cartSizes = {12, 20, 9_000, 9_400}; // about 214 B, 350 B, 110 KB and 117 KB stored
    int sessions = cartSizes.length;
    String[] ids = new String[sessions];
    Path[] files = new Path[sessions];
    FsLiteWriter astroStore = new FsLiteWriter(8, 300_000);
    for (int s = 0; s < sessions; s++) {
      ids[s] = SessionIds.generate();
      files[s] = folder.resolve(ids[s]);
      astroStore.setItem(files[s], astroBlob(Map.of("cart", cart(cartSizes[s]), "astro", 0.0)));
    }
    assertTrue(Files.size(files[3]) > 100_000, "a session of about 100 KB or more");

    int threads = 4;
    int requestsPerThread = 500;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong astroWrites = new AtomicLong();
    AtomicLong satchelWrites = new AtomicLong();
    AtomicLong fileMissing = new AtomicLong();
    AtomicLong astroLost = new AtomicLong();
    AtomicLong counterWentBack = new AtomicLong();
    Queue<String> problems = new ConcurrentLinkedQueue<>();
    ExecutorService pool = Executors.newFixedThreadPool(sessions + threads + 1);
    List<Future<?>> astro = new ArrayList<>();
    try {
      for (int s = 0; s < sessions; s++) {
        Path file = files[s];
        astro.add(
            pool.submit(
                () -> {
                  long counter = 0;
                  while (!stop.get()) {
                    long read = astroRequest(astroStore, file, ++counter);
                    if (read != counter - 1) {
                      astroLost.incrementAndGet();
                    }
                    astroWrites.incrementAndGet();
                    TimeUnit.MICROSECONDS.sleep(500);
                  }
                  return null;
                }));
      }
      Future<?> watcher =
          pool.submit(
              () -> {
                while (!stop.get()) {
                  for (Path file : files) {
                    if (!Files.exists(file)) {
                      fileMissing.incrementAndGet();
                    }
                  }
                  TimeUnit.MICROSECONDS.sleep(200);
                }
                return null;
              });
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> satchelThreads = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        satchelThreads.add(
            pool.submit(
                () -> {
                  start.await();
                  long[] lastSeen = new long[sessions];
                  for (int r = 0; r < requestsPerThread; r++) {
                    int s = ThreadLocalRandom.current().nextInt(sessions);
                    Opened opened = request(ids[s]);
                    Session session = opened.session();
                    Optional<Object> counter = session.get("astro");
                    if (counter.isEmpty()) {
                      problems.add("request " + r + " of thread " + thread + " found no session");
                      continue;
                    }
                    long seen = ((Number) counter.get()).longValue();
                    if (seen < lastSeen[s]) {
                      counterWentBack.incrementAndGet();
                    }
                    lastSeen[s] = seen;
                    Object items = session.get("cart").orElse(null);
                    if (!(items instanceof List<?> list) || list.size() != cartSizes[s]) {
                      problems.add("the cart was not whole: " + items);
                    }
                    if (r % 3 == 0) {
                      session.set("satchel-" + thread, (double) r);
                    }
                    session.commit();
                    if (r % 3 == 0) {
                      satchelWrites.incrementAndGet();
                    }
                    for (SessionCookie cookie : opened.cookies()) {
                      if (cookie.isDeletion() || !cookie.value().equals(ids[s])) {
                        problems.add("the session's cookie was changed: deleted or replaced");
                      }
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> future : satchelThreads) {
        future.get(10, TimeUnit.MINUTES);
      }
      stop.set(true);
      for (Future<?> future : astro) {
        future.get(1, TimeUnit.MINUTES);
      }
      watcher.get(1, TimeUnit.MINUTES);
    } finally {
      stop.set(true);
      pool.shutdownNow();
    }
    assertEquals(List.of(), List.copyOf(problems).subList(0, Math.min(10, problems.size())));
    assertEquals(0, fileMissing.get(), "a session file was missing");
    synchronized (warnings) {
      assertEquals(List.of(), warnings);
    }
    for (int s = 0; s < sessions; s++) {
      assertTrue(Files.exists(files[s]));
    }
    assertTrue(astroWrites.get() > 100, "Astro wrote " + astroWrites.get() + " times");
    assertEquals(threads * ((requestsPerThread + 2) / 3), satchelWrites.get());
    // Satchel writes only on top of the file it read, and puts back a write Astro made between its
    // comparison and its move. Astro takes no lock, so a write whose open meets the move, or one
    // made while a commit is descheduled between a check and the move, can still be lost (and a
    // request may have read it meanwhile): rarely, never in bulk. Without the checks about one
    // commit in ten lost one; a few per run are lost with them, under load up to 7, so this allows
    // one per 25 commits.
    assertTrue(
        astroLost.get() * 25 <= satchelWrites.get(),
        astroLost.get() + " of Astro's writes were lost to " + satchelWrites.get() + " commits");
    // A request can see the counter go back in the moment between a commit's move and its
    // put-back, before Astro's write is back in place: as rare, allowed one per 50 commits.
    assertTrue(
        counterWentBack.get() * 50 <= satchelWrites.get(),
        "Astro's counter went back " + counterWentBack.get() + " times");
    synchronized (warnings) {
      System.out.println(
          "Astro wrote "
              + astroWrites.get()
              + " times, Satchel "
              + satchelWrites.get()
              + " in "
              + threads * requestsPerThread
              + " requests; "
              + rereads.size()
              + " reads met a write in progress and read again, "
              + waits.size()
              + " waited for an emptied file to fill; "
              + putBacks.size()
              + " commits put back a write Astro made while they replaced the file; "
              + astroLost.get()
              + " of Astro's writes were lost, and a request saw Astro's counter go back "
              + counterWentBack.get()
              + " times");
    }
  }

  /** Data that stays unreadable is still judged so: the session starts afresh, the file goes. */
  @Test
  void dataThatStaysUnreadable_isResetAndRemoved() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    Files.writeString(file, "{not devalue", StandardCharsets.UTF_8);
    Opened opened = request(id);
    assertEquals(Optional.empty(), opened.session().get("cart"));
    assertTrue(opened.cookies().get(0).isDeletion(), "the cookie is cleared");
    opened.session().set("cart", List.of("new"));
    opened.session().commit();
    assertFalse(Files.exists(file), "the unreadable file is removed");
    String newId = opened.session().id().orElseThrow();
    assertNotEquals(id, newId);
    assertEquals(Optional.of(List.of("new")), request(newId).session().get("cart"));
    synchronized (warnings) {
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains("replaced by a new session"), warnings.get(0));
      assertFalse(rereads.isEmpty(), "it was read again first");
    }
  }

  /**
   * A writer that writes one session again and again, each time in place and with a long pause
   * half-way, leaves the same half-written bytes for every look: the file's change mark still tells
   * that it is being written, so the session is never judged unreadable, reset or removed; a
   * request that never sees it whole fails (a retry reads it again) instead.
   */
  @Test
  void aWriterLeavingTheSameHalfAgainAndAgain_neverGetsItsSessionReset() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    String blob = astroBlob(Map.of("cart", cart(40)));
    FsLiteWriter astro = new FsLiteWriter(1, 0);
    astro.setItem(file, blob);
    AtomicBoolean reading = new AtomicBoolean(true);
    ExecutorService writer = Executors.newSingleThreadExecutor();
    Future<?> writes =
        writer.submit(
            () -> {
              while (reading.get()) {
                astro.setItemCutShort(file, blob, blob.length() / 2);
                TimeUnit.MILLISECONDS.sleep(200);
                astro.setItem(file, blob);
                TimeUnit.MILLISECONDS.sleep(5);
              }
              return null;
            });
    int whole = 0;
    int failed = 0;
    try {
      for (int i = 0; i < 4; i++) {
        Opened opened = request(id);
        try {
          assertEquals(Optional.of(cart(40)), opened.session().get("cart"));
          whole++;
        } catch (dev.satchel.SessionStorageException e) {
          assertTrue(e.getMessage().contains("kept changing"), e.getMessage());
          failed++;
        }
        assertEquals(List.of(), opened.cookies(), "no cookie is cleared or replaced");
      }
    } finally {
      reading.set(false);
      writes.get(10, TimeUnit.SECONDS);
      writer.shutdown();
    }
    assertEquals(4, whole + failed);
    assertEquals(blob, Files.readString(file), "the file is Astro's, whole");
    assertEquals(Optional.of(cart(40)), request(id).session().get("cart"));
    synchronized (warnings) {
      assertEquals(List.of(), warnings, "nothing judged unreadable");
    }
  }

  /**
   * An Astro session nested deeper than Satchel reads (devalue itself has no such limit) is valid
   * data for Astro: it is neither reset nor removed, and the request fails saying why.
   */
  @Test
  void aSessionDeeperThanSatchelReads_isLeftAsItIs() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    int depth = 600;
    StringBuilder text = new StringBuilder("[[\"Map\",1,2],\"cart\",{\"data\":3}");
    for (int level = 0; level < depth; level++) {
      text.append(",[").append(4 + level).append(']');
    }
    text.append(",\"deep\"]");
    Files.writeString(file, text, StandardCharsets.UTF_8);
    assertLeftAsItIs(id, file, text.toString(), "nested deeper than 500 levels");
  }

  /** A session file too large to read is not read at all, and is left as it is. */
  @Test
  void aSessionFileTooLargeToRead_isLeftAsItIs() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    try (java.io.RandomAccessFile sparse = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      sparse.setLength(FsDriver.MAX_FILE_BYTES + 1);
    }
    Opened opened = request(id);
    dev.satchel.SessionStorageException failure =
        org.junit.jupiter.api.Assertions.assertThrows(
            dev.satchel.SessionStorageException.class, () -> opened.session().get("cart"));
    assertTrue(
        failure.getMessage().contains("more than any session Satchel reads"), failure.getMessage());
    assertEquals(List.of(), opened.cookies());
    assertEquals(FsDriver.MAX_FILE_BYTES + 1, Files.size(file), "the file is left as it is");
  }

  private void assertLeftAsItIs(String id, Path file, String text, String why) throws Exception {
    for (int i = 0; i < 2; i++) {
      Opened opened = request(id);
      dev.satchel.SessionStorageException failure =
          org.junit.jupiter.api.Assertions.assertThrows(
              dev.satchel.SessionStorageException.class, () -> opened.session().get("cart"));
      assertTrue(failure.getMessage().contains(why), failure.getMessage());
      assertTrue(failure.getMessage().contains("left as it is"), failure.getMessage());
      assertEquals(List.of(), opened.cookies(), "no cookie is cleared or replaced");
    }
    assertEquals(text, Files.readString(file), "the file is left as it is");
    synchronized (warnings) {
      assertFalse(
          warnings.stream().anyMatch(warning -> warning.contains("replaced by a new session")),
          warnings.toString());
      assertTrue(rereads.isEmpty(), "valid data beyond the limits is not read again");
    }
  }

  /**
   * Astro writing the file in place at the last moment of a Satchel commit, after the commit
   * compared the file and before it moved its own over, loses nothing: Satchel puts Astro's write
   * back, reads again and stores its change on top.
   */
  @Test
  void astroWritingBetweenTheComparisonAndTheMove_keepsItsWrite() throws Exception {
    commitWhileAstroWrites(FsDriver.Operation.MOVE, "");
    synchronized (warnings) {
      assertEquals(1, putBacks.size(), "Astro's file was put back");
    }
  }

  /**
   * Astro writing the file in place as a Satchel commit sets the file aside to check it, before
   * anything is replaced, loses nothing either: the check finds it, and Satchel reads again and
   * stores its change on top, without ever moving its file over Astro's. (A build without the
   * checks sets no file aside, so this test's write never happens there and it fails on the retry
   * it expects; the test before this one shows the loss itself.)
   */
  @Test
  void astroWritingAsTheCommitChecksTheFile_keepsItsWrite() throws Exception {
    commitWhileAstroWrites(FsDriver.Operation.CREATE, SIDE_FILE);
    synchronized (warnings) {
      assertEquals(List.of(), putBacks, "nothing was replaced, so nothing was put back");
    }
  }

  /**
   * A folder whose file system refuses hard links still takes every commit, unguarded against a
   * write in place by another program, and the log says so once.
   */
  @Test
  void aFolderRefusingHardLinks_takesCommitsUnguarded_andSaysSoOnce() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    new FsLiteWriter(1, 0).setItem(file, astroBlob(Map.of("cart", cart(3))));
    Pattern links = named(id, SIDE_FILE);
    try (FsDriver.Injected noLinks =
        FsDriver.injectFaults(
            folder,
            (operation, path) -> {
              if (operation == FsDriver.Operation.CREATE
                  && links.matcher(path.getFileName().toString()).matches()) {
                throw new java.nio.file.FileSystemException(
                    path.toString(), null, "Operation not permitted");
              }
            })) {
      for (int i = 0; i < 3; i++) {
        Session session = request(id).session();
        session.set("satchel", (double) i);
        session.commit();
      }
    }
    assertEquals(Optional.of(2.0), request(id).session().get("satchel"));
    synchronized (warnings) {
      assertEquals(1, linksRefused.size(), linksRefused.toString());
      assertTrue(linksRefused.get(0).contains("Operation not permitted"), linksRefused.get(0));
      assertFalse(linksRefused.get(0).contains(id), "no session ID in the log");
      assertEquals(List.of(), warnings);
    }
  }

  /**
   * Opens a session Astro stored, sets a key, and commits it while Astro writes the session once,
   * in place, as the commit meets {@code operation} on a path named the session's ID followed by
   * {@code suffix} (a regular expression): the next request reads Astro's write with Satchel's
   * change on top.
   */
  private void commitWhileAstroWrites(FsDriver.Operation operation, String suffix)
      throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    FsLiteWriter astroStore = new FsLiteWriter(1, 0);
    astroStore.setItem(file, astroBlob(Map.of("cart", cart(3), "astro", 1.0)));
    Opened opened = request(id);
    assertEquals(Optional.of(1.0), opened.session().get("astro"));
    opened.session().set("satchel", "added");
    Pattern names = named(id, suffix);
    AtomicLong met = new AtomicLong();
    try (FsDriver.Injected astroSlipsIn =
        FsDriver.injectFaults(
            folder,
            (seen, path) -> {
              if (seen == operation
                  && names.matcher(path.getFileName().toString()).matches()
                  && met.getAndIncrement() == 0) {
                try {
                  astroRequest(astroStore, file, 2);
                } catch (Exception e) {
                  throw new AssertionError(e);
                }
              }
            })) {
      opened.session().commit();
    }
    for (SessionCookie cookie : opened.cookies()) {
      assertFalse(cookie.isDeletion() || !cookie.value().equals(id), "the cookie is kept");
    }
    try (java.util.stream.Stream<Path> left = Files.list(folder)) {
      assertEquals(
          List.of(), left.filter(path -> path.toString().endsWith(".tmp")).toList(), "no copies");
    }
    Session after = request(id).session();
    assertEquals(Optional.of(2.0), after.get("astro"), "Astro's write is kept");
    assertEquals(Optional.of("added"), after.get("satchel"), "and Satchel's change is on top");
    assertEquals(Optional.of(cart(3)), after.get("cart"));
    assertTrue(met.get() >= 2, "the commit was tried again after Astro's write");
  }

  /**
   * Astro ending a session (its store removes the file) while Satchel reads or commits it, even
   * between Satchel's read of the file and its look at the file's time, fails no request: the
   * session is simply gone, or still there whole.
   */
  @Test
  void astroRemovingTheFile_whileSatchelReadsAndCommits_failsNoRequest() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    FsLiteWriter astroStore = new FsLiteWriter(1, 0);
    String blob = astroBlob(Map.of("cart", cart(3)));
    astroStore.setItem(file, blob);
    AtomicBoolean stop = new AtomicBoolean();
    ExecutorService astro = Executors.newSingleThreadExecutor();
    Future<?> removals =
        astro.submit(
            () -> {
              while (!stop.get()) {
                astroStore.removeItem(file);
                astroStore.setItem(file, blob);
              }
              return null;
            });
    List<String> failures = new ArrayList<>();
    int requests = 300;
    int found = 0;
    try {
      for (int r = 0; r < requests; r++) {
        Opened opened = request(id);
        try {
          Optional<Object> items = opened.session().get("cart");
          if (items.isPresent()) {
            assertEquals(cart(3), items.get());
            found++;
          }
          opened.session().set("satchel", (double) r);
          opened.session().commit();
        } catch (dev.satchel.SessionStorageException e) {
          failures.add(e.getMessage());
        }
      }
    } finally {
      stop.set(true);
      removals.get(10, TimeUnit.SECONDS);
      astro.shutdown();
    }
    assertEquals(
        List.of(),
        failures.subList(0, Math.min(3, failures.size())),
        failures.size() + " of " + requests + " requests failed");
    assertTrue(found > 0, "the session was found at times");
  }

  /**
   * Unreadable data that another program replaces with a whole session between the judgement and
   * the removal at commit is left: the removal compares the bytes.
   */
  @Test
  void unreadableDataCompletedBeforeTheRemoval_isNotRemoved() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    FsLiteWriter astroStore = new FsLiteWriter(1, 0);
    String whole = astroBlob(Map.of("cart", cart(50)));
    astroStore.setItemCutShort(file, whole, whole.length() / 2);
    Opened opened = request(id);
    assertEquals(Optional.empty(), opened.session().get("cart"), "judged unreadable");
    // Astro's write completes only now, long after.
    astroStore.setItem(file, whole);
    opened.session().commit();
    assertTrue(Files.exists(file), "the completed session is kept");
    assertEquals(whole, Files.readString(file, StandardCharsets.UTF_8));
    Object cart = request(id).session().get("cart").orElseThrow();
    assertEquals(50, assertInstanceOf(List.class, cart).size());
  }

  /**
   * A file read half written and completed while Satchel reads it again is read whole: no reset, no
   * warning, the cookie untouched.
   */
  @Test
  void aHalfWrittenFileCompletedWhileReadAgain_isReadWhole() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    FsLiteWriter astroStore = new FsLiteWriter(1, 0);
    String whole = astroBlob(Map.of("cart", cart(2_000)));
    astroStore.setItemCutShort(file, whole, whole.length() / 3); // a third written
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Opened> reading =
          pool.submit(
              () -> {
                Opened opened = request(id);
                opened.session().get("cart");
                return opened;
              });
      synchronized (warnings) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (rereads.isEmpty() && System.nanoTime() < deadline) {
          warnings.wait(100);
        }
        assertFalse(rereads.isEmpty(), "the read never met the half-written file");
      }
      astroStore.setItemCutShort(file, whole, 2 * whole.length() / 3); // two thirds
      astroStore.setItem(file, whole);
      Opened opened = reading.get(30, TimeUnit.SECONDS);
      Object cart = opened.session().get("cart").orElseThrow();
      assertEquals(2_000, assertInstanceOf(List.class, cart).size());
      opened.session().commit();
      assertEquals(List.of(), opened.cookies());
      assertTrue(Files.exists(file));
    } finally {
      pool.shutdownNow();
    }
    synchronized (warnings) {
      assertEquals(List.of(), warnings);
    }
  }

  /**
   * A file just emptied by a write in place (truncated, nothing written yet) is waited for: the
   * read gets the session once the write is done.
   */
  @Test
  void aFileJustEmptiedByAWriteInPlace_isWaitedFor() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    FsLiteWriter astroStore = new FsLiteWriter(1, 0);
    String whole = astroBlob(Map.of("cart", cart(10)));
    astroStore.setItemCutShort(file, whole, 0);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<Opened> reading =
          pool.submit(
              () -> {
                Opened opened = request(id);
                opened.session().get("cart");
                return opened;
              });
      synchronized (warnings) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (waits.isEmpty() && System.nanoTime() < deadline) {
          warnings.wait(100);
        }
        assertFalse(waits.isEmpty(), "the read never met the emptied file");
      }
      astroStore.setItem(file, whole);
      Opened opened = reading.get(30, TimeUnit.SECONDS);
      Object cart = opened.session().get("cart").orElseThrow();
      assertEquals(10, assertInstanceOf(List.class, cart).size());
      opened.session().commit();
      assertEquals(List.of(), opened.cookies());
    } finally {
      pool.shutdownNow();
    }
    synchronized (warnings) {
      assertEquals(List.of(), warnings);
    }
  }

  /**
   * A file left empty long ago (a writer that died after truncating it) reads as data that cannot
   * be read, resets its session, and is not removed: an empty file may always be a write just
   * begun; the clean-up removes it once idle.
   */
  @Test
  void aFileLeftEmpty_resetsItsSession_butIsNeverRemoved() throws Exception {
    String id = SessionIds.generate();
    Path file = folder.resolve(id);
    Files.createFile(file);
    Files.setLastModifiedTime(
        file, FileTime.fromMillis(System.currentTimeMillis() - Duration.ofMinutes(1).toMillis()));
    Opened opened = request(id);
    assertEquals(Optional.empty(), opened.session().get("cart"));
    assertTrue(opened.cookies().get(0).isDeletion());
    opened.session().commit();
    assertTrue(Files.exists(file), "an empty file is left");
    synchronized (warnings) {
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(waits.isEmpty(), "emptied long ago: nothing to wait for");
    }
  }
}
