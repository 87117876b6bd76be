package dev.satchel.codec;

import static dev.satchel.codec.ValueCodecs.list;
import static dev.satchel.codec.ValueCodecs.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.TemporalValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The common Java types stored as strings: the exact text written, the value read back, what an
 * Astro app that used {@code Temporal} wrote, and text that does not parse.
 */
final class JavaTypeCodecsTest {
  private static final Devalue DEVALUE = Devalue.astro();

  private static <T> String write(ValueCodec<T> codec, T value) {
    return DEVALUE.stringify(codec.encode(value, CodecContext.create()));
  }

  private static <T> T read(ValueCodec<T> codec, String text) {
    return codec.decode(DEVALUE.parse(text), CodecContext.create());
  }

  /** Writes {@code value}, checks that the text is the one string {@code wire}, reads it back. */
  private static <T> void roundTrip(ValueCodec<T> codec, T value, String wire) {
    String text = write(codec, value);
    assertEquals("[\"" + wire + "\"]", text);
    assertEquals(value, read(codec, text));
  }

  /** What devalue writes for a {@code Temporal} value in JavaScript. */
  private static String temporal(String type, String text) {
    return "[[\"" + type + "\",\"" + text + "\"]]";
  }

  private static ValueCodecException unreadable(ValueCodec<?> codec, String stored) {
    return assertThrows(ValueCodecException.class, () -> read(codec, stored));
  }

  // ---------------------------------------------------------------------------------------------
  // Wire forms and round trips

  @Test
  void dates_andTimes_areIsoText_withSecondsAlwaysWritten() {
    roundTrip(ValueCodecs.localDates(), LocalDate.of(2026, 12, 7), "2026-12-07");
    roundTrip(
        ValueCodecs.localDateTimes(), LocalDateTime.of(2026, 12, 7, 10, 15), "2026-12-07T10:15:00");
    roundTrip(
        ValueCodecs.localDateTimes(),
        LocalDateTime.of(2026, 12, 7, 10, 15, 30, 120_000_000),
        "2026-12-07T10:15:30.12");
    roundTrip(ValueCodecs.localTimes(), LocalTime.of(10, 15), "10:15:00");
    roundTrip(
        ValueCodecs.localTimes(), LocalTime.of(23, 59, 59, 999_999_999), "23:59:59.999999999");
    roundTrip(
        ValueCodecs.offsetDateTimes(),
        OffsetDateTime.of(2026, 12, 7, 10, 15, 30, 0, ZoneOffset.ofHours(1)),
        "2026-12-07T10:15:30+01:00");
    roundTrip(
        ValueCodecs.offsetDateTimes(),
        OffsetDateTime.of(2026, 12, 7, 9, 15, 30, 0, ZoneOffset.UTC),
        "2026-12-07T09:15:30Z");
    roundTrip(
        ValueCodecs.zonedDateTimes(),
        ZonedDateTime.of(2026, 12, 7, 10, 15, 30, 0, ZoneId.of("Europe/Paris")),
        "2026-12-07T10:15:30+01:00[Europe/Paris]");
    roundTrip(
        ValueCodecs.zonedDateTimes(),
        ZonedDateTime.of(2026, 12, 7, 10, 15, 30, 0, ZoneOffset.ofHours(-5)),
        "2026-12-07T10:15:30-05:00");
    roundTrip(ValueCodecs.yearMonths(), YearMonth.of(2026, 12), "2026-12");
    roundTrip(ValueCodecs.localDates(), LocalDate.of(10_000, 1, 1), "+10000-01-01");
  }

  @Test
  void durationsAndPeriods_areIsoText_negativeOnesWithALeadingSign() {
    roundTrip(ValueCodecs.durations(), Duration.ofMinutes(30), "PT30M");
    roundTrip(ValueCodecs.durations(), Duration.ZERO, "PT0S");
    roundTrip(ValueCodecs.durations(), Duration.ofMinutes(-90), "-PT1H30M");
    roundTrip(ValueCodecs.durations(), Duration.ofMillis(-1500), "-PT1.5S");
    roundTrip(ValueCodecs.durations(), Duration.ofDays(2).plusNanos(1), "PT48H0.000000001S");
    // The one negative Duration without a positive counterpart keeps java.time's own form.
    Duration min = Duration.ofSeconds(Long.MIN_VALUE);
    assertEquals(min, read(ValueCodecs.durations(), write(ValueCodecs.durations(), min)));

    roundTrip(ValueCodecs.periods(), Period.ofDays(1), "P1D");
    roundTrip(ValueCodecs.periods(), Period.ZERO, "P0D");
    roundTrip(ValueCodecs.periods(), Period.of(1, 2, 3), "P1Y2M3D");
    roundTrip(ValueCodecs.periods(), Period.of(-1, -2, 0), "-P1Y2M");
    roundTrip(ValueCodecs.periods(), Period.of(0, 1, -3), "P1M-3D");
  }

  @Test
  void identifiersAndAmounts_areTheirStandardText() {
    UUID id = UUID.fromString("123E4567-E89B-12D3-A456-426614174000");
    roundTrip(ValueCodecs.uuids(), id, "123e4567-e89b-12d3-a456-426614174000");
    assertEquals(id, read(ValueCodecs.uuids(), "[\"123E4567-E89B-12D3-A456-426614174000\"]"));

    roundTrip(ValueCodecs.bigDecimals(), new BigDecimal("12.50"), "12.50");
    BigDecimal read =
        read(ValueCodecs.bigDecimals(), write(ValueCodecs.bigDecimals(), new BigDecimal("12.50")));
    assertEquals(2, read.scale(), "the scale is kept, so 12.50 is not 12.5");
    roundTrip(ValueCodecs.bigDecimals(), new BigDecimal("1E+3"), "1E+3");
    roundTrip(
        ValueCodecs.bigDecimals(),
        new BigDecimal("-123456789012345678901234567890.000000001"),
        "-123456789012345678901234567890.000000001");

    roundTrip(ValueCodecs.locales(), Locale.UK, "en-GB");
    roundTrip(ValueCodecs.locales(), Locale.forLanguageTag("zh-Hant-TW"), "zh-Hant-TW");
    roundTrip(ValueCodecs.locales(), Locale.ROOT, "und");
    roundTrip(
        ValueCodecs.locales(), new Locale("ja", "JP", "JP"), "ja-JP-u-ca-japanese-x-lvariant-JP");
    roundTrip(ValueCodecs.locales(), new Locale("en", "US", "WINDOWS"), "en-US-WINDOWS");

    roundTrip(ValueCodecs.currencies(), Currency.getInstance("EUR"), "EUR");
    roundTrip(ValueCodecs.zoneIds(), ZoneId.of("Europe/Paris"), "Europe/Paris");
    roundTrip(ValueCodecs.zoneIds(), ZoneOffset.ofHours(2), "+02:00");
    roundTrip(ValueCodecs.zoneIds(), ZoneId.of("UTC"), "UTC");
  }

  @Test
  void insideContainers_theyAreStringsLikeAnyOther() {
    ValueCodec<Map<LocalDate, List<Duration>>> codec =
        map(ValueCodecs.localDates(), list(ValueCodecs.durations()));
    Map<LocalDate, List<Duration>> value =
        Map.of(LocalDate.of(2026, 12, 7), List.of(Duration.ofMinutes(30), Duration.ofHours(1)));
    String text = write(codec, value);
    assertEquals("[[\"Map\",1,2],\"2026-12-07\",[3,4],\"PT30M\",\"PT1H\"]", text);
    assertEquals(value, read(codec, text));
  }

  @Test
  void absentValues_readAsNull_andNullIsWrittenAsNull() {
    assertNull(read(ValueCodecs.localDates(), "-1"));
    assertNull(read(ValueCodecs.bigDecimals(), "[null]"));
    assertEquals("[null]", write(ValueCodecs.uuids(), null));
  }

  // ---------------------------------------------------------------------------------------------
  // What an Astro app wrote

  @Test
  void temporalValues_readAsTheSameJavaType() {
    assertEquals(
        LocalDate.of(1999, 9, 29),
        read(ValueCodecs.localDates(), temporal("Temporal.PlainDate", "1999-09-29")));
    assertEquals(
        LocalDateTime.of(1999, 9, 29, 12, 34, 56, 789_000_000),
        read(
            ValueCodecs.localDateTimes(),
            temporal("Temporal.PlainDateTime", "1999-09-29T12:34:56.789")));
    assertEquals(
        LocalTime.of(12, 34, 56, 789_000_000),
        read(ValueCodecs.localTimes(), temporal("Temporal.PlainTime", "12:34:56.789")));
    assertEquals(
        ZonedDateTime.of(1999, 9, 29, 12, 34, 56, 0, ZoneId.of("Europe/Rome")),
        read(
            ValueCodecs.zonedDateTimes(),
            temporal("Temporal.ZonedDateTime", "1999-09-29T12:34:56+02:00[Europe/Rome]")));
    assertEquals(
        YearMonth.of(1999, 9),
        read(ValueCodecs.yearMonths(), temporal("Temporal.PlainYearMonth", "1999-09")));
    assertEquals(
        Duration.ofHours(4).plusMinutes(5).plusMillis(6500),
        read(ValueCodecs.durations(), temporal("Temporal.Duration", "PT4H5M6.5S")));
    assertEquals(
        Duration.ofMinutes(-30),
        read(ValueCodecs.durations(), temporal("Temporal.Duration", "-PT30M")));
    assertEquals(
        Period.of(1, 2, 3), read(ValueCodecs.periods(), temporal("Temporal.Duration", "P1Y2M3D")));
    assertEquals(
        Period.ofWeeks(2), read(ValueCodecs.periods(), temporal("Temporal.Duration", "P2W")));
    assertEquals(
        Instant.parse("1999-09-29T05:30:00.123456789Z"),
        read(
            ValueCodecs.instants(),
            temporal("Temporal.Instant", "1999-09-29T05:30:00.123456789Z")));
  }

  @Test
  void temporalValue_insideAnAstroSessionBlob_readsToo() {
    // {cart: {data: Temporal.PlainDate.from("2026-12-07"), expires: undefined}} in a Map, as
    // Astro stores a session.
    String blob =
        "[[\"Map\",1,2],\"delivery\",{\"data\":3,\"expires\":-1},[\"Temporal.PlainDate\",\"2026-12-07\"]]";
    Map<?, ?> session = (Map<?, ?>) DEVALUE.parse(blob);
    Object data = ((dev.satchel.devalue.PlainObject) session.get("delivery")).get("data");
    assertEquals(new TemporalValue("Temporal.PlainDate", "2026-12-07"), data);
    assertEquals(
        LocalDate.of(2026, 12, 7), ValueCodecs.localDates().decode(data, CodecContext.create()));
  }

  @Test
  void temporalValueOfAnotherType_isAMismatch() {
    ValueCodecException e =
        unreadable(ValueCodecs.localDates(), temporal("Temporal.PlainTime", "10:15:30"));
    assertEquals(
        "expected a string holding an ISO-8601 date, such as 2026-12-07, or a Temporal.PlainDate,"
            + " got the Temporal.PlainTime \"10:15:30\"",
        e.reason());
    // There is no Temporal type for an offset date-time: a Temporal value is never one.
    assertThrows(
        ValueCodecException.class,
        () ->
            read(
                ValueCodecs.offsetDateTimes(),
                temporal("Temporal.ZonedDateTime", "1999-09-29T12:34:56+02:00[Europe/Rome]")));
  }

  @Test
  void durationWithYearsOrMonths_isRefused_pointingAtPeriod() {
    ValueCodecException e =
        unreadable(ValueCodecs.durations(), temporal("Temporal.Duration", "P1Y2M3DT4H"));
    assertEquals(
        "the Temporal.Duration \"P1Y2M3DT4H\" is not a Duration (an ISO-8601 duration, such as"
            + " PT30M): years, months and weeks have no fixed length; store the value as a Period",
        e.reason());
    assertThrows(ValueCodecException.class, () -> read(ValueCodecs.periods(), "[\"PT30M\"]"));
  }

  // ---------------------------------------------------------------------------------------------
  // Text that does not parse

  @Test
  void badText_namesTheTypeTheTextAndWhy_neverARawParseException() {
    ValueCodecException e = unreadable(ValueCodecs.localDates(), "[\"2026-13-45\"]");
    assertEquals(
        "the string \"2026-13-45\" is not a LocalDate (an ISO-8601 date, such as 2026-12-07):"
            + " Invalid value for MonthOfYear (valid values 1 - 12): 13",
        e.reason());
    assertNull(e.getCause());

    assertEquals(
        "the string \"tomorrow\" is not a LocalDateTime (an ISO-8601 date and time, such as"
            + " 2026-12-07T10:15:30): unreadable at index 0",
        unreadable(ValueCodecs.localDateTimes(), "[\"tomorrow\"]").reason());
    assertEquals(
        "the string \"2026-12-07T10:15:30+01:00[Europe/Paris]\" is not an OffsetDateTime (an"
            + " ISO-8601 date and time with an offset, such as 2026-12-07T10:15:30+01:00):"
            + " unreadable at index 25",
        unreadable(ValueCodecs.offsetDateTimes(), "[\"2026-12-07T10:15:30+01:00[Europe/Paris]\"]")
            .reason());
    assertTrue(
        unreadable(ValueCodecs.uuids(), "[\"1-2-3-4-5\"]")
            .reason()
            .startsWith("the string \"1-2-3-4-5\" is not a UUID"));
    assertTrue(
        unreadable(ValueCodecs.bigDecimals(), "[\"12,50\"]")
            .reason()
            .startsWith(
                "the string \"12,50\" is not a BigDecimal (a decimal number, such as 12.50)"));
    assertTrue(
        unreadable(ValueCodecs.locales(), "[\"en_GB\"]")
            .reason()
            .startsWith(
                "the string \"en_GB\" is not a Locale (a BCP 47 language tag, such as en-GB)"));
    // The JDK's own reason after the colon differs between versions.
    assertTrue(
        unreadable(ValueCodecs.currencies(), "[\"eur\"]")
            .reason()
            .startsWith(
                "the string \"eur\" is not a Currency (an ISO 4217 currency code, such as EUR)"));
    assertTrue(
        unreadable(ValueCodecs.zoneIds(), "[\"Europe/Atlantis\"]")
            .reason()
            .startsWith("the string \"Europe/Atlantis\" is not a ZoneId"));
    assertTrue(
        unreadable(ValueCodecs.instants(), temporal("Temporal.Instant", "yesterday"))
            .reason()
            .startsWith("the Temporal.Instant \"yesterday\" is not an Instant"));
  }

  @Test
  void badText_isQuotedToABoundedLength() {
    String junk = "x".repeat(10_000);
    for (ValueCodec<?> codec :
        List.of(
            ValueCodecs.localDates(),
            ValueCodecs.zonedDateTimes(),
            ValueCodecs.durations(),
            ValueCodecs.zoneIds(),
            ValueCodecs.locales(),
            ValueCodecs.bigDecimals(),
            ValueCodecs.uuids())) {
      ValueCodecException e = unreadable(codec, "[\"" + junk + "\"]");
      assertTrue(e.getMessage().length() < 400, e.getMessage());
      assertTrue(e.reason().contains("\"" + "x".repeat(40) + "…\""), e.reason());
      assertFalse(e.getCause() instanceof java.time.format.DateTimeParseException);
    }
  }

  @Test
  void anotherKindOfValue_isAMismatch() {
    assertEquals(
        "expected a string holding an ISO-8601 duration, such as PT30M, or a Temporal.Duration,"
            + " got the number 1800",
        unreadable(ValueCodecs.durations(), "[1800]").reason());
    assertEquals(
        "expected a string holding a UUID, such as 123e4567-e89b-12d3-a456-426614174000, got an"
            + " object",
        unreadable(ValueCodecs.uuids(), "[{}]").reason());
  }

  @Test
  void bigDecimal_alsoReadsWhatJavaScriptStoresForAnAmount() {
    assertEquals(new BigDecimal("12.5"), read(ValueCodecs.bigDecimals(), "[12.5]"));
    assertEquals(
        new BigDecimal(BigInteger.TWO.pow(70)),
        read(ValueCodecs.bigDecimals(), "[[\"BigInt\",\"" + BigInteger.TWO.pow(70) + "\"]]"));
    // -4 alone is devalue's Infinity, which has no decimal form.
    assertThrows(ValueCodecException.class, () -> read(ValueCodecs.bigDecimals(), "-4"));
    assertThrows(ValueCodecException.class, () -> read(ValueCodecs.bigDecimals(), "[true]"));
  }

  // ---------------------------------------------------------------------------------------------
  // An application's codec, guarded

  /** Money as "EUR 12.50": the shape of an application's own codec. */
  record Money(Currency currency, BigDecimal amount) {}

  static final class MoneyCodec implements ValueCodec<Money> {
    int nullsSeen;

    @Override
    public Object encode(Money value, CodecContext context) {
      if (value == null) {
        nullsSeen++;
      }
      return value.currency().getCurrencyCode() + " " + value.amount().toPlainString();
    }

    @Override
    public Money decode(Object value, CodecContext context) {
      if (value == null) {
        nullsSeen++;
      }
      String[] parts = ((String) value).split(" ");
      return new Money(Currency.getInstance(parts[0]), new BigDecimal(parts[1]));
    }

    @Override
    public String describe() {
      return "Money";
    }
  }

  @Test
  void guarded_keepsNullAndUndefinedFromTheApplicationsCodec() {
    MoneyCodec money = new MoneyCodec();
    ValueCodec<Money> guarded = ValueCodecs.guarded(money);
    assertEquals("[null]", write(guarded, null));
    assertNull(read(guarded, "-1"));
    assertNull(read(guarded, "[null]"));
    assertEquals(List.of(), read(list(guarded), "[[]]"));
    assertEquals(0, money.nullsSeen);
    Money price = new Money(Currency.getInstance("EUR"), new BigDecimal("12.50"));
    assertEquals("[\"EUR 12.50\"]", write(guarded, price));
    assertEquals(price, read(guarded, "[\"EUR 12.50\"]"));
    assertEquals("Money", guarded.describe());
  }

  /** Null stored for a value would read as absent: the key there, and yet empty. */
  @Test
  void guarded_refusesACodecThatEncodesAValueAsNull() {
    ValueCodec<Money> nulls =
        ValueCodecs.guarded(
            new ValueCodec<Money>() {
              @Override
              public Object encode(Money value, CodecContext context) {
                return null;
              }

              @Override
              public Money decode(Object value, CodecContext context) {
                return null;
              }

              @Override
              public String describe() {
                return "Money";
              }
            });
    ValueCodecException e =
        assertThrows(
            ValueCodecException.class,
            () -> nulls.encode(new Money(Currency.getInstance("EUR"), BigDecimal.ONE), null));
    assertTrue(e.reason().contains("encoded a value as null"), e.reason());
  }

  @Test
  void guarded_turnsTheCodecsOwnFailuresIntoValueCodecExceptions_withThePath() {
    ValueCodec<List<Money>> prices = list(ValueCodecs.guarded(new MoneyCodec()));
    ValueCodecException e =
        assertThrows(
            ValueCodecException.class, () -> read(prices, "[[1,2],\"EUR 1.00\",\"12 euros\"]"));
    assertEquals("[1]", e.path());
    assertTrue(
        e.reason()
            .startsWith(
                MoneyCodec.class.getName()
                    + " failed to decode the string \"12 euros\" (java.lang.IllegalArgumentException"),
        e.reason());
    assertTrue(e.getCause() instanceof IllegalArgumentException);

    ValueCodecException notAString =
        assertThrows(ValueCodecException.class, () -> read(prices, "[[1],4]"));
    assertTrue(notAString.getCause() instanceof ClassCastException);

    ValueCodecException own = new ValueCodecException("refused");
    ValueCodec<String> refusing =
        ValueCodecs.guarded(
            new ValueCodec<>() {
              @Override
              public Object encode(String value, CodecContext context) {
                throw own;
              }

              @Override
              public String decode(Object value, CodecContext context) {
                throw own;
              }

              @Override
              public String describe() {
                return "Refusing";
              }
            });
    assertSame(own, assertThrows(ValueCodecException.class, () -> write(refusing, "a")));
  }
}
