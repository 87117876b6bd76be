package dev.satchel.it.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.satchel.spi.SessionIds;
import dev.satchel.testing.NoSessionIdsInLogs;
import java.lang.System.Logger.Level;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The guard against session IDs in Satchel's log, run on test classes of its own through the JUnit
 * launcher: a class that logs an ID at INFO or above fails, in the message, a parameter or a stack
 * trace; fingerprints, and IDs at DEBUG, pass.
 */
final class NoSessionIdsInLogsTest {
  private static final System.Logger LOG = System.getLogger("dev.satchel.guard-test");

  @ExtendWith(NoSessionIdsInLogs.class)
  static final class IdInTheMessage {
    @Test
    void logs() {
      LOG.log(Level.INFO, "Opened session " + SessionIds.generate());
    }
  }

  @ExtendWith(NoSessionIdsInLogs.class)
  static final class IdInAParameter {
    @Test
    void logs() {
      LOG.log(Level.WARNING, "Opened session {0}", SessionIds.generate());
    }
  }

  @ExtendWith(NoSessionIdsInLogs.class)
  static final class IdInACause {
    @Test
    void logs() {
      LOG.log(
          Level.ERROR,
          "The store failed",
          new IllegalStateException(
              "writing", new RuntimeException("/sessions/" + SessionIds.generate())));
    }
  }

  @ExtendWith(NoSessionIdsInLogs.class)
  static final class FingerprintsAndDebug {
    @Test
    void logs() {
      String id = SessionIds.generate();
      LOG.log(Level.WARNING, "Opened session " + SessionIds.fingerprint(id));
      LOG.log(Level.DEBUG, "Opened session " + id);
      LOG.log(Level.INFO, "An ID of another shape: " + id.toUpperCase());
    }
  }

  private static TestExecutionSummary run(Class<?> testClass) {
    LauncherDiscoveryRequest request =
        LauncherDiscoveryRequestBuilder.request().selectors(selectClass(testClass)).build();
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    launcher.execute(request, summary);
    return summary.getSummary();
  }

  @Test
  void aClassThatLogsASessionId_fails() {
    for (Class<?> logging : List.of(IdInTheMessage.class, IdInAParameter.class, IdInACause.class)) {
      TestExecutionSummary summary = run(logging);
      assertEquals(1, summary.getTestsSucceededCount(), logging + ": the test itself passes");
      assertEquals(1, summary.getContainersFailedCount(), logging + ": its class fails");
      Throwable failure = summary.getFailures().get(0).getException();
      assertTrue(
          failure.getMessage().contains("Satchel logged a session ID at INFO or above"),
          failure.getMessage());
      assertTrue(failure.getMessage().contains("<session ID>"), failure.getMessage());
    }
  }

  @Test
  void fingerprints_idsAtDebug_andOtherShapes_pass() {
    TestExecutionSummary summary = run(FingerprintsAndDebug.class);
    assertEquals(1, summary.getTestsSucceededCount());
    assertEquals(0, summary.getTotalFailureCount(), () -> summary.getFailures().toString());
  }
}
