package dev.satchel.servlet;

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
 * body, a flush, a redirect or an error is sent. After a failed store the response is a 500 and the
 * handler's output is dropped.
 */
final class CommittingResponse extends HttpServletResponseWrapper {
  interface Persister {
    void persist() throws IOException;
  }

  private static final System.Logger LOG = System.getLogger("dev.satchel.servlet");

  private Persister persister;
  private boolean persistedBeforeOutput;
  private boolean failed;
  private ServletOutputStream stream;
  private PrintWriter writer;

  CommittingResponse(HttpServletResponse response) {
    super(response);
  }

  void bind(Persister persister) {
    this.persister = persister;
  }

  /** Stores the session before output leaves, once. */
  private void beforeOutput() throws IOException {
    if (!persistedBeforeOutput) {
      persistedBeforeOutput = true;
      persistOrFail();
    }
  }

  /** Stores whatever changed since, at the end of the request. */
  void persistNow() throws IOException {
    if (!failed) {
      persistedBeforeOutput = true;
      persistOrFail();
    }
  }

  private void persistOrFail() throws IOException {
    try {
      persister.persist();
    } catch (SessionStorageException e) {
      if (isCommitted()) {
        // Too late for a status: fail the response rather than let it pass as a success.
        throw e;
      }
      LOG.log(System.Logger.Level.ERROR, "The session could not be saved; answering 500", e);
      failWith500();
    }
  }

  void failWith500() throws IOException {
    failed = true;
    HttpServletResponse wrapped = (HttpServletResponse) getResponse();
    wrapped.resetBuffer();
    wrapped.sendError(
        HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "The session could not be saved");
  }

  void addHeaderToWrapped(String name, String value) {
    ((HttpServletResponse) getResponse()).addHeader(name, value);
  }

  void setHeaderOnWrapped(String name, String value) {
    ((HttpServletResponse) getResponse()).setHeader(name, value);
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
    beforeOutput();
    if (!failed) {
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
