package dev.satchel.examples.springshop;

import dev.satchel.Satchel;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.metrics.buffering.BufferingApplicationStartup;
import org.springframework.boot.context.metrics.buffering.StartupTimeline;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.metrics.StartupStep;

/**
 * Measures what the starter adds to the shop's start-up, by hand (not a test): it starts the shop
 * in fresh JVMs, alternately with the starter's auto-configuration and with it excluded and a
 * {@link Satchel} built in code instead, both on the memory driver, and compares the "Started ...
 * in X seconds" lines Spring Boot prints; then the shop as shipped, on the fs driver.
 *
 * <p>Run: {@code mvn -q -pl examples/spring-shop -am package -DskipTests dependency:build-classpath
 * -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=test -Dspotless.check.skip=true}, then
 * from {@code examples/spring-shop}: {@code java -cp target/test-classes:target/classes:$(cat
 * target/classpath.txt) dev.satchel.examples.springshop.StartupTime [runs]}.
 */
public final class StartupTime {
  private static final Pattern STARTED = Pattern.compile("Started \\S+ in ([0-9.]+) seconds");
  private static final Pattern BEANS =
      Pattern.compile("Satchel beans created in ([0-9.E-]+) seconds; CPU ([0-9.E-]+) seconds");

  private StartupTime() {}

  /**
   * One start, in the JVM {@link StartupTime} starts: the shop with the starter, or ({@code
   * without} as the first argument) with the starter's auto-configuration excluded and a {@link
   * Satchel} built in code. It prints how long the Satchel beans took to create, then stops.
   */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) {
      boolean without = args[0].equals("without");
      // HandBuiltSatchel is no @Configuration, so that the shop's component scan in tests never
      // picks it up; as a source here it is read all the same.
      SpringApplication application =
          without
              ? new SpringApplication(SpringShopApplication.class, HandBuiltSatchel.class)
              : new SpringApplication(SpringShopApplication.class);
      BufferingApplicationStartup steps = new BufferingApplicationStartup(100_000);
      application.setApplicationStartup(steps);
      String[] springArgs = java.util.Arrays.copyOfRange(args, 1, args.length);
      if (without) {
        springArgs = java.util.Arrays.copyOf(springArgs, springArgs.length + 1);
        springArgs[springArgs.length - 1] =
            "--spring.autoconfigure.exclude=dev.satchel.spring.boot.SatchelAutoConfiguration";
      }
      ConfigurableApplicationContext context = application.run(springArgs);
      // The filter registration creates the Satchel it needs inside its own step: count each
      // Satchel bean's step unless it runs inside another's.
      java.util.Map<Long, Duration> satchelSteps = new java.util.HashMap<>();
      java.util.Map<Long, Long> parents = new java.util.HashMap<>();
      for (StartupTimeline.TimelineEvent event : steps.getBufferedTimeline().getEvents()) {
        StartupStep step = event.getStartupStep();
        parents.put(step.getId(), step.getParentId());
        if (step.getName().equals("spring.beans.instantiate")) {
          for (StartupStep.Tag tag : step.getTags()) {
            if (tag.getKey().equals("beanName") && SATCHEL_BEANS.contains(tag.getValue())) {
              satchelSteps.put(step.getId(), event.getDuration());
            }
          }
        }
      }
      Duration satchelBeans = Duration.ZERO;
      for (java.util.Map.Entry<Long, Duration> step : satchelSteps.entrySet()) {
        boolean nested = false;
        for (Long parent = parents.get(step.getKey());
            parent != null;
            parent = parents.get(parent)) {
          nested |= satchelSteps.containsKey(parent);
        }
        if (!nested) {
          satchelBeans = satchelBeans.plus(step.getValue());
        }
      }
      Duration cpu = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
      System.out.println(
          "Satchel beans created in "
              + satchelBeans.toNanos() / 1e9
              + " seconds; CPU "
              + cpu.toNanos() / 1e9
              + " seconds");
      context.close();
      System.exit(0);
    }
  }

  /** What the starter creates, or the one bean an application without it creates. */
  private static final java.util.Set<String> SATCHEL_BEANS =
      java.util.Set.of(
          "satchel",
          "satchelFilterRegistration",
          "satchelWebMvcConfigurer",
          "dev.satchel.spring.boot.SatchelAutoConfiguration");

  /** The Satchel an application without the starter builds itself. */
  static final class HandBuiltSatchel {
    @org.springframework.context.annotation.Bean(destroyMethod = "close")
    Satchel satchel(Clock clock) {
      return Satchel.builder().driver("memory").clock(clock).build();
    }
  }

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    String[] common = {"--server.port=0", "--satchel.driver=memory"};
    List<Double> with = new ArrayList<>();
    List<Double> without = new ArrayList<>();
    List<Double> shipped = new ArrayList<>();
    List<Double> withBeans = new ArrayList<>();
    List<Double> withoutBeans = new ArrayList<>();
    List<Double> shippedBeans = new ArrayList<>();
    List<Double> withCpu = new ArrayList<>();
    List<Double> withoutCpu = new ArrayList<>();
    List<Double> shippedCpu = new ArrayList<>();
    String sessions =
        "--satchel.driver.base="
            + new File(System.getProperty("java.io.tmpdir"), "startup-time-sessions");
    start("with", sessions); // warms the file system cache; not counted
    for (int run = 0; run < runs; run++) {
      double[] times = start("with", common);
      with.add(times[0]);
      withBeans.add(times[1]);
      withCpu.add(times[2]);
      times = start("without", "--server.port=0");
      without.add(times[0]);
      withoutBeans.add(times[1]);
      withoutCpu.add(times[2]);
      times = start("with", "--server.port=0", sessions);
      shipped.add(times[0]);
      shippedBeans.add(times[1]);
      shippedCpu.add(times[2]);
    }
    report("with the starter (memory)", with, withBeans, withCpu);
    report("without it, Satchel built in code (memory)", without, withoutBeans, withoutCpu);
    report("with the starter, as shipped (fs driver)", shipped, shippedBeans, shippedCpu);
    System.out.printf(
        Locale.ROOT,
        "the starter adds %.3f s to the start (median), %.3f s (fastest), %.3f s of CPU (median);"
            + " its beans take %.3f s where a hand-built Satchel takes %.3f s (medians of %d runs)%n",
        median(with) - median(without),
        min(with) - min(without),
        median(withCpu) - median(withoutCpu),
        median(withBeans),
        median(withoutBeans),
        runs);
  }

  /**
   * Starts the shop in a fresh JVM, with or without the starter; returns the seconds Spring Boot
   * reports for the start, those the Satchel beans took, and the CPU time the JVM had used by then
   * (which other work on the machine disturbs less).
   */
  private static double[] start(String mode, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(System.getProperty("java.home") + "/bin/java");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(Child.class.getName());
    command.add(mode);
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (BufferedReader output =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      double startedIn = -1;
      String line;
      while ((line = output.readLine()) != null) {
        Matcher started = STARTED.matcher(line);
        if (started.find()) {
          startedIn = Double.parseDouble(started.group(1));
        }
        Matcher beans = BEANS.matcher(line);
        if (beans.find() && startedIn >= 0) {
          return new double[] {
            startedIn, Double.parseDouble(beans.group(1)), Double.parseDouble(beans.group(2))
          };
        }
      }
      throw new IllegalStateException("the shop (" + mode + ") did not start");
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private static double median(List<Double> seconds) {
    List<Double> sorted = new ArrayList<>(seconds);
    sorted.sort(null);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }

  private static double min(List<Double> seconds) {
    return seconds.stream().mapToDouble(Double::doubleValue).min().orElse(0);
  }

  private static void report(
      String what, List<Double> seconds, List<Double> beans, List<Double> cpu) {
    System.out.printf(
        Locale.ROOT,
        "%-42s started in %.3f s (median; fastest %.3f s), CPU %.3f s, Satchel beans %.4f s;"
            + " runs %s%n",
        what,
        median(seconds),
        min(seconds),
        median(cpu),
        median(beans),
        seconds);
  }
}
