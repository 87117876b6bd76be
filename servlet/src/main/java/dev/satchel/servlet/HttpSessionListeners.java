package dev.satchel.servlet;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionEvent;
import dev.satchel.SessionListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.List;

/**
 * The {@link HttpSessionListener}s and {@link HttpSessionIdListener}s of one filter, told of
 * Satchel's {@link SessionEvent}s: created, ID changed, and destroyed for both a destroyed and an
 * expired session. Each is a {@link SessionListener} of its own on the filter's {@link Satchel}, so
 * that one that throws is logged by Satchel and keeps no other from being told.
 *
 * <p>While a request through the filter runs its handler or stores its session, the events of its
 * own session carry a view of it ({@link ListenerHttpSession}); every other event a detached one.
 */
final class HttpSessionListeners {
  /** The request a thread is serving through this filter, with what its listeners may read. */
  record Scope(
      Session session,
      SessionAttributes attributes,
      ServletContext servletContext,
      long accessedAt,
      int defaultMaxInactiveSeconds) {}

  /** Runs while a {@link Scope} is current. */
  interface Action {
    void run();
  }

  private final ThreadLocal<Scope> current = new ThreadLocal<>();
  private final List<EventListener> waiting = new ArrayList<>();
  private volatile boolean any;
  private volatile boolean stopped;
  private Satchel satchel;
  private ServletContext servletContext;
  private int defaultMaxInactiveSeconds = -1;

  /**
   * Checks that {@code listener} is one these can tell.
   *
   * @throws IllegalArgumentException if it is neither an {@link HttpSessionListener} nor an {@link
   *     HttpSessionIdListener}
   */
  static EventListener check(EventListener listener) {
    if (listener == null) {
      throw new NullPointerException("listener");
    }
    if (!(listener instanceof HttpSessionListener)
        && !(listener instanceof HttpSessionIdListener)) {
      throw new IllegalArgumentException(
          "SatchelFilter tells jakarta.servlet.http.HttpSessionListener and HttpSessionIdListener"
              + " of its sessions; "
              + listener.getClass().getName()
              + " is neither (an HttpSessionAttributeListener is not called: attributes change"
              + " inside the request, which sees them already)");
    }
    return listener;
  }

  /** Adds a listener: told from {@link #start} on, or at once when started already. */
  synchronized void add(EventListener listener) {
    check(listener);
    any = true;
    if (satchel == null) {
      waiting.add(listener);
    } else {
      satchel.addListener(new Adapter(listener));
    }
  }

  /**
   * Registers the listeners added so far with {@code satchel}; later ones are registered at once.
   */
  synchronized void start(
      Satchel satchel, ServletContext servletContext, int defaultMaxInactiveSeconds) {
    if (this.satchel != null) {
      return;
    }
    this.satchel = satchel;
    this.servletContext = servletContext;
    this.defaultMaxInactiveSeconds = defaultMaxInactiveSeconds;
    for (EventListener listener : waiting) {
      satchel.addListener(new Adapter(listener));
    }
    waiting.clear();
  }

  /** Tells no one anything more: the filter is taken out of service. */
  void stop() {
    stopped = true;
  }

  /** Whether any listener was added: without one, requests skip setting their scope. */
  boolean any() {
    return any;
  }

  /** Runs {@code action} with {@code scope} current on this thread. */
  void within(Scope scope, Action action) {
    Scope previous = enter(scope);
    try {
      action.run();
    } finally {
      exit(previous);
    }
  }

  /** Makes {@code scope} current on this thread; returns the one to restore with {@link #exit}. */
  Scope enter(Scope scope) {
    Scope previous = current.get();
    current.set(scope);
    return previous;
  }

  void exit(Scope previous) {
    if (previous == null) {
      current.remove();
    } else {
      current.set(previous);
    }
  }

  private synchronized ServletContext servletContext() {
    return servletContext;
  }

  private synchronized int defaultMaxInactiveSeconds() {
    return defaultMaxInactiveSeconds;
  }

  /** What a listener is given for {@code event}'s session. */
  private HttpSession sessionFor(SessionEvent event) {
    Scope scope = current.get();
    boolean gone = event instanceof SessionEvent.Destroyed || event instanceof SessionEvent.Expired;
    if (scope != null && !gone && event.sessionId().equals(scope.session().id().orElse(null))) {
      return ListenerHttpSession.of(
          event.sessionId(),
          scope.servletContext(),
          scope.defaultMaxInactiveSeconds(),
          scope.session(),
          scope.attributes(),
          scope.accessedAt());
    }
    return ListenerHttpSession.detached(
        event.sessionId(), servletContext(), defaultMaxInactiveSeconds());
  }

  /** One listener, as a Satchel listener. */
  private final class Adapter implements SessionListener {
    private final EventListener listener;

    Adapter(EventListener listener) {
      this.listener = listener;
    }

    @Override
    public void onEvent(SessionEvent event) {
      if (stopped) {
        return;
      }
      String method = null;
      try {
        if (event instanceof SessionEvent.Created
            && listener instanceof HttpSessionListener sessions) {
          method = "sessionCreated";
          sessions.sessionCreated(new HttpSessionEvent(sessionFor(event)));
        } else if (event instanceof SessionEvent.IdChanged changed
            && listener instanceof HttpSessionIdListener ids) {
          method = "sessionIdChanged";
          ids.sessionIdChanged(new HttpSessionEvent(sessionFor(event)), changed.previousId());
        } else if ((event instanceof SessionEvent.Destroyed
                || event instanceof SessionEvent.Expired)
            && listener instanceof HttpSessionListener sessions) {
          method = "sessionDestroyed";
          sessions.sessionDestroyed(new HttpSessionEvent(sessionFor(event)));
        }
      } catch (RuntimeException e) {
        // Satchel logs it, naming this adapter: name the application's listener too.
        throw new IllegalStateException(
            listener.getClass().getName() + "." + method + " failed", e);
      }
    }

    @Override
    public String toString() {
      return "SatchelFilter's " + listener.getClass().getName();
    }
  }
}
