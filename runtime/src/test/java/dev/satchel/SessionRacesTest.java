package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.testing.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Requests of one session racing each other on the memory driver: atomic updates, log-in and
 * log-out against other commits, and the limits a commit enforces.
 */
final class SessionRacesTest {
  private static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());

  private final MutableClock clock = new MutableClock();
  private final Satchel satchel =
      Satchel.builder().driver("memory").clock(clock).maxSessionSize(20_000).build();

  @AfterEach
  void close() {
    satchel.close();
  }

  /** A request's cookie sink, as the servlet filter keeps it: the last cookie, or withdrawn. */
  private static final class Browser implements CookieSink {
    SessionCookie last;
    boolean withdrawn;

    @Override
    public void setCookie(SessionCookie cookie) {
      last = cookie;
      withdrawn = false;
    }

    @Override
    public void withdraw() {
      last = null;
      withdrawn = true;
    }
  }

  private String newSession() {
    Session session = satchel.open((String) null, cookie -> {});
    session.set("cart", List.of("first"), CART);
    session.commit();
    return session.id().orElseThrow();
  }

  /** The cart stored under {@code id}, read by a new request. */
  private Optional<List<String>> cartOf(String id) {
    return satchel.open(id, cookie -> {}).get("cart", CART);
  }

  private static List<String> plus(List<String> cart, String item) {
    List<String> next = cart == null ? new ArrayList<>() : new ArrayList<>(cart);
    next.add(item);
    return next;
  }

  // ------------------------------------------------------------------------------ update

  @Test
  void update_ofAnAbsentKey_getsNullAndStoresAtOnce() {
    Session session = satchel.open((String) null, cookie -> {});
    List<String> stored = session.update("cart", CART, cart -> plus(cart, "a"));
    assertEquals(List.of("a"), stored);
    assertEquals(Optional.of(List.of("a")), cartOf(session.id().orElseThrow()));
  }

  @Test
  void update_returningNull_removesTheKey() {
    String id = newSession();
    Session session = satchel.open(id, cookie -> {});
    assertNull(session.update("cart", CART, cart -> null));
    assertEquals(Optional.empty(), cartOf(id));
  }

  @Test
  void update_storesThisRequestsOtherChangesInTheSameWrite() {
    String id = newSession();
    Session session = satchel.open(id, cookie -> {});
    session.set("other", "x");
    session.update("cart", CART, cart -> plus(cart, "b"));
    Session next = satchel.open(id, cookie -> {});
    assertEquals(Optional.of("x"), next.get("other"));
    assertEquals(Optional.of(List.of("first", "b")), next.get("cart", CART));
  }

  @Test
  void update_withTtl_expiresTheKey() {
    String id = newSession();
    satchel.open(id, cookie -> {}).update("cart", CART, Duration.ofMinutes(1), c -> plus(c, "t"));
    clock.advance(Duration.ofMinutes(2));
    assertEquals(Optional.empty(), cartOf(id));
  }

  @Test
  void update_seesThisRequestsPendingValue() {
    Session session = satchel.open(newSession(), cookie -> {});
    session.set("cart", List.of("pending"), CART);
    assertEquals(List.of("pending", "c"), session.update("cart", CART, c -> plus(c, "c")));
  }

  @Test
  void concurrentUpdates_ofOneKey_loseNothing() throws Exception {
    String id = newSession();
    int requests = 32;
    List<String> returned =
        runConcurrently(
            requests,
            i -> {
              Session session = satchel.open(id, cookie -> {});
              List<String> cart = session.update("cart", CART, c -> plus(c, "item-" + i));
              session.commit();
              assertTrue(cart.contains("item-" + i), "the returned cart holds the request's item");
              return "item-" + i;
            });
    List<String> cart = cartOf(id).orElseThrow();
    assertEquals(requests + 1, cart.size());
    assertTrue(cart.containsAll(returned));
  }

  @Test
  void concurrentCommits_ofDifferentKeys_allSucceedWithTheDefaults() throws Exception {
    String id = newSession();
    int requests = 64;
    runConcurrently(
        requests,
        i -> {
          Session session = satchel.open(id, cookie -> {});
          session.get("cart", CART);
          session.set("key-" + i, i);
          session.commit();
          return null;
        });
    Set<String> keys = new TreeSet<>(satchel.open(id, cookie -> {}).keys());
    assertEquals(requests + 1, keys.size());
  }

  // ------------------------------------------------------------------------------ log-in

  @Test
  void commitAfterAnotherRequestsLogIn_landsInTheNewSession_andKeepsTheNewCookie() {
    String old = newSession();
    Browser adding = new Browser();
    Session add = satchel.open(old, adding);
    add.update("cart", CART, c -> c); // reads the session before the log-in
    Session login = satchel.open(old, cookie -> {});
    login.regenerate();
    login.set("user", "ann");
    login.commit();
    String fresh = login.id().orElseThrow();

    add.set("cart", List.of("first", "during-login"), CART);
    add.commit();

    assertEquals(Optional.of(List.of("first", "during-login")), cartOf(fresh));
    assertEquals(Optional.of("ann"), satchel.open(fresh, cookie -> {}).get("user"));
    assertEquals(Optional.empty(), cartOf(old));
    assertEquals(fresh, add.id().orElseThrow());
    assertTrue(adding.withdrawn, "the old ID's cookie is not sent over the new one");
  }

  @Test
  void aRequestOnThePreLogInId_neverFollowsALogInThatSetAPrincipal() {
    // Session fixation: whoever planted the pre-log-in ID keeps a request open on it across the
    // victim's log-in.
    String planted = newSession();
    Browser attacker = new Browser();
    Session inFlight = satchel.open(planted, attacker);
    assertTrue(inFlight.has("cart"));
    Session login = satchel.open(planted, cookie -> {});
    login.regenerate();
    login.setPrincipal("victim");
    login.set("cart", List.of("victim-item"), CART);
    login.commit();
    String loggedIn = login.id().orElseThrow();

    inFlight.set("payoutAccount", "ATTACKER-IBAN");
    assertThrows(SessionReplacedException.class, inFlight::commit);
    assertNotEquals(Optional.of(loggedIn), inFlight.id(), "the logged-in ID is not revealed");
    assertEquals(Optional.empty(), inFlight.get("cart", CART), "nor its data");
    assertTrue(attacker.withdrawn, "the planted ID's cookie is not sent either");
    Session victim = satchel.open(loggedIn, cookie -> {});
    assertEquals(Optional.of(List.of("victim-item")), victim.get("cart", CART));
    assertFalse(victim.has("payoutAccount"), "nothing of the planted ID's holder got in");
    assertEquals(
        Optional.empty(),
        satchel.open(planted, cookie -> {}).get("cart", CART),
        "the planted ID reads nothing");
  }

  @Test
  void aRotationThatKeepsThePrincipal_isFollowed() {
    Session login = satchel.open((String) null, cookie -> {});
    login.setPrincipal("ann");
    login.set("cart", List.of("first"), CART);
    login.commit();
    String before = login.id().orElseThrow();
    Session add = satchel.open(before, cookie -> {});
    assertTrue(add.has("cart"));
    Session rotate = satchel.open(before, cookie -> {});
    rotate.regenerate();
    rotate.commit();
    List<String> cart = add.update("cart", CART, c -> plus(c, "during-rotation"));
    assertEquals(List.of("first", "during-rotation"), cart);
    assertEquals(Optional.of(cart), cartOf(rotate.id().orElseThrow()));
  }

  @Test
  void updateAfterAnotherRequestsLogIn_landsInTheNewSession() {
    String old = newSession();
    Session add = satchel.open(old, cookie -> {});
    assertTrue(add.has("cart"));
    Session login = satchel.open(old, cookie -> {});
    login.regenerate();
    login.commit();
    List<String> cart = add.update("cart", CART, c -> plus(c, "x"));
    assertEquals(List.of("first", "x"), cart);
    assertEquals(Optional.of(cart), cartOf(login.id().orElseThrow()));
    assertEquals(Optional.empty(), cartOf(old));
  }

  @Test
  void logInAfterAnotherRequestsCommit_carriesThatCommitOver() {
    String old = newSession();
    Session login = satchel.open(old, cookie -> {});
    login.regenerate();
    satchel.open(old, cookie -> {}).update("cart", CART, c -> plus(c, "before-login-commit"));
    login.commit();
    assertEquals(
        Optional.of(List.of("first", "before-login-commit")), cartOf(login.id().orElseThrow()));
    assertEquals(Optional.empty(), cartOf(old));
  }

  @Test
  void twoLogInsAtOnce_eachKeepsItsOwnNewSession_andNeitherWritesIntoTheOther() {
    String old = newSession();
    Session first = satchel.open(old, cookie -> {});
    Session second = satchel.open(old, cookie -> {});
    first.regenerate();
    second.regenerate();
    first.set("user", "ann");
    second.set("user", "mallory");
    first.commit();
    second.commit();
    assertNotEquals(first.id(), second.id());
    Session firstAfter = satchel.open(first.id().orElseThrow(), cookie -> {});
    Session secondAfter = satchel.open(second.id().orElseThrow(), cookie -> {});
    assertEquals(Optional.of("ann"), firstAfter.get("user"));
    assertEquals(Optional.of("mallory"), secondAfter.get("user"));
    assertEquals(Optional.of(List.of("first")), secondAfter.get("cart", CART));
    assertEquals(Optional.empty(), cartOf(old));
  }

  @Test
  void twoLogInsOfDifferentPrincipals_keepApart_evenWhenTheSecondNamesAPrincipal() {
    // Whoever planted the pre-log-in ID logs in as themself while the victim logs in.
    String planted = newSession();
    Browser victimBrowser = new Browser();
    Browser attackerBrowser = new Browser();
    Session victim = satchel.open(planted, victimBrowser);
    Session attacker = satchel.open(planted, attackerBrowser);
    victim.regenerate();
    attacker.regenerate();
    victim.setPrincipal("victim");
    victim.set("card", "victim-card");
    attacker.setPrincipal("mallory");
    victim.commit();
    attacker.commit();
    String victimId = victim.id().orElseThrow();
    assertNotEquals(Optional.of(victimId), attacker.id());
    assertNotEquals(victimId, attackerBrowser.last.value(), "the victim's ID is not revealed");
    Session attackerAfter = satchel.open(attackerBrowser.last.value(), cookie -> {});
    assertEquals(Optional.of("mallory"), attackerAfter.principal());
    assertFalse(attackerAfter.has("card"), "nothing of the victim's log-in got out");
    assertEquals(Optional.of("victim"), satchel.open(victimId, cookie -> {}).principal());
  }

  @Test
  void theSameUserLoggingInTwiceAtOnce_endsInOneSession_namedByBothAnswers() {
    String old = newSession();
    Browser firstBrowser = new Browser();
    Browser secondBrowser = new Browser();
    Session first = satchel.open(old, firstBrowser);
    Session second = satchel.open(old, secondBrowser);
    first.regenerate();
    second.regenerate();
    first.setPrincipal("ann");
    second.setPrincipal("ann");
    second.set("from", "second");
    first.set("from", "first");
    first.commit();
    second.commit();
    String loggedIn = first.id().orElseThrow();
    assertEquals(Optional.of(loggedIn), second.id());
    assertEquals(loggedIn, firstBrowser.last.value());
    assertEquals(loggedIn, secondBrowser.last.value(), "the second answer names the same session");
    Session after = satchel.open(loggedIn, cookie -> {});
    assertEquals(Optional.of(List.of("first")), after.get("cart", CART));
    assertEquals(Optional.of("second"), after.get("from"), "the later commit's change, over it");
    assertEquals(Optional.of("ann"), after.principal());
    assertEquals(1, satchel.sessionsOf("ann").size(), "one session for the user, not two");
  }

  @Test
  void aRequestHeldOpenAcrossTheLogIn_cannotWriteIntoTheLoggedInSession() {
    String old = newSession();
    Session stalled = satchel.open(old, cookie -> {});
    assertTrue(stalled.has("cart"));
    clock.advance(RetiredOrigin.RACE_WINDOW.plusSeconds(1));
    Session login = satchel.open(old, cookie -> {});
    login.regenerate();
    login.set("cart", List.of("victim-item"), CART);
    login.commit();
    assertThrows(
        SessionStorageException.class,
        () -> stalled.update("cart", CART, c -> plus(c, "attacker-item")));
    assertEquals(Optional.of(List.of("victim-item")), cartOf(login.id().orElseThrow()));
  }

  @Test
  void theOldCookieLongAfterALogIn_isANewVisitor() {
    String old = newSession();
    Session login = satchel.open(old, cookie -> {});
    login.regenerate();
    login.commit();
    clock.advance(RetiredOrigin.RACE_WINDOW.plusSeconds(1));
    Browser browser = new Browser();
    Session late = satchel.open(old, browser);
    assertEquals(Optional.empty(), late.get("cart", CART));
    late.set("cart", List.of("new"), CART);
    late.commit();
    String id = late.id().orElseThrow();
    assertNotEquals(old, id);
    assertNotEquals(login.id().orElseThrow(), id);
    assertEquals(id, browser.last.value());
  }

  @Test
  void aRequestFirstReadingAfterTheLogIn_withTheOldCookie_seesNothingAndCannotWrite() {
    String old = newSession();
    Session login = satchel.open(old, cookie -> {});
    login.regenerate();
    login.commit();
    String fresh = login.id().orElseThrow();
    Browser browser = new Browser();
    Session stale = satchel.open(old, browser);
    assertEquals(Optional.empty(), stale.get("cart", CART));
    stale.set("cart", List.of("stale"), CART);
    assertEquals(null, browser.last, "no cookie: the client has the new ID already");
    SessionStorageException e = assertThrows(SessionStorageException.class, stale::commit);
    assertTrue(e.getMessage().contains("replaced by a log-in"), e.getMessage());
    assertEquals(Optional.of(List.of("first")), cartOf(fresh));
    assertEquals(Optional.empty(), cartOf(old));
    assertTrue(stale.id().isEmpty(), "the new ID is not revealed");
  }

  @Test
  void aRequestFirstReadingAfterALogOut_withTheOldCookie_isANewVisitor() {
    String old = newSession();
    Session logout = satchel.open(old, cookie -> {});
    logout.get("cart", CART);
    logout.destroy();
    logout.commit();
    Browser browser = new Browser();
    Session late = satchel.open(old, browser);
    assertEquals(Optional.empty(), late.get("cart", CART));
    late.set("cart", List.of("new"), CART);
    late.commit();
    String id = late.id().orElseThrow();
    assertNotEquals(old, id);
    assertEquals(id, browser.last.value());
    assertEquals(Optional.empty(), cartOf(old));
  }

  // ------------------------------------------------------------------------------ log-out

  @Test
  void commitAfterAnotherRequestsLogOut_recreatesNothing() {
    String old = newSession();
    Browser adding = new Browser();
    Session add = satchel.open(old, adding);
    add.set("cart", plus(add.get("cart", CART).orElseThrow(), "during-logout"), CART);
    Session logout = satchel.open(old, cookie -> {});
    logout.destroy();
    logout.commit();
    add.commit();
    assertEquals(Optional.empty(), cartOf(old));
    assertTrue(add.id().isEmpty());
    assertTrue(adding.withdrawn);
  }

  @Test
  void updateAfterAnotherRequestsLogOut_storesNothingAndReturnsNull() {
    String old = newSession();
    Session add = satchel.open(old, cookie -> {});
    assertTrue(add.has("cart"));
    Session logout = satchel.open(old, cookie -> {});
    logout.destroy();
    logout.commit();
    assertNull(add.update("cart", CART, c -> plus(c, "x")));
    assertEquals(Optional.empty(), cartOf(old));
  }

  @Test
  void logOutRacingALogIn_endsTheMovedSessionToo() {
    String old = newSession();
    Session logout = satchel.open(old, cookie -> {});
    logout.get("cart", CART);
    logout.destroy();
    Session login = satchel.open(old, cookie -> {});
    login.regenerate();
    login.commit();
    logout.commit();
    assertEquals(Optional.empty(), cartOf(login.id().orElseThrow()));
  }

  // ------------------------------------------------------------------------------ limits

  @Test
  void aSessionOverTheMaximumSize_isRefused_andKeepsItsDataAndId() {
    String id = newSession();
    Session session = satchel.open(id, cookie -> {});
    session.set("big", "x".repeat(30_000));
    SessionSizeException e = assertThrows(SessionSizeException.class, session::commit);
    assertEquals(20_000, e.limit());
    assertTrue(e.getMessage().contains("max-session-size"), e.getMessage());
    Session next = satchel.open(id, cookie -> {});
    assertEquals(Optional.of(List.of("first")), next.get("cart", CART));
    assertFalse(next.has("big"));
  }

  @Test
  void anUpdateOverTheMaximumSize_isRefused_andLeavesThePendingStateAsItWas() {
    String id = newSession();
    Session session = satchel.open(id, cookie -> {});
    assertThrows(
        SessionSizeException.class,
        () -> session.update("cart", CART, c -> List.of("y".repeat(30_000))));
    assertEquals(Optional.of(List.of("first")), session.get("cart", CART));
    assertEquals(Optional.of(List.of("first")), cartOf(id));
  }

  @Test
  void maximumSize_cannotExceedWhatCanBeReadBack() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Satchel.builder().maxSessionSize(32L * 1024 * 1024));
    assertTrue(e.getMessage().contains("read back"), e.getMessage());
  }

  @Test
  void theDeepestValueSetAccepts_isStoredAndReadBack() {
    Object deepest = nested(498);
    Session session = satchel.open((String) null, cookie -> {});
    session.set("deep", deepest);
    session.commit();
    assertTrue(satchel.open(session.id().orElseThrow(), cookie -> {}).get("deep").isPresent());
    SessionValueException e =
        assertThrows(SessionValueException.class, () -> session.set("deeper", nested(499)));
    assertEquals("deeper", e.key());
  }

  private static Object nested(int depth) {
    Object value = "leaf";
    for (int i = 1; i < depth; i++) {
      value = List.of(value);
    }
    return value;
  }

  // ------------------------------------------------------------------------------ cookies

  @Test
  void severalCookies_theOneTheStoreKnowsIsUsed() {
    String known = newSession();
    String unknown = dev.satchel.spi.SessionIds.generate();
    Session session = satchel.openFromCookies(List.of(unknown, known), cookie -> {});
    assertEquals(Optional.of(List.of("first")), session.get("cart", CART));
    assertEquals(Optional.of(known), session.id());
  }

  @Test
  void hundredsOfCookies_areLookedUpOnlyUpToALimit_andALogOutMarksNoMore() {
    Requests requests = new Requests();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      sent.add(dev.satchel.spi.SessionIds.generate());
    }
    Session session = requests.satchel.openFromCookies(sent, cookie -> {});
    assertFalse(session.has("cart"));
    assertEquals(RequestSession.MAX_SESSION_COOKIES, requests.driver.reads.get());
    session.destroy();
    session.commit();
    assertEquals(
        Set.copyOf(sent.subList(0, RequestSession.MAX_SESSION_COOKIES)),
        Set.copyOf(requests.driver.touchedIds),
        "the log-out asked the store about the first IDs only");
    requests.satchel.close();
  }

  @Test
  void severalCookies_noneKnown_isANewSession() {
    Session session =
        satchel.openFromCookies(
            List.of(dev.satchel.spi.SessionIds.generate(), "not-an-id"), cookie -> {});
    assertFalse(session.has("cart"));
    session.set("a", 1);
    session.commit();
    assertTrue(satchel.open(session.id().orElseThrow(), cookie -> {}).has("a"));
  }

  // ------------------------------------------------------------------------------ helpers

  private interface Task<T> {
    T run(int index) throws Exception;
  }

  private static <T> List<T> runConcurrently(int count, Task<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  return task.run(index);
                }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
