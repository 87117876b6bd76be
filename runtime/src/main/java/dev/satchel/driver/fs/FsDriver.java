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
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
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
import java.nio.file.NotDirectoryException;
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
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;

/**
 * One file per session under the base folder, named by its ID and holding exactly the blob: the
 * layout of Astro's {@code fs} session driver, so an Astro app and Satchel can share the folder. A
 * write goes to a temporary file in the same folder and is moved over the old file atomically, so a
 * reader or a crash never sees half a file; with {@code fsync} on, the file and then the folder
 * entry are forced to disk first.
 *
 * <p>Astro's store writes a file in place instead (it truncates it, then writes), so a file another
 * program is writing may read empty or half written, and a write in place that begins after a
 * commit compared the file goes to the file the commit then moves over: the commit keeps that file
 * by a second name until it has checked its bytes, and puts it back (a conflict, which the core
 * retries) when they changed. A read that finds a file emptied moments ago waits a little for it to
 * fill ({@link #WRITE_IN_PLACE_GRACE}); the core reads data that does not parse again before it
 * judges it unreadable, and removes it with {@link #deleteIfUnchanged}, which moves the file aside,
 * checks its bytes are still the ones judged, and puts it back when they are not. An empty file is
 * never removed so (nor refreshed by a read): it may be a write just begun. A session ID whose
 * entry is not a file (a folder, a device) reads as data that is not a session, so the core starts
 * that session afresh, as for any unreadable data; the entry itself is left alone, by requests and
 * by the clean-up, which warns of it once and goes on.
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
 * marker's {@link Retirement#encode() text} on the first line, its expiry in epoch milliseconds
 * ({@code -} for never) on the second, and the SHA-256 of the session file it retired ({@code -}
 * for none) on the third. A retired ID has a marker and no session file; reads find nothing under
 * an ID with a live marker, and every write to it is refused. Retiring writes the marker first and
 * then removes the file; a replace writes the new session's file, then the marker, then moves the
 * new file in place and removes the old. A step that fails undoes the steps before it, so a failed
 * log-in or log-out leaves the session as it was, live. Only a crash (or an undo that fails too)
 * leaves a file beside its marker, and the clean-up removes such a file only when its bytes are
 * still the ones the marker names: one written since (by another program) is left to expire.
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
 * its ID, which is a credential: a path under the folder is told as the folder and {@code
 * session#<fingerprint>}, and the file system's own failures (whose messages are paths) are handed
 * up as copies so named.
 *
 * <p>Files and folders are created with the {@code file-mode} option's permissions (see {@link
 * FsModes}); by default the owner's alone.
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

  /**
   * The most a session file may take to be read: the longest text Satchel parses, 16 Mi characters,
   * at up to three bytes each in UTF-8, rounded up.
   */
  static final long MAX_FILE_BYTES = 64L * 1024 * 1024;

  /** A file's change time and size, where the file system has them (Linux, macOS). */
  private static final String CHANGE_ATTRIBUTES = "unix:ctime,size";

  static final String EXPIRING_FOLDER = ".expiring";

  /**
   * The text and version of an ID whose entry is not a file: never a session, so the core judges it
   * unreadable and starts afresh.
   */
  static final String NOT_A_FILE = "\u0000not a file";

  /** Starts the version of a file that is not UTF-8: the rest is its bytes as Latin-1. */
  private static final String RAW_VERSION = "\u0000raw:";

  /**
   * How long after it was emptied an empty session file is taken for another program's write in
   * place just begun, which reads wait for; see {@link #awaitWriteInPlace}.
   */
  static final Duration WRITE_IN_PLACE_GRACE = Duration.ofSeconds(2);

  /** The most entries the clean-up keeps warned about, so that each is warned about once. */
  private static final int MAX_WARNED = 10_000;

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
  private final FsModes modes;
  private final FsLocks locks;
  private final AtomicBoolean unguardedMovesTold = new AtomicBoolean();
  private final ScheduledExecutorService cleaner;

  /** Entries the clean-up found it could not handle and warned about, by name. */
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

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
      Clock clock,
      FsModes modes) {
    Path folder = base.toAbsolutePath().normalize();
    this.modes = modes;
    try {
      modes.createFolders(folder);
      FsLocks.createFolders(folder, modes);
      // The real path, so that every driver on this folder in the JVM finds the same locks.
      this.base = folder.toRealPath();
    } catch (IOException e) {
      throw failure("cannot create the session folder", folder, e);
    }
    this.retired = this.base.resolve(FsLocks.RETIRED_FOLDER);
    this.principals = this.base.resolve(PRINCIPALS_FOLDER);
    this.expiring = this.base.resolve(EXPIRING_FOLDER);
    this.fsync = fsync;
    this.lockTimeout = lockTimeout;
    this.idleTimeout = idleTimeout;
    this.clock = clock;
    this.locks = FsLocks.open(this.base, modes);
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
      SessionFile found = readSessionFile(file);
      if (found != null && found.isEmpty()) {
        found = awaitWriteInPlace(file, found);
      }
      if (found == null || hasLiveMarker(id)) {
        return null; // beside a live marker, a file is what a crash left of a retired session
      }
      if (found == BAD_ENTRY || found.isEmpty()) {
        return found.stored(); // not a session, so neither refreshed nor judged idle here
      }
      // Not refreshed without an idle timeout, but as expired to this read as to the write that
      // may follow it. The text first: a write between the two steps then makes the session look
      // younger, never older, and its version is stale to the write that may follow.
      if (isIdle(file, found.text(), idleTimeout == null ? this.idleTimeout : idleTimeout)) {
        return null;
      }
      if (idleTimeout != null) {
        // One metadata update, without the lock: a write that replaced the file meanwhile was
        // just made, so pushing its time to now is as true for it.
        try {
          Files.setLastModifiedTime(file, now());
        } catch (NoSuchFileException e) {
          // Removed meanwhile: nothing to refresh.
        }
      }
      return found.stored();
    } catch (IOException e) {
      throw failure("cannot read the session file", file, e);
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
            // Written before the comparison, so that the comparison and the move follow each
            // other closely: another program writing the file in place, which takes no lock, then
            // has the least time to slip its write in between and see it replaced.
            Path temp = writeTemporary(base, id, bytes);
            try {
              if (expectedVersion != null) {
                if (!replaceIfStillHolds(id, temp, bytes, file, expectedVersion)) {
                  return false;
                }
              } else if (holds(id, file, null)) {
                moveInPlace(base, temp, file);
              } else {
                return false;
              }
            } finally {
              deleteQuietly(temp);
            }
            track(id, expiresAt);
            return true;
          });
    } catch (IOException e) {
      throw failure("cannot write the session file", file, e);
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
            boolean removed = !isBadEntry(file) && removeFile(file);
            if (!keepEntry) {
              untrack(id);
            }
            return removed;
          });
    } catch (IOException e) {
      throw failure("cannot remove the session file", file, e);
    }
  }

  /**
   * The session file's change time and size: a write in place changes the change time even when it
   * writes the same bytes again, which the version alone cannot show.
   */
  @Override
  public String changeMark(String id) {
    Path file = fileFor(id);
    try {
      Map<String, Object> attributes = Files.readAttributes(file, CHANGE_ATTRIBUTES);
      return attributes.get("ctime") + " " + attributes.get("size");
    } catch (NoSuchFileException e) {
      return null;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      try {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return attributes.lastModifiedTime() + " " + attributes.size();
      } catch (IOException again) {
        return null;
      }
    } catch (IOException e) {
      return null; // the read that follows reports what is wrong
    }
  }

  /**
   * Removes the file if it still holds the bytes of {@code version}, under the ID's stripe. Other
   * programs write without the lock, so the file is first moved aside, out of their reach: a write
   * in place that began before the move then changed the bytes, which are checked again once aside,
   * and the file goes back unless a newer one took its place. A write that begins after the move
   * creates a new file. An empty file, maybe such a write just begun, and an entry that is not a
   * file are left alone.
   */
  @Override
  public boolean deleteIfUnchanged(String id, String version) {
    Path file = fileFor(id);
    try {
      return locks.withStripes(
          id,
          null,
          lockTimeout,
          () -> {
            if (hasLiveMarker(id)) {
              return false;
            }
            SessionFile current = readSessionFile(file);
            if (current == null
                || current == BAD_ENTRY
                || current.isEmpty() // a write in place just begun, maybe, however old
                || !current.version().equals(version)) {
              return false;
            }
            boolean keepEntry = expiredBeforeItEnded(id, file);
            Path aside = sideFile(id);
            checkFaults(Operation.MOVE, aside);
            try {
              Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
              return false; // removed meanwhile by another program
            }
            try {
              SessionFile moved = readSessionFile(aside);
              if (moved != null && moved != BAD_ENTRY && moved.version().equals(version)) {
                removeFile(aside);
                if (!keepEntry) {
                  untrack(id);
                }
                return true;
              }
            } catch (IOException | RuntimeException e) {
              undo(e, () -> putBack(aside, file));
              throw e;
            }
            putBack(aside, file);
            return false;
          });
    } catch (IOException e) {
      throw failure("cannot remove the session file", file, e);
    }
  }

  /**
   * Moves {@code temp}, which holds {@code bytes}, over {@code file} if it still holds {@code
   * version}, and unless another program wrote it in place meanwhile: such a write goes to the file
   * moved over and would be lost with it. So the file to replace gets a second name, and its bytes
   * are compared just before the move (which also finds a write begun since, before anything is
   * replaced) and just after (one whose open came in between). Such a file is put back, unless the
   * new one was itself written or removed since, which is newer still. Either way the write reports
   * a conflict, and the core reads again and stores its changes on top. Where the file system
   * refuses hard links, the comparison is made on the file itself and the move unguarded.
   */
  private boolean replaceIfStillHolds(String id, Path temp, byte[] bytes, Path file, String version)
      throws IOException {
    if (hasLiveMarker(id)) {
      return false;
    }
    Path replaced = sideFile(id);
    try {
      checkFaults(Operation.CREATE, replaced);
      Files.createLink(replaced, file);
    } catch (NoSuchFileException e) {
      return false; // removed meanwhile by another program
    } catch (UnsupportedOperationException | IOException refused) {
      if (!holds(id, file, version)) {
        return false; // not the session read, or not a file at all, which refuses links too
      }
      if (unguardedMovesTold.compareAndSet(false, true)) {
        LOG.log(
            Level.INFO,
            "The session folder "
                + base
                + " refuses hard links ("
                + redact(refused.toString())
                + "): commits replace session files without checking for a write in place by"
                + " another program, such as an Astro app sharing the folder");
      }
      moveInPlace(base, temp, file);
      return true;
    }
    try {
      byte[] expected = SessionFile.bytesOf(version);
      if (!holdsBytes(replaced, expected)
          || isIdle(replaced, SessionFile.textOf(version), idleTimeout)) {
        return false;
      }
      moveInPlace(base, temp, file);
      try {
        if (holdsBytes(replaced, expected)) {
          return true;
        }
        if (!holdsBytes(file, bytes)) {
          return false; // the new file was written or removed since: newer still, so it stays
        }
        Files.move(
            replaced, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (fsync) {
          forceFolder(base);
        }
      } catch (IOException e) {
        // This commit's bytes are stored; only the guard for another program's write failed.
        LOG.log(
            Level.DEBUG,
            () ->
                "Could not check session#"
                    + SessionIds.fingerprint(id)
                    + " for a write in place after replacing it: "
                    + redact(e.toString()));
        return true;
      }
      LOG.log(
          Level.DEBUG,
          () ->
              "Another program wrote session#"
                  + SessionIds.fingerprint(id)
                  + " while it was being replaced; its write is put back and this one retried");
      return false;
    } finally {
      deleteQuietly(replaced);
    }
  }

  /**
   * Whether {@code file} is a regular file holding exactly {@code expected}: its size is compared
   * first, and no more than that many bytes are read.
   */
  private static boolean holdsBytes(Path file, byte[] expected) throws IOException {
    if (!Files.isRegularFile(file)) {
      return false; // gone, or something a read could block on
    }
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      if (channel.size() != expected.length) {
        return false;
      }
      ByteBuffer read = ByteBuffer.allocate(expected.length + 1);
      while (read.hasRemaining() && channel.read(read) >= 0) {
        // until one byte past the expected length, or the end
      }
      return read.position() == expected.length
          && Arrays.equals(read.array(), 0, expected.length, expected, 0, expected.length);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * A new name beside the session {@code id}'s file, for the file itself while it is checked: named
   * as a temporary file, so that what a crash leaves is removed by the clean-up.
   */
  private Path sideFile(String id) {
    return base.resolve(
        id + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong()) + TEMP_SUFFIX);
  }

  /**
   * Puts a file moved aside back where it was, unless another file took its place meanwhile (the
   * newer one stays); the copy aside then goes.
   */
  private void putBack(Path aside, Path file) throws IOException {
    checkFaults(Operation.CREATE, file);
    try {
      Files.createLink(file, aside); // fails, rather than replaces, when the place is taken
    } catch (FileAlreadyExistsException e) {
      // A newer file is there.
    } catch (UnsupportedOperationException | IOException noLinks) {
      // A file system without hard links: a move that refuses a taken place, nearly as well.
      try {
        Files.move(aside, file);
        return;
      } catch (FileAlreadyExistsException taken) {
        // A newer file is there.
      }
    }
    deleteQuietly(aside);
  }

  /**
   * Whether {@code id} holds {@code version}; for {@code null}, whether it holds no session. An ID
   * with a live marker holds nothing and refuses every write: a file beside the marker was retired.
   * Called under the ID's stripe.
   */
  private boolean holds(String id, Path file, String version) throws IOException {
    if (hasLiveMarker(id)) {
      return false;
    }
    SessionFile current = currentSession(file);
    return version == null ? current == null : current != null && version.equals(current.version());
  }

  /**
   * A session file as read: its bytes, their text, and their version. Bytes that are not UTF-8 (a
   * file another program wrote, or one being written, cut in the middle of a character) read as
   * U+FFFD instead of failing every request; their version then keeps the bytes themselves, so that
   * a write or a removal compares exactly what is stored.
   */
  record SessionFile(byte[] bytes, String text, String version) {
    static SessionFile of(byte[] bytes) {
      String text = new String(bytes, StandardCharsets.UTF_8);
      String version = text;
      if (text.indexOf('\uFFFD') >= 0
          && !Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
        version = RAW_VERSION + new String(bytes, StandardCharsets.ISO_8859_1);
      }
      return new SessionFile(bytes, text, version);
    }

    StoredBlob stored() {
      return new StoredBlob(text, version);
    }

    /** The bytes of the file a {@link #version} was read from. */
    static byte[] bytesOf(String version) {
      return version.startsWith(RAW_VERSION)
          ? version.substring(RAW_VERSION.length()).getBytes(StandardCharsets.ISO_8859_1)
          : version.getBytes(StandardCharsets.UTF_8);
    }

    /** The {@link #text} of the file a {@link #version} was read from. */
    static String textOf(String version) {
      return version.startsWith(RAW_VERSION)
          ? new String(bytesOf(version), StandardCharsets.UTF_8)
          : version;
    }

    /** Whether the file is empty: no session, which is never empty, but maybe one being written. */
    boolean isEmpty() {
      return bytes.length == 0 && !text.equals(NOT_A_FILE);
    }
  }

  /**
   * Waits, up to {@link #WRITE_IN_PLACE_GRACE}, for an empty session file to fill, while it was
   * emptied less than that long ago: another program writing the file in place (Astro's store
   * truncates it, then writes) leaves it empty between its two steps, and a busy Node event loop
   * may keep it so for a while. A file empty for longer is handed up as it is, as data that cannot
   * be read. Returns the file as last read.
   */
  private SessionFile awaitWriteInPlace(Path file, SessionFile empty) throws IOException {
    long started = System.nanoTime();
    long pause = TimeUnit.MILLISECONDS.toNanos(1);
    boolean told = false;
    SessionFile found = empty;
    while (found != null && found.isEmpty()) {
      FileTime modified;
      try {
        modified = Files.getLastModifiedTime(file);
      } catch (NoSuchFileException e) {
        return null;
      }
      long sinceEmptied = System.currentTimeMillis() - modified.toMillis();
      if (sinceEmptied >= WRITE_IN_PLACE_GRACE.toMillis()
          || System.nanoTime() - started >= WRITE_IN_PLACE_GRACE.toNanos()) {
        return found;
      }
      if (!told) {
        told = true;
        LOG.log(
            Level.DEBUG,
            "A session file in "
                + base
                + " is empty, as another program's write in place leaves it for a moment;"
                + " waiting for it to fill");
      }
      LockSupport.parkNanos(pause);
      if (Thread.currentThread().isInterrupted()) {
        return found;
      }
      pause = Math.min(2 * pause, TimeUnit.MILLISECONDS.toNanos(32));
      found = readSessionFile(file);
    }
    return found;
  }

  /** What an entry that is not a file reads as: never a session. */
  private static final SessionFile BAD_ENTRY = new SessionFile(new byte[0], NOT_A_FILE, NOT_A_FILE);

  /**
   * The session file at {@code file} as it is, idle or not; {@code null} when there is none, and
   * {@link #BAD_ENTRY} when the entry is not a file. The type is looked at first, as opening a pipe
   * or a device would block or read without end.
   */
  private SessionFile readSessionFile(Path file) throws IOException {
    checkFaults(Operation.READ, file);
    try {
      // A file, the usual case, is told without an exception; anything else is looked at closely.
      if (!Files.isRegularFile(file)
          && !Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
        return BAD_ENTRY;
      }
      return SessionFile.of(readBounded(file));
    } catch (NoSuchFileException e) {
      // No session, unless the folder itself is not one (newer JDKs report a path through a file
      // as missing): the store is then broken, not empty.
      if (Files.exists(base) && !Files.isDirectory(base)) {
        throw new NotDirectoryException(base.toString());
      }
      return null;
    }
  }

  /**
   * The file's bytes, its size taken from the open channel (no second lookup of the path). A file
   * larger than {@link #MAX_FILE_BYTES} is not read at all: many requests reading such a file at
   * once would exhaust the heap.
   */
  private static byte[] readBounded(Path file) throws IOException {
    try (SeekableByteChannel channel = Files.newByteChannel(file)) {
      long size = channel.size();
      if (size > MAX_FILE_BYTES) {
        throw tooLarge(size);
      }
      ByteBuffer read = ByteBuffer.allocate((int) size);
      while (read.hasRemaining() && channel.read(read) >= 0) {
        // until full, or the end of a file a write in place made shorter meanwhile
      }
      if (read.hasRemaining()) {
        return Arrays.copyOf(read.array(), read.position());
      }
      ByteBuffer next = ByteBuffer.allocate(1);
      if (channel.read(next) <= 0) {
        return read.array();
      }
      // A write in place made it longer meanwhile: the rest too, within the same bound.
      int room = (int) (MAX_FILE_BYTES - read.capacity() - 1);
      byte[] rest = Channels.newInputStream(channel).readNBytes(room + 1);
      if (rest.length > room) {
        throw tooLarge(channel.size());
      }
      byte[] all = Arrays.copyOf(read.array(), read.capacity() + 1 + rest.length);
      all[read.capacity()] = next.get(0);
      System.arraycopy(rest, 0, all, read.capacity() + 1, rest.length);
      return all;
    }
  }

  private static IOException tooLarge(long size) {
    return new IOException(
        size
            + " bytes, more than any session Satchel reads may take ("
            + MAX_FILE_BYTES
            + "); the file is left as it is");
  }

  /** Whether the entry at {@code file} is there and not a file (following a symbolic link). */
  private static boolean isBadEntry(Path file) throws IOException {
    try {
      return !Files.readAttributes(file, BasicFileAttributes.class).isRegularFile();
    } catch (NoSuchFileException e) {
      return false; // none, or a link to nothing, which can go
    }
  }

  /**
   * The session in {@code file}, or {@code null} when there is none or it has been idle too long by
   * the application's idle timeout (or its own); {@link #BAD_ENTRY} for an entry not a file.
   */
  private SessionFile currentSession(Path file) throws IOException {
    SessionFile found = readSessionFile(file);
    if (found == null || found == BAD_ENTRY) {
      return found;
    }
    return isIdle(file, found.text(), idleTimeout) ? null : found;
  }

  /**
   * Whether the session in {@code file}, which holds {@code blob}, has been idle longer than its
   * own idle timeout, or, when it has none, than {@code fallback} ({@code null}: no limit). A file
   * removed since it was read (another program ended the session) has: it is no longer there.
   */
  private boolean isIdle(Path file, String blob, Duration fallback) throws IOException {
    Duration idle = idleTimeout(blob.contains(QUOTED_IDLE_KEY) ? ownIdle(blob) : null, fallback);
    if (idle == null) {
      return false;
    }
    try {
      return isIdle(Files.getLastModifiedTime(file), idle);
    } catch (NoSuchFileException e) {
      return true;
    }
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

  /**
   * Replaces one session by another as the class describes: the new session's file is written aside
   * first (a full disk fails there, before anything changed), then the marker, then the new file is
   * moved in place and the old one removed. A step that fails undoes the ones before it, the marker
   * last: a marker that cannot be removed keeps the new session it names.
   */
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
    try {
      return locks.withStripes(
          replacedId,
          id,
          lockTimeout,
          () -> {
            Path temp = writeTemporary(base, id, bytes);
            try {
              if (!holds(replacedId, replacedFile, replacedVersion) || !holds(id, file, null)) {
                return false;
              }
              boolean keepEntry = expiredBeforeItEnded(replacedId, replacedFile);
              byte[] markerBytes =
                  encodeMarker(retirement, markerExpiresAt, digestOf(replacedFile));
              // In this order, a reader in another process never sees the old session gone
              // without its marker, and a crash leaves at worst both (which the clean-up settles).
              writeAtomically(retired, replacedId, marker, markerBytes);
              try {
                moveInPlace(base, temp, file);
              } catch (IOException | RuntimeException e) {
                undo(e, () -> removeFile(marker));
                throw e;
              }
              try {
                removeFile(replacedFile);
              } catch (IOException | RuntimeException e) {
                undo(e, () -> removeFile(marker), () -> removeFile(file));
                throw e;
              }
              if (!keepEntry) {
                untrack(replacedId);
              }
              track(id, expiresAt);
              return true;
            } finally {
              deleteQuietly(temp);
            }
          });
    } catch (IOException e) {
      throw failure("cannot replace the session file", replacedFile, "by", file, e);
    }
  }

  /**
   * Retires {@code id}: writes its marker, then removes its file; when the removal fails, the
   * marker that was there before (or none) is put back, and the session stays live. An entry that
   * is not a file is left beside the marker, which still retires the ID.
   */
  @Override
  public Retirement retire(String id, Retirement retirement, Instant markerExpiresAt) {
    Path file = fileFor(id);
    Path marker = markerFor(id);
    try {
      return locks.withStripes(
          id,
          null,
          lockTimeout,
          () -> {
            byte[] before = readMarkerBytes(marker);
            Retirement previous = liveMarkerOrNull(marker);
            boolean keepEntry = expiredBeforeItEnded(id, file);
            boolean removable = !isBadEntry(file);
            writeAtomically(
                retired,
                id,
                marker,
                encodeMarker(retirement, markerExpiresAt, removable ? digestOf(file) : NEVER));
            if (removable) {
              try {
                removeFile(file);
              } catch (IOException | RuntimeException e) {
                undo(
                    e,
                    before == null
                        ? () -> removeFile(marker)
                        : () -> writeAtomically(retired, id, marker, before));
                throw e;
              }
            }
            if (!keepEntry) {
              untrack(id);
            }
            return previous;
          });
    } catch (IOException e) {
      throw failure("cannot retire the session file", file, e);
    }
  }

  /** A step that puts back what an earlier step of a failed operation changed. */
  private interface UndoStep {
    void run() throws IOException;
  }

  /**
   * Undoes the steps of an operation that failed with {@code failure}, in order, stopping at the
   * first that fails, whose failure is added to {@code failure}: the steps are ordered so that what
   * an undo leaves unfinished still makes sense.
   */
  private static void undo(Throwable failure, UndoStep... steps) {
    for (UndoStep step : steps) {
      try {
        step.run();
      } catch (IOException | RuntimeException e) {
        failure.addSuppressed(e);
        return;
      }
    }
  }

  /**
   * The SHA-256 of what {@code file} holds, in hexadecimal, for the marker that retires it: the
   * clean-up removes a file left beside its marker only when it still holds exactly this. {@link
   * #NEVER} when there is no file.
   */
  private String digestOf(Path file) throws IOException {
    SessionFile found = readSessionFile(file);
    return found == null || found == BAD_ENTRY ? NEVER : digest(found.bytes());
  }

  static String digest(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
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
      if (found != null && isMoveInFlight(found.retirement())) {
        // A replace writes the marker before it moves the new session in place: once it lets go
        // of the stripe, the successor is there (or the marker was taken back).
        found = locks.withStripes(id, null, lockTimeout, () -> readMarker(marker));
      }
      return found == null || found.hasExpired(clock.millis()) ? null : found.retirement();
    } catch (IOException e) {
      throw failure("cannot read the retirement marker", marker, e);
    }
  }

  /**
   * Whether {@code retirement} names a successor that is neither in place nor retired in turn: a
   * replace still under way, or a successor removed since (rare, and told apart under the lock).
   */
  private boolean isMoveInFlight(Retirement retirement) {
    String successor = retirement.successor();
    return successor != null
        && !Files.exists(fileFor(successor))
        && !Files.exists(markerFor(successor));
  }

  /**
   * Whether {@code id} has a marker that has not expired. One that cannot be read counts, so that
   * an ID is refused rather than reused; the clean-up removes it.
   */
  private boolean hasLiveMarker(String id) throws IOException {
    Path file = markerFor(id);
    if (!Files.exists(file) && FAULTS.isEmpty()) {
      return false; // the usual case, told without the exception a missing file costs
    }
    try {
      Marker marker = readMarker(file);
      return marker != null && !marker.hasExpired(clock.millis());
    } catch (IllegalStateException e) {
      return true;
    }
  }

  /**
   * A retirement, when it may be dropped (epoch milliseconds), and the SHA-256 of the session file
   * it retired: {@link #NEVER} for none, {@code null} when the marker does not say (written by an
   * earlier version), which proves nothing.
   */
  private record Marker(Retirement retirement, long expiresAt, String retiredDigest) {
    boolean hasExpired(long nowMillis) {
      return expiresAt <= nowMillis;
    }

    /** Whether {@code file} is exactly the session this marker retired. */
    boolean retired(SessionFile file) {
      return retiredDigest != null
          && !retiredDigest.equals(NEVER)
          && file != null
          && file != BAD_ENTRY
          && retiredDigest.equals(digest(file.bytes()));
    }
  }

  private static byte[] encodeMarker(
      Retirement retirement, Instant expiresAt, String retiredDigest) {
    String expiry = expiresAt == null ? NEVER : Long.toString(expiresAt.toEpochMilli());
    return (retirement.encode() + "\n" + expiry + "\n" + retiredDigest + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The bytes of the marker file, or {@code null} when there is none or it is not a file. */
  private byte[] readMarkerBytes(Path file) throws IOException {
    checkFaults(Operation.READ, file);
    try {
      if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
        return null;
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * The marker in {@code file}, or {@code null} when there is none.
   *
   * @throws IllegalStateException naming the file by fingerprint when it is not a marker
   */
  private Marker readMarker(Path file) throws IOException {
    checkFaults(Operation.READ, file);
    String text;
    try {
      if (!Files.readAttributes(file, BasicFileAttributes.class).isRegularFile()) {
        throw notAMarker(file, null);
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (CharacterCodingException e) {
      throw notAMarker(file, e);
    }
    String[] lines = text.split("\n", -1);
    if (lines.length < 2) {
      throw notAMarker(file, null);
    }
    try {
      Retirement retirement = Retirement.decode(lines[0]);
      String expiry = lines[1].strip();
      long expiresAt = expiry.equals(NEVER) ? Long.MAX_VALUE : Long.parseLong(expiry);
      String digest = lines.length > 2 && !lines[2].isBlank() ? lines[2].strip() : null;
      return new Marker(retirement, expiresAt, digest);
    } catch (IllegalArgumentException e) { // NumberFormatException included
      throw notAMarker(file, e);
    }
  }

  private static IllegalStateException notAMarker(Path file, Exception cause) {
    return new IllegalStateException(
        describe(file) + " is not a retirement marker", redacted(cause));
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
        createEmpty(entry);
      } catch (NoSuchFileException e) {
        modes.createFolders(expiring);
        createEmpty(entry);
      }
      Files.setLastModifiedTime(entry, at);
    } catch (IOException e) {
      ledgerFailed(e);
    }
  }

  /** Creates an empty file, or leaves the one there. */
  private void createEmpty(Path file) throws IOException {
    checkFaults(Operation.CREATE, file);
    try {
      Files.newByteChannel(
              file,
              Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
              modes.fileAttributes(file))
          .close();
      modes.created(file);
    } catch (FileAlreadyExistsException e) {
      // Made meanwhile: its time is set next.
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
      SessionFile found = readSessionFile(file);
      if (found == null) {
        return true;
      }
      if (found == BAD_ENTRY) {
        return false;
      }
      return expiredAt(found.text(), Files.getLastModifiedTime(file)) <= clock.millis();
    } catch (NoSuchFileException e) {
      return true;
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
      removeFile(ledgerEntry(id));
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
          try {
            Long due = dueOf(entry);
            if (due != null
                && due <= at
                && locks.withStripes(id, null, lockTimeout, () -> settle(id, entry, at))) {
              claimed.add(id);
            }
          } catch (IOException | FsLocks.LockTimeoutException e) {
            if (closed) {
              break;
            }
            // This session waits for the next pass (its stripe held elsewhere, its file not
            // readable by this process); the others go on.
            warnOnce(id, "could not be checked for expiry", e);
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
              ? failure("cannot look for expired sessions in", expiring, io)
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
        LOG.log(
            Level.DEBUG, "Could not close a listing of " + expiring + ": " + redact(e.toString()));
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
    SessionFile found = readSessionFile(file);
    FileTime modified = null;
    if (found == BAD_ENTRY) {
      removeFile(entry); // not a session: nothing to report
      return false;
    }
    if (found != null) {
      try {
        modified = Files.getLastModifiedTime(file);
      } catch (NoSuchFileException e) {
        found = null;
      }
    }
    if (found != null) {
      if (hasLiveMarker(id)) {
        // Left beside its marker by a crash in the middle of a retire: ended, not expired.
        removeIfRetired(id, file, found);
        removeFile(entry);
        return false;
      }
      long expiredAt = expiredAt(found.text(), modified);
      if (expiredAt > now) {
        if (expiredAt == Long.MAX_VALUE) {
          removeFile(entry); // tracked again by the write that gives it an expiry
        } else {
          Files.setLastModifiedTime(entry, FileTime.fromMillis(expiredAt));
        }
        return false;
      }
      // Expired: removed as the clean-up would.
      removeFile(file);
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
                  removeFile(ledgerEntry(id));
                }
              }
              return null;
            });
      } catch (IOException e) {
        throw failure("cannot remove entries from the ledger", expiring, e);
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
        modes.createFolders(base);
        FsLocks.createFolders(base, modes);
      }
      if (!Files.isWritable(base)) {
        throw new IllegalStateException("the session folder " + base + " is not writable");
      }
    } catch (IOException e) {
      throw failure("cannot reach the session folder", base, e);
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
            modes.createFolders(folder);
          } catch (FileAlreadyExistsException | NoSuchFileException raced) {
            // Made by another index and removed again before this call could check it, or found
            // empty and removed by the clean-up before its mode was set: retry.
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
      throw failure("cannot write the index entry", entry, e);
    }
  }

  /** Creates {@code entry} holding {@code bytes}, failing when it exists. */
  private void createEntry(Path entry, byte[] bytes) throws IOException {
    checkFaults(Operation.CREATE, entry);
    try (FileChannel channel =
        FileChannel.open(
            entry,
            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            modes.fileAttributes(entry))) {
      modes.created(entry);
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
      if (removeFile(entry)) {
        removeIfEmpty(folder);
      }
    } catch (IOException e) {
      throw failure("cannot remove the index entry", entry, e);
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
      LOG.log(
          Level.DEBUG,
          "Could not remove the empty index folder " + folder + ": " + redact(e.toString()));
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
      throw failure("cannot list the index folder", folder, e);
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
      SessionFile found = readSessionFile(file);
      if (found == null || found == BAD_ENTRY || hasLiveMarker(id)) {
        return none;
      }
      FileTime modified = Files.getLastModifiedTime(file);
      BlobExpiry expiry = expiryOf(found.text());
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
          found.stored(),
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
    Path temp = writeTemporary(folder, id, bytes);
    try {
      moveInPlace(folder, temp, target);
    } finally {
      deleteQuietly(temp);
    }
  }

  /**
   * Writes {@code bytes} to a new temporary file in {@code folder}, dated now and forced to disk
   * when {@code fsync} is on, and returns it. Called under the stripe of {@code id}, which its name
   * starts with; a failure leaves no file.
   */
  private Path writeTemporary(Path folder, String id, byte[] bytes) throws IOException {
    Path temp = createTempFile(folder, id);
    boolean written = false;
    try {
      checkFaults(Operation.WRITE, temp);
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
      written = true;
      return temp;
    } finally {
      if (!written) {
        deleteQuietly(temp);
      }
    }
  }

  /** Moves a temporary file over {@code target} in one step; with {@code fsync}, durably. */
  private void moveInPlace(Path folder, Path temp, Path target) throws IOException {
    checkFaults(Operation.MOVE, target);
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the file system cannot replace files atomically: " + redact(e.getMessage()), e);
    }
    if (fsync) {
      forceFolder(folder);
    }
  }

  private Path createTempFile(Path folder, String id) throws IOException {
    checkFaults(Operation.CREATE, folder.resolve(id + TEMP_SUFFIX));
    try {
      return createTempFileIn(folder, id);
    } catch (NoSuchFileException e) {
      // Someone removed the folder while we run: make it again rather than fail until restart.
      LOG.log(Level.WARNING, "The session folder " + base + " was removed; creating it again");
      modes.createFolders(base);
      FsLocks.createFolders(base, modes);
      return createTempFileIn(folder, id);
    }
  }

  private Path createTempFileIn(Path folder, String id) throws IOException {
    Path temp = Files.createTempFile(folder, id + ".", TEMP_SUFFIX, modes.fileAttributes(folder));
    modes.created(temp);
    return temp;
  }

  /** Removes a file, if there; whether it was. */
  private boolean removeFile(Path file) throws IOException {
    checkFaults(Operation.DELETE, file);
    return Files.deleteIfExists(file);
  }

  /**
   * Removes a temporary file, if there, without failing: what a failure leaves, the clean-up
   * removes.
   */
  private static void deleteQuietly(Path temp) {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "Could not remove " + describe(temp) + ": " + redact(e.toString()));
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
   * A path as messages tell it: the folder it is in and, for a name holding a session ID, {@code
   * session#<fingerprint>} in the ID's place.
   */
  static String describe(Path file) {
    return redact(String.valueOf(file));
  }

  /**
   * A failure to hand up, naming sessions by fingerprint: the core logs its message and stack trace
   * at WARNING, and paths under the folder hold session IDs.
   */
  private static UncheckedIOException failure(String what, Path file, IOException e) {
    return new UncheckedIOException(
        what + " " + describe(file) + ": " + redact(e.toString()), redacted(e));
  }

  private static UncheckedIOException failure(
      String what, Path file, String joiner, Path other, IOException e) {
    return failure(what + " " + describe(file) + " " + joiner, other, e);
  }

  /** {@code text} with every session ID in it replaced by {@code session#<fingerprint>}. */
  static String redact(String text) {
    if (text == null) {
      return null;
    }
    return SESSION_ID
        .matcher(text)
        .replaceAll(found -> "session#" + SessionIds.fingerprint(found.group()));
  }

  /**
   * {@code e} as an exception whose messages, its causes' and suppressed failures' included, name
   * sessions by fingerprint; it keeps the stack traces, and the original type in its message.
   */
  static IOException redacted(Throwable e) {
    return redacted(e, 0);
  }

  private static IOException redacted(Throwable e, int depth) {
    if (e == null || depth > 20) {
      return null;
    }
    Redacted copy = new Redacted(redact(e.toString()), redacted(e.getCause(), depth + 1));
    copy.setStackTrace(e.getStackTrace());
    for (Throwable suppressed : e.getSuppressed()) {
      copy.addSuppressed(redacted(suppressed, depth + 1));
    }
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

  /** The file operations a {@link Faults} seam may fail. */
  enum Operation {
    /** Creating a file: a temporary file (its name a pattern), a ledger or an index entry. */
    CREATE,
    /** Writing bytes to a temporary file. */
    WRITE,
    /** Moving a file over another, or aside. */
    MOVE,
    /** Removing a file. */
    DELETE,
    /** Reading a session file or a marker. */
    READ
  }

  /**
   * For tests on machines that cannot make a fault for real (a full disk needs a mount, a read-only
   * folder a user other than root): fails chosen operations on chosen paths, before they happen.
   */
  interface Faults {
    Faults NONE = (operation, file) -> {};

    /** Throws what the file system would, or returns to let the operation happen. */
    void check(Operation operation, Path file) throws IOException;
  }

  /** The faults tests set, by the real path of the folder whose drivers meet them. */
  private static final Map<Path, Faults> FAULTS = new ConcurrentHashMap<>();

  /**
   * Makes every driver on {@code folder} meet {@code faults} until the returned handle is closed: a
   * test's drivers, including one a {@link dev.satchel.Satchel} built.
   */
  static Injected injectFaults(Path folder, Faults faults) throws IOException {
    Path real = folder.toRealPath();
    FAULTS.put(real, faults);
    return () -> FAULTS.remove(real, faults);
  }

  /** Faults a test injected, removed on close. */
  interface Injected extends AutoCloseable {
    @Override
    void close();
  }

  private void checkFaults(Operation operation, Path file) throws IOException {
    if (!FAULTS.isEmpty()) {
      Faults found = FAULTS.get(base);
      if (found != null) {
        found.check(operation, file);
      }
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
   * its live marker by a crash in the middle of {@link #retire} or {@link #replace} (when it is
   * still the session the marker retired), and index entries whose session is gone. The folders
   * {@code .retired}, {@code .locks} and {@code .principals} are not sessions, whose names are IDs,
   * and are never removed. An entry it cannot handle (one that is not a file, one this process may
   * not read) is skipped with one warning, naming the session by fingerprint, and the clean-up goes
   * on; a stripe held elsewhere past the lock time-out is skipped for the rest of the pass.
   */
  void cleanUp() throws IOException {
    long now = clock.millis();
    Set<Integer> heldStripes = new HashSet<>();
    Set<String> markedIds = cleanUpMarkers(now, heldStripes);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(base)) {
      for (Path file : files) {
        if (closed) {
          return;
        }
        String name = file.getFileName().toString();
        String id = SessionIds.isValid(name) ? name : temporaryFilesId(name);
        if (id == null || heldStripes.contains(FsLocks.stripeOf(id))) {
          continue;
        }
        try {
          if (id.equals(name)) {
            cleanUpSession(id, file, markedIds.contains(id), now);
          } else {
            locks.withStripes(id, null, lockTimeout, () -> removeFile(file));
          }
        } catch (FsLocks.LockTimeoutException e) {
          heldStripes.add(FsLocks.stripeOf(id));
        } catch (IOException | RuntimeException e) {
          if (closed) {
            return;
          }
          warnOnce(id, "could not be cleaned up", e);
        }
      }
    } catch (NoSuchFileException e) {
      // The folder was removed; the next write makes it again.
    }
    if (!heldStripes.isEmpty()) {
      LOG.log(
          Level.WARNING,
          "Removing expired sessions from "
              + base
              + " skipped the sessions of "
              + heldStripes.size()
              + (heldStripes.size() == 1 ? " lock file" : " lock files")
              + " held by another process past `lock-timeout`; the next clean-up tries them again");
    }
    // After the sessions, so that the entries of sessions just removed go in the same pass.
    cleanUpIndex(now);
  }

  /**
   * Warns, once for each session, that the clean-up or a claim skipped the entry of session {@code
   * id}: the same entry skipped again is not logged again, as an entry an operator must look at
   * stays as it is until they do.
   */
  private void warnOnce(String id, String problem, Throwable cause) {
    if (warned.size() < MAX_WARNED && warned.add(id)) {
      LOG.log(
          Level.WARNING,
          "The entry of session#"
              + SessionIds.fingerprint(id)
              + " in "
              + base
              + " "
              + problem
              + (cause == null ? "" : " (" + redact(cause.toString()) + ")")
              + "; it is left as it is, and the rest goes on");
    }
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
              removeFile(entry);
            }
          }
        } catch (NoSuchFileException e) {
          continue; // removed meanwhile by an unindex
        } catch (IOException | DirectoryIteratorException e) {
          if (closed) {
            return;
          }
          LOG.log(
              Level.DEBUG,
              "Could not clean up the index folder " + folder + ": " + redact(e.toString()));
          continue;
        }
        removeIfEmpty(folder);
      }
    } catch (NoSuchFileException e) {
      // Nothing was ever indexed here.
    }
  }

  /**
   * Removes expired and unreadable markers; returns the IDs of the live ones. A marker whose stripe
   * is held past the lock time-out adds the stripe to {@code heldStripes}.
   */
  private Set<String> cleanUpMarkers(long now, Set<Integer> heldStripes) throws IOException {
    Set<String> live = new HashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(retired)) {
      for (Path file : files) {
        if (closed) {
          return live;
        }
        String name = file.getFileName().toString();
        String id = SessionIds.isValid(name) ? name : temporaryFilesId(name);
        if (id == null || heldStripes.contains(FsLocks.stripeOf(id))) {
          continue;
        }
        try {
          if (!id.equals(name)) {
            locks.withStripes(id, null, lockTimeout, () -> removeFile(file));
          } else if (isLiveMarker(file, now)) {
            live.add(name);
          } else {
            cleanUpMarker(name, file, now);
          }
        } catch (FsLocks.LockTimeoutException e) {
          heldStripes.add(FsLocks.stripeOf(id));
        } catch (IOException | RuntimeException e) {
          if (closed) {
            return live;
          }
          warnOnce(id, "in " + retired.getFileName() + " could not be cleaned up", e);
        }
      }
    } catch (NoSuchFileException e) {
      // The folder was removed; the next write makes it again.
    }
    return live;
  }

  /** Removes an expired or unreadable marker, checked again under its stripe. */
  private void cleanUpMarker(String id, Path file, long now) throws IOException {
    locks.withStripes(
        id,
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
                    + SessionIds.fingerprint(id)
                    + " from "
                    + retired);
          }
          return removeFile(file);
        });
  }

  /** Whether {@code file} is a marker that has not expired; one that cannot be read is not. */
  private boolean isLiveMarker(Path file, long now) throws IOException {
    try {
      Marker marker = readMarker(file);
      return marker != null && !marker.hasExpired(now);
    } catch (IllegalStateException e) {
      return false;
    }
  }

  private void cleanUpSession(String id, Path file, boolean marked, long now) throws IOException {
    // Read and parsed outside the lock, which writers of this stripe would otherwise wait on.
    SessionFile found = readSessionFile(file);
    if (found == null) {
      return;
    }
    if (found == BAD_ENTRY) {
      warnOnce(id, "is not a file (a folder?): no session reads from it", null);
      return;
    }
    if (marked && locks.withStripes(id, null, lockTimeout, () -> removeIfRetired(id, file, null))) {
      return;
    }
    FileTime modified;
    try {
      modified = Files.getLastModifiedTime(file);
    } catch (NoSuchFileException e) {
      return;
    }
    BlobExpiry expiry = expiryOf(found.text());
    Duration idle = idleTimeout(expiry.ownIdle(), idleTimeout);
    if (idle != null && isIdle(modified, idle)) {
      locks.withStripes(
          id,
          null,
          lockTimeout,
          () -> {
            // Checked again under the lock: a write or a read may have refreshed it meanwhile.
            return currentSession(file) == null && removeFile(file);
          });
      return;
    }
    if (expiry.keysLiveUntil() < now) {
      locks.withStripes(
          id,
          null,
          lockTimeout,
          () -> {
            SessionFile current = currentSession(file);
            return current != null && current.version().equals(found.version()) && removeFile(file);
          });
    }
  }

  /**
   * Removes a session file left beside its live marker when it is exactly the session the marker
   * retired (a crash, or a failed undo, between the marker and the removal) and, for a move, the
   * session it moved to was written; a file written since, one beside a marker that does not say
   * what it retired, or the only copy of a session whose move never completed, is left to expire as
   * any session. Called under the ID's stripe, with the file as just read, or {@code null} to read
   * it.
   */
  private boolean removeIfRetired(String id, Path file, SessionFile found) throws IOException {
    Marker marker;
    try {
      marker = readMarker(markerFor(id));
    } catch (IllegalStateException e) {
      return false;
    }
    if (marker == null || marker.hasExpired(clock.millis())) {
      return false;
    }
    SessionFile current = found != null ? found : readSessionFile(file);
    if (!marker.retired(current)) {
      return false;
    }
    String successor = marker.retirement().successor();
    if (successor != null
        && !Files.exists(fileFor(successor), LinkOption.NOFOLLOW_LINKS)
        && !Files.exists(markerFor(successor), LinkOption.NOFOLLOW_LINKS)) {
      return false; // a move that never completed: this file is its session's only copy
    }
    return removeFile(file);
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

  /**
   * The session ID a temporary file's name starts with ({@code <id>.<random>.tmp}), or {@code null}
   * for any other name. A writer holds its session's stripe for the whole life of its temporary
   * file, so one found under that stripe was left by a process that died mid-write.
   */
  private static String temporaryFilesId(String name) {
    if (name.endsWith(TEMP_SUFFIX) && name.length() > 36 && name.charAt(36) == '.') {
      String id = name.substring(0, 36);
      return SessionIds.isValid(id) ? id : null;
    }
    return null;
  }

  private void cleanUpQuietly() {
    try {
      cleanUp();
    } catch (IOException | RuntimeException e) {
      if (!closed) { // else interrupted by close()
        // The whole folder failed (one entry is only skipped): said once per interval, its stack
        // trace only to debugging.
        LOG.log(
            Level.WARNING,
            "Removing expired sessions from " + base + " failed: " + redact(e.toString()));
        LOG.log(Level.DEBUG, "The clean-up's failure", redacted(e));
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
