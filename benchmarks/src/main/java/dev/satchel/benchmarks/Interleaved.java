package dev.satchel.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
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
import java.util.function.LongSupplier;

/**
 * Contenders in one JVM against the same servers, taking turns in short slices, for a machine busy
 * with other work where one contender's run and the next's see different loads. Each slice runs one
 * contender on all threads; the order rotates every round. Reported per contender: the median of
 * its slices' throughput, and the CPU time per operation of this JVM and of the servers, summed
 * over all slices, which others' load disturbs far less than the throughput.
 */
final class Interleaved {
  /** One operation of a contender, on thread {@code thread}'s own data. */
  @FunctionalInterface
  interface Request {
    Object run(int thread) throws Exception;
  }

  private static volatile Object sink;

  /**
   * With {@code -Dsatchel.bench.slices=true}, each slice is printed as it ends: whether a contender
   * was still warming up, or the machine's speed drifted, shows in the order of the rows.
   */
  private static final boolean PRINT_SLICES = Boolean.getBoolean("satchel.bench.slices");

  private Interleaved() {}

  /**
   * The command line of a benchmark's {@code main}: threads (8), rounds (20), slice in ms (1000),
   * then which contenders to run, as each benchmark names them.
   */
  record Arguments(int threads, int rounds, long sliceMillis, String which) {
    static Arguments parse(String[] args, String defaultWhich) {
      return new Arguments(
          args.length > 0 ? Integer.parseInt(args[0]) : 8,
          args.length > 1 ? Integer.parseInt(args[1]) : 20,
          args.length > 2 ? Long.parseLong(args[2]) : 1000,
          args.length > 3 ? args[3] : defaultWhich);
    }
  }

  /** What a contender's slices add up to. */
  record Result(
      double medianPerSecond,
      double upperQuartilePerSecond,
      double jvmMicros,
      double serverMicros) {}

  /** {@link #run(String, int, int, long, Map, LongSupplier)} as {@code arguments} say. */
  static Map<String, Result> run(
      Arguments arguments, Map<String, Request> contenders, LongSupplier serverCpuNanos)
      throws Exception {
    return run(
        arguments.threads() + " threads",
        arguments.threads(),
        arguments.rounds(),
        arguments.sliceMillis(),
        contenders,
        serverCpuNanos);
  }

  /**
   * Runs every contender for five slices to warm it up, then {@code rounds} rounds of one slice
   * each, and prints the report under {@code title}.
   */
  static Map<String, Result> run(
      String title,
      int threads,
      int rounds,
      long sliceMillis,
      Map<String, Request> contenders,
      LongSupplier serverCpuNanos)
      throws Exception {
    ExecutorService workers = Executors.newFixedThreadPool(threads);
    try {
      List<String> names = new ArrayList<>(contenders.keySet());
      for (String name : names) {
        slice(workers, threads, contenders.get(name), 5 * sliceMillis, serverCpuNanos);
      }
      Map<String, Slice[]> slices = new LinkedHashMap<>();
      names.forEach(name -> slices.put(name, new Slice[rounds]));
      for (int round = 0; round < rounds; round++) {
        for (int k = 0; k < names.size(); k++) {
          String name = names.get((round + k) % names.size());
          slices.get(name)[round] =
              slice(workers, threads, contenders.get(name), sliceMillis, serverCpuNanos);
          if (PRINT_SLICES) {
            print(round, name, slices.get(name)[round]);
          }
        }
      }
      return report(title, slices);
    } finally {
      workers.shutdownNow();
    }
  }

  private static void print(int round, String name, Slice slice) {
    System.out.printf(
        Locale.ROOT,
        "round %3d  %-30s %10.0f ops/s %10.1f jvm us/op %10.1f srv us/op%n",
        round,
        name,
        slice.perSecond(),
        slice.clientCpuNanos() / 1e3 / Math.max(1, slice.operations()),
        slice.serverCpuNanos() / 1e3 / Math.max(1, slice.operations()));
  }

  private record Slice(long operations, long wallNanos, long clientCpuNanos, long serverCpuNanos) {
    double perSecond() {
      return operations * 1e9 / wallNanos;
    }
  }

  private static Slice slice(
      ExecutorService workers,
      int threads,
      Request request,
      long millis,
      LongSupplier serverCpuNanos)
      throws Exception {
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long serverBefore = serverCpuNanos.getAsLong();
    long clientBefore = os.getProcessCpuTime();
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(millis);
    List<Future<Long>> counts = new ArrayList<>();
    for (int thread = 0; thread < threads; thread++) {
      int own = thread;
      counts.add(
          workers.submit(
              () -> {
                long done = 0;
                while (System.nanoTime() < deadline) {
                  sink = request.run(own);
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
    long server = serverCpuNanos.getAsLong() - serverBefore;
    return new Slice(operations, wall, client, server);
  }

  /**
   * The CPU time of processes {@code pids}, and with {@code children} that of their live children
   * and of the children they reaped, from /proc.
   */
  static long cpuNanos(long[] pids, boolean children) {
    long ticks = 0;
    try (var processes = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path process : processes) {
        String[] fields = stat(process);
        if (fields == null) {
          continue;
        }
        long pid = Long.parseLong(process.getFileName().toString());
        long parent = Long.parseLong(fields[1]);
        // After the command's closing parenthesis: state is field 0, ppid 1, utime 11, stime 12,
        // cutime 13, cstime 14.
        for (long measured : pids) {
          if (pid == measured) {
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            if (children) {
              ticks += Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
            }
          } else if (children && parent == measured) {
            ticks += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
          }
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    // The kernel counts in USER_HZ, 100 a second on Linux.
    return ticks * 10_000_000L;
  }

  private static String[] stat(Path process) {
    try {
      String text = Files.readString(process.resolve("stat"));
      return text.substring(text.lastIndexOf(')') + 2).split(" ");
    } catch (IOException e) {
      // Gone since it was listed.
      return null;
    }
  }

  private static Map<String, Result> report(String title, Map<String, Slice[]> slices) {
    System.out.println(title);
    System.out.printf(
        Locale.ROOT,
        "%-30s %10s %10s %10s %10s %10s%n",
        "contender",
        "ops/s p50",
        "ops/s p75",
        "jvm us/op",
        "srv us/op",
        "sum us/op");
    Map<String, Result> results = new LinkedHashMap<>();
    for (Map.Entry<String, Slice[]> entry : slices.entrySet()) {
      Slice[] all = entry.getValue();
      double[] rates = Arrays.stream(all).mapToDouble(Slice::perSecond).sorted().toArray();
      long operations = Arrays.stream(all).mapToLong(Slice::operations).sum();
      double client = Arrays.stream(all).mapToLong(Slice::clientCpuNanos).sum() / 1e3 / operations;
      double server = Arrays.stream(all).mapToLong(Slice::serverCpuNanos).sum() / 1e3 / operations;
      Result result =
          new Result(rates[rates.length / 2], rates[rates.length * 3 / 4], client, server);
      results.put(entry.getKey(), result);
      System.out.printf(
          Locale.ROOT,
          "%-30s %10.0f %10.0f %10.1f %10.1f %10.1f%n",
          entry.getKey(),
          result.medianPerSecond(),
          result.upperQuartilePerSecond(),
          client,
          server,
          client + server);
    }
    return results;
  }
}
