package dev.satchel.spring.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletResponse;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * A servlet application with the auto-configuration, over real HTTP: controllers take the session
 * and generated session classes as parameters, every path has its session, and the session is there
 * for a filter where Spring Security's filter chain runs.
 */
@SpringBootTest(
    classes = SatchelWebApplicationTest.WebApplication.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"satchel.driver=memory", "satchel.cookie.secure=false"})
final class SatchelWebApplicationTest {
  @LocalServerPort int port;

  private final CookieManager cookies = new CookieManager();
  private final HttpClient client =
      HttpClient.newBuilder().cookieHandler(cookies).version(HttpClient.Version.HTTP_1_1).build();

  @Configuration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  @Import(SessionController.class)
  static class WebApplication {
    /** A filter at Spring Security's position (-100): it finds the session already open. */
    @Bean
    FilterRegistrationBean<Filter> atTheSecurityFiltersPosition() {
      FilterRegistrationBean<Filter> registration =
          new FilterRegistrationBean<>(
              (request, response, chain) -> {
                SatchelFilter.session(request);
                ((HttpServletResponse) response).setHeader("X-Session-Open", "yes");
                chain.doFilter(request, response);
              });
      registration.setOrder(-100);
      return registration;
    }
  }

  @RestController
  static class SessionController {
    @PostMapping("/visits")
    int visit(VisitsSession visits) {
      return visits.updateCount(count -> count == null ? 1 : count + 1);
    }

    @GetMapping("/deep/down/visits")
    String visits(Session session, VisitsSession visits, TestCartSession cart) {
      return visits.count().orElse(0)
          + " "
          + (visits.session() == session && cart.session() == session);
    }

    @PostMapping("/cart")
    List<String> add(TestCartSession cart, @RequestParam String item) {
      return cart.updateItems(
          items -> {
            List<String> next = items == null ? new ArrayList<>() : new ArrayList<>(items);
            next.add(item);
            return next;
          });
    }
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void controllersGetTheSession_andGeneratedClassesOverIt_onEveryPath() throws Exception {
    assertEquals("1", send("POST", "/visits").body());
    HttpResponse<String> second = send("POST", "/visits");
    assertEquals("2", second.body());
    List<HttpCookie> held = cookies.getCookieStore().getCookies();
    assertEquals(1, held.size(), held.toString());
    assertEquals(Satchel.DEFAULT_COOKIE_NAME, held.get(0).getName());
    HttpResponse<String> deep = send("GET", "/deep/down/visits");
    assertEquals(200, deep.statusCode());
    assertEquals("2 true", deep.body(), "one session per request, whatever the parameter type");
  }

  @Test
  void aPublicGeneratedClass_worksAsWell() throws Exception {
    assertEquals("[\"sku-1\"]", send("POST", "/cart?item=sku-1").body());
    assertEquals("[\"sku-1\",\"sku-2\"]", send("POST", "/cart?item=sku-2").body());
  }

  @Test
  void theSessionIsOpen_whereSpringSecuritysFiltersRun() throws Exception {
    HttpResponse<String> response = send("GET", "/deep/down/visits");
    assertEquals("yes", response.headers().firstValue("X-Session-Open").orElse(null));
    assertEquals("0 true", response.body());
    assertTrue(cookies.getCookieStore().getCookies().isEmpty(), "an untouched session sets none");
  }
}
