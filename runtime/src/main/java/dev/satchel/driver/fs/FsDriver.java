package dev.satchel.driver.fs;

import dev.satchel.Session;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.DevalueException;
import dev.satchel.devalue.PlainObject;
import dev.satchel.spi.IndexedSession;
import dev.satchel.spi.Retirement;
import dev.satchel.spi.SessionDriver;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoredBlob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * One file per session under the base folder, named by its ID and holding exactly the blob: the
 * layout of Astro's {@code fs} session driver, so an Astro app and Satchel can share the folder. A
 * write goes to a temporary file in the same folder and is moved over the old file atomically, so a
 * reader or a crash never sees half a file; with {@code fsync} on, the file and then the folder
 * entry are forced to disk first.
 *
 * <p>The file's modification time is the real time of its last write, or of the last read that
 * refreshed an idle timeout, so tools that age files by it see the truth. A session has expired
 * when its modification time plus its idle timeout is past, or when every key in its blob has
 * expired. Its idle timeout is the application's, unless its blob holds one of its own (the key
 * {@value #IDLE_KEY}, in seconds; zero or negative for never), which the core keeps for a session
 * given one. Both are known from the folder alone, which is why {@code write} and {@code replace}
 * ignore their {@code expiresAt}: a file written by Astro, which knows no such value, expires by
 * the same rules as one written here. Reading applies only the idle timeout (the core already skips
 * expired keys, and parsing every read would cost more than the file access; a blob is parsed on a
 * read only when it holds its own idle timeout); the clean-up, at start and every {@code
 * cleanup-interval}, applies both and removes expired files.
 *
 * <p>Retirement markers live beside, never inside, the session files, in {@code .retired/<id>}: the
 * marker's {@link Retirement#encode() text} on the first line and its expiry in epoch milliseconds
 * ({@code -} for never) on the second. A retired ID has a marker and no session file.
 *
 * <p>The index of sessions by principal lives in {@code .principals/<hash>/<id>}: one folder per
 * principal, named by the SHA-256 of the principal (the name itself never becomes a path), holding
 * one file per indexed session whose text is the time of indexing in epoch milliseconds. Entries
 * are created and removed without locks: creating one fails when it exists (so the first time of
 * indexing stays), and a principal's folder is removed only when empty, which the file system
 * checks in the same step, so an index racing the removal creates the folder again and loses
 * nothing. The clean-up removes entries whose session file has been gone for a while, never a
 * session because of an entry.
 *
 * <p>Expired sessions are reported from a ledger, {@code .expiring/<id>}: an empty file per session
 * stored with an expiry, whose modification time is when the session is due to be looked at. A
 * write given an expiry creates the session's entry when it has none (a new session, or one given
 * its first expiry), at the expiry the core gave, and moves an entry due later to that expiry (a
 * shortened idle timeout); reads never touch it. {@link #retire}, {@link #replace} (for the
 * replaced ID) and {@link #delete} remove the entry of a session that was live, so an ended session
 * is never reported; one that had expired already keeps its entry and is reported as expired.
 * {@link #claimExpired} looks at the entries that are due, each under its session's stripe: a
 * session still live by the rules above (a read pushed its expiry) gets its entry moved to its new
 * expiry; one that has expired, or whose file is gone (the clean-up removed it), is removed, and is
 * claimed by the caller that finds its entry due under the stripe, so that of several drivers or
 * processes sharing the folder one reports it. A claim is a lease: the entry is moved to {@link
 * #CLAIM_LEASE} ahead, hidden from other claims until then and claimed again after it, unless
 * {@link #acknowledgeExpired} removed it once the listeners were told. So the ledger holds about
 * one entry per session stored with an expiry. The claims of one check make one pass over the
 * ledger (one {@code stat} per entry), each call going on where the last stopped: cheap beside the
 * clean-up, which reads every session. The ledger is not forced to disk: a crash may lose the
 * report of a session, never the session. A session another program (Astro) removes counts as
 * expired, as nothing tells it apart from one the clean-up removed.
 *
 * <p>{@link #countSessions()} is not offered: counting the sessions would list the whole folder,
 * not one small call.
 *
 * <p>Log lines and failures name a session by {@link SessionIds#fingerprint fingerprint}, never by
 * its ID, which is a credential: paths under the folder hold IDs.
 *
 * <p>Writers are serialized per session by a lock stripe: a {@link
 * java.util.concurrent.locks.ReentrantLock} inside this JVM and a {@link
 * java.nio.channels.FileLock} on {@code .locks/<stripe>} across processes, shared by every driver
 * on the folder in this JVM (see {@link FsLocks}). A stripe still held after {@code lock-timeout}
 * fails the request instead of blocking it for ever. A base folder removed while running is created
 * again by the next write.
 */
final class FsDriver implements SessionDriver {
  private static final System.Logger LOG = System.getLogger("dev.satchel.driver.fs");
  private static final String TEMP_SUFFIX = ".tmp";
  private static final String NEVER = "-";
  static final String PRINCIPALS_FOLDER = ".principals";
  static final String EXPIRING_FOLDER = ".expiring";

  /** A session ID anywhere in a text, as paths and the file system's messages hold them. */
  private static final Pattern SESSION_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  /** The key of a session's own idle timeout in its blob, in seconds, as the core keeps it. */
  static final String IDLE_KEY = Session.RESERVED_KEY_PREFIX + "idle";

  /** The key as its blob's text holds it, a JSON string: a blob without this has none. */
  private static final String QUOTED_IDLE_KEY = "\"" + IDLE_KEY + "\"";

  /**
   * How long an index entry may name a session file that does not exist before the clean-up removes
   * it: the core adds the entry just before it writes the session.
   */
  static final Duration INDEX_ENTRY_GRACE = Duration.ofMinutes(1);

  /** How often an index tries to create its entry while unindexes keep removing the folder. */
  private static final int MAX_INDEX_ATTEMPTS = 100;

  /**
   * How long a claimed session stays hidden from other claims unless acknowledged: its ledger entry
   * is due again then, so a claim whose listeners were never told (a crash) is made again.
   */
  static final Duration CLAIM_LEASE = Duration.ofMinutes(2);

  /**
   * How long a pass over the ledger may be left between two claims before the next claim starts a
   * new one: the calls of one check follow each other, but for the listeners told in between.
   */
  static final Duration PASS_LEFT_FOR = Duration.ofMinutes(1);

  private final Path base;
  private final Path retired;
  private final Path principals;
  private final Path expiring;
  private final boolean fsync;
  private final Duration lockTimeout;
  private final Duration idleTimeout;
  private final Clock clock;
  private final FsLocks locks;
  private final ScheduledExecutorService cleaner;
  private volatile boolean closed;
  private final CountDownLatch firstCleanUp = new CountDownLatch(1);

  /** Guards the pass over the ledger that claims go on with. */
  private final Object claiming = new Object();

  private DirectoryStream<Path> pass;
  private Iterator<Path> passEntries;
  private long passUsedAt;
  private final AtomicLong passes = new AtomicLong();

  /**
   * Opens the store in {@code base}, creating it if needed.
   *
   * @param idleTimeout the application's idle timeout, applied by writes and the clean-up to the
   *     sessions without one of their own, or {@code null} for none
   */
  FsDriver(
      Path base,
      Duration cleanupInterval,
      boolean fsync,
      Duration lockTimeout,
      Duration idleTimeout,
      Clock clock) {
    Path folder = base.toAbsolutePath().normalize();
    try {
      FsLocks.createFolders(folder);
      // The real path, so that every driver on this folder in the JVM finds the same locks.
      this.base = folder.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the session folder " + folder, e);
    }
    this.retired = this.base.resolve(FsLocks.RETIRED_FOLDER);
    this.principals = this.base.resolve(PRINCIPALS_FOLDER);
    this.expiring = this.base.resolve(EXPIRING_FOLDER);
    this.fsync = fsync;
    this.lockTimeout = lockTimeout;
    this.idleTimeout = idleTimeout;
    this.clock = clock;
    this.locks = FsLocks.open(this.base);
    this.cleaner =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "satchel-fs-cleanup");
              thread.setDaemon(true);
              return thread;
            });
    cleaner.scheduleWithFixedDelay(
        this::cleanUpQuietly, 0, cleanupInterval.toMillis(), TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------------------- sessions

  @Override
  public StoredBlob read(String id, Duration idleTimeout) {
    Path file = fileFor(id);
    try {
      if (idleTimeout == null) {
        // Not refreshed, but as expired to this read as to the write that may follow it.
        String blob = currentBlob(file);
        return blob == null ? null : StoredBlob.ofContent(blob);
      }
      // The text first: a write between the two steps then makes the session look younger, never
      // older, and its version is stale to the write that may follow.
      String blob = readText(file);
      if (isIdle(file, blob, idleTimeout)) {
        return null;
      }
      // One metadata update, without the lock: a write that replaced the file meanwhile was
      // just made, so pushing its time to now is as true for it.
      try {
        Files.setLastModifiedTime(file, now());
      } catch (NoSuchFileException e) {
        // Removed meanwhile: nothing to refresh.
      }
      return StoredBlob.ofContent(blob);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw failure("cannot read session file " + file, e);
    }
  }

  @Override
  public boolean write(String id, String blob, String expectedVersion, Instant expiresAt) {
    Path file = fileFor(id);
    byte[] bytes = blob.getBytes(StandardCharsets.UTF_8);
    try {
      return locks.withStripes(
          id,
          null,
          lockTimeout,
          () -> {
            if (!holds(id, file, expectedVersion)) {
              return false;
            }
            writeAtomically(base, id, file, bytes);
            track(id, expiresAt);
            return true;
          });
    } catch (IOException e) {
      throw failure("cannot write session file " + file, e);
    }
  }

  @Override
  public void delete(String id) {
    Path file = fileFor(id);
    try {
      locks.withStripes(
          id,
          null,
          lockTimeout,
          () -> {
            boolean keepEntry = expiredBeforeItEnded(id, file);
            boolean removed = Files.deleteIfExists(file);
            if (!keepEntry) {
              untrack(id);
            }
            return removed;
          });
    } catch (IOException e) {
      throw failure("cannot remove session file " + file, e);
    }
  }

  /**
   * Whether {@code id} holds {@code version}; for {@code null}, whether it holds no session and no
   * live marker. Called under the ID's stripe.
   */
  private boolean holds(String id, Path file, String version) throws IOException {
    String current = currentBlob(file);
    if (version == null) {
      return current == null && !hasLiveMarker(id);
    }
    return version.equals(current);
  }

  /**
   * A session file's text. Bytes that are not UTF-8 (a file another program wrote) read as U+FFFD
   * instead of failing every request: the session then reads as whatever it still parses as, or as
   * corrupt, and can be written over, since reads and writes compare the same text.
   */
  private static String readText(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  /** The blob in {@code file}, or {@code null} when there is none or it has been idle too long. */
  private String currentBlob(Path file) throws IOException {
    try {
      String blob = readText(file);
      return isIdle(file, blob, idleTimeout) ? null : blob;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Whether the session in {@code file}, which holds {@code blob}, has been idle longer than its
   * own idle timeout, or, when it has none, than {@code fallback} ({@code null}: no limit).
   */
  private boolean isIdle(Path file, String blob, Duration fallback) throws IOException {
    Duration idle = idleTimeout(blob.contains(QUOTED_IDLE_KEY) ? ownIdle(blob) : null, fallback);
    return idle != null && isIdle(Files.getLastModifiedTime(file), idle);
  }

  /** The idle timeout that applies: {@code own} when set, else {@code fallback}; null for none. */
  private static Duration idleTimeout(Duration own, Duration fallback) {
    if (own == null) {
      return fallback;
    }
    return own.isZero() || own.isNegative() ? null : own;
  }

  private boolean isIdle(FileTime lastWrite, Duration idleTimeout) {
    return clock.millis() - lastWrite.toMillis() > saturatedMillis(idleTimeout);
  }

  private static long saturatedMillis(Duration duration) {
    try {
      return duration.toMillis();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  /** The driver's clock as a file time: tests move that clock, and expiry is measured by it. */
  private FileTime now() {
    return FileTime.fromMillis(clock.millis());
  }

  // ---------------------------------------------------------------------------- retirement

  @Override
  public boolean replace(
      String replacedId,
      String replacedVersion,
      String id,
      String blob,
      Instant expiresAt,
      Retirement retirement,
      Instant markerExpiresAt) {
    Path replacedFile = fileFor(replacedId);
    Path file = fileFor(id);
    Path marker = markerFor(replacedId);
    byte[] bytes = blob.getBytes(StandardCharsets.UTF_8);
    byte[] markerBytes = encodeMarker(retirement, markerExpiresAt);
    try {
      return locks.withStripes(
          replacedId,
          id,
          lockTimeout,
          () -> {
            if (!holds(replacedId, replacedFile, replacedVersion) || !holds(id, file, null)) {
              return false;
            }
            boolean keepEntry = expiredBeforeItEnded(replacedId, replacedFile);
            // In this order, a reader in another process never sees the old session gone
            // without its marker, and a crash leaves at worst both (which the clean-up settles).
            writeAtomically(retired, replacedId, marker, markerBytes);
            writeAtomically(base, id, file, bytes);
            Files.deleteIfExists(replacedFile);
            if (!keepEntry) {
              untrack(replacedId);
            }
            track(id, expiresAt);
            return true;
          });
    } catch (IOException e) {
      throw failure("cannot replace session file " + replacedFile + " by " + file, e);
    }
  }

  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    Path file = fileFor(id);
    Path marker = markerFor(id);
    byte[] markerBytes = encodeMarker(retirement, markerExpiresAt);
    try {
      return locks.withStripes(
          id,
          null,
          lockTimeout,
          () -> {
            Retirement previous = liveMarkerOrNull(marker);
            boolean keepEntry = expiredBeforeItEnded(id, file);
            writeAtomically(retired, id, marker, markerBytes);
            Files.deleteIfExists(file);
            if (!keepEntry) {
              untrack(id);
            }
            return previous;
          });
    } catch (IOException e) {
      throw failure("cannot retire session file " + file, e);
    }
  }

  /** The live marker in {@code file}, or {@code null}; one that cannot be read counts as none. */
  private Retirement liveMarkerOrNull(Path file) throws IOException {
    try {
      Marker found = readMarker(file);
      return found == null || found.hasExpired(clock.millis()) ? null : found.retirement();
    } catch (IllegalStateException e) {
      return null;
    }
  }

  @Override
  public Retirement retirement(String id) {
    Path marker = markerFor(id);
    try {
      Marker found = readMarker(marker);
      return found == null || found.hasExpired(clock.millis()) ? null : found.retirement();
    } catch (IOException e) {
      throw failure("cannot read retirement marker " + marker, e);
    }
  }

  /**
   * Whether {@code id} has a marker that has not expired. One that cannot be read counts, so that
   * an ID is refused rather than reused; the clean-up removes it.
   */
  private boolean hasLiveMarker(String id) throws IOException {
    try {
      Marker marker = readMarker(markerFor(id));
      return marker != null && !marker.hasExpired(clock.millis());
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /** A retirement and when it may be dropped, in epoch milliseconds. */
  private record Marker(Retirement retirement, long expiresAt) {
    boolean hasExpired(long nowMillis) {
      return expiresAt <= nowMillis;
    }
  }

  private static byte[] encodeMarker(Retirement retirement, Instant expiresAt) {
    String expiry = expiresAt == null ? NEVER : Long.toString(expiresAt.toEpochMilli());
    return (retirement.encode() + "\n" + expiry + "\n").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The marker in {@code file}, or {@code null} when there is none.
   *
   * @throws IllegalStateException naming the file when it is not a marker
   */
  private static Marker readMarker(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (CharacterCodingException e) {
      throw notAMarker(file, e);
    }
    int lineEnd = text.indexOf('\n');
    if (lineEnd < 0) {
      throw notAMarker(file, null);
    }
    try {
      Retirement retirement = Retirement.decode(text.substring(0, lineEnd));
      String expiry = text.substring(lineEnd + 1).strip();
      long expiresAt = expiry.equals(NEVER) ? Long.MAX_VALUE : Long.parseLong(expiry);
      return new Marker(retirement, expiresAt);
    } catch (IllegalArgumentException e) { // NumberFormatException included
      throw notAMarker(file, e);
    }
  }

  private static IllegalStateException notAMarker(Path file, Exception cause) {
    return new IllegalStateException(file + " is not a retirement marker", cause);
  }

  // ---------------------------------------------------------------------------- expiry

  @Override
  public boolean reportsExpiry() {
    return true;
  }

  private Path ledgerEntry(String id) {
    return expiring.resolve(checked(id));
  }

  /**
   * Tracks session {@code id}, just written with {@code expiresAt}: creates its entry, due then,
   * when it has none (a new session, or one given its first expiry), and moves an entry due later
   * to {@code expiresAt} (a shorter idle timeout), so that its expiry is reported on time. A later
   * expiry leaves the entry alone: a claim follows the session there. Called under the ID's stripe,
   * after the write, which a failure here does not undo: it costs only the report of this session's
   * expiry.
   */
  private void track(String id, Instant expiresAt) {
    if (expiresAt == null) {
      return;
    }
    Path entry = ledgerEntry(id);
    FileTime at = FileTime.fromMillis(expiresAt.toEpochMilli());
    try {
      Long due = dueOf(entry);
      if (due != null) {
        if (at.toMillis() < due) {
          Files.setLastModifiedTime(entry, at);
        }
        return;
      }
      try {
        Files.newByteChannel(entry, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
      } catch (NoSuchFileException e) {
        Files.createDirectories(expiring);
        Files.newByteChannel(entry, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
      }
      Files.setLastModifiedTime(entry, at);
    } catch (IOException e) {
      ledgerFailed(e);
    }
  }

  /**
   * Whether the session ending under {@code id} ({@code file}) had expired already and is still to
   * be claimed: it has a ledger entry and its file is gone or expired by the clean-up's rules. Its
   * entry then stays, so that a session ended after it expired, before any claim, is still reported
   * as expired (the core reports an ended session only when it was stored). Called under the ID's
   * stripe, before the file goes; a failure to tell counts as live, as before any expiry.
   */
  private boolean expiredBeforeItEnded(String id, Path file) {
    try {
      if (dueOf(ledgerEntry(id)) == null) {
        return false;
      }
      String blob;
      try {
        blob = readText(file);
      } catch (NoSuchFileException e) {
        return true;
      }
      return expiredAt(blob, Files.getLastModifiedTime(file)) <= clock.millis();
    } catch (IOException e) {
      ledgerFailed(e);
      return false;
    }
  }

  /**
   * Stops tracking a session that ended while live. Called under the ID's stripe; a failure does
   * not undo the ending, and costs only a report of the session as expired, later.
   */
  private void untrack(String id) {
    try {
      Files.deleteIfExists(ledgerEntry(id));
    } catch (IOException e) {
      ledgerFailed(e);
    }
  }

  private static void ledgerFailed(IOException e) {
    LOG.log(
        Level.DEBUG,
        "Could not update the ledger of expiring sessions ("
            + redact(e.toString())
            + "): a session's expiry may go unreported, or an ended one be reported expired.");
  }

  /** When the ledger entry is due, or {@code null} when it is gone. */
  private static Long dueOf(Path entry) throws IOException {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return attributes.isRegularFile() ? attributes.lastModifiedTime().toMillis() : null;
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Claims the expired sessions among the due ledger entries, as the class describes, going on with
   * the listing of the ledger that the previous call left unfinished: the calls of one check make
   * one pass over the folder together, and a call that reaches its end returns (fewer than {@code
   * max}), so the next check starts a new one. A pass left alone for {@link #PASS_LEFT_FOR} is
   * dropped. A failure after some sessions were claimed returns those; the next call starts a new
   * pass and meets the failure again.
   */
  @Override
  public List<String> claimExpired(Instant now, int max) {
    List<String> claimed = new ArrayList<>();
    if (max <= 0) {
      return claimed;
    }
    long at = now.toEpochMilli();
    synchronized (claiming) {
      try {
        Iterator<Path> entries = pass();
        while (claimed.size() < max && !closed) {
          if (entries == null || !entries.hasNext()) {
            endPass();
            break;
          }
          Path entry = entries.next();
          String id = entry.getFileName().toString();
          if (!SessionIds.isValid(id)) {
            continue;
          }
          Long due = dueOf(entry);
          if (due != null
              && due <= at
              && locks.withStripes(id, null, lockTimeout, () -> settle(id, entry, at))) {
            claimed.add(id);
          }
        }
        passUsedAt = System.nanoTime();
      } catch (IOException | RuntimeException e) {
        endPass();
        IOException io =
            e instanceof IOException found
                ? found
                : e instanceof DirectoryIteratorException listing ? listing.getCause() : null;
        if (claimed.isEmpty()) {
          throw io != null
              ? failure("cannot look for expired sessions in " + expiring, io)
              : (RuntimeException) e;
        }
        LOG.log(
            Level.DEBUG,
            "Looking for expired sessions stopped after "
                + claimed.size()
                + " were claimed: "
                + redact(e.toString()));
      }
    }
    return claimed;
  }

  /**
   * The pass over the ledger under way, or a new one; {@code null} when there is no ledger (no
   * session was ever stored here with an expiry). Called holding {@link #claiming}.
   */
  private Iterator<Path> pass() throws IOException {
    if (passEntries != null && System.nanoTime() - passUsedAt > PASS_LEFT_FOR.toNanos()) {
      endPass();
    }
    if (passEntries == null) {
      try {
        pass = Files.newDirectoryStream(expiring);
      } catch (NoSuchFileException e) {
        return null;
      }
      passEntries = pass.iterator();
      passes.incrementAndGet();
    }
    return passEntries;
  }

  /** Ends the pass under way, if any. Called holding {@link #claiming}. */
  private void endPass() {
    DirectoryStream<Path> ended = pass;
    pass = null;
    passEntries = null;
    if (ended != null) {
      try {
        ended.close();
      } catch (IOException e) {
        LOG.log(Level.DEBUG, "Could not close a listing of " + expiring + ": " + e);
      }
    }
  }

  /** How many passes over the ledger the claims started: a test's measure of their cost. */
  long ledgerPasses() {
    return passes.get();
  }

  /**
   * Settles a due ledger entry under its session's stripe, which makes the look and the change one
   * step for every driver and process on the folder: moves the entry to the session's expiry when
   * the session is still live, removes it when the session has no expiry any more or was left
   * beside its marker by a crash, and otherwise (the session expired: its file is gone, or expired
   * and removed here as the clean-up would) claims it, moving the entry to {@link #CLAIM_LEASE}
   * from {@code now}. The moved entry is due again then, and claimed again unless {@link
   * #acknowledgeExpired} removed it. Returns whether this call claimed the session.
   */
  private boolean settle(String id, Path entry, long now) throws IOException {
    Long due = dueOf(entry);
    if (due == null || due > now) {
      return false; // settled meanwhile by another driver or process
    }
    Path file = fileFor(id);
    String blob;
    FileTime modified;
    try {
      blob = readText(file);
      modified = Files.getLastModifiedTime(file);
    } catch (NoSuchFileException e) {
      blob = null;
      modified = null;
    }
    if (blob != null) {
      long expiredAt = expiredAt(blob, modified);
      if (expiredAt > now) {
        if (expiredAt == Long.MAX_VALUE) {
          Files.deleteIfExists(entry); // tracked again by the write that gives it an expiry
        } else {
          Files.setLastModifiedTime(entry, FileTime.fromMillis(expiredAt));
        }
        return false;
      }
      if (hasLiveMarker(id)) {
        // Left beside its marker by a crash in the middle of a retire: ended, not expired.
        Files.deleteIfExists(file);
        Files.deleteIfExists(entry);
        return false;
      }
      // Expired: removed as the clean-up would.
      Files.deleteIfExists(file);
    }
    try {
      Files.setLastModifiedTime(
          entry, FileTime.fromMillis(saturatedSum(now, CLAIM_LEASE.toMillis())));
    } catch (NoSuchFileException e) {
      return false;
    }
    return true;
  }

  /**
   * Forgets claimed sessions: removes each one's ledger entry, under its stripe, unless a session
   * file is there again (written under the ID since, which the core never does), whose entry it now
   * is. The IDs of one stripe go under one hold of its lock.
   */
  @Override
  public void acknowledgeExpired(List<String> ids) {
    Map<Integer, List<String>> byStripe = new TreeMap<>();
    for (String id : ids) {
      if (SessionIds.isValid(id)) {
        byStripe.computeIfAbsent(FsLocks.stripeOf(id), stripe -> new ArrayList<>()).add(id);
      }
    }
    for (List<String> stripe : byStripe.values()) {
      try {
        locks.withStripes(
            stripe.get(0),
            null,
            lockTimeout,
            () -> {
              for (String id : stripe) {
                if (!Files.exists(fileFor(id), LinkOption.NOFOLLOW_LINKS)) {
                  Files.deleteIfExists(ledgerEntry(id));
                }
              }
              return null;
            });
      } catch (IOException e) {
        throw failure("cannot remove entries from the ledger " + expiring, e);
      }
    }
  }

  /**
   * The first time, in epoch milliseconds, at which the session in a file modified at {@code
   * modified} and holding {@code blob} counts as expired by the clean-up's rules; {@link
   * Long#MAX_VALUE} for never.
   */
  private long expiredAt(String blob, FileTime modified) {
    BlobExpiry expiry = expiryOf(blob);
    Duration idle = idleTimeout(expiry.ownIdle(), idleTimeout);
    long byIdle =
        idle == null
            ? Long.MAX_VALUE
            : saturatedSum(modified.toMillis(), saturatedSum(saturatedMillis(idle), 1));
    long keys = expiry.keysLiveUntil();
    long byKeys = keys == Long.MAX_VALUE ? Long.MAX_VALUE : keys + 1;
    return Math.min(byIdle, byKeys);
  }

  /**
   * Checks that the folder is there to write to, as a request would find it: one a write would
   * create again is created; one this process may not write, or on a read-only file system, fails.
   */
  @Override
  public void ping() {
    try {
      if (!Files.isDirectory(base)) {
        FsLocks.createFolders(base);
      }
      if (!Files.isWritable(base)) {
        throw new IllegalStateException("the session folder " + base + " is not writable");
      }
    } catch (IOException e) {
      throw failure("cannot reach the session folder " + base, e);
    }
  }

  // ---------------------------------------------------------------------------- principals

  @Override
  public boolean indexesPrincipals() {
    return true;
  }

  @Override
  public void index(String principal, String id, Instant indexedAt) {
    Path folder = principalFolder(principal);
    Path entry = folder.resolve(checked(id));
    byte[] bytes = Long.toString(indexedAt.toEpochMilli()).getBytes(StandardCharsets.US_ASCII);
    try {
      boolean createdFolder = false;
      // An unindex may remove the folder, found empty, between its creation and the entry's: the
      // entry's creation then fails, and the folder is made again.
      for (int attempt = 1; ; attempt++) {
        try {
          createEntry(entry, bytes);
          break;
        } catch (FileAlreadyExistsException e) {
          return; // indexed already: the first time of indexing stays
        } catch (NoSuchFileException e) {
          if (attempt == MAX_INDEX_ATTEMPTS) {
            throw e;
          }
          try {
            Files.createDirectories(folder);
          } catch (FileAlreadyExistsException raced) {
            // Made by another index and removed again before this call could check it: retry.
          }
          createdFolder = true;
        }
      }
      if (fsync) {
        forceFolder(folder);
        if (createdFolder) {
          forceFolder(principals);
          forceFolder(base);
        }
      }
    } catch (IOException e) {
      throw failure("cannot write index entry " + entry, e);
    }
  }

  /** Creates {@code entry} holding {@code bytes}, failing when it exists. */
  private void createEntry(Path entry, byte[] bytes) throws IOException {
    try (FileChannel channel =
        FileChannel.open(entry, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      if (fsync) {
        channel.force(true);
      }
    }
  }

  @Override
  public void unindex(String principal, String id) {
    Path folder = principalFolder(principal);
    Path entry = folder.resolve(checked(id));
    try {
      if (Files.deleteIfExists(entry)) {
        removeIfEmpty(folder);
      }
    } catch (IOException e) {
      throw failure("cannot remove index entry " + entry, e);
    }
  }

  /**
   * Removes a principal's folder if it holds nothing. The file system refuses to remove a folder
   * that is not empty in the same step as it removes one, so an entry created meanwhile stays.
   */
  private static void removeIfEmpty(Path folder) {
    try {
      Files.delete(folder);
    } catch (DirectoryNotEmptyException | NoSuchFileException e) {
      // An entry was added meanwhile, or another caller removed the folder.
    } catch (IOException e) {
      // Refused for another reason (some platforms refuse a folder someone is listing): an empty
      // folder is harmless, and the next unindex or clean-up tries again.
      LOG.log(Level.DEBUG, "Could not remove the empty index folder " + folder + ": " + e);
    }
  }

  /**
   * The sessions indexed under {@code principal}, by time of indexing, each with the session file
   * as it is now, read without refreshing its modification time. A session that has been idle too
   * long, or whose keys have all expired, is listed without a blob, as the clean-up would remove
   * it. Its expiry is its modification time plus the idle timeout, or, without an idle timeout, the
   * time its last key expires; {@code null} when neither applies.
   */
  @Override
  public List<IndexedSession> indexed(String principal) {
    Path folder = principalFolder(principal);
    List<IndexedSession> found = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
      for (Path entry : entries) {
        String id = entry.getFileName().toString();
        if (!SessionIds.isValid(id)) {
          continue;
        }
        Instant indexedAt = indexedAt(entry);
        if (indexedAt != null) {
          found.add(indexedSession(id, indexedAt));
        }
      }
    } catch (NoSuchFileException e) {
      // Nothing indexed under this principal.
    } catch (IOException e) {
      throw failure("cannot list index folder " + folder, e);
    }
    found.sort(Comparator.comparing(IndexedSession::indexedAt).thenComparing(IndexedSession::id));
    return found;
  }

  /**
   * When an index entry was made: the time it holds, or, when it holds none (being written, or left
   * empty by a crash), its file's time; {@code null} when it is gone or not a file.
   */
  private static Instant indexedAt(Path entry) throws IOException {
    try {
      BasicFileAttributes attributes =
          Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile()) {
        return null;
      }
      String text = new String(Files.readAllBytes(entry), StandardCharsets.US_ASCII).strip();
      try {
        return Instant.ofEpochMilli(Long.parseLong(text));
      } catch (NumberFormatException e) {
        return attributes.lastModifiedTime().toInstant();
      }
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** An index entry with the session stored under {@code id} now, judged as the clean-up does. */
  private IndexedSession indexedSession(String id, Instant indexedAt) throws IOException {
    Path file = fileFor(id);
    IndexedSession none = new IndexedSession(id, indexedAt, null, null);
    try {
      String blob = readText(file);
      FileTime modified = Files.getLastModifiedTime(file);
      BlobExpiry expiry = expiryOf(blob);
      Duration idle = idleTimeout(expiry.ownIdle(), idleTimeout);
      if (idle != null && isIdle(modified, idle)) {
        return none;
      }
      long keysLiveUntil = expiry.keysLiveUntil();
      if (keysLiveUntil < clock.millis()) {
        return none; // what the clean-up removes
      }
      long expiresAt =
          idle == null ? keysLiveUntil : saturatedSum(modified.toMillis(), saturatedMillis(idle));
      return new IndexedSession(
          id,
          indexedAt,
          StoredBlob.ofContent(blob),
          expiresAt == Long.MAX_VALUE ? null : Instant.ofEpochMilli(expiresAt));
    } catch (NoSuchFileException e) {
      return none;
    }
  }

  private static long saturatedSum(long a, long b) {
    long sum = a + b;
    return sum < a ? Long.MAX_VALUE : sum;
  }

  /**
   * The folder of a principal's index entries. The principal is any text, so its folder is named by
   * a hash of it: SHA-256 over its UTF-16 code units, which, unlike its UTF-8, keep a lone
   * surrogate apart from {@code ?}, so that no two principals share a folder.
   */
  Path principalFolder(String principal) {
    ByteBuffer units = ByteBuffer.allocate(principal.length() * 2);
    units.asCharBuffer().put(principal);
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      return principals.resolve(HexFormat.of().formatHex(sha256.digest(units.array())));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  // ---------------------------------------------------------------------------- files

  /**
   * Writes {@code bytes} to {@code target} through a temporary file in {@code folder}, moved over
   * it atomically. Called under the stripe of {@code id}, which the temporary file's name starts
   * with.
   */
  private void writeAtomically(Path folder, String id, Path target, byte[] bytes)
      throws IOException {
    Path temp = createTempFile(folder, id);
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        Files.setLastModifiedTime(temp, now());
        if (fsync) {
          channel.force(true);
        }
      }
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "the file system cannot replace files atomically: " + e.getMessage(), e);
      }
      if (fsync) {
        forceFolder(folder);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private Path createTempFile(Path folder, String id) throws IOException {
    try {
      return Files.createTempFile(folder, id + ".", TEMP_SUFFIX);
    } catch (NoSuchFileException e) {
      // Someone removed the folder while we run: make it again rather than fail until restart.
      LOG.log(Level.WARNING, "The session folder " + base + " was removed; creating it again");
      FsLocks.createFolders(base);
      return Files.createTempFile(folder, id + ".", TEMP_SUFFIX);
    }
  }

  /** Forces a folder's entries to disk, so that a move into it survives a power loss. */
  private static void forceFolder(Path folder) throws IOException {
    FileChannel channel;
    try {
      channel = FileChannel.open(folder, StandardOpenOption.READ);
    } catch (AccessDeniedException e) {
      return; // Windows opens no folder as a file, and makes a move durable without it.
    }
    try (channel) {
      channel.force(true);
    }
  }

  private Path fileFor(String id) {
    return base.resolve(checked(id));
  }

  private Path markerFor(String id) {
    return retired.resolve(checked(id));
  }

  private static String checked(String id) {
    // IDs are validated by the core already; checking again keeps any other string off the disk.
    if (!SessionIds.isValid(id)) {
      throw new IllegalArgumentException("not a session ID");
    }
    return id;
  }

  /**
   * A failure to hand up, naming sessions by fingerprint: the core logs its message and stack trace
   * at WARNING, and paths under the folder hold session IDs.
   */
  private static UncheckedIOException failure(String what, IOException e) {
    return new UncheckedIOException(redact(what + ": " + e), redacted(e));
  }

  /** {@code text} with every session ID in it replaced by its fingerprint. */
  static String redact(String text) {
    if (text == null) {
      return null;
    }
    return SESSION_ID
        .matcher(text)
        .replaceAll(found -> "session#" + SessionIds.fingerprint(found.group()));
  }

  /**
   * {@code e} as an exception whose messages, its causes' included, name sessions by fingerprint;
   * it keeps the stack traces, and the original type in its message.
   */
  static IOException redacted(Throwable e) {
    if (e == null) {
      return null;
    }
    Redacted copy = new Redacted(redact(e.toString()), redacted(e.getCause()));
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  /** A file system failure retold without the session IDs its message held. */
  private static final class Redacted extends IOException {
    private static final long serialVersionUID = 1L;

    Redacted(String message, IOException cause) {
      super(message, cause);
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }

  // ---------------------------------------------------------------------------- clean-up

  /** Stops the clean-up and waits for one under way, so the folder is left alone on return. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    cleaner.shutdownNow();
    try {
      if (!cleaner.awaitTermination(10, TimeUnit.SECONDS)) {
        LOG.log(Level.WARNING, "The clean-up of " + base + " did not stop within 10 seconds");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (claiming) {
      endPass();
    }
    locks.release();
  }

  boolean cleanUpStopped() {
    return cleaner.isTerminated();
  }

  /**
   * Removes expired sessions and markers, temporary files left by a crash, a session left beside
   * its live marker by a crash in the middle of {@link #retire} or {@link #replace}, and index
   * entries whose session is gone. The folders {@code .retired}, {@code .locks} and {@code
   * .principals} are not sessions, whose names are IDs, and are never removed.
   */
  void cleanUp() throws IOException {
    long now = clock.millis();
    Set<String> markedIds = cleanUpMarkers(now);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(base)) {
      for (Path file : files) {
        if (closed) {
          return;
        }
        String name = file.getFileName().toString();
        if (SessionIds.isValid(name)) {
          cleanUpSession(name, file, markedIds.contains(name), now);
        } else {
          removeIfTemporary(name, file);
        }
      }
    } catch (NoSuchFileException e) {
      // The folder was removed; the next write makes it again.
    }
    // After the sessions, so that the entries of sessions just removed go in the same pass.
    cleanUpIndex(now);
  }

  /**
   * Removes the index entries that name no session file and were made more than {@link
   * #INDEX_ENTRY_GRACE} ago, and the principal folders left empty. Files whose name is not an ID,
   * and anything that is not a folder directly in {@code .principals}, are left alone.
   */
  private void cleanUpIndex(long now) throws IOException {
    long madeBefore = now - INDEX_ENTRY_GRACE.toMillis();
    try (DirectoryStream<Path> folders = Files.newDirectoryStream(principals)) {
      for (Path folder : folders) {
        if (closed) {
          return;
        }
        if (!Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
          for (Path entry : entries) {
            String id = entry.getFileName().toString();
            if (!SessionIds.isValid(id) || Files.exists(fileFor(id), LinkOption.NOFOLLOW_LINKS)) {
              continue;
            }
            Instant indexedAt = indexedAt(entry);
            if (indexedAt != null && indexedAt.toEpochMilli() < madeBefore) {
              Files.deleteIfExists(entry);
            }
          }
        } catch (NoSuchFileException e) {
          continue; // removed meanwhile by an unindex
        }
        removeIfEmpty(folder);
      }
    } catch (NoSuchFileException e) {
      // Nothing was ever indexed here.
    }
  }

  /** Removes expired and unreadable markers; returns the IDs of the live ones. */
  private Set<String> cleanUpMarkers(long now) throws IOException {
    Set<String> live = new HashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(retired)) {
      for (Path file : files) {
        if (closed) {
          return live;
        }
        String name = file.getFileName().toString();
        if (!SessionIds.isValid(name)) {
          removeIfTemporary(name, file);
          continue;
        }
        if (isLiveMarker(file, now)) {
          live.add(name);
          continue;
        }
        locks.withStripes(
            name,
            null,
            lockTimeout,
            () -> {
              // Checked again under the lock: a retire may have renewed it meanwhile.
              try {
                Marker marker = readMarker(file);
                if (marker != null && !marker.hasExpired(now)) {
                  return null;
                }
              } catch (IllegalStateException e) {
                LOG.log(
                    Level.WARNING,
                    "Removing the unreadable retirement marker of session#"
                        + SessionIds.fingerprint(name)
                        + " from "
                        + retired);
              }
              return Files.deleteIfExists(file);
            });
      }
    } catch (NoSuchFileException e) {
      // The folder was removed; the next write makes it again.
    }
    return live;
  }

  /** Whether {@code file} is a marker that has not expired; one that cannot be read is not. */
  private static boolean isLiveMarker(Path file, long now) throws IOException {
    try {
      Marker marker = readMarker(file);
      return marker != null && !marker.hasExpired(now);
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private void cleanUpSession(String id, Path file, boolean marked, long now) throws IOException {
    if (marked) {
      locks.withStripes(
          id, null, lockTimeout, () -> hasLiveMarker(id) ? Files.deleteIfExists(file) : null);
      return;
    }
    try {
      // Parsed outside the lock, which writers of this stripe would otherwise wait on.
      String blob = readText(file);
      FileTime modified = Files.getLastModifiedTime(file);
      BlobExpiry expiry = expiryOf(blob);
      Duration idle = idleTimeout(expiry.ownIdle(), idleTimeout);
      if (idle != null && isIdle(modified, idle)) {
        locks.withStripes(
            id,
            null,
            lockTimeout,
            () -> {
              // Checked again under the lock: a write or a read may have refreshed it meanwhile.
              if (currentBlob(file) == null) {
                Files.deleteIfExists(file);
              }
              return null;
            });
        return;
      }
      if (expiry.keysLiveUntil() < now) {
        locks.withStripes(
            id,
            null,
            lockTimeout,
            () -> blob.equals(currentBlob(file)) ? Files.deleteIfExists(file) : null);
      }
    } catch (NoSuchFileException | CharacterCodingException e) {
      // Removed meanwhile, or not text: not a session this rule can judge.
    }
  }

  /**
   * Whether {@code blob} is a session, as Astro and the core write it (a devalue {@code Map} of key
   * to {@code {data, expires}}), all of whose keys have expired, the core's test for each key. A
   * blob of any other form is never expired by this rule.
   */
  static boolean allKeysExpired(String blob, long nowMillis) {
    return keysLiveUntil(blob) < nowMillis;
  }

  /**
   * Until when, in epoch milliseconds, some key of {@code blob} is live by the core's test (a key
   * has expired once {@code floor(expires) < now}): {@link Long#MIN_VALUE} for a session without
   * keys, {@link Long#MAX_VALUE} when a key never expires or the blob is not a session of that
   * form.
   */
  static long keysLiveUntil(String blob) {
    return expiryOf(blob).keysLiveUntil();
  }

  /**
   * What a blob says of its session's expiry, from one parse: its own idle timeout ({@code null}
   * when it has none; zero or negative for never), and {@linkplain #keysLiveUntil until when its
   * keys live}.
   */
  record BlobExpiry(Duration ownIdle, long keysLiveUntil) {
    static final BlobExpiry NOT_A_SESSION = new BlobExpiry(null, Long.MAX_VALUE);
  }

  static BlobExpiry expiryOf(String blob) {
    Object parsed;
    try {
      parsed = Devalue.astro().parse(blob);
    } catch (DevalueException e) {
      return BlobExpiry.NOT_A_SESSION;
    }
    if (!(parsed instanceof Map<?, ?> entries)) {
      return BlobExpiry.NOT_A_SESSION;
    }
    long latest = Long.MIN_VALUE;
    Duration ownIdle = null;
    for (Map.Entry<?, ?> entry : entries.entrySet()) {
      if (!(entry.getKey() instanceof String key)
          || !(entry.getValue() instanceof PlainObject value)) {
        return BlobExpiry.NOT_A_SESSION;
      }
      if (key.equals(IDLE_KEY)
          && value.get("data") instanceof Number seconds
          && Double.isFinite(seconds.doubleValue())) {
        ownIdle = Duration.ofMillis(Math.round(seconds.doubleValue() * 1000)); // saturates
      }
      if (latest != Long.MAX_VALUE) {
        latest =
            value.get("expires") instanceof Double expires && Double.isFinite(expires)
                ? Math.max(latest, (long) Math.floor(expires)) // saturates beyond the long range
                : Long.MAX_VALUE;
      }
    }
    return new BlobExpiry(ownIdle, latest);
  }

  /** The session's own idle timeout held in {@code blob}, or {@code null}. */
  private static Duration ownIdle(String blob) {
    return expiryOf(blob).ownIdle();
  }

  /** Removes a temporary file left by a process that died mid-write. */
  private void removeIfTemporary(String name, Path file) throws IOException {
    if (name.endsWith(TEMP_SUFFIX) && name.length() > 36) {
      String id = name.substring(0, 36);
      if (SessionIds.isValid(id)) {
        // A writer holds its session's stripe for the whole life of its temporary file, so one
        // found under that stripe was left by a process that died mid-write.
        locks.withStripes(id, null, lockTimeout, () -> Files.deleteIfExists(file));
      }
    }
  }

  private void cleanUpQuietly() {
    try {
      cleanUp();
    } catch (IOException | RuntimeException e) {
      if (!closed) { // else interrupted by close()
        LOG.log(Level.WARNING, "Removing expired sessions from " + base + " failed", redacted(e));
      }
    } finally {
      firstCleanUp.countDown();
    }
  }

  /** Waits for the clean-up that runs at start, so that a test's files are not raced by it. */
  void awaitFirstCleanUp() throws InterruptedException {
    firstCleanUp.await();
  }
}
