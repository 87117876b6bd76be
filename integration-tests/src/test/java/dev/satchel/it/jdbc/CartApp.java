package dev.satchel.it.jdbc;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A shop behind the filter on a real Jetty, on a free loopback port: a cart that requests add to
 * with {@link Session#update}, so that concurrent additions to one session are all kept and a store
 * failure inside the handler is a 503, plus log-in, log-out and short-lived visits.
 */
final class CartApp implements AutoCloseable {
  static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());

  /** The idle timeout of a visit's session, so that such sessions expire all the time. */
  static final Duration VISIT_IDLE_TIMEOUT = Duration.ofSeconds(1);

  private final Server server;

  CartApp(Satchel satchel) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(
        new FilterHolder(new SatchelFilter(satchel)), "/*", EnumSet.allOf(DispatcherType.class));
    Map<String, Handler> routes =
        Map.of(
            "/add",
            (session, request, response) -> {
              String item = request.getParameter("item");
              List<String> stored =
                  session.update(
                      "cart",
                      CART,
                      current -> {
                        List<String> next =
                            current == null ? new ArrayList<>() : new ArrayList<>(current);
                        next.add(item);
                        return next;
                      });
              if (stored == null || !stored.contains(item)) {
                // A log-out in another request ended the session meanwhile: nothing was stored.
                response.sendError(HttpServletResponse.SC_CONFLICT, "not stored");
                return;
              }
              response.getWriter().write("added " + item);
            },
            "/cart",
            (session, request, response) ->
                response
                    .getWriter()
                    .write(String.join(",", session.get("cart", CART).orElse(List.of()))),
            "/login",
            (session, request, response) -> {
              session.regenerate();
              session.setPrincipal(request.getParameter("user"));
              response.getWriter().write("welcome");
            },
            "/logout",
            (session, request, response) -> {
              session.destroy();
              response.getWriter().write("bye");
            },
            "/visit",
            (session, request, response) -> {
              session.setIdleTimeout(VISIT_IDLE_TIMEOUT);
              session.set("visited", request.getParameter("page"));
              response.getWriter().write("visited");
            });
    routes.forEach(
        (path, handler) ->
            context.addServlet(
                new ServletHolder(
                    new HttpServlet() {
                      @Override
                      protected void service(HttpServletRequest req, HttpServletResponse res)
                          throws IOException {
                        res.setContentType("text/plain;charset=utf-8");
                        handler.handle(SatchelFilter.session(req), req, res);
                      }
                    }),
                path));
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
  }

  interface Handler {
    void handle(Session session, HttpServletRequest request, HttpServletResponse response)
        throws IOException;
  }

  URI uri(String pathAndQuery) {
    return URI.create(
        "http://127.0.0.1:"
            + ((ServerConnector) server.getConnectors()[0]).getLocalPort()
            + pathAndQuery);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
