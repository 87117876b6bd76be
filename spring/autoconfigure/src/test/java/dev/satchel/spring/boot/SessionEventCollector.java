package dev.satchel.spring.boot;

import dev.satchel.SessionEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.springframework.context.event.EventListener;

/** Collects the session events Spring publishes, as an application's {@code @EventListener}. */
final class SessionEventCollector {
  private static final Duration WAIT = Duration.ofSeconds(30);

  final List<SessionEvent> events = new CopyOnWriteArrayList<>();

  @EventListener
  void on(SessionEvent event) {
    events.add(event);
  }

  /** The first event of {@code type} that matches, waiting for it to be published. */
  <T extends SessionEvent> T await(Class<T> type, Predicate<? super T> matching)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    do {
      for (SessionEvent event : events) {
        if (type.isInstance(event) && matching.test(type.cast(event))) {
          return type.cast(event);
        }
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("no such " + type.getSimpleName() + " within " + WAIT + ": " + events);
  }

  /** The first event of {@code type} for the session {@code id}, waiting for it. */
  <T extends SessionEvent> T await(Class<T> type, String id) throws InterruptedException {
    return await(type, event -> event.sessionId().equals(id));
  }
}
