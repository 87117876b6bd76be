package dev.satchel.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link JdbcBenchmark}'s contenders in one JVM on one PostgreSQL server, taking turns in short
 * slices ({@link Interleaved}), with the server's CPU counted over its postmaster and backends.
 */
final class JdbcInterleaved {
  /** One request of a contender, on a thread's sessions. */
  @FunctionalInterface
  interface Request {
    Object run(JdbcBenchmark.Shared shared, JdbcBenchmark.PerThread thread) throws Exception;
  }

  private JdbcInterleaved() {}

  static Map<String, Request> contenders(String which) {
    JdbcBenchmark benchmark = new JdbcBenchmark();
    Map<String, Request> all = new LinkedHashMap<>();
    all.put("floorReadWrite", benchmark::floorReadWrite);
    all.put("satchelReadWrite", benchmark::satchelReadWrite);
    all.put("springReadWrite", benchmark::springReadWrite);
    all.put("floorReadOnly", benchmark::floorReadOnly);
    all.put("satchelReadOnly", benchmark::satchelReadOnly);
    all.put("springReadOnly", benchmark::springReadOnly);
    // The driver's statements replayed in bare JDBC, as the driver runs them and with one change
    // each (JdbcDriverSql): what the runtime adds, and what each of the driver's choices costs.
    // On the floor's pool, set as the driver sets its own.
    diagnostic(all, "replayReadWrite", JdbcDriverSql.Changes.NONE);
    diagnostic(all, "replayQueryTimeoutReadWrite", new JdbcDriverSql.Changes(true, false));
    diagnostic(all, "replayOneConnectionReadWrite", new JdbcDriverSql.Changes(false, true));
    all.put(
        "replayReadOnly",
        (shared, thread) ->
            JdbcDriverSql.readOnly(
                shared.pool, thread.satchelIds[thread.next()], JdbcDriverSql.Changes.NONE));
    all.put(
        "replayQueryTimeoutReadOnly",
        (shared, thread) ->
            JdbcDriverSql.readOnly(
                shared.pool,
                thread.satchelIds[thread.next()],
                new JdbcDriverSql.Changes(true, false)));
    Map<String, Request> chosen = new LinkedHashMap<>();
    all.forEach(
        (name, request) -> {
          boolean readWrite = name.endsWith("ReadWrite");
          boolean replay = name.startsWith("replay");
          if ((which.equals("all") && !replay)
              || (which.equals("diagnostics") && !name.startsWith("spring"))
              || (which.equals("rw") && readWrite && !replay)
              || (which.equals("ro") && !readWrite && !replay)
              || Arrays.asList(which.split(",")).contains(name)) {
            chosen.put(name, request);
          }
        });
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("no contender named by " + which);
    }
    return chosen;
  }

  private static void diagnostic(
      Map<String, Request> all, String name, JdbcDriverSql.Changes changes) {
    all.put(
        name,
        (shared, thread) ->
            JdbcDriverSql.readWrite(shared.pool, thread.satchelIds[thread.next()], changes));
  }

  /**
   * Arguments: threads (8), rounds (20), slice in ms (1000), contenders ({@code all}, {@code rw},
   * {@code ro}, {@code diagnostics} for the floor, Satchel and the replays, or names separated by
   * commas).
   */
  static void run(String[] args) throws Exception {
    Interleaved.Arguments arguments = Interleaved.Arguments.parse(args, "all");
    Map<String, Request> contenders = contenders(arguments.which());
    JdbcBenchmark.Shared shared = new JdbcBenchmark.Shared();
    shared.start();
    try {
      JdbcBenchmark.PerThread[] states = new JdbcBenchmark.PerThread[arguments.threads()];
      for (int i = 0; i < states.length; i++) {
        states[i] = new JdbcBenchmark.PerThread();
        states[i].create(shared);
      }
      Path postmasterPid = shared.postgres.folder().resolve("data").resolve("postmaster.pid");
      long[] postmaster = {Long.parseLong(Files.readAllLines(postmasterPid).get(0).trim())};
      Map<String, Interleaved.Request> requests = new LinkedHashMap<>();
      contenders.forEach(
          (name, request) -> requests.put(name, thread -> request.run(shared, states[thread])));
      // The server's CPU: the postmaster, its backends, and those it reaped such as autovacuum's.
      Interleaved.run(arguments, requests, () -> Interleaved.cpuNanos(postmaster, true));
      JdbcPools.printStatistics(shared.pool);
    } finally {
      shared.stop();
    }
  }
}
