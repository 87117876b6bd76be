package dev.satchel.benchmarks;

import dev.satchel.codec.CodecContext;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.PlainObject;
import java.util.List;

/** Codecs written by hand, the baseline the generated ones are measured against. */
final class HandWrittenCodecs {
  private HandWrittenCodecs() {}

  static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.string());

  static final ValueCodec<BenchShop.User> USER =
      new ValueCodec<>() {
        @Override
        public Object encode(BenchShop.User value, CodecContext context) {
          PlainObject object = new PlainObject();
          ValueCodecs.putComponent(object, "id", ValueCodecs.string(), value.id(), context);
          ValueCodecs.putComponent(object, "name", ValueCodecs.string(), value.name(), context);
          ValueCodecs.putComponent(object, "email", ValueCodecs.string(), value.email(), context);
          return object;
        }

        @Override
        public BenchShop.User decode(Object value, CodecContext context) {
          PlainObject object = ValueCodecs.expectObject(value, "User");
          return new BenchShop.User(
              ValueCodecs.component(object, "id", ValueCodecs.string(), context),
              ValueCodecs.component(object, "name", ValueCodecs.string(), context),
              ValueCodecs.component(object, "email", ValueCodecs.string(), context));
        }

        @Override
        public String describe() {
          return "User";
        }
      };
}
