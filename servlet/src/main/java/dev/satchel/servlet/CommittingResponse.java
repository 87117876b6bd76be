package dev.satchel.servlet;

import dev.satchel.CookieSink;
import dev.satchel.SessionCookie;
import dev.satchel.SessionReplacedException;
import dev.satchel.SessionSizeException;
import dev.satchel.SessionStorageException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * Stores the session at the last moment the status can still change: before the first byte of the
 * body, a flush, a redirect or an error is sent, and sends the session cookie right after each
 * store. After a failed store the response is a 500 with a generic message, the handler's output is
 * dropped and no session cookie is sent.
 */
final class CommittingResponse extends HttpServletResponseWrapper {
  interface Persister {
    void persist() throws IOException;
  }

  private static final System.Logger LOG = System.getLogger("dev.satchel.servlet");

  private final SessionCookieHeader cookie;
  private final FailureLog.Kinds failures;
  private Persister persister;
  private volatile boolean persistedBeforeOutput;
  private volatile boolean finished;
  private ServletOutputStream stream;
  private PrintWriter writer;

  CommittingResponse(
      HttpServletResponse response, String sessionHeader, FailureLog.Kinds failures) {
    super(response);
    this.cookie = new SessionCookieHeader(response, sessionHeader);
    this.failures = failures;
  }

  /** Where the filter logs the failures of this response's requests. */
  FailureLog.Kinds failures() {
    return failures;
  }

  void bind(Persister persister) {
    this.persister = persister;
  }

  /** Where the session sends its cookie: held until the session is stored. */
  CookieSink cookieSink() {
    return new CookieSink() {
      @Override
      public void setCookie(SessionCookie sessionCookie) {
        cookie.hold(sessionCookie);
      }

      @Override
      public void withdraw() {
        cookie.withdraw();
      }
    };
  }

  /**
   * Stores the session before output leaves: before the first output, and again before any output
   * once the cookie changed, so that a cookie never reaches the client before its session is
   * stored.
   */
  private void beforeOutput() throws IOException {
    if (!persistedBeforeOutput || cookie.changed()) {
      persistedBeforeOutput = true;
      persistOrFail();
    }
  }

  /** Stores whatever changed since, at the end of the request. */
  void persistNow() throws IOException {
    if (!finished) {
      persistedBeforeOutput = true;
      persistOrFail();
    }
  }

  /** Whether the response was answered for the session: a failed store, or {@link #abandon()}. */
  boolean finished() {
    return finished;
  }

  /** Stores nothing more and lets no more output through: the filter answers instead. */
  void abandon() {
    finished = true;
  }

  private void persistOrFail() throws IOException {
    try {
      persister.persist();
    } catch (SessionReplacedException e) {
      if (isCommitted()) {
        throw e;
      }
      // A race any client can cause at will with its old cookie: not worth an error in the log.
      LOG.log(System.Logger.Level.DEBUG, "The session was replaced by a log-in; answering 409");
      failWith(HttpServletResponse.SC_CONFLICT, REPLACED);
      return;
    } catch (SessionStorageException e) {
      if (isCommitted()) {
        // Too late for a status: fail the response rather than let it pass as a success.
        throw e;
      }
      failures.notSaved().log("The session could not be saved; answering 500", e);
      // A fixed message: the exception's names the driver and the store's own error.
      failWith(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "The session could not be saved");
      return;
    } catch (SessionSizeException e) {
      if (isCommitted()) {
        throw e;
      }
      failures.refused().logRepeating("A change was refused; answering 413", e);
      failWith(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, TOO_LARGE);
      return;
    }
    cookie.send();
  }

  /** What a client is told when its session ID was replaced by a log-in in another request. */
  static final String REPLACED =
      "The session was replaced by a log-in; the change was not saved. Retry with the new session"
          + " cookie.";

  /** What a client is told when its change would make the session larger than allowed. */
  static final String TOO_LARGE = "The session would be too large; the change was not saved.";

  private void failWith(int status, String message) throws IOException {
    finished = true;
    HttpServletResponse wrapped = (HttpServletResponse) getResponse();
    wrapped.resetBuffer();
    // The page's content type no longer describes the body: an error page chooses its own (Spring
    // Boot's fails with a 500 when a preset type does not fit what the client accepts).
    try {
      wrapped.setContentType(null);
    } catch (RuntimeException refused) {
      // Jetty 12 takes no null here (Servlet 6.1 allows it); its error pages choose their type.
    }
    wrapped.sendError(status, message);
  }

  @Override
  public void reset() {
    super.reset();
    cookie.headersCleared();
  }

  @Override
  public void flushBuffer() throws IOException {
    output(super::flushBuffer);
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    output(() -> super.sendRedirect(location));
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    output(() -> super.sendError(sc, msg));
  }

  @Override
  public void sendError(int sc) throws IOException {
    output(() -> super.sendError(sc));
  }

  private interface Output {
    void run() throws IOException;
  }

  /**
   * Every way output can leave goes through here: store the session first, drop it after a failure.
   */
  private void output(Output action) throws IOException {
    if (finished) {
      return;
    }
    beforeOutput();
    if (!finished) {
      action.run();
    }
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (stream == null) {
      ServletOutputStream wrapped = super.getOutputStream();
      stream =
          new ServletOutputStream() {
            @Override
            public void write(int b) throws IOException {
              output(() -> wrapped.write(b));
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
              output(() -> wrapped.write(bytes, offset, length));
            }

            @Override
            public void flush() throws IOException {
              output(wrapped::flush);
            }

            @Override
            public void close() throws IOException {
              output(wrapped::close);
            }

            @Override
            public boolean isReady() {
              return wrapped.isReady();
            }

            @Override
            public void setWriteListener(WriteListener listener) {
              wrapped.setWriteListener(listener);
            }
          };
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (writer == null) {
      PrintWriter wrapped = super.getWriter();
      writer =
          new PrintWriter(
              new Writer() {
                @Override
                public void write(char[] chars, int offset, int length) throws IOException {
                  output(() -> wrapped.write(chars, offset, length));
                }

                @Override
                public void flush() throws IOException {
                  output(wrapped::flush);
                }

                @Override
                public void close() throws IOException {
                  output(wrapped::close);
                }
              });
    }
    return writer;
  }
}
