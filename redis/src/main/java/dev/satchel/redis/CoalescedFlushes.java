package dev.satchel.redis;

import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;

/**
 * Defers each flush until the tasks already queued on the event loop (other threads' writes) have
 * run, then flushes once for all of them, or at once after 256 held flushes. A lone flush waits
 * only for the loop's next task.
 */
final class CoalescedFlushes implements NettyCustomizer {
  @Override
  public void afterChannelInitialized(Channel channel) {
    channel.pipeline().addFirst(new FlushConsolidationHandler(256, true));
  }
}
