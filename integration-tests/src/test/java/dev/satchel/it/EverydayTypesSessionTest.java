package dev.satchel.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionValueException;
import dev.satchel.UndecodableValuePolicy;
import dev.satchel.devalue.Devalue;
import dev.satchel.devalue.PlainObject;
import dev.satchel.devalue.TemporalValue;
import dev.satchel.it.Drivers.Request;
import java.math.BigDecimal;
import java.time.Duration;
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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The common Java types through a generated class and a real driver: each read back as written,
 * stored as the string an Astro app reads, and read from what an Astro app using {@code Temporal}
 * stores.
 */
final class EverydayTypesSessionTest {
  private static final LocalDate DELIVERY = LocalDate.of(2026, 12, 7);
  private static final ZonedDateTime MEETING =
      ZonedDateTime.of(2026, 12, 7, 10, 15, 30, 0, ZoneId.of("Europe/Paris"));
  private static final UUID ORDER = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

  private static void fill(EverydaySession s) {
    s.setDelivery(DELIVERY);
    s.setPickup(LocalDateTime.of(2026, 12, 7, 10, 15));
    s.setOpensAt(LocalTime.of(9, 0));
    s.setPaidAt(OffsetDateTime.of(2026, 12, 7, 9, 15, 30, 500_000_000, ZoneOffset.UTC));
    s.setMeeting(MEETING);
    s.setTimeout(Duration.ofMinutes(30));
    s.setTrial(Period.ofDays(14));
    s.setCardExpiry(YearMonth.of(2028, 2));
    s.setZone(ZoneId.of("Europe/Paris"));
    s.setOrderId(ORDER);
    s.setTotal(new BigDecimal("12.50"));
    s.setLanguage(Locale.forLanguageTag("fr-CA"));
    s.setCurrency(Currency.getInstance("EUR"));
    s.setHolidays(List.of(DELIVERY, DELIVERY.plusDays(1)));
    s.setSeen(new LinkedHashSet<>(List.of(ORDER)));
    Map<LocalDate, Duration> shifts = new LinkedHashMap<>();
    shifts.put(DELIVERY, Duration.ofHours(8));
    s.setShifts(shifts);
    s.setBalances(Map.of(Currency.getInstance("CHF"), new BigDecimal("-0.05")));
    s.setReminder(Optional.of(MEETING.minusHours(1)));
    s.setSlots(new LocalTime[] {LocalTime.of(9, 0), LocalTime.of(9, 30, 15)});
    s.setBooking(
        new Everyday.Booking(
            ORDER, DELIVERY, Optional.of(Duration.ofMinutes(45)), List.of(Locale.UK)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void everyType_isReadBackAsWritten(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request first = drivers.open(null);
      fill(EverydaySession.of(first.session()));
      first.session().commit();

      EverydaySession read = EverydaySession.of(drivers.open(first.cookie(null)).session());
      assertEquals(Optional.of(DELIVERY), read.delivery());
      assertEquals(Optional.of(LocalDateTime.of(2026, 12, 7, 10, 15)), read.pickup());
      assertEquals(Optional.of(LocalTime.of(9, 0)), read.opensAt());
      assertEquals(
          Optional.of(OffsetDateTime.of(2026, 12, 7, 9, 15, 30, 500_000_000, ZoneOffset.UTC)),
          read.paidAt());
      assertEquals(Optional.of(MEETING), read.meeting());
      assertEquals(Optional.of(Duration.ofMinutes(30)), read.timeout());
      assertEquals(Optional.of(Period.ofDays(14)), read.trial());
      assertEquals(Optional.of(YearMonth.of(2028, 2)), read.cardExpiry());
      assertEquals(Optional.of(ZoneId.of("Europe/Paris")), read.zone());
      assertEquals(Optional.of(ORDER), read.orderId());
      assertEquals(Optional.of(new BigDecimal("12.50")), read.total());
      assertEquals(Optional.of(Locale.forLanguageTag("fr-CA")), read.language());
      assertEquals(Optional.of(Currency.getInstance("EUR")), read.currency());
      assertEquals(Optional.of(List.of(DELIVERY, DELIVERY.plusDays(1))), read.holidays());
      assertEquals(Optional.of(Set.of(ORDER)), read.seen());
      assertEquals(Optional.of(Map.of(DELIVERY, Duration.ofHours(8))), read.shifts());
      assertEquals(
          Optional.of(Map.of(Currency.getInstance("CHF"), new BigDecimal("-0.05"))),
          read.balances());
      assertEquals(Optional.of(MEETING.minusHours(1)), read.reminder());
      assertArrayEquals(
          new LocalTime[] {LocalTime.of(9, 0), LocalTime.of(9, 30, 15)},
          read.slots().orElseThrow());
      assertEquals(
          new Everyday.Booking(
              ORDER, DELIVERY, Optional.of(Duration.ofMinutes(45)), List.of(Locale.UK)),
          read.booking().orElseThrow());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void storedForms_areTheStringsAnAstroAppReads(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request first = drivers.open(null);
      fill(EverydaySession.of(first.session()));
      first.session().commit();

      Session untyped = drivers.open(first.cookie(null)).session();
      Map<String, Object> expected = new LinkedHashMap<>();
      expected.put("delivery", "2026-12-07");
      expected.put("pickup", "2026-12-07T10:15:00");
      expected.put("opensAt", "09:00:00");
      expected.put("paidAt", "2026-12-07T09:15:30.5Z");
      expected.put("meeting", "2026-12-07T10:15:30+01:00[Europe/Paris]");
      expected.put("timeout", "PT30M");
      expected.put("trial", "P14D");
      expected.put("cardExpiry", "2028-02");
      expected.put("zone", "Europe/Paris");
      expected.put("orderId", "123e4567-e89b-12d3-a456-426614174000");
      expected.put("total", "12.50");
      expected.put("language", "fr-CA");
      expected.put("currency", "EUR");
      expected.put("holidays", List.of("2026-12-07", "2026-12-08"));
      for (Map.Entry<String, Object> entry : expected.entrySet()) {
        assertEquals(Optional.of(entry.getValue()), untyped.get(entry.getKey()), entry.getKey());
      }
      PlainObject booking = (PlainObject) untyped.get("booking").orElseThrow();
      assertEquals("PT45M", booking.get("length"));
      assertEquals(List.of("en-GB"), booking.get("languages"));
      // As devalue writes it, for an Astro app to parse: no Temporal entry anywhere.
      String text = Devalue.astro().stringify(untyped.get("meeting").orElseThrow());
      assertEquals("[\"2026-12-07T10:15:30+01:00[Europe/Paris]\"]", text);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void temporalValuesAnAstroAppStored_readAsTheJavaTypes(String driver) throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      // The values devalue writes for Temporal objects, stored untyped as an Astro app stores them.
      Request astro = drivers.open(null);
      astro.session().set("delivery", new TemporalValue("Temporal.PlainDate", "2026-12-07"));
      astro
          .session()
          .set(
              "meeting",
              new TemporalValue(
                  "Temporal.ZonedDateTime", "2026-12-07T10:15:30+01:00[Europe/Paris]"));
      astro.session().set("timeout", new TemporalValue("Temporal.Duration", "PT30M"));
      astro.session().set("trial", new TemporalValue("Temporal.Duration", "P2W"));
      astro.session().set("cardExpiry", new TemporalValue("Temporal.PlainYearMonth", "2028-02"));
      astro
          .session()
          .set(
              "holidays",
              List.of(new TemporalValue("Temporal.PlainDate", "2026-12-24"), "2026-12-25"));
      astro.session().commit();

      EverydaySession read = EverydaySession.of(drivers.open(astro.cookie(null)).session());
      assertEquals(Optional.of(DELIVERY), read.delivery());
      assertEquals(Optional.of(MEETING), read.meeting());
      assertEquals(Optional.of(Duration.ofMinutes(30)), read.timeout());
      assertEquals(Optional.of(Period.ofWeeks(2)), read.trial());
      assertEquals(Optional.of(YearMonth.of(2028, 2)), read.cardExpiry());
      assertEquals(
          Optional.of(List.of(LocalDate.of(2026, 12, 24), LocalDate.of(2026, 12, 25))),
          read.holidays());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void textThatDoesNotParse_readsAsAbsent_andOtherKeysAreUnaffected(String driver)
      throws Exception {
    try (Drivers drivers = new Drivers(driver)) {
      Request astro = drivers.open(null);
      astro.session().set("delivery", "2026-13-45");
      astro.session().set("orderId", "not-a-uuid");
      astro.session().set("timeout", "PT30M");
      astro.session().commit();

      EverydaySession read = EverydaySession.of(drivers.open(astro.cookie(null)).session());
      assertEquals(Optional.empty(), read.delivery());
      assertEquals(Optional.empty(), read.orderId());
      assertEquals(Optional.of(Duration.ofMinutes(30)), read.timeout());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"memory", "fs"})
  void textThatDoesNotParse_underTheFailPolicy_namesTheKeyTheTypeAndTheText(String driver)
      throws Exception {
    Satchel.Builder builder =
        Satchel.builder().driver(driver).undecodableValues(UndecodableValuePolicy.FAIL);
    java.nio.file.Path folder = null;
    if (driver.equals("fs")) {
      folder = java.nio.file.Files.createTempDirectory("satchel-it");
      builder.driverOption("base", folder.toString()).driverOption("fsync", "false");
    }
    try (Satchel satchel = builder.build()) {
      List<String> cookies = new java.util.ArrayList<>();
      Session writer = satchel.open(null, cookie -> cookies.add(cookie.value()));
      writer.set("holidays", List.of("2026-12-24", "Christmas"));
      writer.commit();
      EverydaySession read =
          EverydaySession.of(satchel.open(cookies.get(cookies.size() - 1), cookie -> {}));
      SessionValueException e = assertThrows(SessionValueException.class, read::holidays);
      assertTrue(
          e.getMessage()
              .contains(
                  "the string \"Christmas\" is not a LocalDate (an ISO-8601 date, such as"
                      + " 2026-12-07): unreadable at index 0"),
          e.getMessage());
      assertTrue(e.getMessage().contains("holidays"), e.getMessage());
      assertTrue(e.getMessage().contains("[1]"), e.getMessage());
    } finally {
      if (folder != null) {
        try (var files = java.nio.file.Files.walk(folder)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }
}
