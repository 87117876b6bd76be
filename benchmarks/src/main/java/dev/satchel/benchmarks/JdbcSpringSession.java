package dev.satchel.benchmarks;

import dev.satchel.devalue.JsUrl;
import dev.satchel.testing.ReferenceSession;
import java.util.LinkedHashMap;
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
    ReferenceSession.values()
        .forEach((key, value) -> session.setAttribute(key, asSpringKeepsIt(value)));
    repository.save(session);
    return session.getId();
  }

  /** A reference value as a Spring application would hold it: a map, a URI. */
  private static Object asSpringKeepsIt(Object value) {
    if (value instanceof JsUrl url) {
      return url.toUri();
    }
    if (value instanceof Map<?, ?> map) {
      return new LinkedHashMap<>(map);
    }
    return value;
  }
}
