package dev.satchel.readme;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.PlainObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's snippets, run as written, with the outputs it shows. */
final class ReadmeExamplesTest {

  @Test
  void devalueSnippet() {
    PlainObject user = new PlainObject();
    user.put("name", "Houston");
    user.put("tags", List.of("vip", "vip"));

    String text = Devalue.standard().stringify(user);
    assertEquals("[{\"name\":1,\"tags\":2},\"Houston\",[3,3],\"vip\"]", text);

    Object back = Devalue.standard().parse(text);
    assertEquals(user, back);
    Object copy = Devalue.standard().copy(user);
    assertEquals(PlainObject.class, copy.getClass());
    assertEquals(back, copy);
  }

  @Test
  void sessionsSnippet() {
    List<String> setCookieHeaders = new java.util.ArrayList<>();
    String cookieValue = null;
    dev.satchel.devalue.PlainObject user = new dev.satchel.devalue.PlainObject(Map.of("id", "u-1"));
    ValueCodec<Object> userCodec = ValueCodecs.untyped();

    try (dev.satchel.Satchel satchel = dev.satchel.Satchel.builder().driver("memory").build()) {
      dev.satchel.Session session =
          satchel.open(cookieValue, cookie -> setCookieHeaders.add(cookie.toHeaderValue()));

      List<String> cart =
          session.get("cart", ValueCodecs.list(ValueCodecs.strings())).orElse(List.of());
      session.set("cart", List.of("sku-0001"), ValueCodecs.list(ValueCodecs.strings()));
      session.set("user", user, userCodec, java.time.Duration.ofHours(1));
      List<String> stored =
          session.update(
              "cart",
              ValueCodecs.list(ValueCodecs.strings()),
              current -> {
                List<String> next =
                    current == null
                        ? new java.util.ArrayList<>()
                        : new java.util.ArrayList<>(current);
                next.add("sku-0002");
                return next;
              });
      assertEquals(List.of("sku-0001", "sku-0002"), stored);
      session.regenerate();
      assertEquals(List.of(), cart);
      assertEquals(
          java.util.Optional.of(List.of("sku-0001", "sku-0002")),
          session.get("cart", ValueCodecs.list(ValueCodecs.strings())));
      java.util.Optional<String> id = session.id();
      assertEquals(true, id.isPresent());
      session.destroy();
      session.commit();
      assertEquals(3, setCookieHeaders.size());
      assertEquals(true, setCookieHeaders.get(2).startsWith("satchel-session=deleted; Path=/;"));
    }
  }

  @Test
  void typedValuesSnippet() {
    ValueCodec<Map<String, List<Integer>>> codec =
        ValueCodecs.map(ValueCodecs.strings(), ValueCodecs.list(ValueCodecs.integers()));

    String text =
        Devalue.standard().stringify(codec.encode(Map.of("x", List.of(1)), CodecContext.create()));
    Map<String, List<Integer>> back =
        codec.decode(Devalue.standard().parse(text), CodecContext.create());
    assertEquals(Map.of("x", List.of(1)), back);
  }

  @Test
  void eventsSnippet() {
    List<String> audit = new java.util.ArrayList<>();
    List<String> printed = new java.util.ArrayList<>();
    dev.satchel.Satchel satchel =
        dev.satchel.Satchel.builder()
            .driver("memory")
            .listener(
                event -> {
                  if (event instanceof dev.satchel.SessionEvent.Destroyed ended
                      && ended.reason() == dev.satchel.SessionEvent.Reason.LOG_OUT) {
                    audit.add("log-out of " + ended.principal());
                  }
                })
            .build();
    try (satchel) {
      satchel.addListener(event -> printed.add(String.valueOf(event)));
      dev.satchel.Session login = satchel.open(null, cookie -> {});
      login.setPrincipal("alice");
      login.commit();
      String id = login.id().orElseThrow();
      dev.satchel.Session logout = satchel.open(id, cookie -> {});
      logout.destroy();
      logout.commit();
      assertEquals(List.of("log-out of alice"), audit);
      assertEquals(
          "Created[" + dev.satchel.spi.SessionIds.fingerprint(id) + ", principal]", printed.get(0));
    }
  }
}
