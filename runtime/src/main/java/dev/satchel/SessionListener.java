package dev.satchel;

/**
 * Told of what happens to sessions, once it is stored: {@link SessionEvent.Created}, {@link
 * SessionEvent.IdChanged}, {@link SessionEvent.Destroyed} and {@link SessionEvent.Expired}.
 *
 * <p>Listeners run on the thread that made the change (a request's, or Satchel's expiry check),
 * after the store call returned; keep them short, or hand the work to an executor. A listener that
 * throws is logged and changes nothing: the request goes on, and the other listeners are told.
 */
@FunctionalInterface
public interface SessionListener {
  /** Called once per event, after the change is stored. */
  void onEvent(SessionEvent event);
}
