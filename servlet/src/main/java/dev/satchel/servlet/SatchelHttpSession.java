package dev.satchel.servlet;

import dev.satchel.Session;
import dev.satchel.SessionValueException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The request's {@link Session} seen as an {@code HttpSession}: its attributes are the session's
 * keys, in the same stored session and the same commit as the typed keys. One per request and
 * session; after {@link #invalidate()} the request gets a new one from {@code getSession(true)}.
 *
 * <p>An attribute read or set here is the same object for the rest of the request, as servlet
 * containers keep it; changing that object changes the stored session only when it is set again.
 */
final class SatchelHttpSession implements HttpSession {
  private final Session session;
  private final SessionAttributes attributes;
  private final ServletContext servletContext;
  private final long accessedAt;
  private final int defaultMaxInactiveSeconds;
  private final Map<String, Object> live = new HashMap<>();
  private String lastId;
  private Integer maxInactiveSeconds;
  private boolean invalid;

  SatchelHttpSession(
      Session session,
      SessionAttributes attributes,
      ServletContext servletContext,
      long accessedAt,
      int defaultMaxInactiveSeconds) {
    this.session = session;
    this.attributes = attributes;
    this.servletContext = servletContext;
    this.accessedAt = accessedAt;
    this.defaultMaxInactiveSeconds = defaultMaxInactiveSeconds;
    this.lastId = session.id().orElse(null);
  }

  boolean isValid() {
    return !invalid;
  }

  private void checkValid(String method) {
    if (invalid) {
      throw new IllegalStateException(method + ": the session has been invalidated");
    }
  }

  @Override
  public synchronized String getId() {
    if (!invalid) {
      session.id().ifPresent(id -> lastId = id);
    }
    return lastId;
  }

  @Override
  public long getCreationTime() {
    checkValid("getCreationTime");
    return session.createdAt().map(created -> created.toEpochMilli()).orElse(accessedAt);
  }

  /** The start of this request: Satchel does not rewrite a session on every read to track it. */
  @Override
  public long getLastAccessedTime() {
    checkValid("getLastAccessedTime");
    return accessedAt;
  }

  @Override
  public ServletContext getServletContext() {
    return servletContext;
  }

  /**
   * Stored with the session, as its own idle timeout ({@link Session#setIdleTimeout}): it expires
   * after {@code interval} seconds without a request, on every instance; zero or negative means
   * never, as the specification says. Does nothing once the session is invalidated.
   */
  @Override
  public synchronized void setMaxInactiveInterval(int interval) {
    if (invalid) {
      return;
    }
    session.setIdleTimeout(Duration.ofSeconds(interval));
    maxInactiveSeconds = interval;
  }

  /**
   * The interval set on this session, in this request or an earlier one, as set; else Satchel's
   * {@code idle-timeout} ({@code -1} when it is off).
   */
  @Override
  public synchronized int getMaxInactiveInterval() {
    if (!invalid) {
      maxInactiveSeconds =
          session.idleTimeout().map(SatchelHttpSession::seconds).orElse(defaultMaxInactiveSeconds);
    }
    return maxInactiveSeconds != null ? maxInactiveSeconds : defaultMaxInactiveSeconds;
  }

  /** A duration in whole seconds, within the range of an {@code int}. */
  private static int seconds(Duration duration) {
    long seconds = duration.getSeconds();
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, seconds));
  }

  @Override
  public synchronized Object getAttribute(String name) {
    checkValid("getAttribute");
    if (name == null || name.startsWith(Session.RESERVED_KEY_PREFIX)) {
      // Satchel's own keys are not attributes, as getAttributeNames does not list them.
      return null;
    }
    if (live.containsKey(name)) {
      return live.get(name);
    }
    Object value = session.get(name).map(stored -> attributes.decode(name, stored)).orElse(null);
    live.put(name, value);
    return value;
  }

  @Override
  public synchronized Enumeration<String> getAttributeNames() {
    checkValid("getAttributeNames");
    return Collections.enumeration(new ArrayList<>(session.keys()));
  }

  @Override
  public void setAttribute(String name, Object value) {
    if (value == null) {
      removeAttribute(name);
      return;
    }
    Object previous;
    synchronized (this) {
      checkValid("setAttribute");
      if (name == null) {
        throw new IllegalArgumentException("The attribute name is null");
      }
      Object stored = attributes.encode(name, value);
      previous = getAttribute(name);
      try {
        session.set(name, stored);
      } catch (SessionValueException e) {
        throw new IllegalArgumentException(
            "The session attribute \""
                + name
                + "\" could not be stored: a "
                + value.getClass().getName()
                + " is not one of devalue's values (strings, numbers, booleans, lists, maps) and"
                + " no AttributeCodec is registered for it ("
                + e.getMessage()
                + ")",
            e);
      }
      live.put(name, value);
      if (attributes.namesPrincipal(name)) {
        session.setPrincipal(attributes.principal(name, value));
      }
    }
    if (previous != value && previous instanceof HttpSessionBindingListener listener) {
      listener.valueUnbound(new HttpSessionBindingEvent(this, name, previous));
    }
    if (previous != value && value instanceof HttpSessionBindingListener listener) {
      listener.valueBound(new HttpSessionBindingEvent(this, name, value));
    }
  }

  @Override
  public void removeAttribute(String name) {
    Object previous;
    synchronized (this) {
      checkValid("removeAttribute");
      if (name == null) {
        return; // as servlet containers do
      }
      previous = getAttribute(name);
      session.delete(name);
      live.put(name, null);
      if (attributes.namesPrincipal(name)) {
        session.setPrincipal(null);
      }
    }
    if (previous instanceof HttpSessionBindingListener listener) {
      listener.valueUnbound(new HttpSessionBindingEvent(this, name, previous));
    }
  }

  @Override
  public void invalidate() {
    List<HttpSessionBindingEvent> unbound = new ArrayList<>();
    synchronized (this) {
      checkValid("invalidate");
      getId();
      for (String name : session.keys()) {
        if (getAttribute(name) instanceof HttpSessionBindingListener) {
          unbound.add(new HttpSessionBindingEvent(this, name, live.get(name)));
        }
      }
      session.destroy();
      live.clear();
      invalid = true;
    }
    for (HttpSessionBindingEvent event : unbound) {
      ((HttpSessionBindingListener) event.getValue()).valueUnbound(event);
    }
  }

  @Override
  public boolean isNew() {
    checkValid("isNew");
    return session.isNew();
  }
}
