package dev.satchel.benchmarks;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.PlainObject;
import dev.satchel.servlet.AttributeCodec;
import dev.satchel.spring.boot.SpringSecurityCodecs;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.core.userdetails.User;

/**
 * What a logged-in request that only reads costs in the session, on the memory driver: open the
 * session, read who the user is, commit (nothing to write). {@code typedKeys} reads the user's name
 * and roles from typed keys; {@code securityContext} reads Spring Security's security context as
 * the {@code HttpSession} does: the stored attribute copied out of the session and decoded by the
 * starter's codec, Spring Security's own Jackson modules.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am package -DskipTests && java -jar
 * benchmarks/target/benchmarks.jar LoginStateBenchmark}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LoginStateBenchmark {
  private static final ValueCodec<List<String>> ROLES = ValueCodecs.list(ValueCodecs.strings());
  private static final String SECURITY_CONTEXT = "SPRING_SECURITY_CONTEXT";

  private Satchel satchel;
  private AttributeCodec<?> contextCodec;
  private String typedId;
  private String securedId;

  @Setup
  public void setUp() {
    satchel = Satchel.builder().driver("memory").build();
    contextCodec =
        SpringSecurityCodecs.all().stream()
            .filter(codec -> codec.name().equals(SpringSecurityCodecs.SECURITY_CONTEXT))
            .findFirst()
            .orElseThrow();

    Session typed = satchel.open(null, cookie -> {});
    typed.set("userName", "alice", ValueCodecs.strings());
    typed.set("roles", List.of("ROLE_USER", "ROLE_BUYER"), ROLES);
    typed.commit();
    typedId = typed.id().orElseThrow();

    User alice =
        new User("alice", "", AuthorityUtils.createAuthorityList("ROLE_USER", "ROLE_BUYER"));
    SecurityContext context =
        new SecurityContextImpl(
            UsernamePasswordAuthenticationToken.authenticated(alice, null, alice.getAuthorities()));
    PlainObject stored = new PlainObject();
    stored.put("satchel:codec", contextCodec.name());
    stored.put("value", encode(contextCodec, context));
    Session secured = satchel.open(null, cookie -> {});
    secured.set(SECURITY_CONTEXT, stored);
    secured.commit();
    securedId = secured.id().orElseThrow();
  }

  private static <T> Object encode(AttributeCodec<T> codec, Object value) {
    return codec.encode(codec.type().cast(value));
  }

  @TearDown
  public void tearDown() {
    satchel.close();
  }

  @Benchmark
  public Object typedKeys() {
    Session session = satchel.open(typedId, cookie -> {});
    String name = session.get("userName", ValueCodecs.strings()).orElseThrow();
    List<String> roles = session.get("roles", ROLES).orElseThrow();
    session.commit();
    return roles.contains("ROLE_USER") ? name : null;
  }

  @Benchmark
  public Object securityContext() {
    Session session = satchel.open(securedId, cookie -> {});
    PlainObject stored = (PlainObject) session.get(SECURITY_CONTEXT).orElseThrow();
    SecurityContext context = (SecurityContext) contextCodec.decode(stored.get("value"));
    session.commit();
    return context.getAuthentication().getName();
  }
}
