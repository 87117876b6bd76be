package dev.satchel.micrometer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.codec.ValueCodecs;
import dev.satchel.spi.SessionIds;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What Prometheus scrapes: the meters' names, units and tags in its text format. */
class PrometheusScrapeTest {
  @Test
  void theScrapeNamesEveryMeterWithItsTagsAndNoSession() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<String> ids = new ArrayList<>();
    try (Satchel satchel = Satchel.builder().driver("memory").build()) {
      new SatchelMetrics(satchel).bindTo(registry);
      Session visit = satchel.open(null, cookie -> {});
      visit.set("cart", "socks", ValueCodecs.strings());
      visit.commit();
      ids.add(visit.id().orElseThrow());
      Session login = satchel.open(ids.get(0), cookie -> {});
      login.regenerate();
      login.setPrincipal("ann@example.com");
      login.commit();
      ids.add(login.id().orElseThrow());
      satchel.endSessionsOf("ann@example.com");

      String scraped = registry.scrape();

      assertLine(
          scraped, "satchel_sessions_total{driver=\"memory\",event=\"created\",reason=\"none\"} 1");
      assertLine(
          scraped,
          "satchel_sessions_total{driver=\"memory\",event=\"id.changed\",reason=\"none\"} 1");
      assertLine(
          scraped,
          "satchel_sessions_total{driver=\"memory\",event=\"destroyed\",reason=\"ended.all\"} 1");
      assertLine(
          scraped, "satchel_sessions_total{driver=\"memory\",event=\"expired\",reason=\"none\"} 0");
      assertLine(scraped, "satchel_commits_total{driver=\"memory\",outcome=\"written\"} 2");
      assertLine(scraped, "satchel_commits_total{driver=\"memory\",outcome=\"refused.size\"} 0");
      assertLine(scraped, "satchel_updates_retried_total{driver=\"memory\"} 0");
      assertLine(
          scraped,
          "satchel_store_calls_seconds_count{driver=\"memory\",exception=\"none\",operation=\"write\",outcome=\"success\"} 1");
      assertLine(
          scraped,
          "satchel_store_calls_seconds_count{driver=\"memory\",exception=\"none\",operation=\"replace\",outcome=\"success\"} 1");
      assertLine(scraped, "satchel_session_size_characters_count{driver=\"memory\"} 2");
      assertLine(scraped, "satchel_decoded_cache_total{driver=\"memory\",result=\"hit\"} 1");
      assertLine(scraped, "satchel_sessions_active{driver=\"memory\"} 0");
      for (String id : ids) {
        assertFalse(scraped.contains(id), id);
        assertFalse(scraped.contains(SessionIds.fingerprint(id)), id);
      }
      assertFalse(scraped.contains("ann"));
    }
  }

  /** A sample line with this name, these tags and this value (1 and 1.0 alike). */
  private static void assertLine(String scraped, String line) {
    int space = line.lastIndexOf(' ');
    Pattern sample =
        Pattern.compile(
            "(?m)^"
                + Pattern.quote(line.substring(0, space))
                + " "
                + Pattern.quote(line.substring(space + 1))
                + "(\\.0)?$");
    assertTrue(sample.matcher(scraped).find(), line + " in\n" + scraped);
  }
}
