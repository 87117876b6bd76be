package dev.satchel.testing;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionInfo;
import dev.satchel.codec.ValueCodecs;
import java.util.Set;
import java.util.TreeSet;

/**
 * Log-ins and log-outs as an application makes them, on one {@link Satchel}, for the tests of the
 * index of sessions by user: a visitor with a cart logs in (regenerate, then the principal), and
 * logs out (read, then destroy).
 */
public final class UserSessions {
  private final Satchel satchel;

  /** Requests on {@code satchel}. */
  public UserSessions(Satchel satchel) {
    this.satchel = satchel;
  }

  /** A request with {@code id}, or a new visitor's with {@code null}. */
  public Session open(String id) {
    return satchel.open(id, cookie -> {});
  }

  /** A visitor puts socks in a cart, then logs in as {@code principal}; the logged-in ID. */
  public String logIn(String principal) {
    Session visit = open(null);
    visit.set("cart", "socks", ValueCodecs.strings());
    visit.commit();
    Session login = open(visit.id().orElseThrow());
    login.regenerate();
    login.setPrincipal(principal);
    login.commit();
    return login.id().orElseThrow();
  }

  /** Logs out of session {@code id}. */
  public void logOut(String id) {
    Session logout = open(id);
    logout.get("cart", ValueCodecs.strings());
    logout.destroy();
    logout.commit();
  }

  /** The IDs {@link Satchel#sessionsOf} lists for {@code principal}. */
  public Set<String> listed(String principal) {
    Set<String> ids = new TreeSet<>();
    for (SessionInfo session : satchel.sessionsOf(principal)) {
      ids.add(session.id());
    }
    return ids;
  }

  /** Whether session {@code id} still holds its cart. */
  public boolean isLive(String id) {
    return open(id).get("cart", ValueCodecs.strings()).isPresent();
  }
}
