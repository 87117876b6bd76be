package dev.satchel.spring.boot;

import dev.satchel.SessionStorageException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** The session store could not be started: not reachable, or refusing the driver. */
final class SatchelStorageFailureAnalyzer extends AbstractFailureAnalyzer<SessionStorageException> {
  @Override
  protected FailureAnalysis analyze(Throwable root, SessionStorageException cause) {
    return new FailureAnalysis(
        "Satchel could not start its session store: " + cause.getMessage(),
        "Make sure the store is reachable and that satchel.driver and its satchel.driver.*"
            + " options (such as satchel.driver.url or satchel.driver.base) point at it.",
        cause);
  }
}
