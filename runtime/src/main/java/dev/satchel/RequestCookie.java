package dev.satchel;

/**
 * What one request has told its client about the session cookie, and the only ways it changes: the
 * request sends it once, sends it again when the ID changes, withdraws it when another request's
 * answer already gave the client a newer one, or clears it.
 */
final class RequestCookie {
  private final SessionContext context;
  private final CookieSink sink;
  private boolean sent;

  RequestCookie(SessionContext context, CookieSink sink) {
    this.context = context;
    this.sink = sink;
  }

  /** Whether the client is being given the cookie for the session's current ID. */
  boolean sent() {
    return sent;
  }

  /** Sends the cookie for {@code id}, whatever was sent before. */
  void send(String id) {
    sent = true;
    sink.setCookie(context.cookie(id));
  }

  /** Sends the cookie for {@code id} unless this request already did. */
  void sendOnce(String id) {
    if (!sent) {
      send(id);
    }
  }

  /** Sends the cookie for {@code id} if the client was already given an older one. */
  void resend(String id) {
    if (sent) {
      sink.setCookie(context.cookie(id));
    }
  }

  /** Drops the cookie this request was about to send: the client already has a newer one. */
  void withdraw() {
    if (sent) {
      sent = false;
      sink.withdraw();
    }
  }

  /** Tells the client to forget the session cookie. */
  void clear() {
    sent = false;
    sink.setCookie(context.deletionCookie());
  }
}
