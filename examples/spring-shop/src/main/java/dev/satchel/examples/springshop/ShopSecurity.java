package dev.satchel.examples.springshop;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CookieCsrfTokenRepository;

/**
 * Log-in, log-out and CSRF through Spring Security, configured as in any Spring application: the
 * starter keeps the security context in the visitor's Satchel session, beside the cart, and no
 * container session ({@code JSESSIONID}) is ever made. The CSRF token is in a cookie of its own, so
 * that a page with a form stores no session for a visitor who has none. Actuator's endpoints have a
 * chain of their own, for operators.
 */
@Configuration(proxyBeanMethods = false)
class ShopSecurity {
  /**
   * Actuator, ahead of the shop's chain: the health open to all (its details to operators), every
   * other endpoint to the operator {@code shop.operator-user} ({@code ops}, password {@code
   * shop.operator-password}) by HTTP Basic only, as a scraper or an operator's script calls it.
   * Stateless: the session cookie does not authenticate here, so no CSRF token is needed, and no
   * logged-in shop visitor reaches an endpoint. The operator is not a shop customer, nor the
   * reverse.
   */
  @Bean
  @Order(1)
  SecurityFilterChain operationsSecurityFilterChain(
      HttpSecurity http,
      @Value("${shop.operator-user}") String user,
      @Value("${shop.operator-password}") String password)
      throws Exception {
    return http.securityMatcher("/actuator/**")
        .authorizeHttpRequests(
            requests ->
                requests
                    .requestMatchers("/actuator/health", "/actuator/health/**")
                    .permitAll()
                    .anyRequest()
                    .hasRole("OPERATOR"))
        .httpBasic(Customizer.withDefaults())
        // Its own authentication, without the shop's as a parent: a customer's password is
        // refused here (401), not accepted and then found lacking the role.
        .authenticationManager(
            new ProviderManager(
                new DaoAuthenticationProvider(
                    new InMemoryUserDetailsManager(
                        User.withUsername(user)
                            .password("{noop}" + password)
                            .roles("OPERATOR")
                            .build()))))
        .sessionManagement(
            sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .csrf(csrf -> csrf.disable())
        .build();
  }

  @Bean
  @Order(2)
  SecurityFilterChain shopSecurityFilterChain(HttpSecurity http) throws Exception {
    return http
        // Every page, the cart API, the form actions and shared carts are open: the cart works
        // without logging in, as in the Jetty shop. Logging in only names the visitor.
        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        // POST /login with username, password and _csrf, from the form on the shop's page or
        // Spring Security's page at GET /login, which also tells of a failed log-in. Logging in
        // changes the session ID (changeSessionId, which Satchel turns into regenerate), keeping
        // the cart, then goes back to the shop.
        .formLogin(Customizer.withDefaults())
        // POST /logout with _csrf ends the session, then back to the shop as a new visitor.
        .logout(logout -> logout.logoutSuccessUrl("/"))
        // On, as by default, for every POST: the forms carry the token in a hidden _csrf field,
        // and a script calling the JSON API sends it in the X-CSRF-TOKEN header, reading both
        // from the page's <meta name="_csrf"> and <meta name="_csrf_header">.
        .csrf(csrf -> csrf.csrfTokenRepository(csrfTokens()))
        .build();
  }

  /**
   * The CSRF token in a cookie ({@code XSRF-TOKEN}, HttpOnly, SameSite=Lax, Secure over HTTPS),
   * which each form and API call must repeat: Spring Security's default keeps it in the session,
   * which would make every page with a form store a session for every visitor, crawlers and floods
   * of requests without cookies included. A request whose token does not match its cookie is
   * refused wherever it arrives, as no instance needs to remember the token. It is renewed at
   * log-in and cleared at log-out.
   */
  static CookieCsrfTokenRepository csrfTokens() {
    CookieCsrfTokenRepository tokens = new CookieCsrfTokenRepository();
    tokens.setHeaderName("X-CSRF-TOKEN");
    tokens.setCookieCustomizer(cookie -> cookie.sameSite("Lax"));
    return tokens;
  }

  /**
   * The shop's one customer, {@code shop.demo-user} ({@code ann}) with the password {@code
   * shop.demo-password} ({@code satchel}; {@code SHOP_DEMO_PASSWORD} in the environment).
   *
   * <p>{@code {noop}} stores the password as it is, which is fine for a demo only: a real shop
   * keeps users in a database with hashed passwords ({@code {bcrypt}…}, from {@code
   * PasswordEncoderFactories.createDelegatingPasswordEncoder()}).
   */
  @Bean
  InMemoryUserDetailsManager shopUsers(
      @Value("${shop.demo-user}") String user, @Value("${shop.demo-password}") String password) {
    return new InMemoryUserDetailsManager(
        User.withUsername(user).password("{noop}" + password).roles("CUSTOMER").build());
  }
}
