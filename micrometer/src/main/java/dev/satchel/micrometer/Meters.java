package dev.satchel.micrometer;

import dev.satchel.Instrumentation;
import dev.satchel.SessionEvent;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One registry's meters, resolved when bound: a request's calls only add to meters found in a map
 * or an array, and build no tags.
 */
final class Meters implements Instrumentation {
  /**
   * What {@link Instrumentation#storeCall} names, registered up front so every series starts at 0.
   */
  static final String[] OPERATIONS = {
    "read",
    "write",
    "replace",
    "retire",
    "retirement",
    "delete",
    "index",
    "unindex",
    "indexed",
    "claim-expired",
    "acknowledge-expired",
    "count",
    "ping"
  };

  static final String NONE = "none";

  private final MeterRegistry registry;
  private final Tags driverTags;
  private final Map<String, Operation> operations = new ConcurrentHashMap<>();
  private final Counter[] commits;
  private final Counter updatesRetried;
  private final DistributionSummary sessionSize;
  private final Counter cacheHits;
  private final Counter cacheMisses;
  private final Counter created;
  private final Counter idChanged;
  private final Counter expired;
  private final Counter[] destroyed;

  Meters(MeterRegistry registry, String driver) {
    this.registry = registry;
    this.driverTags = Tags.of("driver", driver);
    for (String operation : OPERATIONS) {
      operations.put(operation, new Operation(operation));
    }
    CommitOutcome[] outcomes = CommitOutcome.values();
    commits = new Counter[outcomes.length];
    for (CommitOutcome outcome : outcomes) {
      commits[outcome.ordinal()] =
          Counter.builder("satchel.commits")
              .description("Attempts to store a request's changes to a session, by outcome")
              .tags(driverTags)
              .tag("outcome", tagValue(outcome.name()))
              .register(registry);
    }
    updatesRetried =
        Counter.builder("satchel.updates.retried")
            .description("Session.update changes run again after losing a race to another request")
            .tags(driverTags)
            .register(registry);
    sessionSize =
        DistributionSummary.builder("satchel.session.size")
            .description("The stored text of each session written")
            .baseUnit("characters")
            .tags(driverTags)
            .register(registry);
    cacheHits = cacheCounter("hit");
    cacheMisses = cacheCounter("miss");
    created = sessions("created", NONE);
    idChanged = sessions("id.changed", NONE);
    expired = sessions("expired", NONE);
    SessionEvent.Reason[] reasons = SessionEvent.Reason.values();
    destroyed = new Counter[reasons.length];
    for (SessionEvent.Reason reason : reasons) {
      destroyed[reason.ordinal()] = sessions("destroyed", tagValue(reason.name()));
    }
  }

  MeterRegistry registry() {
    return registry;
  }

  /** {@code ENDED_ALL} as {@code ended.all}: Micrometer's dotted lower case. */
  static String tagValue(String constant) {
    return constant.toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private Counter cacheCounter(String result) {
    return Counter.builder("satchel.decoded.cache")
        .description("Reads of a stored session, by whether its decoded form was cached")
        .tags(driverTags)
        .tag("result", result)
        .register(registry);
  }

  private Counter sessions(String event, String reason) {
    return Counter.builder("satchel.sessions")
        .description("Sessions created, moved to a new ID, destroyed or expired")
        .tags(driverTags)
        .tag("event", event)
        .tag("reason", reason)
        .register(registry);
  }

  // ------------------------------------------------------------------------- Instrumentation

  @Override
  public StoreCall storeCall(String operation) {
    Operation calls = operations.get(operation);
    if (calls == null) {
      calls = operations.computeIfAbsent(operation, Operation::new);
    }
    return calls.start();
  }

  @Override
  public void commit(CommitOutcome outcome) {
    commits[outcome.ordinal()].increment();
  }

  @Override
  public void updateRetried() {
    updatesRetried.increment();
  }

  @Override
  public void stored(int characters) {
    sessionSize.record(characters);
  }

  @Override
  public void decodedCache(boolean hit) {
    (hit ? cacheHits : cacheMisses).increment();
  }

  void onEvent(SessionEvent event) {
    if (event instanceof SessionEvent.Created) {
      created.increment();
    } else if (event instanceof SessionEvent.IdChanged) {
      idChanged.increment();
    } else if (event instanceof SessionEvent.Destroyed destroyedEvent) {
      destroyed[destroyedEvent.reason().ordinal()].increment();
    } else if (event instanceof SessionEvent.Expired) {
      expired.increment();
    }
  }

  /**
   * A call under this long is timed once in {@link #SAMPLING}: reading the clock before and after a
   * call costs some 60 ns, a third of a memory-driver call (timing a request's read and write there
   * added nearly 3% to its session work), and nothing measurable on a store across a network, whose
   * calls are each timed.
   */
  static final long FAST_NANOS = 10_000;

  /** One fast call in this many is timed, and counts this many times in the total time. */
  static final int SAMPLING = 16;

  /** A store call being timed, standing for {@code weight} calls in the total time. */
  private static final class TimedCall implements StoreCall {
    private final Operation operation;
    private final int weight;
    private final long started;

    TimedCall(Operation operation, int weight, long started) {
      this.operation = operation;
      this.weight = weight;
      this.started = started;
    }

    @Override
    public void end(Throwable failure) {
      operation.timed(System.nanoTime() - started, weight, failure);
    }
  }

  /**
   * The running count and total time of one series of {@code satchel.store.calls}, read by a {@link
   * FunctionTimer}: two adds per call, where a {@link io.micrometer.core.instrument.Timer} would
   * also read the wall clock for its maximum, some 30 ns more.
   */
  static final class Calls {
    private final LongAdder count = new LongAdder();
    private final LongAdder nanos = new LongAdder();

    void add(long took, int weight) {
      count.increment();
      nanos.add(took * weight);
    }

    void count() {
      count.increment();
    }

    long calls() {
      return count.sum();
    }

    double nanos() {
      return nanos.sum();
    }
  }

  /**
   * The calls of one operation: successes, and failures by exception class. Every call is counted;
   * while its calls are fast, one in {@link #SAMPLING} is timed, chosen at random, and its time
   * counted for {@link #SAMPLING} calls, which keeps the total time an unbiased estimate.
   */
  private final class Operation {
    private final String name;
    private final Calls success;
    private final Map<Class<?>, Calls> failures = new ConcurrentHashMap<>();

    /** Counts a call without timing it; shared, so that such a call allocates nothing. */
    private final StoreCall untimed = this::untimed;

    /** One call in this many is timed: 1 until a timed call is fast, and again once one is not. */
    private volatile int period = 1;

    Operation(String name) {
      this.name = name;
      this.success = register(name, "success", NONE);
    }

    StoreCall start() {
      int every = period;
      if (every == 1 || ThreadLocalRandom.current().nextInt(every) == 0) {
        return new TimedCall(this, every, System.nanoTime());
      }
      return untimed;
    }

    void timed(long took, int weight, Throwable failure) {
      (failure == null ? success : failed(failure)).add(took, weight);
      int next = took < FAST_NANOS ? SAMPLING : 1;
      if (next != period) {
        period = next;
      }
    }

    private void untimed(Throwable failure) {
      (failure == null ? success : failed(failure)).count();
    }

    private Calls failed(Throwable failure) {
      Calls calls = failures.get(failure.getClass());
      if (calls == null) {
        calls =
            failures.computeIfAbsent(
                failure.getClass(), type -> register(name, "failure", exceptionName(type)));
      }
      return calls;
    }

    private Calls register(String operation, String outcome, String exception) {
      Calls calls = new Calls();
      FunctionTimer.builder(
              "satchel.store.calls", calls, Calls::calls, Calls::nanos, TimeUnit.NANOSECONDS)
          .description("Calls to the session store's driver")
          .tags(driverTags)
          .tag("operation", operation)
          .tag("outcome", outcome)
          .tag("exception", exception)
          .register(registry);
      return calls;
    }
  }

  private static String exceptionName(Class<?> type) {
    String simple = type.getSimpleName();
    return simple.isEmpty() ? type.getName() : simple;
  }
}
