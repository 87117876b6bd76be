package dev.satchel.servlet;

import dev.satchel.SessionCookie;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;

/**
 * The session cookie of one response. The session may change its cookie several times in a request
 * (a write, then a regenerate at log-in; a write, then a destroy at log-out): the latest is held
 * and sent as the response's one {@code Set-Cookie} header for the session cookie, and in header
 * mode as the session header, only once the session is stored.
 */
final class SessionCookieHeader {
  private static final System.Logger LOG = System.getLogger("dev.satchel.servlet");
  private static final String SET_COOKIE = "Set-Cookie";

  private final HttpServletResponse response;
  private final String sessionHeader;

  /** The latest cookie, as a header value, and its session ID ({@code ""} for a deletion). */
  private String held;

  private String heldId;

  /** The header value on the response now, or {@code null}. */
  private String sent;

  /**
   * @param response the response the headers go on, not a wrapper that stores the session first
   * @param sessionHeader the header that also carries the session ID, or {@code null}
   */
  SessionCookieHeader(HttpServletResponse response, String sessionHeader) {
    this.response = response;
    this.sessionHeader = sessionHeader;
  }

  /** Keeps the session's new cookie until the session is stored. */
  synchronized void hold(SessionCookie cookie) {
    if (response.isCommitted()) {
      warnTooLate();
      return;
    }
    held = cookie.toHeaderValue();
    heldId = cookie.isDeletion() ? "" : cookie.value();
  }

  /**
   * Drops the held cookie, and takes one already on the response off again while the response is
   * not committed: the session moved to an ID the client already has.
   */
  synchronized void withdraw() {
    held = null;
    heldId = null;
    if (sent == null || response.isCommitted()) {
      return;
    }
    List<String> headers = new ArrayList<>(response.getHeaders(SET_COOKIE));
    headers.remove(sent);
    sent = null;
    if (headers.isEmpty()) {
      response.setHeader(SET_COOKIE, null);
      return;
    }
    response.setHeader(SET_COOKIE, headers.get(0));
    for (String header : headers.subList(1, headers.size())) {
      response.addHeader(SET_COOKIE, header);
    }
  }

  /** Whether the response lacks the latest cookie. */
  synchronized boolean changed() {
    return held != null && !held.equals(sent);
  }

  /**
   * Puts the latest cookie on the response, replacing the one sent before; call it once the session
   * is stored.
   */
  synchronized void send() {
    if (!changed()) {
      return;
    }
    if (response.isCommitted()) {
      warnTooLate();
      held = sent;
      return;
    }
    if (sent == null) {
      response.addHeader(SET_COOKIE, held);
    } else {
      replaceSent();
    }
    sent = held;
    if (sessionHeader != null) {
      response.setHeader(sessionHeader, heldId);
    }
  }

  /** After the response's headers were cleared: the latest cookie must be sent again. */
  synchronized void headersCleared() {
    sent = null;
  }

  /**
   * The servlet API cannot remove one value of a header: the {@code Set-Cookie} headers are set
   * again, the others unchanged and in their order, the session cookie last. ({@code setHeader}
   * with a value, because containers differ on whether a {@code null} removes the header.)
   */
  private void replaceSent() {
    List<String> headers = new ArrayList<>(response.getHeaders(SET_COOKIE));
    headers.remove(sent);
    headers.add(held);
    response.setHeader(SET_COOKIE, headers.get(0));
    for (String header : headers.subList(1, headers.size())) {
      response.addHeader(SET_COOKIE, header);
    }
  }

  private static void warnTooLate() {
    LOG.log(
        Level.WARNING,
        "The session cookie changed after the response was committed; the client keeps the old one");
  }
}
