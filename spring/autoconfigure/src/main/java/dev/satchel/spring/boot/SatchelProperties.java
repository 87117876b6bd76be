package dev.satchel.spring.boot;

import dev.satchel.CorruptDataPolicy;
import dev.satchel.SameSite;
import dev.satchel.UndecodableValuePolicy;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Satchel's {@code satchel.*} properties, described for IDEs and Spring Boot's configuration
 * metadata. The auto-configuration does not bind this class: it reads each property from the
 * environment as written and gives it to {@link dev.satchel.Satchel.Builder#setting}, so that the
 * properties mean exactly what they mean in {@code satchel.properties} (a bare number of seconds
 * for a duration, {@code off} for no idle timeout) and every error names the property as written. A
 * driver's options are {@code satchel.driver.<option>}, such as {@code satchel.driver.base} and
 * {@code satchel.driver.url}.
 */
@ConfigurationProperties("satchel")
public class SatchelProperties {
  /** The session driver, by the name its provider registers: fs, memory or redis. */
  private String driver = "fs";

  /**
   * Default time to live of a key that is set without one: seconds, or ISO-8601 such as PT1H; none
   * by default.
   */
  private Duration ttl;

  /**
   * Drop a stored session after this long without a request: seconds, ISO-8601 such as PT30M, or
   * off for never.
   */
  private String idleTimeout = "PT30M";

  /**
   * End a session this long after it began, however active it is (an absolute timeout): seconds,
   * ISO-8601 such as PT8H, or off for never.
   */
  private String maxLifetime = "off";

  /** What to do with a stored session that cannot be read: reset it (logged) or fail. */
  private CorruptDataPolicy corruptData = CorruptDataPolicy.RESET;

  /** What a typed read does with a value that no longer fits its type: absent (logged) or fail. */
  private UndecodableValuePolicy undecodableValues = UndecodableValuePolicy.ABSENT;

  /** How many times a commit that keeps meeting concurrent changes to its session is tried. */
  private int maxCommitAttempts = 100;

  /** Characters of stored session text to keep decoded in memory; 0 for none. */
  private long decodedCacheSize = 4000000;

  /** The most characters of stored text a session may take; at most 16 Mi. */
  private long maxSessionSize = 1048576;

  /**
   * How often this instance looks for sessions that expired, to tell session listeners (an expired
   * session is told within this long): seconds, ISO-8601 such as PT1M, or off to check only when
   * the application calls Satchel.checkExpiredSessions().
   */
  private String expiryCheckInterval = "PT30S";

  /**
   * This instance's name (a host or pod name), recorded in each session it stores a change to, so
   * that operators see which instance last served a session; none by default.
   */
  private String instanceName;

  private final Cookie cookie = new Cookie();

  public String getDriver() {
    return driver;
  }

  public void setDriver(String driver) {
    this.driver = driver;
  }

  public Duration getTtl() {
    return ttl;
  }

  public void setTtl(Duration ttl) {
    this.ttl = ttl;
  }

  public String getIdleTimeout() {
    return idleTimeout;
  }

  public void setIdleTimeout(String idleTimeout) {
    this.idleTimeout = idleTimeout;
  }

  public String getMaxLifetime() {
    return maxLifetime;
  }

  public void setMaxLifetime(String maxLifetime) {
    this.maxLifetime = maxLifetime;
  }

  public CorruptDataPolicy getCorruptData() {
    return corruptData;
  }

  public void setCorruptData(CorruptDataPolicy corruptData) {
    this.corruptData = corruptData;
  }

  public UndecodableValuePolicy getUndecodableValues() {
    return undecodableValues;
  }

  public void setUndecodableValues(UndecodableValuePolicy undecodableValues) {
    this.undecodableValues = undecodableValues;
  }

  public int getMaxCommitAttempts() {
    return maxCommitAttempts;
  }

  public void setMaxCommitAttempts(int maxCommitAttempts) {
    this.maxCommitAttempts = maxCommitAttempts;
  }

  public long getDecodedCacheSize() {
    return decodedCacheSize;
  }

  public void setDecodedCacheSize(long decodedCacheSize) {
    this.decodedCacheSize = decodedCacheSize;
  }

  public long getMaxSessionSize() {
    return maxSessionSize;
  }

  public void setMaxSessionSize(long maxSessionSize) {
    this.maxSessionSize = maxSessionSize;
  }

  public String getExpiryCheckInterval() {
    return expiryCheckInterval;
  }

  public void setExpiryCheckInterval(String expiryCheckInterval) {
    this.expiryCheckInterval = expiryCheckInterval;
  }

  public String getInstanceName() {
    return instanceName;
  }

  public void setInstanceName(String instanceName) {
    this.instanceName = instanceName;
  }

  public Cookie getCookie() {
    return cookie;
  }

  /** The session cookie: {@code satchel.cookie.*}. */
  public static class Cookie {
    /** The cookie's name: letters, digits, _ and -. */
    private String name = "satchel-session";

    /** The cookie's Path. */
    private String path = "/";

    /** The cookie's Domain; none by default. */
    private String domain;

    /**
     * The cookie's Max-Age: seconds, or ISO-8601 such as PT1H; none by default, so the cookie lasts
     * the browser session.
     */
    private Duration maxAge;

    /** Whether the cookie is Secure; browsers accept Secure cookies on http://localhost. */
    private boolean secure = true;

    /** The cookie's SameSite: strict, lax or none (none needs secure). */
    private SameSite sameSite = SameSite.LAX;

    /**
     * Whether a request that reads a stored session sends its cookie again, so that a Max-Age
     * counts from the last request rather than the last write.
     */
    private boolean rolling = false;

    public String getName() {
      return name;
    }

    public void setName(String name) {
      this.name = name;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getDomain() {
      return domain;
    }

    public void setDomain(String domain) {
      this.domain = domain;
    }

    public Duration getMaxAge() {
      return maxAge;
    }

    public void setMaxAge(Duration maxAge) {
      this.maxAge = maxAge;
    }

    public boolean isSecure() {
      return secure;
    }

    public void setSecure(boolean secure) {
      this.secure = secure;
    }

    public SameSite getSameSite() {
      return sameSite;
    }

    public void setSameSite(SameSite sameSite) {
      this.sameSite = sameSite;
    }

    public boolean isRolling() {
      return rolling;
    }

    public void setRolling(boolean rolling) {
      this.rolling = rolling;
    }
  }
}
