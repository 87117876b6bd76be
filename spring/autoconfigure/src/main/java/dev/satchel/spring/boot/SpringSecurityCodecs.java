package dev.satchel.spring.boot;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.satchel.servlet.AttributeCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.jackson.SecurityJacksonModule;
import org.springframework.security.jackson.SecurityJacksonModules;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.endpoint.OAuth2AuthorizationRequest;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.DefaultCsrfToken;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.cfg.MapperBuilder;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;
import tools.jackson.databind.module.SimpleModule;

/**
 * {@link AttributeCodec}s for what Spring Security keeps in an {@code HttpSession}: the security
 * context, the CSRF token, the saved request, the last authentication failure (kept as a {@code
 * BadCredentialsException} or {@code OAuth2AuthenticationException} with its message) and, with
 * spring-security-oauth2-client, the OAuth2 authorization request.
 *
 * <p>Each stores a JSON {@code String} written by Spring Security's own Jackson 3 modules ({@link
 * SecurityJacksonModules}), whose type validator reads back only the classes Spring Security
 * allow-lists; anything else, and any JSON that is not what a codec wrote, fails to decode, so the
 * attribute reads as absent. A value whose JSON would not read back fails to encode instead, so
 * that an unsupported principal shows at login rather than as a session that never stays signed in:
 * register a {@link SecurityJacksonModule} for such types with {@link #all(ClassLoader,
 * SecurityJacksonModule...)}.
 *
 * <p>The JSON holds whatever the authentication holds. Spring Security's {@code ProviderManager}
 * erases credentials (the password of the token and of its {@code User}) after authentication
 * unless {@code eraseCredentialsAfterAuthentication} is turned off; with it off, passwords are
 * stored too.
 */
public final class SpringSecurityCodecs {
  /** The name of the codec for {@code SecurityContext}. */
  public static final String SECURITY_CONTEXT = "spring-security-context";

  /** The name of the codec for {@code CsrfToken}. */
  public static final String CSRF_TOKEN = "spring-security-csrf-token";

  /** The name of the codec for {@code SavedRequest}. */
  public static final String SAVED_REQUEST = "spring-security-saved-request";

  /** The name of the codec for {@code AuthenticationException}. */
  public static final String AUTHENTICATION_EXCEPTION = "spring-security-authentication-exception";

  /** The name of the codec for {@code OAuth2AuthorizationRequest}. */
  public static final String OAUTH2_AUTHORIZATION_REQUEST =
      "spring-security-oauth2-authorization-request";

  private static final boolean SECURITY_PRESENT =
      ClassUtils.isPresent(
          "org.springframework.security.core.context.SecurityContext",
          SpringSecurityCodecs.class.getClassLoader());
  private static final String WEB_JACKSON_CLASS =
      "org.springframework.security.web.jackson.WebJacksonModule";
  private static final String JACKSON_CLASS = "tools.jackson.databind.json.JsonMapper";
  private static final String OAUTH2_CLIENT_CLASS =
      "org.springframework.security.oauth2.client.OAuth2AuthorizedClient";

  private SpringSecurityCodecs() {}

  /**
   * The codecs for the classes that this class's class loader sees.
   *
   * @return the codecs; empty without spring-security-web or Jackson 3
   * @see #all(ClassLoader, SecurityJacksonModule...)
   */
  public static List<AttributeCodec<?>> all() {
    return all(SpringSecurityCodecs.class.getClassLoader());
  }

  /**
   * The codecs, reading classes through {@code classLoader}, which also tells whether
   * spring-security-oauth2-client is present.
   *
   * @param classLoader loads Spring Security's Jackson modules and the stored classes
   * @param extraModules modules for classes Spring Security does not know, such as an app's own
   *     {@code UserDetails}: their mix-ins are added and their types allow-listed
   * @return the codecs; empty without spring-security-web or Jackson 3
   */
  public static List<AttributeCodec<?>> all(
      ClassLoader classLoader, SecurityJacksonModule... extraModules) {
    // Checked before any Spring Security or Jackson class is touched, so an app without them
    // gets no codecs rather than a NoClassDefFoundError.
    if (!ClassUtils.isPresent(WEB_JACKSON_CLASS, classLoader)
        || !ClassUtils.isPresent(JACKSON_CLASS, classLoader)) {
      return List.of();
    }
    return Codecs.create(classLoader, extraModules);
  }

  /**
   * The name Satchel indexes a session by: that of the authentication in {@code securityContext}
   * when it is authenticated and not anonymous (remember-me counts as authenticated).
   *
   * @param securityContext the session's {@code SPRING_SECURITY_CONTEXT} attribute, or null
   * @return the principal's name, or null
   */
  public static String principalName(Object securityContext) {
    if (securityContext == null || !SECURITY_PRESENT) {
      return null;
    }
    return Codecs.principalName(securityContext);
  }

  /** Kept apart so that the outer class loads without Spring Security and Jackson. */
  private static final class Codecs {
    private static final AuthenticationTrustResolver TRUST = new AuthenticationTrustResolverImpl();

    /** Characters of JSON whose authentications are kept read: a few thousand logged-in users. */
    private static final long READ_CONTEXTS_WEIGHT = 4_000_000;

    /** How long a read authentication is kept without a request that needs it. */
    private static final Duration READ_CONTEXTS_IDLE = Duration.ofMinutes(30);

    private final JsonMapper mapper;

    private Codecs(JsonMapper mapper) {
      this.mapper = mapper;
    }

    static List<AttributeCodec<?>> create(
        ClassLoader classLoader, SecurityJacksonModule[] extraModules) {
      // getModules adds its own modules' allow-lists to this builder and builds the validator
      // only when the mapper is built, so the extra modules' types are in it too.
      BasicPolymorphicTypeValidator.Builder types =
          BasicPolymorphicTypeValidator.builder()
              // What List.of, Set.of, Map.of and Collections.singleton make, as in an app's OAuth2
              // user attributes: plain data that Spring Security's list lacks.
              .allowIfSubType("java.util.ImmutableCollections$")
              .allowIfSubType("java.util.Collections$Singleton")
              .allowIfSubType("java.util.Collections$EmptySet");
      for (SecurityJacksonModule module : extraModules) {
        module.configurePolymorphicTypeValidator(types);
      }
      JsonMapper mapper =
          JsonMapper.builder()
              .addModules(SecurityJacksonModules.getModules(classLoader, types))
              .addModules(extraModules)
              .addModule(new IsoDates())
              .build();
      Codecs codecs = new Codecs(mapper);
      List<AttributeCodec<?>> all = new ArrayList<>();
      all.add(codecs.securityContext());
      all.add(
          codecs.codec(
              CSRF_TOKEN,
              CsrfToken.class,
              token ->
                  token instanceof DefaultCsrfToken
                      ? token
                      : new DefaultCsrfToken(
                          token.getHeaderName(), token.getParameterName(), token.getToken())));
      all.add(codecs.codec(SAVED_REQUEST, SavedRequest.class, request -> request));
      boolean oauth2 = ClassUtils.isPresent(OAUTH2_CLIENT_CLASS, classLoader);
      all.add(
          codecs.codec(
              AUTHENTICATION_EXCEPTION,
              AuthenticationException.class,
              exception -> storable(exception, oauth2)));
      if (oauth2) {
        all.add(OAuth2.codec(codecs));
      }
      return List.copyOf(all);
    }

    /**
     * Failure handlers store the exception of a failed login, and login pages show its message.
     * Spring Security's modules write only a few exception classes without the failed attempt's
     * credentials, and a login must not fail on storing why it failed, so any other is stored as
     * the nearest of these.
     */
    private static AuthenticationException storable(
        AuthenticationException exception, boolean oauth2) {
      if (exception.getClass() == BadCredentialsException.class) {
        return exception;
      }
      if (oauth2 && OAuth2.isOAuth2(exception)) {
        return OAuth2.storable(exception);
      }
      return new BadCredentialsException(exception.getMessage());
    }

    /**
     * The security context's codec. Spring Security's deserializers take tens of microseconds a
     * read (they build types reflectively on every call), and every authenticated request reads the
     * context, so the authentication read from a given JSON is kept and handed out in a new context
     * each time: a request may change its own context, as log-out empties it, but never another's.
     * Spring's own in-memory sessions share the whole context between a session's requests.
     */
    AttributeCodec<SecurityContext> securityContext() {
      AttributeCodec<SecurityContext> uncached =
          codec(
              SECURITY_CONTEXT,
              SecurityContext.class,
              // The JSON names the class, and only SecurityContextImpl is allow-listed.
              context ->
                  context.getClass() == SecurityContextImpl.class
                      ? context
                      : new SecurityContextImpl(context.getAuthentication()));
      Cache<String, Authentication> read =
          Caffeine.newBuilder()
              .maximumWeight(READ_CONTEXTS_WEIGHT)
              .weigher((String json, Authentication authentication) -> json.length())
              .expireAfterAccess(READ_CONTEXTS_IDLE)
              .build();
      return AttributeCodec.of(
          SECURITY_CONTEXT,
          SecurityContext.class,
          uncached::encode,
          stored -> {
            Authentication known = stored instanceof String json ? read.getIfPresent(json) : null;
            if (known != null) {
              return new SecurityContextImpl(known);
            }
            SecurityContext context = uncached.decode(stored);
            if (context.getAuthentication() != null) {
              read.put((String) stored, context.getAuthentication());
            }
            return context;
          });
    }

    static String principalName(Object securityContext) {
      if (!(securityContext instanceof SecurityContext context)) {
        return null;
      }
      Authentication authentication = context.getAuthentication();
      return TRUST.isAuthenticated(authentication) ? authentication.getName() : null;
    }

    <T> AttributeCodec<T> codec(String name, Class<T> type, UnaryOperator<T> storable) {
      return AttributeCodec.of(
          name,
          type,
          value -> {
            String json = write(type, storable.apply(value));
            try {
              read(type, json);
            } catch (RuntimeException e) {
              throw new IllegalArgumentException(
                  "A "
                      + value.getClass().getName()
                      + " would not read back from its JSON: register a SecurityJacksonModule for"
                      + " the types it holds that Spring Security does not allow-list",
                  e);
            }
            return json;
          },
          stored -> read(type, stored));
    }

    String write(Class<?> type, Object value) {
      // Written as the attribute type, as it is read, so the JSON always names its class.
      return mapper.writerFor(type).writeValueAsString(value);
    }

    <T> T read(Class<T> type, Object stored) {
      if (!(stored instanceof String json)) {
        throw new IllegalArgumentException(
            "Expected a JSON string, not " + (stored == null ? null : stored.getClass().getName()));
      }
      T value = mapper.readValue(json, type);
      if (value == null) {
        throw new IllegalArgumentException("Stored JSON is null");
      }
      return value;
    }
  }

  /**
   * Writes dates as ISO-8601 strings rather than the decimal seconds Spring Security's core module
   * asks for: Spring's deserializers read tokens through a tree, which holds such a number as a
   * double, so an {@code Instant} such as a {@code FactorGrantedAuthority}'s lost its last digits
   * and the authentication no longer equalled itself. Set up after that module, so it wins.
   */
  private static final class IsoDates extends SimpleModule {
    private static final long serialVersionUID = 1L;

    IsoDates() {
      super(IsoDates.class.getName());
    }

    @Override
    public void setupModule(SetupContext context) {
      ((MapperBuilder<?, ?>) context.getOwner()).disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS);
    }
  }

  /** Kept apart so that the codecs load without spring-security-oauth2-client. */
  private static final class OAuth2 {
    static AttributeCodec<?> codec(Codecs codecs) {
      return codecs.codec(
          OAUTH2_AUTHORIZATION_REQUEST, OAuth2AuthorizationRequest.class, request -> request);
    }

    static boolean isOAuth2(AuthenticationException exception) {
      return exception instanceof OAuth2AuthenticationException;
    }

    static AuthenticationException storable(AuthenticationException exception) {
      OAuth2AuthenticationException oauth2 = (OAuth2AuthenticationException) exception;
      return oauth2.getClass() == OAuth2AuthenticationException.class
          ? oauth2
          : new OAuth2AuthenticationException(oauth2.getError(), oauth2.getMessage());
    }
  }
}
