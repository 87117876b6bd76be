package dev.satchel.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionStorageException;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.testing.CountingDriverProvider;
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Store calls as observations, and as spans of a real tracer's trace. */
class ObservationTest {
  private static String newSession(Satchel satchel) {
    Session session = satchel.open(null, cookie -> {});
    session.set("cart", "socks", ValueCodecs.strings());
    session.commit();
    return session.id().orElseThrow();
  }

  private static long storeCalls(MeterRegistry registry) {
    return registry.get("satchel.store.calls").functionTimers().stream()
        .mapToLong(timer -> (long) timer.count())
        .sum();
  }

  @Test
  void eachStoreCallIsAnObservationKeyedByDriverAndOperation() {
    TestObservationRegistry observations = TestObservationRegistry.create();
    Map<Observation.Context, List<String>> lifecycles = new java.util.IdentityHashMap<>();
    observations.observationConfig().observationHandler(new Lifecycles(lifecycles));
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    List<String> ids = new ArrayList<>();
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      new SatchelMetrics(satchel, observations).bindTo(meters);
      ids.add(newSession(satchel));
      Session login = satchel.open(ids.get(0), cookie -> {});
      login.regenerate();
      login.setPrincipal("ann@example.com");
      login.commit();
      ids.add(login.id().orElseThrow());
    }

    long calls = storeCalls(meters);
    assertTrue(calls >= 4, "count at bind, write, read, index, replace: " + calls);
    assertEquals(calls, lifecycles.size());
    lifecycles.forEach(
        (context, events) ->
            assertEquals(List.of("start", "scope", "unscope", "stop"), events, context.toString()));
    TestObservationRegistryAssert.assertThat(observations)
        .hasNumberOfObservationsWithNameEqualTo("satchel.store.call", (int) calls)
        .forAllObservationsWithNameEqualTo(
            "satchel.store.call",
            observation ->
                observation
                    .doesNotHaveError()
                    .hasLowCardinalityKeyValue("satchel.driver", "memory")
                    .hasLowCardinalityKeyValueWithKey("satchel.operation"))
        .hasAnObservation(
            observation ->
                observation
                    .hasContextualNameEqualTo("satchel write")
                    .hasLowCardinalityKeyValue("satchel.operation", "write"))
        .hasAnObservation(
            observation ->
                observation
                    .hasContextualNameEqualTo("satchel read")
                    .hasLowCardinalityKeyValue("satchel.operation", "read"))
        .hasAnObservation(
            observation ->
                observation
                    .hasContextualNameEqualTo("satchel replace")
                    .hasLowCardinalityKeyValue("satchel.operation", "replace"))
        .hasHandledContextsThatSatisfy(
            contexts -> {
              Map<String, Integer> byOperation = new TreeMap<>();
              for (Observation.Context context : contexts) {
                assertEquals(2, context.getLowCardinalityKeyValues().stream().count());
                assertEquals(0, context.getHighCardinalityKeyValues().stream().count());
                String operation =
                    context.getLowCardinalityKeyValue("satchel.operation").getValue();
                assertEquals("satchel " + operation, context.getContextualName());
                byOperation.merge(operation, 1, Integer::sum);
                for (KeyValue key : context.getLowCardinalityKeyValues()) {
                  for (String id : ids) {
                    assertFalse(key.getValue().contains(id));
                  }
                  assertFalse(key.getValue().contains("ann"));
                }
              }
              // As many observations of each operation as the timer counted.
              byOperation.forEach(
                  (operation, count) ->
                      assertEquals(
                          (long) count,
                          meters
                              .get("satchel.store.calls")
                              .tag("operation", operation)
                              .functionTimers()
                              .stream()
                              .mapToLong(timer -> (long) timer.count())
                              .sum(),
                          operation));
            });
  }

  @Test
  void aFailedStoreCallIsAnObservationWithItsError(@TempDir Path folder) throws IOException {
    TestObservationRegistry observations = TestObservationRegistry.create();
    Path base = folder.resolve("sessions");
    try (Satchel satchel =
        Satchel.builder().driver("fs").driverOption("base", base.toString()).build()) {
      new SatchelMetrics(satchel, observations).bindTo(new SimpleMeterRegistry());
      try (Stream<Path> files = Files.walk(base)) {
        for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
      Files.writeString(base, "not a folder");
      Session session = satchel.open(null, cookie -> {});
      session.set("cart", "socks", ValueCodecs.strings());
      assertThrows(SessionStorageException.class, session::commit);
    }

    TestObservationRegistryAssert.assertThat(observations)
        .hasAnObservation(
            observation ->
                observation
                    .hasContextualNameEqualTo("satchel write")
                    .hasLowCardinalityKeyValue("satchel.driver", "fs")
                    .assertThatError()
                    .isInstanceOf(java.io.UncheckedIOException.class));
  }

  /** Records what happens to each observation, in order. */
  private static final class Lifecycles implements ObservationHandler<Observation.Context> {
    private final Map<Observation.Context, List<String>> events;

    Lifecycles(Map<Observation.Context, List<String>> events) {
      this.events = events;
    }

    private void record(Observation.Context context, String event) {
      synchronized (events) {
        events.computeIfAbsent(context, c -> new ArrayList<>()).add(event);
      }
    }

    @Override
    public void onStart(Observation.Context context) {
      record(context, "start");
    }

    @Override
    public void onScopeOpened(Observation.Context context) {
      record(context, "scope");
    }

    @Override
    public void onScopeClosed(Observation.Context context) {
      record(context, "unscope");
    }

    @Override
    public void onError(Observation.Context context) {
      record(context, "error");
    }

    @Override
    public void onStop(Observation.Context context) {
      record(context, "stop");
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return true;
    }
  }

  /** A registry that turns observations into spans of {@code tracer}. */
  private static ObservationRegistry tracing(SimpleTracer tracer) {
    ObservationRegistry registry = ObservationRegistry.create();
    registry.observationConfig().observationHandler(new DefaultTracingObservationHandler(tracer));
    return registry;
  }

  private static SimpleSpan span(SimpleTracer tracer, String name) {
    List<SimpleSpan> named =
        tracer.getSpans().stream().filter(span -> span.getName().equals(name)).toList();
    assertEquals(1, named.size(), name + " in " + tracer.getSpans());
    return named.get(0);
  }

  @Test
  void aStoreCallIsASpanOfTheRequestAndParentOfTheClientsOwn() throws Exception {
    SimpleTracer tracer = new SimpleTracer();
    ObservationRegistry observations = tracing(tracer);
    try (Satchel satchel =
        Satchel.builder().driver("counting").driverOption("store", "tracing").build()) {
      new SatchelMetrics(satchel, observations).bindTo(new SimpleMeterRegistry());
      AtomicReference<Observation> currentAfterTheWrite = new AtomicReference<>();
      satchel.addListener(event -> currentAfterTheWrite.set(observations.getCurrentObservation()));
      Observation request = Observation.start("http.server.requests", observations);
      // The store client observes its own command while the driver runs it, as Lettuce does.
      AutoCloseable client =
          CountingDriverProvider.store("tracing")
              .interfere(
                  () ->
                      Observation.createNotStarted("client.command", observations)
                          .observe(() -> {}));
      request.scoped(() -> newSession(satchel));
      client.close();
      request.stop();

      assertSame(request, currentAfterTheWrite.get(), "the store call's scope was closed");
      assertNull(observations.getCurrentObservation());
    }

    SimpleSpan requestSpan = span(tracer, "http.server.requests");
    SimpleSpan write = span(tracer, "satchel write");
    SimpleSpan command = span(tracer, "client.command");
    assertEquals(requestSpan.getSpanId(), write.getParentId());
    assertEquals(write.getSpanId(), command.getParentId());
    assertEquals(requestSpan.getTraceId(), command.getTraceId());
    assertEquals("counting", write.getTags().get("satchel.driver"));
    assertEquals("write", write.getTags().get("satchel.operation"));
    assertNull(write.getError());
  }

  @Test
  void aFailedStoreCallIsASpanWithItsError() {
    SimpleTracer tracer = new SimpleTracer();
    ObservationRegistry observations = tracing(tracer);
    try (Satchel satchel =
        Satchel.builder().driver("counting").driverOption("store", "failing-span").build()) {
      new SatchelMetrics(satchel, observations).bindTo(new SimpleMeterRegistry());
      CountingDriverProvider.store("failing-span").failWrites("the store is full");
      assertThrows(SessionStorageException.class, () -> newSession(satchel));
    }

    SimpleSpan write = span(tracer, "satchel write");
    assertInstanceOf(IllegalStateException.class, write.getError());
    assertEquals("the store is full", write.getError().getMessage());
  }

  @Test
  void withoutAnObservationRegistryStoreCallsAreOnlyTimed() {
    SimpleTracer tracer = new SimpleTracer();
    ObservationRegistry observations = tracing(tracer);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      new SatchelMetrics(satchel).bindTo(meters);
      Observation.createNotStarted("http.server.requests", observations)
          .observe(() -> newSession(satchel));
    }

    assertEquals(1, SatchelMetricsTest.calls(meters, "write"));
    assertEquals(
        List.of("http.server.requests"),
        tracer.getSpans().stream().map(SimpleSpan::getName).toList());
  }

  @Test
  void aHandlerThatThrowsFailsNoRequest() {
    ObservationRegistry observations = ObservationRegistry.create();
    List<String> stopped = new ArrayList<>();
    observations
        .observationConfig()
        .observationHandler(
            new ObservationHandler<Observation.Context>() {
              @Override
              public void onScopeOpened(Observation.Context context) {
                throw new IllegalStateException("a broken handler");
              }

              @Override
              public void onStop(Observation.Context context) {
                stopped.add(context.getContextualName());
              }

              @Override
              public boolean supportsContext(Observation.Context context) {
                return true;
              }
            });
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      new SatchelMetrics(satchel, observations).bindTo(meters);
      String id = newSession(satchel);
      assertEquals(
          "socks", satchel.open(id, cookie -> {}).get("cart", ValueCodecs.strings()).get());
    }

    assertEquals(1, SatchelMetricsTest.calls(meters, "write"));
    assertEquals(1, SatchelMetricsTest.calls(meters, "read"));
    // Each observation whose scope could not open was stopped all the same.
    assertTrue(stopped.containsAll(List.of("satchel write", "satchel read")), stopped.toString());
  }

  @Test
  void aRegistryGivenHandlersAfterBindingObservesFromThenOn() {
    SimpleTracer tracer = new SimpleTracer();
    ObservationRegistry observations = ObservationRegistry.create();
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      new SatchelMetrics(satchel, observations).bindTo(new SimpleMeterRegistry());
      String id = newSession(satchel);
      assertTrue(tracer.getSpans().isEmpty());

      observations
          .observationConfig()
          .observationHandler(new DefaultTracingObservationHandler(tracer));
      satchel.open(id, cookie -> {}).get("cart", ValueCodecs.strings());
    }

    assertEquals(
        List.of("satchel read"), tracer.getSpans().stream().map(SimpleSpan::getName).toList());
  }
}
