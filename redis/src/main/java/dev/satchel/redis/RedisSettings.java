package dev.satchel.redis;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The redis driver's options, read and checked.
 *
 * @param address where the sessions live
 * @param prefix what goes before each session ID in a key
 * @param timeout how long one command may take
 * @param connectTimeout how long connecting may take
 * @param tls how to trust the server's certificate, or {@code null} for the JVM's defaults
 * @param replicasToAck how many replicas must confirm each commit; 0 waits for none
 * @param replicaAckTimeout how long a commit waits for them
 * @param allowEviction whether a server that may evict keys under {@code maxmemory} is accepted
 * @param sentinelUsername the user the Sentinels know the driver as, or {@code null}
 * @param sentinelPassword the password the Sentinels ask for, or {@code null} when they ask none
 * @param names how messages name the options, as the user wrote them
 */
record RedisSettings(
    RedisAddress address,
    String prefix,
    Duration timeout,
    Duration connectTimeout,
    Tls tls,
    int replicasToAck,
    Duration replicaAckTimeout,
    boolean allowEviction,
    String sentinelUsername,
    String sentinelPassword,
    OptionNames names) {

  /** Settings with every option at its default but the address and the timeouts. */
  static RedisSettings of(String url, String prefix, Duration timeout, Duration connectTimeout) {
    return new RedisSettings(
        RedisAddress.parse(url, "the redis option `url`"),
        prefix,
        timeout,
        connectTimeout,
        null,
        0,
        Duration.ZERO,
        false,
        null,
        null,
        OptionNames.PLAIN);
  }

  /**
   * What the client trusts.
   *
   * @param caCert a PEM file of the certificates to trust, or {@code null}
   * @param trustStore a key store (PKCS#12 or JKS) of them, or {@code null}
   * @param trustStorePassword its password, or {@code null}
   * @param verifyHostname whether the server's certificate must name the host the URL names; {@code
   *     null} leaves it to the URL ({@code verifyPeer}), which verifies by default
   * @param clientCert a PEM file of the client's certificate chain, shown to a server that asks for
   *     one, or {@code null}
   * @param clientKey the PEM file of its private key (PKCS#8, unencrypted), or {@code null}
   * @param keyStore the client's certificate and key as a PKCS#12 or JKS key store, or {@code null}
   * @param keyStorePassword its password, or {@code null}
   */
  record Tls(
      Path caCert,
      Path trustStore,
      String trustStorePassword,
      Boolean verifyHostname,
      Path clientCert,
      Path clientKey,
      Path keyStore,
      String keyStorePassword) {}

  /** How messages name an option. */
  @FunctionalInterface
  interface OptionNames {
    OptionNames PLAIN = option -> "the redis option `" + option + "`";

    String describe(String option);
  }
}
