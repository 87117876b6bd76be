package dev.satchel.redis;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionStorageException;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A steady load of requests for tests of a changing Redis: threads that each add items to the
 * {@code items} list of their sessions with {@code update}, one request after another, and keep
 * track of every item a request reported stored, of the requests that failed, and of how long the
 * longest request took.
 */
final class SessionLoad implements AutoCloseable {
  static final ValueCodec<List<String>> ITEMS = ValueCodecs.list(ValueCodecs.strings());

  private final Satchel satchel;
  private final List<String> sessions;
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Map<String, Set<String>> acknowledged = new ConcurrentHashMap<>();
  private final AtomicInteger succeeded = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicLong longestNanos = new AtomicLong();
  private final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();

  /**
   * Starts {@code threadCount} threads; thread {@code t} works on the sessions whose index is
   * {@code t} modulo the thread count, so that requests seldom race one another.
   */
  SessionLoad(Satchel satchel, List<String> sessions, int threadCount) {
    this.satchel = satchel;
    this.sessions = List.copyOf(sessions);
    for (String session : sessions) {
      acknowledged.put(session, ConcurrentHashMap.newKeySet());
    }
    for (int t = 0; t < threadCount; t++) {
      int thread = t;
      Thread worker = new Thread(() -> work(thread, threadCount), "session-load-" + t);
      worker.setDaemon(true);
      threads.add(worker);
    }
    threads.forEach(Thread::start);
  }

  /** Creates {@code count} sessions, each holding an empty {@code items} list; returns the IDs. */
  static List<String> createSessions(Satchel satchel, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Session session = satchel.open(null, cookie -> {});
      session.set("items", List.of(), ITEMS);
      session.commit();
      ids.add(session.id().orElseThrow());
    }
    return ids;
  }

  private void work(int thread, int threadCount) {
    for (int n = 0; !stopped.get(); n++) {
      List<String> mine = new ArrayList<>();
      for (int i = thread % sessions.size(); i < sessions.size(); i += threadCount) {
        mine.add(sessions.get(i));
      }
      String session = mine.get(n % mine.size());
      String item = "t" + thread + "-" + n;
      long started = System.nanoTime();
      try {
        satchel
            .open(session, cookie -> {})
            .update(
                "items",
                ITEMS,
                items -> {
                  List<String> next = items == null ? new ArrayList<>() : new ArrayList<>(items);
                  next.add(item);
                  return next;
                });
        acknowledged.get(session).add(item);
        succeeded.incrementAndGet();
      } catch (SessionStorageException e) {
        failed.incrementAndGet();
        pauseAfterFailure();
      } catch (Throwable e) {
        unexpected.add(e);
      } finally {
        longestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
      }
    }
  }

  /** A failing store answers at once; a short pause keeps the failures from being a busy loop. */
  private static void pauseAfterFailure() {
    try {
      Thread.sleep(5);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Requests that reported their item stored so far. */
  int succeeded() {
    return succeeded.get();
  }

  /** Requests that failed with {@link SessionStorageException} so far. */
  int failed() {
    return failed.get();
  }

  /** Waits, at most {@code within}, until {@code more} further requests have succeeded. */
  void awaitSuccesses(int more, Duration within) {
    int target = succeeded() + more;
    RedisClusterProcess.await(
        within, () -> succeeded() >= target, more + " more successful requests");
  }

  /** The longest any request took. */
  Duration longestRequest() {
    return Duration.ofNanos(longestNanos.get());
  }

  /** Failures other than {@link SessionStorageException}. */
  List<Throwable> unexpected() {
    return new ArrayList<>(unexpected);
  }

  /**
   * Stops the threads, waiting at most {@code within} for the requests under way.
   *
   * @throws AssertionError when a thread is still in a request after that: it hangs
   */
  void stop(Duration within) throws InterruptedException {
    stopped.set(true);
    long deadline = System.nanoTime() + within.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (thread.isAlive()) {
        throw new AssertionError(thread.getName() + " is stuck in a request");
      }
    }
  }

  /**
   * While this load runs, moves the slot of each of the first eight sessions to the next primary of
   * {@code cluster} (after 50 requests succeeded), then lets 100 more succeed and stops.
   *
   * @return the moves made, slot to the port of its new primary
   */
  Map<Integer, Integer> whileSlotsMove(RedisClusterProcess cluster) throws InterruptedException {
    List<Integer> primaries = cluster.primaryPorts();
    Map<Integer, Integer> moves = new LinkedHashMap<>();
    for (String session : sessions.subList(0, 8)) {
      int slot = SlotHash.getSlot(session);
      int from = cluster.primaryOf(slot);
      moves.putIfAbsent(slot, primaries.get((primaries.indexOf(from) + 1) % primaries.size()));
    }
    try {
      awaitSuccesses(50, Duration.ofSeconds(30));
      moves.forEach((slot, to) -> cluster.migrateSlot(slot, to, Duration.ofMillis(30)));
      awaitSuccesses(100, Duration.ofSeconds(30));
    } finally {
      stop(Duration.ofSeconds(30));
    }
    return moves;
  }

  /**
   * The items a request reported stored that {@code reader} does not find in their session, by
   * session. While the load runs, items reported stored after this started are left out.
   */
  Map<String, Set<String>> lost(Satchel reader) {
    Map<String, Set<String>> lost = new ConcurrentHashMap<>();
    for (Map.Entry<String, Set<String>> session : acknowledged.entrySet()) {
      // Taken before reading, so that items stored meanwhile do not count as lost.
      Set<String> missing = new HashSet<>(session.getValue());
      Set<String> stored =
          new HashSet<>(
              reader.open(session.getKey(), cookie -> {}).get("items", ITEMS).orElse(List.of()));
      missing.removeAll(stored);
      if (!missing.isEmpty()) {
        lost.put(session.getKey(), missing);
      }
    }
    return lost;
  }

  /** How many items requests reported stored. */
  int acknowledgedCount() {
    return acknowledged.values().stream().mapToInt(Set::size).sum();
  }

  @Override
  public void close() throws InterruptedException {
    stop(Duration.ofSeconds(30));
  }
}
