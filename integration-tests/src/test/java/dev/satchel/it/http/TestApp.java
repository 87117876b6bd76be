package dev.satchel.it.http;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionStorageException;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.PlainObject;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The endpoints of Astro's session integration fixture, as servlets behind the filter, on a real
 * Jetty on a free loopback port.
 */
final class TestApp implements AutoCloseable {
  private final Server server;

  TestApp(Satchel satchel) throws Exception {
    this(new FilterHolder(new SatchelFilter(satchel, "X-Session-Token")), null);
  }

  /**
   * An app behind {@code filter}; {@code classLoader}, when given, is the web app's, where a filter
   * that configures itself finds {@code satchel.properties}.
   */
  TestApp(FilterHolder filter, ClassLoader classLoader) throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    if (classLoader != null) {
      context.setClassLoader(classLoader);
    }
    context.addFilter(filter, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ASYNC));
    Map<String, HttpServlet> routes = new HashMap<>();
    routes.putAll(
        Map.of(
            "/regenerate",
                handler(
                    (s, req, res) -> {
                      s.regenerate();
                      res.getWriter().write(s.id().orElseThrow());
                    }),
            "/update",
                handler(
                    (s, req, res) -> {
                      Object previous =
                          s.get("value").map(v -> ((PlainObject) v).get("value")).orElse("none");
                      PlainObject value = new PlainObject();
                      value.put("value", "expected");
                      s.set("value", value);
                      value.put("value", "unexpected");
                      res.getWriter().write("{\"previousValue\":\"" + previous + "\"}");
                    }),
            "/addUrl",
                handler(
                    (s, req, res) -> {
                      String previous =
                          s.get("favoriteUrl", ValueCodecs.uris())
                              .map(URI::toString)
                              .orElse("nothing");
                      URI url = URI.create(req.getParameter("favoriteUrl"));
                      s.set("favoriteUrl", url, ValueCodecs.uris());
                      res.getWriter().write("Favorite URL set to " + url + " from " + previous);
                    }),
            "/addToCart",
                handler(
                    (s, req, res) -> {
                      List<String> cart =
                          new ArrayList<>(
                              s.get("cart", ValueCodecs.list(ValueCodecs.strings()))
                                  .orElse(List.of()));
                      cart.add(req.getParameter("productId"));
                      s.set("cart", cart, ValueCodecs.list(ValueCodecs.strings()));
                      res.getWriter().write(String.join(",", cart));
                    }),
            "/loadCart",
                handler(
                    (s, req, res) -> {
                      if (!s.load(req.getParameter("id"))) {
                        res.sendError(404);
                        return;
                      }
                      res.getWriter()
                          .write(
                              String.join(
                                  ",",
                                  s.get("cart", ValueCodecs.list(ValueCodecs.strings()))
                                      .orElse(List.of())));
                    }),
            "/login",
                handler(
                    (s, req, res) -> {
                      s.set("user", "alice");
                      res.getWriter().write("ok");
                    }),
            "/login-safe",
                handler(
                    (s, req, res) -> {
                      s.regenerate();
                      s.set("user", "alice");
                      res.getWriter().write("ok");
                    }),
            "/set",
                handler(
                    (s, req, res) -> {
                      s.set(req.getParameter("key"), req.getParameter("value"));
                      if (req.getParameter("then") != null) {
                        res.sendRedirect(req.getParameter("then"));
                      } else {
                        res.getWriter().write("set");
                      }
                    }),
            "/get",
                handler(
                    (s, req, res) ->
                        res.getWriter()
                            .write(
                                s.get(req.getParameter("key"))
                                    .map(Object::toString)
                                    .orElse("none")))));
    routes.putAll(
        Map.of(
            // Log-in behind a middleware that already wrote to the session.
            "/set-then-regenerate",
            handler(
                (s, req, res) -> {
                  res.addCookie(new Cookie("theme", "dark"));
                  s.set(req.getParameter("key"), req.getParameter("value"));
                  res.addHeader("Set-Cookie", "tracking=1; Path=/");
                  s.regenerate();
                  res.getWriter().write(s.id().orElseThrow());
                }),
            // The cookie changes after the body started but before the response is committed.
            "/set-write-regenerate",
            handler(
                (s, req, res) -> {
                  res.addCookie(new Cookie("theme", "dark"));
                  s.set(req.getParameter("key"), req.getParameter("value"));
                  res.getWriter().write("before ");
                  res.addHeader("Set-Cookie", "tracking=1; Path=/");
                  s.regenerate();
                  res.getWriter().write(s.id().orElseThrow());
                }),
            // Log-out behind a middleware that already wrote to the session.
            "/set-then-destroy",
            handler(
                (s, req, res) -> {
                  s.set("seen", "yes");
                  s.destroy();
                  res.getWriter().write("bye");
                }),
            "/read",
            handler(
                (s, req, res) ->
                    res.getWriter().write(s.get("a").map(Object::toString).orElse("none"))),
            "/read-wrapped",
            handler(
                (s, req, res) -> {
                  try {
                    res.getWriter().write(s.get("a").map(Object::toString).orElse("none"));
                  } catch (SessionStorageException e) {
                    throw new ServletException("The page could not be built", e);
                  }
                }),
            "/write-then-read",
            handler(
                (s, req, res) -> {
                  res.getWriter().write("partial output ");
                  res.getWriter().write(s.get("a").map(Object::toString).orElse("none"));
                })));
    routes.putAll(
        Map.of(
            // A value of `size` characters, stored at the end of the request.
            "/big",
            handler(
                (s, req, res) -> {
                  s.set("big", "x".repeat(Integer.parseInt(req.getParameter("size"))));
                  res.getWriter().write("set");
                }),
            // The same through update, which stores inside the handler.
            "/big-update",
            handler(
                (s, req, res) -> {
                  int size = Integer.parseInt(req.getParameter("size"));
                  s.update("big", ValueCodecs.strings(), current -> "x".repeat(size));
                  res.getWriter().write("updated");
                })));
    routes.forEach((path, servlet) -> context.addServlet(new ServletHolder(servlet), path));
    context.addServlet(new ServletHolder(new AsyncSet()), "/async-set");
    context.addServlet(new ServletHolder(new QuietAsyncSet()), "/async-set-quiet");
    server.setHandler(context);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
  }

  /** Sets a key from another thread after the request went async, then completes it. */
  static final class AsyncSet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) {
      var async = request.startAsync();
      new Thread(
              () -> {
                try {
                  SatchelFilter.session(request)
                      .set(request.getParameter("key"), request.getParameter("value"));
                  async.getResponse().getWriter().write("async set");
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                } finally {
                  async.complete();
                }
              })
          .start();
    }
  }

  /** Sets a key from another thread after the request went async, and completes it with no body. */
  static final class QuietAsyncSet extends HttpServlet {
    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) {
      var async = request.startAsync();
      new Thread(
              () -> {
                try {
                  SatchelFilter.session(request)
                      .set(request.getParameter("key"), request.getParameter("value"));
                } finally {
                  async.complete();
                }
              })
          .start();
    }
  }

  interface Handler {
    void handle(Session session, HttpServletRequest request, HttpServletResponse response)
        throws IOException, ServletException;
  }

  private static HttpServlet handler(Handler handler) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response)
          throws IOException, ServletException {
        response.setContentType("text/plain;charset=utf-8");
        handler.handle(SatchelFilter.session(request), request, response);
      }
    };
  }

  URI uri(String path) {
    return URI.create(
        "http://127.0.0.1:" + ((ServerConnector) server.getConnectors()[0]).getLocalPort() + path);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
