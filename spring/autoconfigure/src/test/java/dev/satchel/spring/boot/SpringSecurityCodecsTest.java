package dev.satchel.spring.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.satchel.servlet.AttributeCodec;
import jakarta.servlet.http.Cookie;
import java.security.Principal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.LockedException;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.RememberMeAuthenticationToken;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.jackson.SecurityJacksonModule;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.OidcUserInfo;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUserAuthority;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.security.oauth2.core.user.OAuth2UserAuthority;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.authentication.WebAuthenticationDetails;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.DefaultCsrfToken;
import org.springframework.security.web.savedrequest.DefaultSavedRequest;
import org.springframework.security.web.savedrequest.SavedRequest;
import tools.jackson.core.Version;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * The codecs for Spring Security's session attributes: each type reads back as it was written, JSON
 * naming a class Spring Security does not allow-list is refused, no password is stored for an
 * authentication whose credentials were erased, and the principal name Satchel indexes by.
 */
final class SpringSecurityCodecsTest {
  private static final Map<String, AttributeCodec<?>> CODECS =
      SpringSecurityCodecs.all().stream()
          .collect(Collectors.toMap(AttributeCodec::name, Function.identity()));

  @SuppressWarnings("unchecked")
  private static <T> AttributeCodec<T> codec(String name) {
    AttributeCodec<T> codec = (AttributeCodec<T>) CODECS.get(name);
    assertTrue(codec != null, name);
    return codec;
  }

  /** What the filter does: encode, keep the String, decode. */
  private static <T> T roundTrip(String name, T value) {
    return decode(name, json(name, value));
  }

  private static <T> T decode(String name, String json) {
    AttributeCodec<T> codec = codec(name);
    return codec.decode(json);
  }

  private static <T> String json(String name, T value) {
    AttributeCodec<T> codec = codec(name);
    assertTrue(codec.type().isInstance(value));
    return assertInstanceOf(String.class, codec.encode(value));
  }

  private static SecurityContext context(Authentication authentication) {
    return new SecurityContextImpl(authentication);
  }

  private static Set<String> authorities(Authentication authentication) {
    return AuthorityUtils.authorityListToSet(authentication.getAuthorities());
  }

  private static User user() {
    return new User(
        "ada", "secret-password", AuthorityUtils.createAuthorityList("ROLE_USER", "ROLE_ADMIN"));
  }

  @Test
  void aContextReadAgain_isANewContext_thatAnotherRequestsChangesDoNotReach() {
    String json =
        json(
            "spring-security-context",
            context(
                UsernamePasswordAuthenticationToken.authenticated(
                    user(), null, user().getAuthorities())));
    SecurityContext first = decode("spring-security-context", json);
    SecurityContext second = decode("spring-security-context", json);
    assertNotSame(first, second);
    assertEquals("ada", second.getAuthentication().getName());
    // Log-out empties its request's context.
    first.setAuthentication(null);
    SecurityContext third = decode("spring-security-context", json);
    assertEquals("ada", third.getAuthentication().getName());
    assertEquals("ada", second.getAuthentication().getName());
  }

  @Test
  void all_namesEachSessionAttributeType_once() {
    Map<String, Class<?>> types =
        SpringSecurityCodecs.all().stream()
            .collect(Collectors.toMap(AttributeCodec::name, AttributeCodec::type));
    assertEquals(
        Map.of(
            "spring-security-context", SecurityContext.class,
            "spring-security-csrf-token", CsrfToken.class,
            "spring-security-saved-request", SavedRequest.class,
            "spring-security-authentication-exception", AuthenticationException.class,
            "spring-security-oauth2-authorization-request", OAuth2AuthorizationRequest.class),
        types);
  }

  @Test
  void usernamePasswordToken_withUserPrincipal_authoritiesAndDetails_roundTrips() {
    UsernamePasswordAuthenticationToken token =
        UsernamePasswordAuthenticationToken.authenticated(
            user(), "secret-password", user().getAuthorities());
    token.setDetails(new WebAuthenticationDetails("203.0.113.7", "old-session-id"));
    token.eraseCredentials();

    String json = json("spring-security-context", context(token));
    SecurityContext read = decode("spring-security-context", json);

    Authentication back = read.getAuthentication();
    assertInstanceOf(SecurityContextImpl.class, read);
    assertInstanceOf(UsernamePasswordAuthenticationToken.class, back);
    assertEquals(token, back);
    assertEquals("ada", back.getName());
    assertTrue(back.isAuthenticated());
    assertEquals(Set.of("ROLE_USER", "ROLE_ADMIN"), authorities(back));
    assertNull(back.getCredentials());
    User principal = assertInstanceOf(User.class, back.getPrincipal());
    assertEquals("ada", principal.getUsername());
    assertNull(principal.getPassword());
    assertEquals(
        Set.of("ROLE_USER", "ROLE_ADMIN"),
        Set.copyOf(
            principal.getAuthorities().stream().map(GrantedAuthority::getAuthority).toList()));
    assertTrue(principal.isEnabled() && principal.isAccountNonLocked());
    WebAuthenticationDetails details =
        assertInstanceOf(WebAuthenticationDetails.class, back.getDetails());
    assertEquals("203.0.113.7", details.getRemoteAddress());
    assertEquals("old-session-id", details.getSessionId());
    assertFalse(json.contains("secret-password"), json);
  }

  /**
   * Spring Security's ProviderManager erases credentials after authentication unless told not to,
   * so what a login puts in the session holds no password.
   */
  @Test
  void aLoginsAuthentication_isStoredWithoutItsPassword() {
    DaoAuthenticationProvider provider =
        new DaoAuthenticationProvider(
            new InMemoryUserDetailsManager(
                User.withUsername("ada").password("{noop}secret-password").roles("USER").build()));
    Authentication authentication =
        new ProviderManager(provider)
            .authenticate(
                UsernamePasswordAuthenticationToken.unauthenticated("ada", "secret-password"));

    String json = json("spring-security-context", context(authentication));
    SecurityContext read = decode("spring-security-context", json);
    Authentication back = read.getAuthentication();

    assertFalse(json.contains("secret-password"), json);
    assertNull(back.getCredentials());
    assertNull(assertInstanceOf(User.class, back.getPrincipal()).getPassword());
    // Equal down to the nanosecond of the FACTOR_PASSWORD authority's issuedAt.
    assertEquals(authentication, back);
    assertEquals("ada", back.getName());
    assertTrue(back.isAuthenticated());
    assertEquals(Set.of("ROLE_USER", "FACTOR_PASSWORD"), authorities(back));
  }

  /** As in Spring Security's own session: the codec stores what the authentication holds. */
  @Test
  void credentialsThatWereNotErased_areStored() {
    UsernamePasswordAuthenticationToken token =
        UsernamePasswordAuthenticationToken.authenticated(
            user(), "secret-password", user().getAuthorities());

    Authentication back = roundTrip("spring-security-context", context(token)).getAuthentication();

    assertEquals("secret-password", back.getCredentials());
  }

  @Test
  void unauthenticatedToken_staysUnauthenticated() {
    UsernamePasswordAuthenticationToken token =
        UsernamePasswordAuthenticationToken.unauthenticated("ada", null);

    Authentication back = roundTrip("spring-security-context", context(token)).getAuthentication();

    assertEquals(token, back);
    assertFalse(back.isAuthenticated());
    assertEquals("ada", back.getName());
  }

  @Test
  void rememberMeToken_roundTrips() {
    RememberMeAuthenticationToken token =
        new RememberMeAuthenticationToken("remember-key", user(), user().getAuthorities());

    RememberMeAuthenticationToken back =
        assertInstanceOf(
            RememberMeAuthenticationToken.class,
            roundTrip("spring-security-context", context(token)).getAuthentication());

    assertEquals(token, back);
    assertEquals("remember-key".hashCode(), back.getKeyHash());
    assertEquals("ada", back.getName());
    assertTrue(back.isAuthenticated());
    assertEquals(Set.of("ROLE_USER", "ROLE_ADMIN"), authorities(back));
  }

  @Test
  void anonymousToken_roundTrips() {
    AnonymousAuthenticationToken token =
        new AnonymousAuthenticationToken(
            "anonymous-key", "anonymousUser", AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS"));

    AnonymousAuthenticationToken back =
        assertInstanceOf(
            AnonymousAuthenticationToken.class,
            roundTrip("spring-security-context", context(token)).getAuthentication());

    assertEquals(token, back);
    assertEquals("anonymous-key".hashCode(), back.getKeyHash());
    assertEquals("anonymousUser", back.getName());
    assertEquals(Set.of("ROLE_ANONYMOUS"), authorities(back));
  }

  @Test
  void emptyContext_roundTrips() {
    assertNull(roundTrip("spring-security-context", new SecurityContextImpl()).getAuthentication());
  }

  @Test
  void oauth2Token_withDefaultOAuth2User_roundTrips() {
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("login", "ada");
    attributes.put("id", 42);
    attributes.put("orgs", List.of("analytical-engines"));
    List<GrantedAuthority> authorities =
        List.of(
            new OAuth2UserAuthority("OAUTH2_USER", attributes, "login"),
            AuthorityUtils.createAuthorityList("SCOPE_read:user").get(0));
    OAuth2AuthenticationToken token =
        new OAuth2AuthenticationToken(
            new DefaultOAuth2User(authorities, attributes, "login"), authorities, "github");

    OAuth2AuthenticationToken back =
        assertInstanceOf(
            OAuth2AuthenticationToken.class,
            roundTrip("spring-security-context", context(token)).getAuthentication());

    assertEquals(token, back);
    assertEquals("ada", back.getName());
    assertEquals("github", back.getAuthorizedClientRegistrationId());
    assertTrue(back.isAuthenticated());
    assertEquals(Set.of("OAUTH2_USER", "SCOPE_read:user"), authorities(back));
    assertEquals(attributes, back.getPrincipal().getAttributes());
  }

  @Test
  void oauth2Token_withDefaultOidcUser_keepsTheIdTokensClaims() {
    Instant issuedAt = Instant.parse("2026-01-02T03:04:05Z");
    Instant expiresAt = issuedAt.plusSeconds(3600);
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", "user-1");
    claims.put("iss", "https://issuer.example");
    claims.put("aud", List.of("client-1"));
    claims.put("email", "ada@example.com");
    claims.put("iat", issuedAt);
    claims.put("exp", expiresAt);
    OidcIdToken idToken = new OidcIdToken("id-token-value", issuedAt, expiresAt, claims);
    OidcUserInfo userInfo = new OidcUserInfo(Map.of("sub", "user-1", "name", "Ada Lovelace"));
    List<GrantedAuthority> authorities =
        List.of(new OidcUserAuthority("OIDC_USER", idToken, userInfo, "sub"));
    OAuth2AuthenticationToken token =
        new OAuth2AuthenticationToken(
            new DefaultOidcUser(authorities, idToken, userInfo, "sub"), authorities, "okta");

    OAuth2AuthenticationToken back =
        assertInstanceOf(
            OAuth2AuthenticationToken.class,
            roundTrip("spring-security-context", context(token)).getAuthentication());

    DefaultOidcUser user = assertInstanceOf(DefaultOidcUser.class, back.getPrincipal());
    assertEquals(token, back);
    assertEquals("user-1", back.getName());
    assertEquals("okta", back.getAuthorizedClientRegistrationId());
    assertEquals(Set.of("OIDC_USER"), authorities(back));
    assertEquals("id-token-value", user.getIdToken().getTokenValue());
    assertEquals(issuedAt, user.getIdToken().getIssuedAt());
    assertEquals(expiresAt, user.getIdToken().getExpiresAt());
    assertEquals("https://issuer.example", user.getIdToken().getIssuer().toString());
    assertEquals(List.of("client-1"), user.getIdToken().getAudience());
    assertEquals("ada@example.com", user.getEmail());
    assertEquals(claims, user.getIdToken().getClaims());
    assertEquals("Ada Lovelace", user.getUserInfo().getFullName());
  }

  @Test
  void csrfToken_roundTrips() {
    DefaultCsrfToken token = new DefaultCsrfToken("X-CSRF-TOKEN", "_csrf", "token-value");

    CsrfToken back = roundTrip("spring-security-csrf-token", token);

    assertEquals("X-CSRF-TOKEN", back.getHeaderName());
    assertEquals("_csrf", back.getParameterName());
    assertEquals("token-value", back.getToken());
  }

  @Test
  void otherCsrfTokens_areStoredAsDefaultCsrfTokens() {
    CsrfToken token =
        new CsrfToken() {
          @Override
          public String getHeaderName() {
            return "X-XSRF-TOKEN";
          }

          @Override
          public String getParameterName() {
            return "_xsrf";
          }

          @Override
          public String getToken() {
            return "token-value";
          }
        };

    CsrfToken back = roundTrip("spring-security-csrf-token", token);

    assertInstanceOf(DefaultCsrfToken.class, back);
    assertEquals("X-XSRF-TOKEN", back.getHeaderName());
    assertEquals("_xsrf", back.getParameterName());
    assertEquals("token-value", back.getToken());
  }

  @Test
  void savedRequest_asHttpSessionRequestCacheSavesIt_roundTrips() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/shop/cart/items");
    request.setScheme("https");
    request.setServerName("shop.example");
    request.setServerPort(8443);
    request.setContextPath("/shop");
    request.setServletPath("/cart");
    request.setPathInfo("/items");
    request.setQueryString("sort=price&tag=a&tag=b");
    request.addParameter("sort", "price");
    request.addParameter("tag", "a", "b");
    request.addHeader("Accept", "text/html");
    request.addHeader("X-Trace", "one");
    request.addHeader("X-Trace", "two");
    request.setCookies(new Cookie("theme", "dark"));
    request.addPreferredLocale(Locale.FRANCE);
    DefaultSavedRequest saved = new DefaultSavedRequest(request, "continue");

    DefaultSavedRequest back =
        assertInstanceOf(
            DefaultSavedRequest.class, roundTrip("spring-security-saved-request", saved));

    assertEquals(saved.getRedirectUrl(), back.getRedirectUrl());
    assertTrue(back.getRedirectUrl().startsWith("https://shop.example:8443/shop/cart/items?"));
    assertTrue(back.getRedirectUrl().contains("continue"), back.getRedirectUrl());
    assertEquals("GET", back.getMethod());
    assertEquals("/shop/cart/items", back.getRequestURI());
    assertEquals("/shop", back.getContextPath());
    assertEquals("/cart", back.getServletPath());
    assertEquals("/items", back.getPathInfo());
    assertEquals("https", back.getScheme());
    assertEquals("shop.example", back.getServerName());
    assertEquals(8443, back.getServerPort());
    assertEquals(saved.getParameterMap().keySet(), back.getParameterMap().keySet());
    assertArrayEquals(new String[] {"price"}, back.getParameterValues("sort"));
    assertArrayEquals(new String[] {"a", "b"}, back.getParameterValues("tag"));
    assertEquals(Set.copyOf(saved.getHeaderNames()), Set.copyOf(back.getHeaderNames()));
    assertEquals(List.of("text/html"), back.getHeaderValues("Accept"));
    assertEquals(List.of("one", "two"), back.getHeaderValues("X-Trace"));
    assertEquals(saved.getLocales(), back.getLocales());
    assertEquals(1, back.getCookies().size());
    assertEquals("theme", back.getCookies().get(0).getName());
    assertEquals("dark", back.getCookies().get(0).getValue());
  }

  @Test
  void oauth2AuthorizationRequest_roundTrips() {
    Map<String, Object> additionalParameters = new LinkedHashMap<>();
    additionalParameters.put("prompt", "consent");
    additionalParameters.put("nonce", "nonce-value");
    Map<String, Object> attributes = new LinkedHashMap<>();
    attributes.put("registration_id", "okta");
    attributes.put("nonce", "nonce-secret");
    OAuth2AuthorizationRequest request =
        OAuth2AuthorizationRequest.authorizationCode()
            .authorizationUri("https://issuer.example/authorize")
            .clientId("client-1")
            .redirectUri("https://shop.example/login/oauth2/code/okta")
            .scopes(Set.of("openid", "profile"))
            .state("state-value")
            .additionalParameters(additionalParameters)
            .attributes(attributes)
            .build();

    OAuth2AuthorizationRequest back =
        roundTrip("spring-security-oauth2-authorization-request", request);

    assertEquals(request.getAuthorizationUri(), back.getAuthorizationUri());
    assertEquals(request.getAuthorizationRequestUri(), back.getAuthorizationRequestUri());
    assertEquals(request.getGrantType(), back.getGrantType());
    assertEquals(request.getResponseType(), back.getResponseType());
    assertEquals("client-1", back.getClientId());
    assertEquals("https://shop.example/login/oauth2/code/okta", back.getRedirectUri());
    assertEquals(Set.of("openid", "profile"), back.getScopes());
    assertEquals("state-value", back.getState());
    assertEquals(additionalParameters, back.getAdditionalParameters());
    assertEquals(attributes, back.getAttributes());
    assertEquals("okta", back.getAttribute("registration_id"));
  }

  @Test
  void badCredentials_keepsItsMessage_withoutTheAttemptsPassword() {
    BadCredentialsException failure = new BadCredentialsException("Bad credentials");
    failure.setAuthenticationRequest(
        UsernamePasswordAuthenticationToken.unauthenticated("ada", "wrong-password"));

    String json = json("spring-security-authentication-exception", failure);
    AuthenticationException back = decode("spring-security-authentication-exception", json);

    assertInstanceOf(BadCredentialsException.class, back);
    assertEquals("Bad credentials", back.getMessage());
    assertFalse(json.contains("wrong-password"), json);
  }

  @Test
  void oauth2AuthenticationException_keepsItsError() {
    OAuth2AuthenticationException failure =
        new OAuth2AuthenticationException(
            new OAuth2Error("invalid_nonce", "The nonce did not match", null), "Login failed");

    OAuth2AuthenticationException back =
        assertInstanceOf(
            OAuth2AuthenticationException.class,
            roundTrip("spring-security-authentication-exception", failure));

    assertEquals("invalid_nonce", back.getError().getErrorCode());
    assertEquals("The nonce did not match", back.getError().getDescription());
    assertEquals("Login failed", back.getMessage());
  }

  @Test
  void exceptionsSpringSecurityDoesNotAllowList_areKeptAsBadCredentials_withTheirMessage() {
    LockedException failure = new LockedException("User account is locked");
    failure.setAuthenticationRequest(
        UsernamePasswordAuthenticationToken.unauthenticated("ada", "wrong-password"));

    String json = json("spring-security-authentication-exception", failure);
    AuthenticationException back = decode("spring-security-authentication-exception", json);

    assertInstanceOf(BadCredentialsException.class, back);
    assertEquals("User account is locked", back.getMessage());
    assertFalse(json.contains("wrong-password"), json);
  }

  @Test
  void aClassNotOnTheAllowList_isRefused() {
    String json =
        json(
            "spring-security-context",
            context(
                UsernamePasswordAuthenticationToken.authenticated(
                    "ada", null, AuthorityUtils.createAuthorityList("ROLE_USER"))));
    AttributeCodec<SecurityContext> codec = codec("spring-security-context");
    String processBuilderDetails =
        replace(
            json,
            "\"details\":null",
            "\"details\":{\"@class\":\"java.lang.ProcessBuilder\","
                + "\"command\":[\"java.util.ArrayList\",[\"touch\",\"/tmp/satchel\"]]}");
    String urlDetails =
        replace(json, "\"details\":null", "\"details\":[\"java.net.URL\",\"http://x.test\"]");
    String urlPrincipal =
        replace(
            json,
            "\"principal\":\"ada\"",
            "\"principal\":{\"@class\":\"java.net.URL\",\"protocol\":\"http\",\"host\":\"x.test\"}");

    assertEquals(
        "java.lang.ProcessBuilder",
        assertThrows(InvalidTypeIdException.class, () -> codec.decode(processBuilderDetails))
            .getTypeId());
    assertEquals(
        "java.net.URL",
        assertThrows(InvalidTypeIdException.class, () -> codec.decode(urlDetails)).getTypeId());
    assertEquals(
        "java.net.URL",
        assertThrows(InvalidTypeIdException.class, () -> codec.decode(urlPrincipal)).getTypeId());
    // Not a SecurityContext at all: refused before the allow-list is asked.
    assertThrows(
        RuntimeException.class,
        () ->
            codec.decode(
                replace(
                    json, SecurityContextImpl.class.getName(), ProcessBuilder.class.getName())));
  }

  private static String replace(String json, String target, String replacement) {
    assertTrue(json.contains(target), json);
    return json.replace(target, replacement);
  }

  @Test
  void garbage_otherCodecsJson_andNonStrings_areRefused() {
    AttributeCodec<SecurityContext> context = codec("spring-security-context");
    String csrf =
        json("spring-security-csrf-token", new DefaultCsrfToken("X-CSRF-TOKEN", "_csrf", "t"));

    assertThrows(RuntimeException.class, () -> context.decode("not json"));
    assertThrows(RuntimeException.class, () -> context.decode("{\"authentication\":null}"));
    assertThrows(RuntimeException.class, () -> context.decode("null"));
    assertThrows(RuntimeException.class, () -> context.decode(""));
    assertThrows(RuntimeException.class, () -> context.decode(csrf));
    assertThrows(RuntimeException.class, () -> context.decode(null));
    assertThrows(RuntimeException.class, () -> context.decode(Map.of("a", "b")));
    assertThrows(RuntimeException.class, () -> codec("spring-security-saved-request").decode(csrf));
  }

  /** An app's own principal, which Spring Security does not know. */
  public static class Member implements Principal {
    private final String name;

    @JsonCreator
    public Member(@JsonProperty("name") String name) {
      this.name = name;
    }

    @JsonProperty("name")
    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Member member && member.name.equals(name);
    }

    @Override
    public int hashCode() {
      return name.hashCode();
    }
  }

  /** What an app registers for its own principal, as for Spring Session's Jackson support. */
  static final class MemberModule extends SecurityJacksonModule {
    MemberModule() {
      super(MemberModule.class.getName(), Version.unknownVersion());
    }

    @Override
    public void configurePolymorphicTypeValidator(BasicPolymorphicTypeValidator.Builder builder) {
      builder.allowIfSubType(Member.class);
    }
  }

  @Test
  void aPrincipalSpringSecurityDoesNotKnow_failsToEncode_untilItsModuleIsRegistered() {
    SecurityContext context =
        context(
            UsernamePasswordAuthenticationToken.authenticated(
                new Member("ada"), null, AuthorityUtils.createAuthorityList("ROLE_USER")));

    AttributeCodec<SecurityContext> plain = codec("spring-security-context");
    assertThrows(IllegalArgumentException.class, () -> plain.encode(context));

    @SuppressWarnings("unchecked")
    AttributeCodec<SecurityContext> extended =
        (AttributeCodec<SecurityContext>)
            SpringSecurityCodecs.all(getClass().getClassLoader(), new MemberModule()).stream()
                .filter(codec -> codec.name().equals("spring-security-context"))
                .findFirst()
                .orElseThrow();
    Authentication back = extended.decode(extended.encode(context)).getAuthentication();
    assertEquals(new Member("ada"), back.getPrincipal());
    assertEquals("ada", back.getName());
  }

  @Test
  void principalName_isTheAuthenticatedNonAnonymousName() {
    assertNull(SpringSecurityCodecs.principalName(null));
    assertNull(SpringSecurityCodecs.principalName("SPRING_SECURITY_CONTEXT"));
    assertNull(SpringSecurityCodecs.principalName(new SecurityContextImpl()));
    assertNull(
        SpringSecurityCodecs.principalName(
            context(
                new AnonymousAuthenticationToken(
                    "key",
                    "anonymousUser",
                    AuthorityUtils.createAuthorityList("ROLE_ANONYMOUS")))));
    assertNull(
        SpringSecurityCodecs.principalName(
            context(UsernamePasswordAuthenticationToken.unauthenticated("ada", "password"))));
    assertEquals(
        "ada",
        SpringSecurityCodecs.principalName(
            context(
                UsernamePasswordAuthenticationToken.authenticated(
                    user(), null, user().getAuthorities()))));
    assertEquals(
        "ada",
        SpringSecurityCodecs.principalName(
            context(new RememberMeAuthenticationToken("key", user(), user().getAuthorities()))));
  }

  @Test
  void principalName_readsADecodedContext() {
    SecurityContext context =
        context(
            UsernamePasswordAuthenticationToken.authenticated(
                user(), null, user().getAuthorities()));

    assertEquals(
        "ada", SpringSecurityCodecs.principalName(roundTrip("spring-security-context", context)));
  }
}
