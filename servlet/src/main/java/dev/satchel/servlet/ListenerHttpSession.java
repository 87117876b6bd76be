package dev.satchel.servlet;

import dev.satchel.Session;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The {@code HttpSession} an {@code HttpSessionListener} or {@code HttpSessionIdListener} is given.
 * Listeners are told after the change is stored, so it is read-only: {@code setAttribute}, {@code
 * removeAttribute}, {@code setMaxInactiveInterval} and {@code invalidate} throw {@link
 * IllegalStateException} rather than make a change that would not be stored.
 *
 * <p>Told while a request through the filter stores its session (created, ID changed), it reads
 * that request's session: its attributes, creation time and {@code isNew} as the request sees them.
 * Otherwise (a destroyed or expired session, or one changed outside such a request: by the
 * application or an operator through {@code Satchel}, or on another thread) it is detached: {@link
 * #getId()}, {@link #getServletContext()} and {@link #getMaxInactiveInterval()} (the configured
 * {@code idle-timeout}) answer, and everything that reads the session's data throws {@link
 * IllegalStateException}, as on an invalidated session: its data is gone, or not on this thread.
 */
final class ListenerHttpSession implements HttpSession {
  private final String id;
  private final ServletContext servletContext;
  private final int defaultMaxInactiveSeconds;
  private final Session session;
  private final SessionAttributes attributes;
  private final long accessedAt;

  private ListenerHttpSession(
      String id,
      ServletContext servletContext,
      int defaultMaxInactiveSeconds,
      Session session,
      SessionAttributes attributes,
      long accessedAt) {
    this.id = id;
    this.servletContext = servletContext;
    this.defaultMaxInactiveSeconds = defaultMaxInactiveSeconds;
    this.session = session;
    this.attributes = attributes;
    this.accessedAt = accessedAt;
  }

  /** A view of a request's session, whose ID is {@code id}. */
  static ListenerHttpSession of(
      String id,
      ServletContext servletContext,
      int defaultMaxInactiveSeconds,
      Session session,
      SessionAttributes attributes,
      long accessedAt) {
    return new ListenerHttpSession(
        id, servletContext, defaultMaxInactiveSeconds, session, attributes, accessedAt);
  }

  /** A session known by its ID only: destroyed, expired, or changed elsewhere. */
  static ListenerHttpSession detached(
      String id, ServletContext servletContext, int defaultMaxInactiveSeconds) {
    return new ListenerHttpSession(id, servletContext, defaultMaxInactiveSeconds, null, null, 0);
  }

  /** Whether the session's data can be read: told during the request that stored it. */
  boolean isDetached() {
    return session == null;
  }

  private void checkReadable(String method) {
    if (session == null) {
      throw new IllegalStateException(
          method
              + ": this session is known to the listener by its ID only (it was destroyed or"
              + " expired, or changed outside a request through this filter); its data cannot be"
              + " read");
    }
  }

  private static IllegalStateException readOnly(String method) {
    return new IllegalStateException(
        method
            + " on the HttpSession given to a session listener: listeners are told after the change"
            + " is stored, so nothing they change could be stored; make the change in the request");
  }

  @Override
  public String getId() {
    return id;
  }

  @Override
  public ServletContext getServletContext() {
    return servletContext;
  }

  @Override
  public long getCreationTime() {
    checkReadable("getCreationTime");
    return session.createdAt().map(created -> created.toEpochMilli()).orElse(accessedAt);
  }

  @Override
  public long getLastAccessedTime() {
    checkReadable("getLastAccessedTime");
    return accessedAt;
  }

  @Override
  public int getMaxInactiveInterval() {
    if (session == null) {
      return defaultMaxInactiveSeconds;
    }
    return session
        .idleTimeout()
        .map(ListenerHttpSession::seconds)
        .orElse(defaultMaxInactiveSeconds);
  }

  private static int seconds(Duration duration) {
    long seconds = duration.getSeconds();
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, seconds));
  }

  @Override
  public Object getAttribute(String name) {
    checkReadable("getAttribute");
    if (name == null || name.startsWith(Session.RESERVED_KEY_PREFIX)) {
      return null;
    }
    return session.get(name).map(stored -> attributes.decode(name, stored)).orElse(null);
  }

  @Override
  public Enumeration<String> getAttributeNames() {
    checkReadable("getAttributeNames");
    return Collections.enumeration(new ArrayList<>(session.keys()));
  }

  @Override
  public boolean isNew() {
    checkReadable("isNew");
    return session.isNew();
  }

  @Override
  public void setAttribute(String name, Object value) {
    throw readOnly("setAttribute(\"" + name + "\")");
  }

  @Override
  public void removeAttribute(String name) {
    throw readOnly("removeAttribute(\"" + name + "\")");
  }

  @Override
  public void setMaxInactiveInterval(int interval) {
    throw readOnly("setMaxInactiveInterval");
  }

  @Override
  public void invalidate() {
    throw readOnly("invalidate");
  }
}
