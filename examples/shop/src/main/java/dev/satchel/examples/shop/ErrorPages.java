package dev.satchel.examples.shop;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * The shop's own error pages in place of Jetty's: every {@code sendError}, unknown path, uncaught
 * exception and malformed request gets {@link Pages#error(int, String)}, in HTML whatever the
 * client accepts, and never a stack trace.
 */
final class ErrorPages {
  private ErrorPages() {}

  /**
   * Replaces Jetty's error pages: the context's, for errors of the shop's servlets, and the
   * server's, for requests refused before they reach them (such as an ambiguous URI).
   */
  static void install(Server server, ServletContextHandler context) {
    context.setErrorHandler(new ServletErrors());
    server.setErrorHandler(new ServerErrors());
  }

  /** Errors of the shop's servlets: what they passed to {@code sendError} can be shown. */
  private static final class ServletErrors extends org.eclipse.jetty.ee10.servlet.ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(
        Request request,
        Response response,
        Callback callback,
        String contentType,
        List<Charset> charsets,
        int status,
        String message,
        Throwable cause)
        throws IOException {
      return super.generateAcceptableResponse(
          request, response, callback, "text/html", UTF_8, status, message, cause);
    }

    @Override
    protected void writeErrorHtml(
        Request request,
        Writer writer,
        Charset charset,
        int status,
        String message,
        Throwable cause)
        throws IOException {
      // Jetty's reason phrase ("Not Found") says less than the page's own explanation.
      boolean reasonPhrase = message != null && message.equals(HttpStatus.getMessage(status));
      writer.write(Pages.error(status, reasonPhrase ? null : message));
    }
  }

  /** Requests Jetty refused itself: its message is for developers, not for the visitor. */
  private static final class ServerErrors extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    protected boolean generateAcceptableResponse(
        Request request,
        Response response,
        Callback callback,
        String contentType,
        List<Charset> charsets,
        int status,
        String message,
        Throwable cause)
        throws IOException {
      return super.generateAcceptableResponse(
          request, response, callback, "text/html", UTF_8, status, message, cause);
    }

    @Override
    protected void writeErrorHtml(
        Request request,
        Writer writer,
        Charset charset,
        int status,
        String message,
        Throwable cause)
        throws IOException {
      writer.write(Pages.error(status, null));
    }
  }

  private static final List<Charset> UTF_8 = List.of(StandardCharsets.UTF_8);

  /**
   * In front of the session filter, turns the 503 it answers when the session store fails into the
   * shop's error page. The filter writes that 503 itself, in plain text, so no error handler would
   * see it: this keeps its status and {@code Retry-After} header, drops its body, and sends the 503
   * through the error handler instead.
   */
  static final class StoreUnavailablePage implements Filter {
    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
        throws IOException, ServletException {
      HttpServletResponse http = (HttpServletResponse) response;
      UnavailableResponse watched = new UnavailableResponse(http);
      chain.doFilter(request, watched);
      if (watched.unavailable && !http.isCommitted()) {
        http.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      }
    }
  }

  /** Passes everything through until a 503 is set; from then on, only headers. */
  private static final class UnavailableResponse extends HttpServletResponseWrapper {
    private boolean unavailable;

    UnavailableResponse(HttpServletResponse response) {
      super(response);
    }

    @Override
    public void setStatus(int status) {
      if (status == HttpServletResponse.SC_SERVICE_UNAVAILABLE) {
        unavailable = true;
      } else {
        super.setStatus(status);
      }
    }

    @Override
    public void setContentType(String type) {
      if (!unavailable) {
        super.setContentType(type);
      }
    }

    @Override
    public void setCharacterEncoding(String charset) {
      if (!unavailable) {
        super.setCharacterEncoding(charset);
      }
    }

    @Override
    public void setContentLength(int length) {
      if (!unavailable) {
        super.setContentLength(length);
      }
    }

    @Override
    public void setContentLengthLong(long length) {
      if (!unavailable) {
        super.setContentLengthLong(length);
      }
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
      return unavailable ? DISCARDED : super.getOutputStream();
    }

    @Override
    public PrintWriter getWriter() throws IOException {
      return unavailable ? new PrintWriter(Writer.nullWriter()) : super.getWriter();
    }
  }

  private static final ServletOutputStream DISCARDED =
      new ServletOutputStream() {
        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] bytes, int offset, int length) {}

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setWriteListener(WriteListener listener) {}
      };
}
