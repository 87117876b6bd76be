package dev.satchel.it;

import dev.satchel.SessionData;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Currency;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** One key of each common Java type stored as a string, and the same types inside containers. */
@SessionData
public interface Everyday {
  LocalDate delivery();

  LocalDateTime pickup();

  LocalTime opensAt();

  OffsetDateTime paidAt();

  ZonedDateTime meeting();

  Duration timeout();

  Period trial();

  YearMonth cardExpiry();

  ZoneId zone();

  UUID orderId();

  BigDecimal total();

  Locale language();

  Currency currency();

  List<LocalDate> holidays();

  Set<UUID> seen();

  Map<LocalDate, Duration> shifts();

  Map<Currency, BigDecimal> balances();

  Optional<ZonedDateTime> reminder();

  LocalTime[] slots();

  Booking booking();

  /** A record whose components are common types. */
  record Booking(UUID id, LocalDate day, Optional<Duration> length, List<Locale> languages) {}
}
