package dev.satchel.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class during which Satchel logged something shaped like a session ID (a lower-case
 * UUID v4) at INFO or above, in a message, its parameters or the stack trace logged with it. A
 * session ID is a credential: logs name sessions by {@code SessionIds.fingerprint} instead.
 *
 * <p>It watches the {@code dev.satchel} loggers of {@code java.util.logging}, where {@code
 * System.Logger} writes unless the class path routes it elsewhere (as {@code
 * slf4j-jdk-platform-logging} does, to SLF4J). A module runs it for every test class with {@code
 * junit.jupiter.extensions.autodetection.enabled=true} in its {@code
 * src/test/resources/junit-platform.properties} (this jar registers it as an extension), or a class
 * with {@code @ExtendWith(NoSessionIdsInLogs.class)}.
 */
public final class NoSessionIdsInLogs implements BeforeAllCallback, AfterAllCallback {
  private static final Pattern SESSION_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  /** Held here: java.util.logging keeps its loggers weakly, and with them their handlers. */
  private static final Logger SATCHEL = Logger.getLogger("dev.satchel");

  private static final List<String> FOUND = new ArrayList<>();
  private static final Handler WATCH =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() < Level.INFO.intValue()) {
            return;
          }
          String text = text(record);
          Matcher id = SESSION_ID.matcher(text);
          if (id.find()) {
            synchronized (FOUND) {
              FOUND.add(
                  record.getLevel()
                      + " from "
                      + record.getLoggerName()
                      + " ("
                      + record.getSourceClassName()
                      + "."
                      + record.getSourceMethodName()
                      + "): "
                      + text.replace(id.group(), "<session ID>"));
            }
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private static boolean installed;

  /** Creates the extension; its watch on the log is shared by all its instances. */
  public NoSessionIdsInLogs() {}

  private static synchronized void install() {
    if (!installed) {
      WATCH.setLevel(Level.INFO);
      SATCHEL.addHandler(WATCH);
      installed = true;
    }
  }

  /** The record's message as written and as formatted, its parameters and its stack trace. */
  private static String text(LogRecord record) {
    StringBuilder text = new StringBuilder();
    String message = record.getMessage();
    text.append(message);
    Object[] parameters = record.getParameters();
    if (parameters != null) {
      for (Object parameter : parameters) {
        text.append(" | ").append(parameter);
      }
      if (message != null) {
        try {
          text.append(" | ").append(MessageFormat.format(message, parameters));
        } catch (IllegalArgumentException notAPattern) {
          // The parameters are in the text already.
        }
      }
    }
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      record.getThrown().printStackTrace(new PrintWriter(trace));
      text.append('\n').append(trace);
    }
    return text.toString();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    install();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    List<String> found;
    synchronized (FOUND) {
      found = new ArrayList<>(FOUND);
      FOUND.clear();
    }
    if (!found.isEmpty()) {
      throw new AssertionError(
          "Satchel logged a session ID at INFO or above during "
              + context.getDisplayName()
              + " (or, from a thread of an earlier class, just before it)"
              + "; log its fingerprint (SessionIds.fingerprint) instead:\n  "
              + String.join("\n  ", found));
    }
  }
}
