package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.SessionBlob.Entry;
import dev.satchel.devalue.DevalueException;
import dev.satchel.testing.ReferenceSession;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The stored form: what a session read and written back turns into. */
final class SessionBlobTest {
  private static final String BLOB = ReferenceSession.astroBlob();

  @Test
  void entriesWrittenBackUnchanged_giveTheSameTextAsEntriesBuiltAfresh() throws Exception {
    String[] blobs = {
      BLOB,
      "[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":4},\"v\",1.5]",
      "[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":-6},\"v\"]",
      "[[\"Map\",1,2],\"k\",{\"expires\":3,\"data\":4},4102444800000,\"v\"]",
      "[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":-1,\"x\":4},\"v\",1]",
      "[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":4},\"v\",null]",
      "[[\"Map\",1,2],\"k\",{\"data\":3,\"expires\":4},\"v\",1e300]",
      "[[\"Map\",1,2],\"k\",{\"expires\":-1}]",
    };
    for (String blob : blobs) {
      Map<String, Entry> read = SessionBlob.parse(blob);
      Map<String, Entry> rebuilt = new LinkedHashMap<>();
      read.forEach((key, entry) -> rebuilt.put(key, Entry.of(entry.data(), entry.expires())));
      String expected;
      try {
        expected = SessionBlob.serialize(rebuilt);
      } catch (DevalueException e) {
        assertThrows(DevalueException.class, () -> SessionBlob.serialize(read), blob);
        continue;
      }
      assertEquals(expected, SessionBlob.serialize(read), blob);
    }
    assertEquals(BLOB, SessionBlob.serialize(SessionBlob.parse(BLOB)));
  }
}
