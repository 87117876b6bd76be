package dev.satchel.micrometer;

import dev.satchel.Instrumentation;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs each store call in a {@code satchel.store.call} observation with its scope open, around the
 * meters' own timing: a tracer makes it a span, child of the request's, and parent of whatever the
 * store client observes during the call.
 */
final class ObservedInstrumentation implements Instrumentation {
  static final String NAME = "satchel.store.call";

  private static final System.Logger LOG = System.getLogger("dev.satchel.micrometer");

  private final Instrumentation meters;
  private final ObservationRegistry registry;
  private final KeyValues driverKey;
  private final Map<String, Names> names = new ConcurrentHashMap<>();

  ObservedInstrumentation(Instrumentation meters, ObservationRegistry registry, String driver) {
    this.meters = meters;
    this.registry = registry;
    this.driverKey = KeyValues.of("satchel.driver", driver);
  }

  /** What an operation's observations are called and keyed by, built once. */
  private record Names(String contextual, KeyValues keys) {}

  @Override
  public StoreCall storeCall(String operation) {
    StoreCall timed = meters.storeCall(operation);
    if (registry.isNoop()) {
      return timed;
    }
    Names named = names.get(operation);
    if (named == null) {
      named =
          names.computeIfAbsent(
              operation, op -> new Names("satchel " + op, driverKey.and("satchel.operation", op)));
    }
    Observation observation = null;
    try {
      observation =
          Observation.createNotStarted(NAME, registry)
              .contextualName(named.contextual())
              .lowCardinalityKeyValues(named.keys())
              .start();
      return new ObservedCall(timed, observation, observation.openScope());
    } catch (RuntimeException e) {
      // A handler's failure must not fail the request: the call is only timed.
      LOG.log(Level.DEBUG, "Starting an observation of a store call failed", e);
      if (observation != null) {
        stop(observation);
      }
      return timed;
    }
  }

  private static void stop(Observation observation) {
    try {
      observation.stop();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "Stopping an observation of a store call failed", e);
    }
  }

  @Override
  public void commit(CommitOutcome outcome) {
    meters.commit(outcome);
  }

  @Override
  public void updateRetried() {
    meters.updateRetried();
  }

  @Override
  public void stored(int characters) {
    meters.stored(characters);
  }

  @Override
  public void decodedCache(boolean hit) {
    meters.decodedCache(hit);
  }

  /** A store call in its observation. */
  private static final class ObservedCall implements StoreCall {
    private final StoreCall timed;
    private final Observation observation;
    private final Observation.Scope scope;

    ObservedCall(StoreCall timed, Observation observation, Observation.Scope scope) {
      this.timed = timed;
      this.observation = observation;
      this.scope = scope;
    }

    @Override
    public void end(Throwable failure) {
      timed.end(failure);
      try {
        scope.close();
        if (failure != null) {
          observation.error(failure);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "Closing an observation of a store call failed", e);
      }
      stop(observation);
    }
  }
}
