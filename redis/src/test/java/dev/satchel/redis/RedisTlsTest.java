package dev.satchel.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Satchel;
import dev.satchel.Session;
import dev.satchel.SessionConfigurationException;
import dev.satchel.SessionStorageException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.api.sync.RedisServerCommands;
import io.lettuce.core.cluster.SlotHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The redis driver over TLS to a real {@code redis-server} that speaks nothing else, with
 * certificates this test makes: an authority of its own, a server certificate for 127.0.0.1 and one
 * for another name. A client given the authority connects; one that does not trust it, or that
 * reaches a server whose certificate names another host, is refused at start-up and told why.
 */
final class RedisTlsTest {
  private static Path folder;
  private static Path authority;
  private static Path trustStore;
  private static RedisServerProcess server;
  private static RedisServerProcess misnamed;
  private static RedisServerProcess askingClients;
  private static Path[] client;
  private static Path[] local;
  private static Path clientKeyStore;
  private static RedisClient rawClient;
  private static StatefulRedisConnection<String, String> rawConnection;

  @BeforeAll
  static void start() throws IOException {
    RequiredTools.require(
        RedisServerProcess.onPath("openssl") != null, "needs openssl to make certificates");
    RequiredTools.require(
        RedisServerProcess.onPath("redis-server") != null, "needs redis-server with TLS");
    folder = Files.createTempDirectory("satchel-redis-tls");
    authority = folder.resolve("ca.crt");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Satchel Test Authority",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        folder.resolve("ca.key").toString(),
        "-out",
        authority.toString());
    local = serverCertificate("local", "/CN=127.0.0.1", "IP:127.0.0.1");
    Path[] elsewhere =
        serverCertificate("elsewhere", "/CN=elsewhere.example", "DNS:elsewhere.example");
    trustStore = folder.resolve("trust.p12");
    run(
        List.of(
            "keytool",
            "-importcert",
            "-noprompt",
            "-alias",
            "satchel-test-authority",
            "-file",
            authority.toString(),
            "-keystore",
            trustStore.toString(),
            "-storetype",
            "PKCS12",
            "-storepass",
            "changeit"));
    client = certificate("client", "/CN=satchel-app", "DNS:satchel-app", "clientAuth");
    clientKeyStore = folder.resolve("client.p12");
    openssl(
        "pkcs12",
        "-export",
        "-in",
        client[0].toString(),
        "-inkey",
        client[1].toString(),
        "-out",
        clientKeyStore.toString(),
        "-passout",
        "pass:changeit");
    askingClients = RedisServerProcess.startTls(local[0], local[1], authority, true);
    server = RedisServerProcess.startTls(local[0], local[1], authority);
    misnamed = RedisServerProcess.startTls(elsewhere[0], elsewhere[1], authority);
    rawClient =
        RedisClient.create(
            RedisURI.builder().withHost("127.0.0.1").withPort(server.port()).withSsl(true).build());
    rawClient.setOptions(
        ClientOptions.builder()
            .sslOptions(SslOptions.builder().trustManager(authority.toFile()).build())
            .build());
    rawConnection = rawClient.connect();
  }

  /** The driver contract, run against the server over TLS. */
  @Nested
  final class ContractOverTls extends RedisContract {
    @Override
    protected Map<String, String> options() {
      return Map.of("url", tlsUrl(server), "ca-cert", authority.toString());
    }

    @Override
    protected RedisCommands<String, String> raw() {
      return rawConnection.sync();
    }

    @Override
    protected List<? extends RedisServerCommands<String, String>> primaries() {
      return List.of(rawConnection.sync());
    }
  }

  /** A key and a server certificate the test authority signed for {@code subjectAltName}. */
  private static Path[] serverCertificate(String name, String subject, String subjectAltName)
      throws IOException {
    return certificate(name, subject, subjectAltName, "serverAuth");
  }

  /** A key and a certificate the test authority signed for {@code subjectAltName} and a use. */
  private static Path[] certificate(
      String name, String subject, String subjectAltName, String extendedKeyUsage)
      throws IOException {
    Path key = folder.resolve(name + ".key");
    Path request = folder.resolve(name + ".csr");
    Path certificate = folder.resolve(name + ".crt");
    Path extensions = folder.resolve(name + ".ext");
    Files.writeString(
        extensions,
        "subjectAltName="
            + subjectAltName
            + "\n"
            + "basicConstraints=CA:FALSE\n"
            + "keyUsage=critical,digitalSignature,keyEncipherment\n"
            + "extendedKeyUsage="
            + extendedKeyUsage
            + "\n");
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        subject,
        "-keyout",
        key.toString(),
        "-out",
        request.toString());
    openssl(
        "x509",
        "-req",
        "-in",
        request.toString(),
        "-days",
        "2",
        "-CA",
        authority.toString(),
        "-CAkey",
        folder.resolve("ca.key").toString(),
        "-CAcreateserial",
        "-extfile",
        extensions.toString(),
        "-out",
        certificate.toString());
    return new Path[] {certificate, key};
  }

  private static void openssl(String... arguments) {
    List<String> command = new ArrayList<>();
    command.add("openssl");
    command.addAll(List.of(arguments));
    run(command);
  }

  private static void run(List<String> command) {
    RedisClusterProcess.run(command, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (rawConnection != null) {
      rawConnection.close();
      rawClient.shutdown();
    }
    for (RedisServerProcess process : new RedisServerProcess[] {server, misnamed, askingClients}) {
      if (process != null) {
        process.close();
      }
    }
    if (folder != null) {
      try (Stream<Path> paths = Files.walk(folder)) {
        paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  private static String tlsUrl(RedisServerProcess process) {
    return "rediss://127.0.0.1:" + process.port();
  }

  private static Satchel satchel(RedisServerProcess process, Consumer<Satchel.Builder> options) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver("redis")
            .driverOption("url", tlsUrl(process))
            .driverOption("connect-timeout", "PT5S");
    options.accept(builder);
    return builder.build();
  }

  /** Stores a session and reads it back through a second application instance; its ID. */
  private static String roundTrip(Satchel writer, Satchel reader) {
    Session session = writer.open(null, cookie -> {});
    session.set("cart", List.of("a", "b"));
    session.commit();
    String id = session.id().orElseThrow();
    assertEquals(List.of("a", "b"), reader.open(id, cookie -> {}).get("cart").orElseThrow());
    return id;
  }

  @Test
  void givenTheAuthoritysCertificate_theClientConnects() {
    try (Satchel one = satchel(server, b -> b.driverOption("ca-cert", authority.toString()));
        Satchel two = satchel(server, b -> b.driverOption("ca-cert", authority.toString()))) {
      roundTrip(one, two);
    }
  }

  @Test
  void aClusterSpeakingOnlyTls_isReachedThroughRedissCluster_onEveryPrimary_durably()
      throws IOException {
    RequiredTools.require(
        RedisClusterProcess.available(), "needs redis-server and redis-cli on the PATH");
    // Nodes present it to one another as clients too, on the cluster bus and for replication.
    Path[] node =
        certificate("cluster-node", "/CN=127.0.0.1", "IP:127.0.0.1", "serverAuth,clientAuth");
    try (RedisClusterProcess cluster =
        RedisClusterProcess.startTls(3, 1, node[0], node[1], authority)) {
      assertTrue(cluster.url().startsWith("rediss-cluster://"), cluster.url());
      SessionStorageException untrusted =
          assertThrows(
              SessionStorageException.class,
              () ->
                  Satchel.builder()
                      .driver("redis")
                      .driverOption("url", cluster.url())
                      .driverOption("connect-timeout", "PT5S")
                      .build());
      assertTrue(untrusted.getMessage().contains("not trusted"), untrusted.getMessage());
      assertTrue(
          untrusted.getMessage().contains("the redis option `ca-cert`"), untrusted.getMessage());
      assertTrue(
          untrusted.getMessage().contains("the Redis Cluster at 127.0.0.1:"),
          untrusted.getMessage());
      try (Satchel writer = clusterSatchel(cluster, true);
          Satchel reader = clusterSatchel(cluster, false)) {
        Set<Integer> primariesUsed = new TreeSet<>();
        for (int i = 0; i < 30; i++) {
          primariesUsed.add(cluster.primaryOf(SlotHash.getSlot(roundTrip(writer, reader))));
        }
        assertEquals(new TreeSet<>(cluster.primaryPorts()), primariesUsed);
      }
    }
  }

  private static Satchel clusterSatchel(RedisClusterProcess cluster, boolean durable) {
    Satchel.Builder builder =
        Satchel.builder()
            .driver("redis")
            .driverOption("url", cluster.url())
            .driverOption("connect-timeout", "PT5S")
            .driverOption("ca-cert", authority.toString());
    if (durable) {
      // Replication runs over TLS too: each commit waits for a replica to confirm it.
      builder.driverOption("replicas-to-ack", "1").driverOption("replica-ack-timeout", "PT5S");
      builder.driverOption("timeout", "PT10S");
    }
    return builder.build();
  }

  @Test
  void givenATrustStore_theClientConnects() {
    try (Satchel one =
            satchel(
                server,
                b ->
                    b.driverOption("trust-store", trustStore.toString())
                        .driverOption("trust-store-password", "changeit"));
        Satchel two = satchel(server, b -> b.driverOption("ca-cert", authority.toString()))) {
      roundTrip(one, two);
    }
  }

  @Test
  void withoutTheAuthority_startUpIsRefused_sayingWhatToDo() {
    SessionStorageException e =
        assertThrows(SessionStorageException.class, () -> satchel(server, b -> {}));
    assertTrue(e.getMessage().contains("TLS handshake"), e.getMessage());
    assertTrue(e.getMessage().contains("not trusted"), e.getMessage());
    assertTrue(e.getMessage().contains("the redis option `ca-cert`"), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1:" + server.port()), e.getMessage());
  }

  @Test
  void aCertificateForAnotherHost_isRefused_unlessHostnameVerificationIsTurnedOff() {
    SessionStorageException e =
        assertThrows(
            SessionStorageException.class,
            () -> satchel(misnamed, b -> b.driverOption("ca-cert", authority.toString())));
    assertTrue(e.getMessage().contains("does not name 127.0.0.1"), e.getMessage());
    assertTrue(e.getMessage().contains("verify-hostname"), e.getMessage());
    try (Satchel unsafe =
            satchel(
                misnamed,
                b ->
                    b.driverOption("ca-cert", authority.toString())
                        .driverOption("verify-hostname", "false"));
        Satchel reader =
            satchel(
                misnamed,
                b ->
                    b.driverOption("ca-cert", authority.toString())
                        .driverOption("verify-hostname", "false"))) {
      roundTrip(unsafe, reader);
    }
  }

  @Test
  void aServerAskingForAClientCertificate_acceptsOneAsPemFilesOrAKeyStore() {
    try (Satchel pem =
            satchel(
                askingClients,
                b ->
                    b.driverOption("ca-cert", authority.toString())
                        .driverOption("client-cert", client[0].toString())
                        .driverOption("client-key", client[1].toString()));
        Satchel keyStore =
            satchel(
                askingClients,
                b ->
                    b.driverOption("ca-cert", authority.toString())
                        .driverOption("key-store", clientKeyStore.toString())
                        .driverOption("key-store-password", "changeit"))) {
      roundTrip(pem, keyStore);
    }
  }

  @Test
  void aServerAskingForAClientCertificate_withoutOne_isRefusedAtStartUp_sayingWhatToSet() {
    SessionStorageException e =
        assertThrows(
            SessionStorageException.class,
            () ->
                satchel(
                    askingClients,
                    b ->
                        b.driverOption("ca-cert", authority.toString())
                            .driverOption("timeout", "PT2S")));
    assertTrue(e.getMessage().contains("127.0.0.1:" + askingClients.port()), e.getMessage());
    assertTrue(e.getMessage().contains("client certificate"), e.getMessage());
    assertTrue(e.getMessage().contains("the redis option `client-cert`"), e.getMessage());
  }

  @Test
  void aClientCertificateTheServerDoesNotTrust_isRefusedAtStartUp_sayingWhy() {
    Path strangerKey = folder.resolve("stranger.key");
    Path stranger = folder.resolve("stranger.crt");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=stranger",
        "-keyout",
        strangerKey.toString(),
        "-out",
        stranger.toString());
    SessionStorageException e =
        assertThrows(
            SessionStorageException.class,
            () ->
                satchel(
                    askingClients,
                    b ->
                        b.driverOption("ca-cert", authority.toString())
                            .driverOption("client-cert", stranger.toString())
                            .driverOption("client-key", strangerKey.toString())
                            .driverOption("timeout", "PT2S")));
    assertTrue(e.getMessage().contains("refused the client certificate"), e.getMessage());
  }

  @Test
  void clientCertificateOptions_thatCannotWork_areConfigurationMistakes() {
    for (String[] options :
        List.of(
            new String[] {"client-cert", client[0].toString()},
            new String[] {"client-key", client[1].toString()},
            new String[] {"key-store-password", "changeit"},
            new String[] {
              "client-cert",
              client[0].toString(),
              "client-key",
              client[1].toString(),
              "key-store",
              clientKeyStore.toString()
            })) {
      SessionConfigurationException e =
          assertThrows(
              SessionConfigurationException.class,
              () ->
                  satchel(
                      askingClients,
                      b -> {
                        for (int i = 0; i < options.length; i += 2) {
                          b.driverOption(options[i], options[i + 1]);
                        }
                      }),
              String.join(" ", options));
      assertTrue(
          e.getMessage().contains("without") || e.getMessage().contains("not both"),
          e.getMessage());
    }
    SessionConfigurationException plain =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .driver("redis")
                    .driverOption("url", "redis://127.0.0.1:" + server.port())
                    .driverOption("key-store", clientKeyStore.toString())
                    .build());
    assertTrue(plain.getMessage().contains("TLS connections only"), plain.getMessage());
  }

  @Test
  void sentinelsOverTls_leadToAPrimaryOverTls() throws Exception {
    int tlsPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      tlsPort = socket.getLocalPort();
    }
    try (RedisServerProcess sentinel =
        RedisServerProcess.startSentinel(
            server.port(),
            "secured",
            1,
            "tls-port " + tlsPort,
            "tls-cert-file " + local[0],
            "tls-key-file " + local[1],
            "tls-ca-cert-file " + authority,
            "tls-auth-clients no",
            "tls-replication yes")) {
      String url = "rediss-sentinel://127.0.0.1:" + tlsPort + "/0#secured";
      try (Satchel one =
              Satchel.builder()
                  .driver("redis")
                  .driverOption("url", url)
                  .driverOption("ca-cert", authority.toString())
                  .build();
          Satchel two = satchel(server, b -> b.driverOption("ca-cert", authority.toString()))) {
        roundTrip(one, two);
      }
      SessionStorageException untrusted =
          assertThrows(
              SessionStorageException.class,
              () -> Satchel.builder().driver("redis").driverOption("url", url).build());
      assertTrue(untrusted.getMessage().contains("not trusted"), untrusted.getMessage());
    }
  }

  @Test
  void aPlainTextClient_isRefused() {
    SessionStorageException e =
        assertThrows(
            SessionStorageException.class,
            () ->
                Satchel.builder()
                    .driver("redis")
                    .driverOption("url", "redis://127.0.0.1:" + server.port())
                    .driverOption("timeout", "PT1S")
                    .build());
    assertTrue(
        e.getMessage().contains("cannot reach Redis at 127.0.0.1:" + server.port()),
        e.getMessage());
  }

  @Test
  void tlsOptions_onAPlainUrl_orBothTrustSources_areConfigurationMistakes() {
    SessionConfigurationException plain =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                Satchel.builder()
                    .driver("redis")
                    .driverOption("url", "redis://127.0.0.1:" + server.port())
                    .driverOption("ca-cert", authority.toString())
                    .build());
    assertTrue(plain.getMessage().contains("TLS connections only"), plain.getMessage());
    SessionConfigurationException both =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                satchel(
                    server,
                    b ->
                        b.driverOption("ca-cert", authority.toString())
                            .driverOption("trust-store", trustStore.toString())));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
    SessionConfigurationException missing =
        assertThrows(
            SessionConfigurationException.class,
            () ->
                satchel(
                    server, b -> b.driverOption("ca-cert", folder.resolve("nope.pem").toString())));
    assertTrue(missing.getMessage().contains("no readable file"), missing.getMessage());
  }
}
