package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

final class LogRedactionTest {
  @Test
  void text_replacesEverySessionId_byItsFingerprint() {
    String first = SessionIds.generate();
    String second = SessionIds.generate();
    String redacted = LogRedaction.text("moving /s/" + first + " to " + second + "!");
    assertEquals(
        "moving /s/session#"
            + SessionIds.fingerprint(first)
            + " to session#"
            + SessionIds.fingerprint(second)
            + "!",
        redacted);
    assertEquals("no ids $1 \\ here", LogRedaction.text("no ids $1 \\ here"));
  }

  /** Stored data quoted by a codec or a parser may hold a credential, cut short or whole. */
  @Test
  void withoutQuotedData_leavesOutWhatIsQuoted() {
    String id = SessionIds.generate();
    assertEquals(
        "the string \"…\" is not a LocalDate (an ISO-8601 date)",
        LogRedaction.withoutQuotedData(
            "the string \"" + id + "\" is not a LocalDate (an ISO-8601 date)"));
    assertEquals(
        "Unexpected token 'X', \"…\" is not valid JSON, nor \"…\"",
        LogRedaction.withoutQuotedData(
            "Unexpected token 'X', \"Xpassword=hunter2&token=sk_liv\\\"...\" is not valid JSON,"
                + " nor \""
                + id.substring(0, 30)
                + "\""));
    assertEquals(
        "at session#" + SessionIds.fingerprint(id), LogRedaction.withoutQuotedData("at " + id));
  }

  @Test
  void throwable_withoutIds_isTheSameObject() {
    IllegalStateException plain = new IllegalStateException("down", new RuntimeException("x"));
    assertSame(plain, LogRedaction.throwable(plain));
  }

  @Test
  void throwable_withAnIdDeepInItsChain_printsAsTheOriginal_withoutTheId() {
    String id = SessionIds.generate();
    UncheckedIOException failure =
        new UncheckedIOException(
            "writing a session", new NoSuchFileException("/sessions/" + id + ".tmp"));
    Throwable redacted = LogRedaction.throwable(failure);
    StringWriter printed = new StringWriter();
    redacted.printStackTrace(new PrintWriter(printed));
    String text = printed.toString();
    assertFalse(text.contains(id), text);
    assertTrue(text.startsWith("java.io.UncheckedIOException: writing a session"), text);
    assertTrue(
        text.contains(
            "Caused by: java.nio.file.NoSuchFileException: /sessions/session#"
                + SessionIds.fingerprint(id)
                + ".tmp"),
        text);
    assertTrue(text.contains("LogRedactionTest"), "keeps the stack trace: " + text);
  }
}
