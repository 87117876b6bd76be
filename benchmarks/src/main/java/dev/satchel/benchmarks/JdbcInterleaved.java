package dev.satchel.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@link JdbcBenchmark}'s contenders in one JVM on one server, taking turns in short slices, for a
 * machine busy with other work where one contender's run and the next's see different loads. Each
 * slice runs one contender on all threads; the order rotates every round. Reported per contender:
 * the median of its slices' throughput, and the CPU time per operation of this JVM and of the
 * PostgreSQL server (its processes, and those it reaped such as autovacuum workers), summed over
 * all slices, which others' load disturbs far less than the throughput.
 */
final class JdbcInterleaved {
  /** One request of a contender, on a thread's sessions. */
  @FunctionalInterface
  interface Request {
    Object run(JdbcBenchmark.Shared shared, JdbcBenchmark.PerThread thread) throws Exception;
  }

  private static volatile Object sink;

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
    int threads = args.length > 0 ? Integer.parseInt(args[0]) : 8;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    long sliceMillis = args.length > 2 ? Long.parseLong(args[2]) : 1000;
    Map<String, Request> contenders = contenders(args.length > 3 ? args[3] : "all");
    JdbcBenchmark.Shared shared = new JdbcBenchmark.Shared();
    shared.start();
    ExecutorService workers = Executors.newFixedThreadPool(threads);
    try {
      JdbcBenchmark.PerThread[] states = new JdbcBenchmark.PerThread[threads];
      for (int i = 0; i < threads; i++) {
        states[i] = new JdbcBenchmark.PerThread();
        states[i].create(shared);
      }
      Path postmasterPid = shared.postgres.folder().resolve("data").resolve("postmaster.pid");
      long postmaster = Long.parseLong(Files.readAllLines(postmasterPid).get(0).trim());
      List<String> names = new ArrayList<>(contenders.keySet());
      // Warm-up: each contender for 5 slices' worth, so that each is compiled before it counts.
      for (String name : names) {
        slice(workers, states, shared, contenders.get(name), 5 * sliceMillis, postmaster);
      }
      Map<String, Slice[]> slices = new LinkedHashMap<>();
      names.forEach(name -> slices.put(name, new Slice[rounds]));
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < names.size(); k++) {
          String name = names.get((round + k) % names.size());
          slices.get(name)[round] =
              slice(workers, states, shared, contenders.get(name), sliceMillis, postmaster);
        }
      }
      report(threads, slices);
      JdbcPools.printStatistics(shared.pool);
    } finally {
      workers.shutdownNow();
      shared.stop();
    }
  }

  record Slice(long operations, long wallNanos, long clientCpuNanos, long serverCpuNanos) {
    double perSecond() {
      return operations * 1e9 / wallNanos;
    }
  }

  private static Slice slice(
      ExecutorService workers,
      JdbcBenchmark.PerThread[] states,
      JdbcBenchmark.Shared shared,
      Request request,
      long millis,
      long postmaster)
      throws Exception {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long serverBefore = serverCpuNanos(postmaster);
    long clientBefore = os.getProcessCpuTime();
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(millis);
    List<Future<Long>> counts = new ArrayList<>();
    for (JdbcBenchmark.PerThread state : states) {
      counts.add(
          workers.submit(
              () -> {
                long done = 0;
                while (System.nanoTime() < deadline) {
                  sink = request.run(shared, state);
                  done++;
                }
                return done;
              }));
    }
    long operations = 0;
    for (Future<Long> count : counts) {
      operations += count.get();
    }
    long wall = System.nanoTime() - started;
    long client = os.getProcessCpuTime() - clientBefore;
    long server = serverCpuNanos(postmaster) - serverBefore;
    return new Slice(operations, wall, client, server);
  }

  /**
   * The CPU time of the PostgreSQL server: its postmaster and the children it reaped (cutime,
   * cstime), and its live children, from /proc.
   */
  static long serverCpuNanos(long postmaster) {
    long ticks = 0;
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        String[] fields = stat(process);
        if (fields == null) {
          continue;
        }
        long pid = Long.parseLong(process.getFileName().toString());
        long parent = Long.parseLong(fields[1]);
        // After the command's closing parenthesis: state is field 0, ppid 1, utime 11, stime 12,
        // cutime 13, cstime 14.
        if (pid == postmaster) {
          ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
        } else if (parent == postmaster) {
          ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // The kernel counts in USER_HZ, 100 a second on Linux.
    return ticks * 10_000_000L;
  }

  private static String[] stat(Path process) {
    try {
      String text = Files.readString(process.resolve("stat"));
      return text.substring(text.lastIndexOf(')') + 2).split(" ");
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      return null;
    }
  }

  private static void report(int threads, Map<String, Slice[]> slices) {
    System.out.printf(Locale.ROOT, "%d threads%n", threads);
    System.out.printf(
        Locale.ROOT,
        "%-18s %10s %10s %10s %10s %10s%n",
        "contender",
        "ops/s p50",
        "ops/s p75",
        "jvm us/op",
        "pg us/op",
        "sum us/op");
    for (Map.Entry<String, Slice[]> entry : slices.entrySet()) {
      Slice[] all = entry.getValue();
      double[] rates = Arrays.stream(all).mapToDouble(Slice::perSecond).sorted().toArray();
      long operations = Arrays.stream(all).mapToLong(Slice::operations).sum();
      double client = Arrays.stream(all).mapToLong(Slice::clientCpuNanos).sum() / 1e3 / operations;
      double server = Arrays.stream(all).mapToLong(Slice::serverCpuNanos).sum() / 1e3 / operations;
      System.out.printf(
          Locale.ROOT,
          "%-18s %10.0f %10.0f %10.1f %10.1f %10.1f%n",
          entry.getKey(),
          rates[rates.length / 2],
          rates[rates.length * 3 / 4],
          client,
          server,
          client + server);
    }
  }
}
