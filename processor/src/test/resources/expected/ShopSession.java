package test;

import dev.satchel.Session;
import dev.satchel.codec.CodecContext;
import dev.satchel.codec.RecordCodecSupport;
import dev.satchel.codec.ValueCodec;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.devalue.PlainObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import javax.annotation.processing.Generated;

/**
 * Typed access to the session keys declared by {@link Shop}: a getter, two setters, two
 * atomic updates, {@code has} and {@code delete} for each, over a request's
 * {@link Session}.
 */
@Generated("dev.satchel.processor.SessionDataProcessor")
public final class ShopSession {
    private static final ValueCodec<Shop.User> USER_CODEC = Shop_UserCodec.INSTANCE;

    private static final Duration USER_TTL = Duration.parse("PT1H");

    private static final ValueCodec<List<String>> CART_CODEC = ValueCodecs.list(ValueCodecs.strings());

    private static final ValueCodec<Instant> LAST_VISIT_CODEC = ValueCodecs.instants();

    private static final ValueCodec<Map<String, List<Shop.Item>>> WISHLISTS_CODEC = ValueCodecs.map(ValueCodecs.strings(), ValueCodecs.list(Shop_ItemCodec.INSTANCE));

    private static final ValueCodec<Optional<Shop.Size>> PREFERRED_SIZE_CODEC = ValueCodecs.optional(ValueCodecs.enums("Size", Shop.Size.values()));

    private static final ValueCodec<Integer> VISITS_CODEC = ValueCodecs.integers();

    private final Session session;

    private ShopSession(Session session) {
        this.session = session;
    }

    /**
     * The {@code user} key, if present.
     */
    public Optional<Shop.User> user() {
        return session.get("user", USER_CODEC);
    }

    /**
     * Sets the {@code user} key, expiring after {@code PT1H}.
     * {@code null} removes the key, as {@code deleteUser()} does.
     */
    public void setUser(Shop.User value) {
        if (value == null) {
            session.delete("user");
            return;
        }
        session.set("user", value, USER_CODEC, USER_TTL);
    }

    /**
     * Sets the {@code user} key, expiring after {@code ttl}.
     * {@code null} removes the key, as {@code deleteUser()} does.
     */
    public void setUser(Shop.User value, Duration ttl) {
        if (value == null) {
            session.delete("user");
            return;
        }
        session.set("user", value, USER_CODEC, ttl);
    }

    /**
     * Changes the {@code user} key atomically, expiring after {@code PT1H}, and stores the
     * session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Shop.User updateUser(UnaryOperator<Shop.User> change) {
        return session.update("user", USER_CODEC, USER_TTL, change);
    }

    /**
     * Changes the {@code user} key atomically, expiring after {@code ttl}, and stores the
     * session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Shop.User updateUser(UnaryOperator<Shop.User> change, Duration ttl) {
        return session.update("user", USER_CODEC, ttl, change);
    }

    /**
     * Whether the {@code user} key is present.
     */
    public boolean hasUser() {
        return session.has("user");
    }

    /**
     * Removes the {@code user} key.
     */
    public void deleteUser() {
        session.delete("user");
    }

    /**
     * The {@code cart} key, if present.
     */
    public Optional<List<String>> getCart() {
        return session.get("cart", CART_CODEC);
    }

    /**
     * Sets the {@code cart} key.
     * {@code null} removes the key, as {@code deleteCart()} does.
     */
    public void setCart(List<String> value) {
        if (value == null) {
            session.delete("cart");
            return;
        }
        session.set("cart", value, CART_CODEC);
    }

    /**
     * Sets the {@code cart} key, expiring after {@code ttl}.
     * {@code null} removes the key, as {@code deleteCart()} does.
     */
    public void setCart(List<String> value, Duration ttl) {
        if (value == null) {
            session.delete("cart");
            return;
        }
        session.set("cart", value, CART_CODEC, ttl);
    }

    /**
     * Changes the {@code cart} key atomically and stores the session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public List<String> updateCart(UnaryOperator<List<String>> change) {
        return session.update("cart", CART_CODEC, change);
    }

    /**
     * Changes the {@code cart} key atomically, expiring after {@code ttl}, and stores the
     * session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public List<String> updateCart(UnaryOperator<List<String>> change, Duration ttl) {
        return session.update("cart", CART_CODEC, ttl, change);
    }

    /**
     * Whether the {@code cart} key is present.
     */
    public boolean hasCart() {
        return session.has("cart");
    }

    /**
     * Removes the {@code cart} key.
     */
    public void deleteCart() {
        session.delete("cart");
    }

    /**
     * The {@code last-visit} key, if present.
     */
    public Optional<Instant> lastVisit() {
        return session.get("last-visit", LAST_VISIT_CODEC);
    }

    /**
     * Sets the {@code last-visit} key.
     * {@code null} removes the key, as {@code deleteLastVisit()} does.
     */
    public void setLastVisit(Instant value) {
        if (value == null) {
            session.delete("last-visit");
            return;
        }
        session.set("last-visit", value, LAST_VISIT_CODEC);
    }

    /**
     * Sets the {@code last-visit} key, expiring after {@code ttl}.
     * {@code null} removes the key, as {@code deleteLastVisit()} does.
     */
    public void setLastVisit(Instant value, Duration ttl) {
        if (value == null) {
            session.delete("last-visit");
            return;
        }
        session.set("last-visit", value, LAST_VISIT_CODEC, ttl);
    }

    /**
     * Changes the {@code last-visit} key atomically and stores the session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Instant updateLastVisit(UnaryOperator<Instant> change) {
        return session.update("last-visit", LAST_VISIT_CODEC, change);
    }

    /**
     * Changes the {@code last-visit} key atomically, expiring after {@code ttl}, and stores the
     * session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Instant updateLastVisit(UnaryOperator<Instant> change, Duration ttl) {
        return session.update("last-visit", LAST_VISIT_CODEC, ttl, change);
    }

    /**
     * Whether the {@code last-visit} key is present.
     */
    public boolean hasLastVisit() {
        return session.has("last-visit");
    }

    /**
     * Removes the {@code last-visit} key.
     */
    public void deleteLastVisit() {
        session.delete("last-visit");
    }

    /**
     * The {@code wishlists} key, if present.
     */
    public Optional<Map<String, List<Shop.Item>>> wishlists() {
        return session.get("wishlists", WISHLISTS_CODEC);
    }

    /**
     * Sets the {@code wishlists} key.
     * {@code null} removes the key, as {@code deleteWishlists()} does.
     */
    public void setWishlists(Map<String, List<Shop.Item>> value) {
        if (value == null) {
            session.delete("wishlists");
            return;
        }
        session.set("wishlists", value, WISHLISTS_CODEC);
    }

    /**
     * Sets the {@code wishlists} key, expiring after {@code ttl}.
     * {@code null} removes the key, as {@code deleteWishlists()} does.
     */
    public void setWishlists(Map<String, List<Shop.Item>> value, Duration ttl) {
        if (value == null) {
            session.delete("wishlists");
            return;
        }
        session.set("wishlists", value, WISHLISTS_CODEC, ttl);
    }

    /**
     * Changes the {@code wishlists} key atomically and stores the session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Map<String, List<Shop.Item>> updateWishlists(
            UnaryOperator<Map<String, List<Shop.Item>>> change) {
        return session.update("wishlists", WISHLISTS_CODEC, change);
    }

    /**
     * Changes the {@code wishlists} key atomically, expiring after {@code ttl}, and stores the
     * session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Map<String, List<Shop.Item>> updateWishlists(
            UnaryOperator<Map<String, List<Shop.Item>>> change, Duration ttl) {
        return session.update("wishlists", WISHLISTS_CODEC, ttl, change);
    }

    /**
     * Whether the {@code wishlists} key is present.
     */
    public boolean hasWishlists() {
        return session.has("wishlists");
    }

    /**
     * Removes the {@code wishlists} key.
     */
    public void deleteWishlists() {
        session.delete("wishlists");
    }

    /**
     * The {@code preferredSize} key, if present.
     */
    public Optional<Shop.Size> preferredSize() {
        return session.get("preferredSize", PREFERRED_SIZE_CODEC).flatMap(value -> value);
    }

    /**
     * Sets the {@code preferredSize} key.
     * {@code null} removes the key, as {@code deletePreferredSize()} does.
     */
    public void setPreferredSize(Optional<Shop.Size> value) {
        if (value == null) {
            session.delete("preferredSize");
            return;
        }
        session.set("preferredSize", value, PREFERRED_SIZE_CODEC);
    }

    /**
     * Sets the {@code preferredSize} key, expiring after {@code ttl}.
     * {@code null} removes the key, as {@code deletePreferredSize()} does.
     */
    public void setPreferredSize(Optional<Shop.Size> value, Duration ttl) {
        if (value == null) {
            session.delete("preferredSize");
            return;
        }
        session.set("preferredSize", value, PREFERRED_SIZE_CODEC, ttl);
    }

    /**
     * Changes the {@code preferredSize} key atomically and stores the session at once.
     * {@code change} gets the current value, empty when the key is absent, and returns the
     * new one: empty stores {@code undefined}, as {@code setPreferredSize(Optional.empty())} does,
     * and {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, empty if the key was removed
     */
    public Optional<Shop.Size> updatePreferredSize(UnaryOperator<Optional<Shop.Size>> change) {
        Optional<Shop.Size> stored = session.update("preferredSize", PREFERRED_SIZE_CODEC, current -> change.apply(current == null ? Optional.empty() : current));
        return stored == null ? Optional.empty() : stored;
    }

    /**
     * Changes the {@code preferredSize} key atomically, expiring after {@code ttl}, and stores the
     * session at once.
     * {@code change} gets the current value, empty when the key is absent, and returns the
     * new one: empty stores {@code undefined}, as {@code setPreferredSize(Optional.empty())} does,
     * and {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, empty if the key was removed
     */
    public Optional<Shop.Size> updatePreferredSize(UnaryOperator<Optional<Shop.Size>> change,
            Duration ttl) {
        Optional<Shop.Size> stored = session.update("preferredSize", PREFERRED_SIZE_CODEC, ttl, current -> change.apply(current == null ? Optional.empty() : current));
        return stored == null ? Optional.empty() : stored;
    }

    /**
     * Whether the {@code preferredSize} key is present.
     */
    public boolean hasPreferredSize() {
        return session.has("preferredSize");
    }

    /**
     * Removes the {@code preferredSize} key.
     */
    public void deletePreferredSize() {
        session.delete("preferredSize");
    }

    /**
     * The {@code visits} key, if present.
     */
    public Optional<Integer> visits() {
        return session.get("visits", VISITS_CODEC);
    }

    /**
     * Sets the {@code visits} key.
     */
    public void setVisits(int value) {
        session.set("visits", value, VISITS_CODEC);
    }

    /**
     * Sets the {@code visits} key, expiring after {@code ttl}.
     */
    public void setVisits(int value, Duration ttl) {
        session.set("visits", value, VISITS_CODEC, ttl);
    }

    /**
     * Changes the {@code visits} key atomically and stores the session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Integer updateVisits(UnaryOperator<Integer> change) {
        return session.update("visits", VISITS_CODEC, change);
    }

    /**
     * Changes the {@code visits} key atomically, expiring after {@code ttl}, and stores the
     * session at once.
     * {@code change} gets the current value, {@code null} when the key is absent, and returns
     * the new one; {@code null} removes the key.
     *
     * <p>{@code change} may run more than once, when another request changes the session
     * meanwhile: it must have no side effects and must not modify the value it is given.
     *
     * @return the value stored, or {@code null} if the key was removed
     */
    public Integer updateVisits(UnaryOperator<Integer> change, Duration ttl) {
        return session.update("visits", VISITS_CODEC, ttl, change);
    }

    /**
     * Whether the {@code visits} key is present.
     */
    public boolean hasVisits() {
        return session.has("visits");
    }

    /**
     * Removes the {@code visits} key.
     */
    public void deleteVisits() {
        session.delete("visits");
    }

    /**
     * Typed access to a request's session, for the keys of {@link Shop}.
     */
    public static ShopSession of(Session session) {
        return new ShopSession(Objects.requireNonNull(session, "session"));
    }

    /**
     * The untyped session underneath.
     */
    public Session session() {
        return session;
    }

    /**
     * The session ID, once the session has one.
     */
    public Optional<String> id() {
        return session.id();
    }

    /**
     * Gives the session a new ID and keeps its data, as after a log-in.
     */
    public void regenerate() {
        session.regenerate();
    }

    /**
     * Ends the session, as at log-out.
     */
    public void destroy() {
        session.destroy();
    }

    /**
     * Switches to the stored session {@code id}; {@code false} if there is none.
     */
    public boolean load(String id) {
        return session.load(id);
    }

    private static final class Shop_UserCodec implements ValueCodec<Shop.User> {
        static final Shop_UserCodec INSTANCE = new Shop_UserCodec();

        private final ValueCodec<String> idCodec = ValueCodecs.strings();

        private final ValueCodec<String> nameCodec = ValueCodecs.strings();

        @Override
        public Object encode(Shop.User value, CodecContext context) {
            if (value == null) {
                return null;
            }
            context.enter();
            PlainObject object = new PlainObject();
            RecordCodecSupport.putComponent(object, "id", idCodec, value.id(), context);
            RecordCodecSupport.putComponent(object, "name", nameCodec, value.name(), context);
            context.exit();
            return object;
        }

        @Override
        public Shop.User decode(Object value, CodecContext context) {
            if (RecordCodecSupport.isAbsent(value)) {
                return null;
            }
            PlainObject object = RecordCodecSupport.expectObject(value, "User");
            context.enter();
            String id = RecordCodecSupport.component(object, "id", idCodec, context);
            String name = RecordCodecSupport.component(object, "name", nameCodec, context);
            context.exit();
            return new Shop.User(id, name);
        }

        @Override
        public String describe() {
            return "User";
        }
    }

    private static final class Shop_ItemCodec implements ValueCodec<Shop.Item> {
        static final Shop_ItemCodec INSTANCE = new Shop_ItemCodec();

        private final ValueCodec<String> skuCodec = ValueCodecs.strings();

        private final ValueCodec<Integer> quantityCodec = ValueCodecs.integers();

        private final ValueCodec<Optional<String>> noteCodec = ValueCodecs.optional(ValueCodecs.strings());

        @Override
        public Object encode(Shop.Item value, CodecContext context) {
            if (value == null) {
                return null;
            }
            context.enter();
            PlainObject object = new PlainObject();
            RecordCodecSupport.putComponent(object, "sku", skuCodec, value.sku(), context);
            RecordCodecSupport.putComponent(object, "quantity", quantityCodec, value.quantity(), context);
            RecordCodecSupport.putComponent(object, "note", noteCodec, value.note(), context);
            context.exit();
            return object;
        }

        @Override
        public Shop.Item decode(Object value, CodecContext context) {
            if (RecordCodecSupport.isAbsent(value)) {
                return null;
            }
            PlainObject object = RecordCodecSupport.expectObject(value, "Item");
            context.enter();
            String sku = RecordCodecSupport.component(object, "sku", skuCodec, context);
            Integer quantity = RecordCodecSupport.component(object, "quantity", quantityCodec, context);
            Optional<String> note = RecordCodecSupport.component(object, "note", noteCodec, context);
            context.exit();
            return new Shop.Item(sku, quantity == null ? 0 : quantity, note);
        }

        @Override
        public String describe() {
            return "Item";
        }
    }
}
