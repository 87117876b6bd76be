package dev.satchel.micrometer;

import static java.util.Objects.requireNonNull;

import dev.satchel.Instrumentation;
import dev.satchel.Satchel;
import dev.satchel.SessionEvent;
import dev.satchel.SessionStorageException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.observation.ObservationRegistry;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * A {@link Satchel}'s sessions, commits and store calls as Micrometer meters, every one tagged
 * {@code driver} with the driver's name (never with a session ID or a principal):
 *
 * <ul>
 *   <li>{@code satchel.sessions} (counter): sessions {@code event} = {@code created}, {@code
 *       id.changed}, {@code destroyed} or {@code expired}, with the {@code reason} a session was
 *       destroyed ({@code log.out}, {@code ended}, {@code ended.all}, {@code limit}, {@code
 *       lifetime}; {@code none} for the other events);
 *   <li>{@code satchel.commits} (counter): commit attempts by {@code outcome} = {@code written},
 *       {@code conflicted}, {@code refused.size}, {@code failed} or {@code dropped};
 *   <li>{@code satchel.updates.retried} (counter): {@code Session.update} changes run again after a
 *       lost race;
 *   <li>{@code satchel.store.calls} (function timer: count and total time, no maximum): driver
 *       calls by {@code operation} ({@code read}, {@code write}, …), {@code outcome} = {@code
 *       success} or {@code failure}, and {@code exception}, the simple class name of what the
 *       driver threw ({@code none} on success). Every call is counted; calls under 10 µs, such as
 *       the memory driver's, are timed one in 16 at random and the total time estimated from those,
 *       as reading the clock would cost them a third of their time;
 *   <li>{@code satchel.session.size} (distribution summary, in characters): the stored text of each
 *       session written;
 *   <li>{@code satchel.decoded.cache} (counter): reads of a stored session whose decoded form was
 *       in the decoded-session cache, {@code result} = {@code hit} or {@code miss};
 *   <li>{@code satchel.sessions.active} (gauge): the sessions in the store, for drivers that can
 *       count them ({@code memory}, {@code redis}; not {@code fs}), counted at most every 5
 *       seconds, and NaN while the store does not answer.
 * </ul>
 *
 * <p>Given an {@link ObservationRegistry}, each store call also runs in an {@code
 * satchel.store.call} observation (contextual name {@code satchel <operation>}, low-cardinality
 * keys {@code satchel.driver} and {@code satchel.operation}) with its scope open, so that a tracer
 * shows store calls as spans of the request, with the store client's own spans under them.
 *
 * <p>{@link #bindTo} reports through {@link Satchel#instrument}, replacing what that reported to
 * before, and a {@link Satchel#addListener listener}. Binding one instance to several registries
 * reports to each.
 */
public final class SatchelMetrics implements MeterBinder {
  private final Satchel satchel;
  private final ObservationRegistry observations;
  private final String driver;

  /** The meters of each registry bound so far; replaced whole, read by the listener. */
  private volatile Meters[] bound = new Meters[0];

  /** Meters of {@code satchel}, without observations. */
  public SatchelMetrics(Satchel satchel) {
    this.satchel = requireNonNull(satchel, "satchel");
    this.observations = null;
    this.driver = satchel.driverName();
  }

  /**
   * Meters of {@code satchel}, and an observation around each store call in {@code observations}
   * (none when it is {@link ObservationRegistry#NOOP}).
   */
  public SatchelMetrics(Satchel satchel, ObservationRegistry observations) {
    this.satchel = requireNonNull(satchel, "satchel");
    requireNonNull(observations, "observations");
    this.observations = observations == ObservationRegistry.NOOP ? null : observations;
    this.driver = satchel.driverName();
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    synchronized (this) {
      Meters[] before = bound;
      for (Meters meters : before) {
        if (meters.registry() == registry) {
          return; // bound already: counting twice into one registry would double every count
        }
      }
      Meters meters = new Meters(registry, driver);
      Meters[] now = Arrays.copyOf(before, before.length + 1);
      now[before.length] = meters;
      bound = now;
      Instrumentation reported = now.length == 1 ? now[0] : new Fanout(now);
      if (observations != null) {
        reported = new ObservedInstrumentation(reported, observations, driver);
      }
      satchel.instrument(reported);
      if (before.length == 0) {
        satchel.addListener(this::onEvent);
      }
      if (canCount()) {
        ActiveSessions.register(registry, satchel, driver);
      }
    }
  }

  private void onEvent(SessionEvent event) {
    for (Meters meters : bound) {
      meters.onEvent(event);
    }
  }

  /**
   * Whether the driver counts sessions. One that cannot answers empty without asking the store, so
   * a store that fails now is one that counts.
   */
  private boolean canCount() {
    try {
      OptionalLong count = satchel.countSessions();
      return count.isPresent();
    } catch (SessionStorageException e) {
      return true;
    }
  }

  /** Reports to the meters of several registries. */
  private static final class Fanout implements Instrumentation {
    private final Meters[] targets;

    Fanout(Meters[] targets) {
      this.targets = targets.clone();
    }

    @Override
    public StoreCall storeCall(String operation) {
      StoreCall[] calls = new StoreCall[targets.length];
      for (int i = 0; i < calls.length; i++) {
        calls[i] = targets[i].storeCall(operation);
      }
      return failure -> {
        for (StoreCall call : calls) {
          call.end(failure);
        }
      };
    }

    @Override
    public void commit(CommitOutcome outcome) {
      for (Meters target : targets) {
        target.commit(outcome);
      }
    }

    @Override
    public void updateRetried() {
      for (Meters target : targets) {
        target.updateRetried();
      }
    }

    @Override
    public void stored(int characters) {
      for (Meters target : targets) {
        target.stored(characters);
      }
    }

    @Override
    public void decodedCache(boolean hit) {
      for (Meters target : targets) {
        target.decodedCache(hit);
      }
    }
  }
}
