package dev.satchel.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.Satchel;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.jdbc.PostgresProcess;
import dev.satchel.testing.ReferenceSession;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;

/**
 * Requests' session work on the jdbc driver, on one PostgreSQL server started for the run, next to
 * two others on the same server and the same HikariCP settings (64 connections, enough for 64
 * threads): the floor, bare JDBC on a table laid out as the driver's, and Spring Session JDBC. Each
 * thread works on sessions of its own, {@value #SESSIONS_PER_THREAD} of them taken in turn, created
 * before the run with the reference session.
 *
 * <ul>
 *   <li>{@code floorReadWrite}: on one pooled connection, a SELECT of the value by key, then an
 *       UPDATE of the value by key; {@code floorReadOnly}: the SELECT alone.
 *   <li>{@code satchelReadWrite}: open the session from its cookie, read the cart, set it, commit
 *       (one SELECT, one compare-and-set UPDATE); {@code satchelReadOnly}: open, read the cart,
 *       commit, which writes nothing. The driver makes its own pool from {@code url}, with the
 *       default idle timeout (30 minutes), so that a read pushes the expiry forward only when less
 *       than 27 minutes are left: never within a run.
 *   <li>{@code springReadWrite}: what {@code SessionRepositoryFilter} does for a request that sets
 *       an attribute, on {@link JdbcIndexedSessionRepository} set up as
 *       {@code @EnableJdbcHttpSession} sets it up (transactions of their own, Java serialization of
 *       attributes): {@code findById} (a transaction around a SELECT joining the attributes),
 *       {@code setLastAccessedTime}, read the cart, set it, {@code save} (a transaction around an
 *       UPDATE of the session row and one of the cart's row); {@code springReadOnly}: the same
 *       without setting the cart, so {@code save} is a transaction around the UPDATE of the last
 *       access time, as the filter commits on every request that touched the session.
 * </ul>
 *
 * <p>Run at 1, 8 and 64 threads: {@code mvn -q -pl benchmarks -am package -DskipTests && for t in 1
 * 8 64; do java -jar benchmarks/target/benchmarks.jar JdbcBenchmark -t $t; done}; needs PostgreSQL
 * 13 or newer installed under {@code /usr/lib/postgresql} (apt package {@code postgresql}).
 *
 * <p>On a machine busy with other work, {@code java -cp benchmarks/target/benchmarks.jar
 * dev.satchel.benchmarks.JdbcBenchmark THREADS [ROUNDS] [SLICE_MS] [all|rw|ro|diagnostics|names]}
 * runs the contenders in one JVM, taking turns in one-second slices, and reports each one's median
 * throughput and its CPU time per request in this JVM and in the server ({@link JdbcInterleaved});
 * {@code diagnostics} adds the driver's statements replayed in bare JDBC, as the driver runs them
 * and with one of its choices changed at a time ({@link JdbcDriverSql}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class JdbcBenchmark {
  static final int SESSIONS_PER_THREAD = 4;

  private static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());

  /** The server, the Satchel, the pool of the floor and Spring Session, and the repository. */
  @State(Scope.Benchmark)
  public static class Shared {
    PostgresProcess postgres;
    Satchel satchel;
    HikariDataSource pool;
    JdbcIndexedSessionRepository spring;
    // Its session class is not public: used through the interface, as SessionRepositoryFilter does.
    SessionRepository<Session> springSessions;

    @Setup(Level.Trial)
    public void start() throws SQLException {
      postgres = PostgresProcess.start();
      satchel =
          Satchel.builder()
              .driver("jdbc")
              .driverOption("url", postgres.jdbcUrl())
              .driverOption("username", postgres.user())
              .driverOption("password", postgres.password())
              .driverOption("pool-size", Integer.toString(JdbcPools.SIZE))
              .build();
      pool = JdbcPools.likeTheDriver(postgres);
      JdbcFloor.createTable(pool);
      spring = JdbcSpringSession.repository(pool);
      springSessions = JdbcSpringSession.sessions(spring);
      JdbcPools.awaitFull(pool);
    }

    @TearDown(Level.Trial)
    public void stop() {
      try {
        spring.destroy();
        satchel.close();
        pool.close();
      } finally {
        postgres.close();
      }
    }
  }

  /** The sessions of one thread, and which to use next. */
  @State(Scope.Thread)
  public static class PerThread {
    final String[] satchelIds = new String[SESSIONS_PER_THREAD];
    final String[] floorKeys = new String[SESSIONS_PER_THREAD];
    final String[] springIds = new String[SESSIONS_PER_THREAD];
    int next;

    @Setup(Level.Trial)
    public void create(Shared shared) throws SQLException {
      for (int i = 0; i < SESSIONS_PER_THREAD; i++) {
        dev.satchel.Session session = shared.satchel.open(null, cookie -> {});
        ReferenceSession.values().forEach(session::set);
        session.commit();
        satchelIds[i] = session.id().orElseThrow();
        floorKeys[i] = JdbcFloor.copyOf(shared.pool, satchelIds[i]);
        springIds[i] = JdbcSpringSession.create(shared.springSessions);
      }
    }

    int next() {
      int current = next;
      next = (current + 1) % SESSIONS_PER_THREAD;
      return current;
    }
  }

  @Benchmark
  public int floorReadWrite(Shared shared, PerThread thread) throws SQLException {
    String key = thread.floorKeys[thread.next()];
    try (Connection connection = shared.pool.getConnection()) {
      String value = JdbcFloor.select(connection, key);
      return JdbcFloor.update(connection, key, value);
    }
  }

  @Benchmark
  public String floorReadOnly(Shared shared, PerThread thread) throws SQLException {
    String key = thread.floorKeys[thread.next()];
    try (Connection connection = shared.pool.getConnection()) {
      return JdbcFloor.select(connection, key);
    }
  }

  @Benchmark
  public dev.satchel.Session satchelReadWrite(Shared shared, PerThread thread) {
    dev.satchel.Session session =
        shared.satchel.open(thread.satchelIds[thread.next()], cookie -> {});
    List<String> cart = session.get("cart", CART).orElseThrow();
    session.set("cart", cart, CART);
    session.commit();
    return session;
  }

  @Benchmark
  public List<String> satchelReadOnly(Shared shared, PerThread thread) {
    dev.satchel.Session session =
        shared.satchel.open(thread.satchelIds[thread.next()], cookie -> {});
    List<String> cart = session.get("cart", CART).orElseThrow();
    session.commit();
    return cart;
  }

  @Benchmark
  public Session springReadWrite(Shared shared, PerThread thread) {
    Session session = shared.springSessions.findById(thread.springIds[thread.next()]);
    session.setLastAccessedTime(Instant.now());
    List<String> cart = session.getAttribute("cart");
    session.setAttribute("cart", cart);
    shared.springSessions.save(session);
    return session;
  }

  @Benchmark
  public List<String> springReadOnly(Shared shared, PerThread thread) {
    Session session = shared.springSessions.findById(thread.springIds[thread.next()]);
    session.setLastAccessedTime(Instant.now());
    List<String> cart = session.getAttribute("cart");
    shared.springSessions.save(session);
    return cart;
  }

  /**
   * The contenders taking turns in one JVM, for a busy machine: see {@link JdbcInterleaved#run}.
   */
  public static void main(String[] args) throws Exception {
    JdbcInterleaved.run(args);
  }
}
