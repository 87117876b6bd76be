package dev.satchel.codec;

import static dev.satchel.codec.ValueCodecs.list;
import static dev.satchel.codec.ValueCodecs.map;
import static dev.satchel.codec.ValueCodecs.strings;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.PlainObject;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each typed codec writes what devalue writes for the value and reads it back to the same type. */
final class ValueCodecsTest {
  private static final Devalue DEVALUE = Devalue.standard();

  enum Size {
    SMALL,
    LARGE
  }

  /** A record with a hand-written codec, the shape the processor generates. */
  record Item(String sku, int price) {}

  static final ValueCodec<Item> ITEM =
      new ValueCodec<>() {
        @Override
        public Object encode(Item value, CodecContext context) {
          if (value == null) {
            return null;
          }
          PlainObject object = new PlainObject();
          RecordCodecSupport.putComponent(object, "sku", strings(), value.sku(), context);
          RecordCodecSupport.putComponent(
              object, "price", ValueCodecs.integers(), value.price(), context);
          return object;
        }

        @Override
        public Item decode(Object value, CodecContext context) {
          if (RecordCodecSupport.isAbsent(value)) {
            return null;
          }
          PlainObject object = RecordCodecSupport.expectObject(value, "Item");
          Integer price =
              RecordCodecSupport.component(object, "price", ValueCodecs.integers(), context);
          return new Item(
              RecordCodecSupport.component(object, "sku", strings(), context),
              price == null ? 0 : price);
        }

        @Override
        public String describe() {
          return "Item";
        }
      };

  private static <T> String write(ValueCodec<T> codec, T value) {
    return DEVALUE.stringify(codec.encode(value, CodecContext.create()));
  }

  private static <T> T read(ValueCodec<T> codec, String text) {
    return codec.decode(DEVALUE.parse(text), CodecContext.create());
  }

  private static <T> T roundTrip(ValueCodec<T> codec, T value, String expectedText) {
    String text = write(codec, value);
    assertEquals(expectedText, text);
    return read(codec, text);
  }

  @Test
  void scalars_roundTrip() {
    assertEquals("hé", roundTrip(strings(), "hé", "[\"hé\"]"));
    assertEquals(true, roundTrip(ValueCodecs.booleans(), true, "[true]"));
    assertEquals(42, roundTrip(ValueCodecs.integers(), 42, "[42]"));
    assertEquals(
        -9007199254740991L,
        roundTrip(ValueCodecs.longs(), -9007199254740991L, "[-9007199254740991]"));
    assertEquals((short) 7, roundTrip(ValueCodecs.shorts(), (short) 7, "[7]"));
    assertEquals((byte) -8, roundTrip(ValueCodecs.bytes(), (byte) -8, "[-8]"));
    assertEquals(1.5f, roundTrip(ValueCodecs.floats(), 1.5f, "[1.5]"));
    assertEquals(0.1, roundTrip(ValueCodecs.doubles(), 0.1, "[0.1]"));
    assertEquals('x', roundTrip(ValueCodecs.characters(), 'x', "[\"x\"]"));
    BigInteger big = BigInteger.TWO.pow(128);
    assertEquals(big, roundTrip(ValueCodecs.bigIntegers(), big, "[[\"BigInt\",\"" + big + "\"]]"));
    assertEquals(Size.LARGE, roundTrip(ValueCodecs.enums(Size.class), Size.LARGE, "[\"LARGE\"]"));
  }

  @Test
  void datesUrlsAndPatterns_roundTrip() throws Exception {
    Instant instant = Instant.parse("2026-11-26T12:34:56.789Z");
    assertEquals(
        instant,
        roundTrip(ValueCodecs.instants(), instant, "[[\"Date\",\"2026-11-26T12:34:56.789Z\"]]"));
    assertEquals(
        new Date(0),
        roundTrip(ValueCodecs.dates(), new Date(0), "[[\"Date\",\"1970-01-01T00:00:00.000Z\"]]"));
    URI uri = URI.create("https://example.com/shop?ref=satchel");
    assertEquals(
        uri,
        roundTrip(ValueCodecs.uris(), uri, "[[\"URL\",\"https://example.com/shop?ref=satchel\"]]"));
    URL url = uri.toURL();
    assertEquals(
        url.toString(),
        roundTrip(ValueCodecs.urls(), url, "[[\"URL\",\"https://example.com/shop?ref=satchel\"]]")
            .toString());
    Pattern pattern =
        roundTrip(
            ValueCodecs.patterns(),
            Pattern.compile("^a/b$", Pattern.MULTILINE),
            "[[\"RegExp\",\"^a\\\\/b$\",\"m\"]]");
    assertTrue(pattern.matcher("x\na/b").find());
    assertArrayEquals(
        new byte[] {1, 2, 3},
        roundTrip(
            ValueCodecs.byteArrays(),
            new byte[] {1, 2, 3},
            "[[\"Uint8Array\",1],[\"ArrayBuffer\",\"AQID\"]]"));
  }

  @Test
  void containers_roundTrip() {
    assertEquals(
        List.of("a", "b", "a"),
        roundTrip(list(strings()), List.of("a", "b", "a"), "[[1,2,1],\"a\",\"b\"]"));
    Set<Integer> set = new LinkedHashSet<>(List.of(3, 1));
    assertEquals(
        set, roundTrip(ValueCodecs.set(ValueCodecs.integers()), set, "[[\"Set\",1,2],3,1]"));
    Map<String, List<Integer>> map = new LinkedHashMap<>();
    map.put("x", List.of(1));
    assertEquals(
        map,
        roundTrip(
            map(strings(), list(ValueCodecs.integers())), map, "[[\"Map\",1,2],\"x\",[3],1]"));
    assertEquals(
        Optional.empty(), roundTrip(ValueCodecs.optional(strings()), Optional.empty(), "-1"));
    assertEquals(
        Optional.of("v"), roundTrip(ValueCodecs.optional(strings()), Optional.of("v"), "[\"v\"]"));
    assertArrayEquals(
        new String[] {"a"},
        roundTrip(ValueCodecs.array(strings(), String[]::new), new String[] {"a"}, "[[1],\"a\"]"));
    assertArrayEquals(
        new int[] {1, 2}, roundTrip(ValueCodecs.intArrays(), new int[] {1, 2}, "[[1,2],1,2]"));
    assertArrayEquals(
        new long[] {5}, roundTrip(ValueCodecs.longArrays(), new long[] {5}, "[[1],5]"));
    assertArrayEquals(
        new double[] {0.5}, roundTrip(ValueCodecs.doubleArrays(), new double[] {0.5}, "[[1],0.5]"));
    assertArrayEquals(
        new boolean[] {true},
        roundTrip(ValueCodecs.booleanArrays(), new boolean[] {true}, "[[1],true]"));
    List<Item> items = List.of(new Item("sku-1", 5));
    assertEquals(items, roundTrip(list(ITEM), items, "[[1],{\"sku\":2,\"price\":3},\"sku-1\",5]"));
  }

  @Test
  void decodedContainers_areMutable() {
    List<String> cart = read(list(strings()), "[[1],\"a\"]");
    cart.add("b");
    assertEquals(List.of("a", "b"), cart);
  }

  @Test
  void stringKeyedMap_alsoReadsAPlainObject() {
    Map<String, Integer> map = read(map(strings(), ValueCodecs.integers()), "[{\"a\":1},1]");
    assertEquals(Map.of("a", 1), map);
  }

  @Test
  void recordThatGainedAComponent_readsOldDataWithTheComponentAbsent() {
    assertEquals(new Item("sku-9", 0), read(ITEM, "[{\"sku\":1,\"colour\":2},\"sku-9\",\"red\"]"));
  }

  @Test
  void mismatch_namesThePathAndTheTypes() {
    ValueCodecException e =
        assertThrows(
            ValueCodecException.class,
            () ->
                read(
                    map(strings(), list(ITEM)),
                    "[[\"Map\",1,2],\"cart\",[3,3,3,4],{\"sku\":5,\"price\":6},{\"sku\":5,\"price\":7},\"s\",1,\"1.5\"]"));
    assertEquals(".get(\"cart\")[3].price", e.path());
    assertEquals("expected a number, got the string \"1.5\"", e.reason());
  }

  @Test
  void fractionsAndOutOfRangeIntegers_areRefused() {
    assertThrows(ValueCodecException.class, () -> read(ValueCodecs.integers(), "[1.5]"));
    assertThrows(ValueCodecException.class, () -> read(ValueCodecs.integers(), "[4294967296]"));
    assertThrows(ValueCodecException.class, () -> read(ValueCodecs.longs(), "[9007199254740992]"));
    ValueCodecException e =
        assertThrows(
            ValueCodecException.class,
            () -> write(list(ValueCodecs.longs()), List.of(1L, 1L << 60)));
    assertEquals("[1]", e.path());
  }

  @Test
  void absentValues_decodeToNull() {
    assertNull(read(strings(), "-1"));
    assertNull(read(strings(), "[null]"));
    assertNull(read(list(strings()), "-1"));
  }

  @Test
  void unknownEnumName_listsTheConstants() {
    ValueCodecException e =
        assertThrows(
            ValueCodecException.class, () -> read(ValueCodecs.enums(Size.class), "[\"HUGE\"]"));
    assertTrue(e.reason().contains("SMALL"), e.reason());
  }

  @Test
  void holes_haveNoTypedForm() {
    ValueCodecException e =
        assertThrows(ValueCodecException.class, () -> read(list(strings()), "[[1,-2],\"a\"]"));
    assertEquals("[1]", e.path());
  }

  @Test
  void sharedReferences_cannotExpandWithoutBound() {
    StringBuilder text = new StringBuilder("[");
    ValueCodec<?> codec = strings();
    for (int i = 0; i < 40; i++) {
      text.append('[').append(i + 1).append(',').append(i + 1).append("],");
      codec = list(codec);
    }
    text.append("\"leaf\"]");
    Object stored = DEVALUE.parse(text.toString());
    ValueCodec<?> deep = codec;
    ValueCodecException e =
        assertThrows(ValueCodecException.class, () -> deep.decode(stored, CodecContext.create()));
    assertTrue(e.reason().contains("more than 1000000 values"), e.reason());
  }

  /** A node of a tree whose children list can, through mutation, hold the node itself. */
  record Node(List<Node> children) {}

  @Test
  void cycleThroughARecordType_failsWithAClearMessage() {
    ValueCodec<Node> node =
        new ValueCodec<>() {
          final ValueCodec<Node> self = this;

          @Override
          public Object encode(Node value, CodecContext context) {
            PlainObject object = new PlainObject();
            context.enter();
            RecordCodecSupport.putComponent(
                object, "children", list(self), value.children(), context);
            context.exit();
            return object;
          }

          @Override
          public Node decode(Object value, CodecContext context) {
            throw new UnsupportedOperationException();
          }

          @Override
          public String describe() {
            return "Node";
          }
        };
    List<Node> children = new ArrayList<>();
    Node root = new Node(children);
    children.add(root);
    ValueCodecException e =
        assertThrows(ValueCodecException.class, () -> node.encode(root, CodecContext.create()));
    assertTrue(e.reason().contains("cycle"), e.reason());
    assertTrue(e.path().startsWith(".children[0].children[0]"), e.path());
  }
}
