package dev.satchel.redis;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Commits that replicas must confirm ({@code replicas-to-ack}): each script goes out on a
 * connection of its own per node, followed by a {@code WAIT} it may share with the scripts sent
 * beside it ({@link SharedWaits}), and on a cluster the redirects a slot migration answers are
 * followed here, outside Lettuce's routing, so that the {@code WAIT} reaches the node that took the
 * write.
 */
final class AcknowledgedCalls {
  /** How many redirects one round of a durable write follows before it gives up. */
  private static final int MAX_REDIRECTS = 5;

  private final RedisConnections connections;
  private final RedisSettings settings;
  private final long timeoutNanos;
  private final long replicaAckNanos;
  private final int replicasToAck;
  private final SharedWaits waits;

  AcknowledgedCalls(RedisConnections connections, RedisSettings settings) {
    this.connections = connections;
    this.settings = settings;
    this.timeoutNanos = settings.timeout().toNanos();
    this.replicaAckNanos = settings.replicaAckTimeout().toNanos();
    this.replicasToAck = settings.replicasToAck();
    this.waits = new SharedWaits(replicasToAck, settings.replicaAckTimeout().toMillis());
  }

  /**
   * Sends the script on the connection that serves the first key, followed by a {@code WAIT}, and
   * fails when the script wrote (answered 1, or anything when its output is a value) but fewer
   * replicas than asked confirmed it in time. On a cluster, that connection is the node's own,
   * outside Lettuce's routing: redirects are followed here.
   */
  <T> T call(
      RedisDriver.Script script, ScriptOutputType output, String[] keys, byte[][] arguments) {
    StatefulRedisConnection<String, byte[]> connection = connections.durableFor(keys[0]);
    boolean asking = false;
    boolean bySource = false;
    // Redirects followed since the write last started from the slot's owner: a migration can
    // send every round from the owner to the importing node and back (ASK, then TRYAGAIN).
    int redirects = 0;
    long deadline = System.nanoTime() + timeoutNanos;
    for (int attempt = 1; ; attempt++) {
      List<RedisCommand<String, byte[], ?>> batch = new ArrayList<>(2);
      if (asking) {
        batch.add(new AsyncCommand<>(new Command<>(CommandType.ASKING, statusOutput())));
      }
      AsyncCommand<String, byte[], T> result =
          scriptCommand(script, output, bySource, keys, arguments);
      batch.add(result);
      CompletableFuture<Long> acknowledged = waits.send(connection, batch);
      // The WAIT that covers the script may come after one already out, which takes at most
      // replica-ack-timeout.
      long answerBy = System.nanoTime() + timeoutNanos + replicaAckNanos;
      T answer;
      try {
        answer = LettuceFutures.awaitOrCancel(result, timeoutNanos, TimeUnit.NANOSECONDS);
      } catch (RedisNoScriptException e) {
        if (bySource) {
          throw e;
        }
        bySource = true;
        continue;
      } catch (RedisCommandExecutionException e) {
        Redirect redirect = Redirect.of(e.getMessage());
        if (redirect != null && ++redirects <= MAX_REDIRECTS) {
          if (!redirect.ask()) {
            connections.refreshTopology();
          }
          connection = connections.durableAt(redirect.host(), redirect.port());
          asking = redirect.ask();
          continue;
        }
        if (connections.isCluster() && isTryAgain(e) && pause(attempt, deadline)) {
          asking = false;
          redirects = 0;
          connection = connections.durableFor(keys[0]);
          continue;
        }
        throw e;
      }
      // A script answers 1 (or, on a cluster, 2 or 3) when it wrote; one answering a value or a
      // list always writes. One that wrote nothing (it lost a race) has nothing to confirm: the
      // caller retries at once rather than after the replicas.
      boolean wrote = !(answer instanceof Long) || (Long) answer >= 1;
      if (!wrote) {
        return answer;
      }
      long replicas =
          RedisConnections.await(
              acknowledged,
              answerBy - System.nanoTime(),
              "no WAIT answered in time: the replicas' confirmations are unknown");
      if (replicas < replicasToAck) {
        RedisSettings.OptionNames names = settings.names();
        throw new IllegalStateException(
            "Redis took the write, but only "
                + replicas
                + " of the "
                + replicasToAck
                + " replicas required by "
                + names.describe("replicas-to-ack")
                + " confirmed it within "
                + settings.replicaAckTimeout()
                + " ("
                + names.describe("replica-ack-timeout")
                + "): a fail-over now could lose it. The write is not undone.");
      }
      return answer;
    }
  }

  /**
   * {@code EVALSHA} (or {@code EVAL}) as a command of its own, answering an integer, a value or a
   * list.
   */
  @SuppressWarnings("unchecked")
  private static <T> AsyncCommand<String, byte[], T> scriptCommand(
      RedisDriver.Script script,
      ScriptOutputType output,
      boolean bySource,
      String[] keys,
      byte[][] arguments) {
    CommandArgs<String, byte[]> args = new CommandArgs<>(RedisConnections.CODEC);
    if (bySource) {
      args.add(script.source().getBytes(StandardCharsets.UTF_8));
    } else {
      args.add(script.sha());
    }
    args.add(keys.length).addKeys(keys).addValues(arguments);
    CommandOutput<String, byte[], ?> answer =
        switch (output) {
          case VALUE -> new ValueOutput<>(RedisConnections.CODEC);
          case MULTI -> new NestedMultiOutput<>(RedisConnections.CODEC);
          default -> new IntegerOutput<>(RedisConnections.CODEC);
        };
    return new AsyncCommand<>(
        new Command<>(
            bySource ? CommandType.EVAL : CommandType.EVALSHA,
            (CommandOutput<String, byte[], T>) answer,
            args));
  }

  private static StatusOutput<String, byte[]> statusOutput() {
    return new StatusOutput<>(RedisConnections.CODEC);
  }

  static boolean isTryAgain(RedisCommandExecutionException e) {
    return e.getMessage() != null && e.getMessage().startsWith("TRYAGAIN");
  }

  /**
   * Waits a little before trying again, longer each time, unless that would pass {@code deadline};
   * returns whether to try again.
   */
  static boolean pause(int attempt, long deadline) {
    long nanos =
        ThreadLocalRandom.current()
            .nextLong(TimeUnit.MILLISECONDS.toNanos(Math.min(50, 1L << Math.min(attempt, 6))) + 1);
    if (System.nanoTime() + nanos >= deadline) {
      return false;
    }
    LockSupport.parkNanos(nanos);
    return !Thread.currentThread().isInterrupted();
  }

  /** A cluster's {@code MOVED <slot> <host>:<port>} or {@code ASK <slot> <host>:<port>}. */
  private record Redirect(boolean ask, String host, int port) {
    static Redirect of(String message) {
      if (message == null) {
        return null;
      }
      boolean ask = message.startsWith("ASK ");
      if (!ask && !message.startsWith("MOVED ")) {
        return null;
      }
      String[] parts = message.trim().split(" ");
      if (parts.length < 3) {
        return null;
      }
      int colon = parts[2].lastIndexOf(':');
      try {
        return new Redirect(
            ask, parts[2].substring(0, colon), Integer.parseInt(parts[2].substring(colon + 1)));
      } catch (RuntimeException e) {
        return null;
      }
    }
  }
}
