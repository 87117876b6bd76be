package dev.satchel.benchmarks;

import dev.satchel.codec.CodecContext;
import dev.satchel.codec.RecordCodecSupport;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.PlainObject;
import java.util.List;

/** Codecs written by hand, the baseline the generated ones are measured against. */
final class HandWrittenCodecs {
  private HandWrittenCodecs() {}

  static final ValueCodec<List<String>> CART = ValueCodecs.list(ValueCodecs.strings());

  static final ValueCodec<BenchShop.User> USER =
      new ValueCodec<>() {
        @Override
        public Object encode(BenchShop.User value, CodecContext context) {
          PlainObject object = new PlainObject();
          RecordCodecSupport.putComponent(object, "id", ValueCodecs.strings(), value.id(), context);
          RecordCodecSupport.putComponent(
              object, "name", ValueCodecs.strings(), value.name(), context);
          RecordCodecSupport.putComponent(
              object, "email", ValueCodecs.strings(), value.email(), context);
          return object;
        }

        @Override
        public BenchShop.User decode(Object value, CodecContext context) {
          PlainObject object = RecordCodecSupport.expectObject(value, "User");
          return new BenchShop.User(
              RecordCodecSupport.component(object, "id", ValueCodecs.strings(), context),
              RecordCodecSupport.component(object, "name", ValueCodecs.strings(), context),
              RecordCodecSupport.component(object, "email", ValueCodecs.strings(), context));
        }

        @Override
        public String describe() {
          return "User";
        }
      };
}
