package dev.satchel.benchmarks;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.core.convert.support.GenericConversionService;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.serializer.support.DeserializingConverter;
import org.springframework.core.serializer.support.SerializingConverter;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Session JDBC for {@link JdbcBenchmark}: the repository as {@code
 * JdbcHttpSessionConfiguration} (behind {@code @EnableJdbcHttpSession} and Spring Boot) builds it,
 * on a given DataSource, with its tables from the schema file Spring Session ships.
 */
final class JdbcSpringSession {
  private JdbcSpringSession() {}

  /** Creates the tables and the repository, with its clean-up scheduled as in an application. */
  static JdbcIndexedSessionRepository repository(DataSource dataSource) {
    new ResourceDatabasePopulator(
            new ClassPathResource("org/springframework/session/jdbc/schema-postgresql.sql"))
        .execute(dataSource);
    JdbcTemplate jdbcTemplate = new JdbcTemplate(dataSource);
    jdbcTemplate.setExceptionTranslator(new SQLErrorCodeSQLExceptionTranslator(dataSource));
    jdbcTemplate.afterPropertiesSet();
    TransactionTemplate transactions =
        new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    transactions.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
    transactions.afterPropertiesSet();
    JdbcIndexedSessionRepository repository =
        new JdbcIndexedSessionRepository(jdbcTemplate, transactions);
    GenericConversionService conversions = new GenericConversionService();
    conversions.addConverter(Object.class, byte[].class, new SerializingConverter());
    ClassLoader loader = JdbcSpringSession.class.getClassLoader();
    conversions.addConverter(byte[].class, Object.class, new DeserializingConverter(loader));
    repository.setConversionService(conversions);
    repository.afterPropertiesSet();
    return repository;
  }

  /** The repository as {@code SessionRepositoryFilter} holds it, typed by the public interface. */
  @SuppressWarnings("unchecked")
  static SessionRepository<Session> sessions(JdbcIndexedSessionRepository repository) {
    return (SessionRepository<Session>) (SessionRepository<? extends Session>) repository;
  }

  /**
   * Stores a new session holding the reference session's values as a Spring application keeps them
   * (serializable Java types); returns its ID.
   */
  static String create(SessionRepository<Session> repository) {
    Session session = repository.createSession();
    List<String> cart = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      cart.add(String.format("sku-%04d", i));
    }
    session.setAttribute("cart", cart);
    Map<String, String> user = new LinkedHashMap<>();
    user.put("id", "u-12345");
    user.put("name", "Houston");
    user.put("email", "houston@example.com");
    session.setAttribute("user", user);
    session.setAttribute("lastVisit", Instant.parse("2026-11-26T12:34:56.789Z"));
    Map<String, Object> prefs = new LinkedHashMap<>();
    prefs.put("theme", "dark");
    prefs.put("pageSize", 25);
    prefs.put("newsletter", true);
    prefs.put("currency", "EUR");
    prefs.put("fontScale", 1.25);
    prefs.put("locale", "en-GB");
    prefs.put("beta", false);
    prefs.put("lastTab", "orders");
    prefs.put("itemsSeen", 1042);
    prefs.put("region", "eu-west");
    session.setAttribute("prefs", prefs);
    session.setAttribute(
        "tags", new LinkedHashSet<>(List.of("vip", "early-adopter", "eu", "mobile", "returning")));
    session.setAttribute("homepage", URI.create("https://example.com/shop?ref=satchel"));
    repository.save(session);
    return session.getId();
  }
}
