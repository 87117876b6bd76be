package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver's flush setting against a real server: commands queued on a busy event loop reach the
 * socket in one flush, and each still gets its own answer.
 */
class CoalescedFlushesTest {
  private static final int COMMANDS = 50;

  private static RedisServerProcess server;

  @BeforeAll
  static void startServer() {
    server = RedisServerProcess.start(false);
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    server.close();
  }

  @Test
  void commandsQueuedWhileTheLoopIsBusy_reachTheSocketInOneFlush() throws Exception {
    assertEquals(1, socketFlushesForQueuedCommands(true));
  }

  @Test
  void withoutTheSetting_eachCommandIsFlushedOnItsOwn() throws Exception {
    assertEquals(COMMANDS, socketFlushesForQueuedCommands(false));
  }

  /**
   * Holds the connection's event loop, queues {@link #COMMANDS} commands behind it, lets it go, and
   * counts the flushes that reach the socket; every command must still get its own value back.
   */
  private static int socketFlushesForQueuedCommands(boolean coalesced) throws Exception {
    AtomicInteger socketFlushes = new AtomicInteger();
    CompletableFuture<Channel> channelReady = new CompletableFuture<>();
    ClientResources resources =
        ClientResources.builder()
            .nettyCustomizer(
                new NettyCustomizer() {
                  @Override
                  public void afterChannelInitialized(Channel channel) {
                    if (coalesced) {
                      new CoalescedFlushes().afterChannelInitialized(channel);
                    }
                    // First in the pipeline, so next to the socket: it sees only real flushes.
                    channel
                        .pipeline()
                        .addFirst(
                            new ChannelOutboundHandlerAdapter() {
                              @Override
                              public void flush(ChannelHandlerContext context) {
                                socketFlushes.incrementAndGet();
                                context.flush();
                              }
                            });
                    channelReady.complete(channel);
                  }
                })
            .build();
    RedisClient client = RedisClient.create(resources, server.url());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      for (int i = 0; i < COMMANDS; i++) {
        connection.sync().set("flush:" + i, "value " + i);
      }
      Channel channel = channelReady.get(5, TimeUnit.SECONDS);
      CountDownLatch queued = new CountDownLatch(1);
      channel
          .eventLoop()
          .execute(
              () -> {
                try {
                  queued.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              });
      int before = socketFlushes.get();
      List<RedisFuture<String>> replies = new ArrayList<>();
      for (int i = 0; i < COMMANDS; i++) {
        replies.add(connection.async().get("flush:" + i));
      }
      queued.countDown();
      for (int i = 0; i < COMMANDS; i++) {
        assertEquals("value " + i, replies.get(i).get(5, TimeUnit.SECONDS));
      }
      return socketFlushes.get() - before;
    } finally {
      client.shutdown();
      resources.shutdown().get(5, TimeUnit.SECONDS);
    }
  }
}
