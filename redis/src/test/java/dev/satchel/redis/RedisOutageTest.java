package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionStorageException;
import dev.satchel.codec.ValueCodecs;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The server dies in the middle of a run and comes back: requests during the outage fail with
 * {@link SessionStorageException} (never hang, never report success), the driver recovers without a
 * restart of the application, and every commit reported as saved is still there.
 */
final class RedisOutageTest {

  private record Commit(String cookie, String key) {}

  @Test
  void serverStopsAndComesBack_nothingReportedSavedIsLost() throws Exception {
    ExecutorService caller = Executors.newSingleThreadExecutor();
    try (RedisServerProcess server = RedisServerProcess.start(true);
        Satchel satchel =
            Satchel.builder()
                .driver("redis")
                .driverOption("url", server.url())
                .driverOption("timeout", "PT1S")
                .build()) {
      List<String> cookies = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Session session = satchel.open(null, cookie -> {});
        session.set("created", i);
        session.commit();
        cookies.add(session.id().orElseThrow());
      }
      List<Commit> saved = new ArrayList<>();
      Map<String, Integer> outcomes = new LinkedHashMap<>();
      int[] counter = {0};

      // Each request runs on another thread, so that a hang would show as a missed deadline
      // here rather than a test that never ends.
      java.util.function.Supplier<Boolean> request =
          () -> {
            int n = counter[0]++;
            String cookie = cookies.get(n % cookies.size());
            Future<Boolean> result =
                caller.submit(
                    () -> {
                      Session session = satchel.open(cookie, c -> {});
                      session.get("created");
                      session.set("k" + n, n);
                      try {
                        session.commit();
                        saved.add(new Commit(cookie, "k" + n));
                        return true;
                      } catch (SessionStorageException e) {
                        return false;
                      }
                    });
            try {
              return result.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
              if (e.getCause() instanceof SessionStorageException) {
                return false;
              }
              throw new AssertionError(
                  "a request failed with something other than SessionStorageException",
                  e.getCause());
            } catch (Exception e) {
              throw new AssertionError("a request did not finish", e);
            }
          };

      for (int i = 0; i < 50; i++) {
        assertTrue(request.get(), "before the outage");
      }
      server.kill();
      int failedDuringOutage = 0;
      for (int i = 0; i < 30; i++) {
        if (!request.get()) {
          failedDuringOutage++;
        }
      }
      outcomes.put("failed during outage", failedDuringOutage);
      assertEquals(30, failedDuringOutage, "no request may succeed while the server is down");

      server.restart();
      int recovered = 0;
      for (int attempt = 0; attempt < 5000 && recovered < 50; attempt++) {
        if (request.get()) {
          recovered++;
        }
      }
      assertEquals(50, recovered, "the driver did not recover after the server came back");

      for (Commit commit : saved) {
        Session session = satchel.open(commit.cookie(), c -> {});
        assertEquals(
            Optional.of(Integer.parseInt(commit.key().substring(1))),
            session.get(commit.key(), ValueCodecs.integers()),
            commit + " was reported saved");
      }
      assertTrue(saved.size() >= 100, "saved " + saved.size());
    } finally {
      caller.shutdownNow();
    }
  }
}
