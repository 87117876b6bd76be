package dev.satchel.devalue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.satchel.testing.ReferenceSession;
import java.lang.reflect.Method;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

final class ThreadBuffersTest {

  @Test
  void platformThreads_keepTheirBuffers() {
    assertTrue(ThreadBuffers.poolable());
  }

  @Test
  void virtualThreads_readAndWriteWithoutKeepingBuffers() throws Exception {
    Method ofVirtual;
    try {
      ofVirtual = Thread.class.getMethod("ofVirtual");
    } catch (NoSuchMethodException e) {
      ofVirtual = null;
    }
    assumeTrue(ofVirtual != null, "virtual threads need Java 21");
    Object builder = ofVirtual.invoke(null);
    Method start = Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class);
    AtomicReference<String> written = new AtomicReference<>();
    AtomicReference<Boolean> poolable = new AtomicReference<>();
    Runnable work =
        () -> {
          poolable.set(ThreadBuffers.poolable());
          Object read = Devalue.astro().parse(ReferenceSession.astroBlob());
          written.set(Devalue.astro().stringify(read));
        };
    Thread thread = (Thread) start.invoke(builder, work);
    thread.join();
    assertEquals(false, poolable.get());
    assertEquals(ReferenceSession.astroBlob(), written.get());
  }
}
