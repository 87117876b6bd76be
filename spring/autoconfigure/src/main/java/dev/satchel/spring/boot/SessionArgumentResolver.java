package dev.satchel.spring.boot;

import dev.satchel.Session;
import dev.satchel.servlet.SatchelFilter;
import jakarta.servlet.ServletRequest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.springframework.core.MethodParameter;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives a controller method the request's session as a parameter: a {@link Session}, or a typed
 * session class the processor generated ({@code ShopDataSession}), which it recognises by its
 * {@code public static of(Session)} factory. The session is the one {@link SatchelFilter} opened
 * for the request.
 */
final class SessionArgumentResolver implements HandlerMethodArgumentResolver {
  /** Each parameter type's {@code of(Session)}, or empty for a type that has none. */
  private final ConcurrentMap<Class<?>, Optional<Method>> factories = new ConcurrentHashMap<>();

  @Override
  public boolean supportsParameter(MethodParameter parameter) {
    Class<?> type = parameter.getParameterType();
    return type == Session.class || factory(type).isPresent();
  }

  @Override
  public Object resolveArgument(
      MethodParameter parameter,
      ModelAndViewContainer mavContainer,
      NativeWebRequest webRequest,
      WebDataBinderFactory binderFactory)
      throws Exception {
    ServletRequest request = webRequest.getNativeRequest(ServletRequest.class);
    if (request == null) {
      throw new IllegalStateException("A Satchel session needs a servlet request");
    }
    Session session = SatchelFilter.session(request);
    Class<?> type = parameter.getParameterType();
    if (type == Session.class) {
      return session;
    }
    try {
      return factory(type).orElseThrow().invoke(null, session);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private Optional<Method> factory(Class<?> type) {
    return factories.computeIfAbsent(type, SessionArgumentResolver::findFactory);
  }

  private static Optional<Method> findFactory(Class<?> type) {
    if (type.isPrimitive() || type.isArray() || type.isInterface()) {
      return Optional.empty();
    }
    Method of;
    try {
      of = type.getDeclaredMethod("of", Session.class);
    } catch (NoSuchMethodException notGenerated) {
      return Optional.empty();
    }
    int modifiers = of.getModifiers();
    if (!Modifier.isStatic(modifiers)
        || !Modifier.isPublic(modifiers)
        || of.getReturnType() != type) {
      return Optional.empty();
    }
    // A generated class is package-private when its interface is: controllers in its package
    // may still name it.
    if (!of.trySetAccessible()) {
      return Optional.empty();
    }
    return Optional.of(of);
  }
}
