package dev.satchel.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

/**
 * {@code WAIT}s shared by the writes of one connection. {@code WAIT} holds back every later command
 * of its connection until the replicas confirm, and it covers every write its connection sent
 * before it. So each connection has at most one {@code WAIT} out: writes sent while it is out share
 * the next one, sent as soon as it answers. Under load, one {@code WAIT} confirms many commits
 * instead of each commit queueing behind the one before; alone, a write still travels with its
 * {@code WAIT} in one socket write.
 */
final class SharedWaits {
  private final long replicasToAck;
  private final long replicaAckMillis;
  private final Map<StatefulRedisConnection<String, byte[]>, Line> lines =
      new ConcurrentHashMap<>();

  SharedWaits(long replicasToAck, long replicaAckMillis) {
    this.replicasToAck = replicasToAck;
    this.replicaAckMillis = replicaAckMillis;
  }

  /**
   * Sends {@code writes} on {@code connection}, and returns how many replicas confirmed them (with
   * whatever else the connection sent before): the answer of a {@code WAIT} sent after them.
   * Waiting on the answer must not cancel it, since other writes may share it.
   */
  CompletableFuture<Long> send(
      StatefulRedisConnection<String, byte[]> connection,
      List<RedisCommand<String, byte[], ?>> writes) {
    Line line = lines.get(connection);
    if (line == null) {
      // Connections of nodes that left the cluster, or of a primary left behind, end here.
      lines.keySet().removeIf(known -> !known.isOpen());
      line = lines.computeIfAbsent(connection, Line::new);
    }
    return line.send(writes);
  }

  /** The {@code WAIT}s of one connection; guarded by itself. */
  private final class Line {
    private final StatefulRedisConnection<String, byte[]> connection;

    /** Whether a {@code WAIT} is out, unanswered. */
    private boolean waiting;

    /** The answer that the writes sent while a {@code WAIT} is out will share; or none yet. */
    private CompletableFuture<Long> next;

    Line(StatefulRedisConnection<String, byte[]> connection) {
      this.connection = connection;
    }

    synchronized CompletableFuture<Long> send(List<RedisCommand<String, byte[], ?>> writes) {
      if (waiting) {
        connection.dispatch(writes);
        if (next == null) {
          next = new CompletableFuture<>();
        }
        return next;
      }
      List<RedisCommand<String, byte[], ?>> batch = new ArrayList<>(writes.size() + 1);
      batch.addAll(writes);
      CompletableFuture<Long> answer = new CompletableFuture<>();
      batch.add(waitFor(answer));
      waiting = true;
      try {
        connection.dispatch(batch);
      } catch (RuntimeException e) {
        waiting = false;
        throw e;
      }
      return answer;
    }

    /** A {@code WAIT} that completes {@code answer}, then sends the next if writes await one. */
    private AsyncCommand<String, byte[], Long> waitFor(CompletableFuture<Long> answer) {
      AsyncCommand<String, byte[], Long> wait =
          new AsyncCommand<>(
              new Command<>(
                  CommandType.WAIT,
                  new IntegerOutput<>(RedisConnections.CODEC),
                  new CommandArgs<>(RedisConnections.CODEC)
                      .add(replicasToAck)
                      .add(replicaAckMillis)));
      wait.whenComplete(
          (replicas, failure) -> {
            // Runs on an I/O thread: it sends, and never waits.
            answered();
            if (failure != null) {
              answer.completeExceptionally(failure);
            } else {
              answer.complete(replicas == null ? 0 : replicas);
            }
          });
      return wait;
    }

    private synchronized void answered() {
      CompletableFuture<Long> shared = next;
      next = null;
      if (shared == null) {
        waiting = false;
        return;
      }
      AsyncCommand<String, byte[], Long> wait = waitFor(shared);
      // The writes that share it went to the connection's I/O thread as tasks, perhaps still
      // queued. Sent from that thread, the WAIT would go out at once, ahead of them, and confirm
      // none of them; sent from another thread, it is queued behind them.
      try {
        connection.getResources().eventExecutorGroup().execute(() -> dispatchAlone(wait));
      } catch (RejectedExecutionException e) {
        // The client is shutting down; failing the WAIT fails the writes that share it.
        wait.completeExceptionally(e);
      }
    }

    /** Sends {@code wait}, which fails, freeing the line, if it cannot be sent. */
    private void dispatchAlone(AsyncCommand<String, byte[], Long> wait) {
      try {
        connection.dispatch(wait);
      } catch (RuntimeException e) {
        wait.completeExceptionally(e);
      }
    }
  }
}
