package dev.satchel;

import dev.satchel.testing.CountingDriverProvider;
import dev.satchel.testing.CountingDriverProvider.CountingDriver;
import dev.satchel.testing.MutableClock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/** A Satchel over the counting driver, and requests that carry a cookie like a browser. */
final class Requests {
  final MutableClock clock = new MutableClock();
  final String storeName = UUID.randomUUID().toString();
  final Satchel satchel;
  final CountingDriver driver;

  Requests() {
    this(builder -> {});
  }

  Requests(Consumer<Satchel.Builder> configure) {
    Satchel.Builder builder =
        Satchel.builder().driver("counting").driverOption("store", storeName).clock(clock);
    configure.accept(builder);
    satchel = builder.build();
    driver = CountingDriverProvider.store(storeName);
  }

  /** One request: the session, and the cookies it sent. */
  static final class Request {
    final Session session;
    final List<SessionCookie> cookies = new ArrayList<>();

    Request(Satchel satchel, String cookie) {
      session = satchel.open(cookie, cookies::add);
    }

    /** The cookie value the browser keeps after this request, or the one it sent. */
    String cookieAfter(String sent) {
      if (cookies.isEmpty()) {
        return sent;
      }
      SessionCookie last = cookies.get(cookies.size() - 1);
      return last.isDeletion() ? null : last.value();
    }
  }

  Request request(String cookie) {
    return new Request(satchel, cookie);
  }

  /** Runs one request with a cookie, commits it, and returns the cookie the browser keeps. */
  String run(String cookie, Consumer<Session> handler) {
    Request request = request(cookie);
    handler.accept(request.session);
    request.session.commit();
    return request.cookieAfter(cookie);
  }
}
