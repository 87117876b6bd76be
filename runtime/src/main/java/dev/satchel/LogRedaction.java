package dev.satchel;

import dev.satchel.spi.SessionIds;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps session IDs out of logs: a store's error message often names a file or a key made of the
 * session ID, and an ID is a credential. Each ID found is replaced by its {@link
 * SessionIds#fingerprint fingerprint}, which still tells two sessions apart.
 */
final class LogRedaction {
  private static final Pattern SESSION_ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  /** A double-quoted string, as codecs and parsers quote what they were given. */
  private static final Pattern QUOTED = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");

  private LogRedaction() {}

  /**
   * {@code text}, a message about stored data, with what it quotes of that data left out: stored
   * values may hold credentials (another session's ID, cut short, or a token), which must not reach
   * a log.
   */
  static String withoutQuotedData(String text) {
    return text == null ? null : text(QUOTED.matcher(text).replaceAll("\"…\""));
  }

  /** {@code text} with every session ID in it replaced by {@code session#<fingerprint>}. */
  static String text(String text) {
    if (text == null) {
      return null;
    }
    Matcher matcher = SESSION_ID.matcher(text);
    if (!matcher.find()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    do {
      matcher.appendReplacement(
          out, Matcher.quoteReplacement("session#" + SessionIds.fingerprint(matcher.group())));
    } while (matcher.find());
    matcher.appendTail(out);
    return out.toString();
  }

  /**
   * {@code failure} itself when no message in its chain names a session; otherwise a copy of the
   * chain with the same classes named, the same stack traces and the IDs replaced.
   */
  static Throwable throwable(Throwable failure) {
    if (failure == null || !namesASession(failure, 0)) {
      return failure;
    }
    return copy(failure, 0);
  }

  private static boolean namesASession(Throwable failure, int depth) {
    if (failure == null || depth > 20) {
      return false;
    }
    String message = failure.getMessage();
    return (message != null && SESSION_ID.matcher(message).find())
        || namesASession(failure.getCause(), depth + 1);
  }

  private static Throwable copy(Throwable failure, int depth) {
    Throwable cause =
        failure.getCause() == null || depth > 20 ? null : copy(failure.getCause(), depth + 1);
    Redacted copy = new Redacted(failure.getClass().getName(), text(failure.getMessage()), cause);
    copy.setStackTrace(failure.getStackTrace());
    return copy;
  }

  /** A failure as logged: prints as the original would, with its message redacted. */
  private static final class Redacted extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String originalClass;

    Redacted(String originalClass, String message, Throwable cause) {
      super(message, cause, false, true);
      this.originalClass = originalClass;
    }

    @Override
    public String toString() {
      String message = getLocalizedMessage();
      return message == null ? originalClass : originalClass + ": " + message;
    }
  }
}
