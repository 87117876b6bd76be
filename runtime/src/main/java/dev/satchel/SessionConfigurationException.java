package dev.satchel;

/**
 * Thrown at start-up for a configuration mistake: an unknown setting or driver option, a value that
 * does not parse, a driver name that no provider has. The message names the setting as it was
 * written ({@code SATCHEL_COOKIE_MAX_AGE}, {@code satchel.cookie.max-age}, {@code cookie.max-age})
 * and, for a name that is close to a known one, suggests it.
 */
public final class SessionConfigurationException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  /**
   * Creates the exception, for integrations that bind settings of their own.
   *
   * @param setting the setting at fault as the user wrote it, or {@code null}
   * @param message what is wrong, naming the setting
   * @param cause the underlying failure, or {@code null}
   */
  public SessionConfigurationException(String setting, String message, Throwable cause) {
    super(message, cause);
    this.setting = setting;
  }

  /** The setting at fault, as it was written; {@code null} when no one setting is. */
  public String setting() {
    return setting;
  }
}
