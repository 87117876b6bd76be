package dev.satchel;

import java.lang.System.Logger.Level;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells a {@link Satchel}'s listeners what happened to its sessions. Called after the store call
 * that made the change returned; a listener that throws is logged, at most once per {@link
 * StoreOutage#SUMMARY_INTERVAL} with its stack trace, and the others are still told.
 */
final class SessionEvents {
  private static final System.Logger LOG = System.getLogger("dev.satchel");

  private final List<SessionListener> listeners = new CopyOnWriteArrayList<>();
  private final Clock clock;
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong nextFailureLogNanos = new AtomicLong(System.nanoTime());

  SessionEvents(Clock clock, List<SessionListener> listeners) {
    this.clock = clock;
    this.listeners.addAll(listeners);
  }

  void add(SessionListener listener) {
    listeners.add(listener);
  }

  /** Whether anyone listens: work done only to tell an event is skipped otherwise. */
  boolean isObserved() {
    return !listeners.isEmpty();
  }

  void created(String id, String principal) {
    if (isObserved()) {
      publish(new SessionEvent.Created(id, principal, clock.instant()));
    }
  }

  void idChanged(String previousId, String id, String principal) {
    if (isObserved()) {
      publish(new SessionEvent.IdChanged(previousId, id, principal, clock.instant()));
    }
  }

  void destroyed(String id, String principal, SessionEvent.Reason reason) {
    if (isObserved()) {
      publish(new SessionEvent.Destroyed(id, principal, reason, clock.instant()));
    }
  }

  void expired(String id) {
    if (isObserved()) {
      publish(new SessionEvent.Expired(id, clock.instant()));
    }
  }

  private void publish(SessionEvent event) {
    VirtualMachineError fatal = null;
    for (SessionListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (VirtualMachineError e) {
        fatal = e;
      } catch (Throwable e) {
        // An Error from a listener (an assertion) is its bug, not the change's: the change stands.
        reportFailure(listener, event, e);
      }
    }
    if (fatal != null) {
      throw fatal;
    }
  }

  private void reportFailure(SessionListener listener, SessionEvent event, Throwable e) {
    long failed = failures.incrementAndGet();
    long now = System.nanoTime();
    long due = nextFailureLogNanos.get();
    if (now - due >= 0
        && nextFailureLogNanos.compareAndSet(due, now + StoreOutage.SUMMARY_INTERVAL.toNanos())) {
      LOG.log(
          Level.WARNING,
          "A session listener ("
              + listener.getClass().getName()
              + ") failed on "
              + event
              + "; the change stands. "
              + failed
              + " listener calls have failed so far; the next failure is logged in "
              + StoreOutage.SUMMARY_INTERVAL.toSeconds()
              + " s at the earliest, each one at DEBUG",
          LogRedaction.throwable(e));
    } else {
      LOG.log(Level.DEBUG, "A session listener failed on " + event, LogRedaction.throwable(e));
    }
  }
}
