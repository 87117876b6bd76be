package dev.satchel.spring.boot;

import dev.satchel.Satchel;
import dev.satchel.SessionEvent;
import dev.satchel.SessionListener;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.ApplicationEventPublisher;

/**
 * Tells the application of Satchel's session events: publishes each {@link SessionEvent} as a
 * Spring application event, and adds every {@link SessionListener} bean to the {@link Satchel}.
 *
 * <p>The listeners are added once every singleton exists rather than while the Satchel is built, so
 * that a listener may itself use the Satchel; this runs before the web server takes requests.
 * Spring Boot's lazy initialization leaves {@link SmartInitializingSingleton} beans eager.
 */
final class SatchelSessionEvents implements SmartInitializingSingleton {
  private final Satchel satchel;
  private final ApplicationEventPublisher publisher;
  private final ObjectProvider<SessionListener> listeners;

  SatchelSessionEvents(
      Satchel satchel,
      ApplicationEventPublisher publisher,
      ObjectProvider<SessionListener> listeners) {
    this.satchel = satchel;
    this.publisher = publisher;
    this.listeners = listeners;
  }

  @Override
  public void afterSingletonsInstantiated() {
    // The record itself is the event: @EventListener methods take SessionEvent or one of its
    // records, and Spring wraps it in a PayloadApplicationEvent for ApplicationListeners.
    satchel.addListener(publisher::publishEvent);
    listeners.orderedStream().forEach(satchel::addListener);
  }
}
