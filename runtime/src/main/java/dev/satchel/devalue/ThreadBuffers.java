package dev.satchel.devalue;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Whether the current thread may keep the codec's buffers between calls. A platform thread serves
 * request after request, so its buffers are reused; a virtual thread usually serves one, and a
 * server may run many thousands at once, so buffers kept per virtual thread would only hold memory.
 */
final class ThreadBuffers {
  // Thread.isVirtual() exists from Java 21; on older runtimes every thread is a platform thread.
  private static final MethodHandle IS_VIRTUAL = isVirtualHandle();

  private ThreadBuffers() {}

  static boolean poolable() {
    if (IS_VIRTUAL == null) {
      return true;
    }
    try {
      return !(boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
    } catch (Throwable e) {
      return false;
    }
  }

  private static MethodHandle isVirtualHandle() {
    try {
      return MethodHandles.publicLookup()
          .findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }
}
