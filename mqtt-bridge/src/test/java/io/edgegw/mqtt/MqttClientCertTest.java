package io.edgegw.mqtt;

import io.edgegw.translator.kube.PemPrivateKeys;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client certificates against a mosquitto TLS listener with {@code require_certificate true};
 * a throwaway EC CA (openssl) signs the broker's and the client's certificates. Also the PEM key
 * formats the sidecar reads.
 */
@Timeout(60)
class MqttClientCertTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String EC = "ec_paramgen_curve:prime256v1";

  @TempDir static Path dir;
  private static Mosquitto broker;

  @BeforeAll
  static void startBrokerRequiringClientCertificates() throws Exception {
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-days", "1", "-subj", "/CN=edgegw-test-ca",
        "-keyout", "ca.key", "-out", "ca.pem");
    openssl("req", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "1", "-extfile", "san.ext", "-out", "server.pem");
    openssl("req", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-subj", "/CN=edgegw-sidecar",
        "-keyout", "client.key", "-out", "client.csr");
    openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "1", "-out", "client.pem");
    broker = Mosquitto.startOn(dir, Mosquitto.freePort(), List.of(
        "cafile " + dir.resolve("ca.pem"), "certfile " + dir.resolve("server.pem"),
        "keyfile " + dir.resolve("server.key"), "require_certificate true"));
  }

  @AfterAll
  static void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private static void openssl(String... args) throws Exception {
    OpenSsl.run(dir, args);
  }

  private static MqttSettings tls(String clientId) {
    return MqttSettings.defaults("ssl://127.0.0.1:" + broker.port(), clientId)
        .withMaxReconnectDelay(Duration.ofSeconds(1))
        .withCaFile(dir.resolve("ca.pem"));
  }

  @Test
  void theSourceConnectsWithItsClientCertificate() {
    ResourceReader reader = new ResourceReader();
    Resource service = ((ResourceReader.Ok) reader.read(
        "{apiVersion: v1, kind: Service, metadata: {name: reviews, namespace: shop}, spec: {ports: [{port: 9080}]}}")
        .get(0)).resource();
    MqttSettings withCert = tls("edgegw-sidecar").withClientCertificate(dir.resolve("client.pem"), dir.resolve("client.key"));
    RecordingSink sink = new RecordingSink();
    try (MqttResourcePublisher publisher = new MqttResourcePublisher(withCert.withClientId("edgegw-test-publisher"),
            TopicContract.defaults());
        MqttResourceSource source = new MqttResourceSource(withCert, TopicContract.defaults(), reader, sink)) {
      publisher.connect();
      publisher.publish(service);
      source.start();
      await().atMost(WAIT).until(() -> sink.state.containsKey(ResourceKey.of(Kind.SERVICE, "shop", "reviews")));
      assertTrue(source.isConnected());
    }
  }

  @Test
  void withoutAClientCertificateTheBrokerRefuses() {
    try (MqttResourcePublisher publisher = new MqttResourcePublisher(tls("edgegw-test-publisher"), TopicContract.defaults());
        MqttResourceSource source = new MqttResourceSource(tls("edgegw-sidecar"), TopicContract.defaults(),
            new ResourceReader(), new RecordingSink())) {
      assertThrows(BrokerException.class, publisher::connect);
      source.start();
      await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> true);
      assertFalse(source.isConnected());
    }
  }

  @Test
  void pkcs8Pkcs1AndSec1KeysAreReadAlike() throws Exception {
    // client.key is PKCS#8; the same EC key as SEC1, and an RSA key as PKCS#8 and PKCS#1.
    openssl("ec", "-in", "client.key", "-out", "client-sec1.key");
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.key");
    openssl("rsa", "-in", "rsa.key", "-traditional", "-out", "rsa-pkcs1.key");
    assertTrue(read("client.key").startsWith("-----BEGIN PRIVATE KEY-----"));
    assertTrue(read("client-sec1.key").startsWith("-----BEGIN EC PRIVATE KEY-----"));
    assertTrue(read("rsa-pkcs1.key").startsWith("-----BEGIN RSA PRIVATE KEY-----"));

    PrivateKey ec = PemPrivateKeys.read(read("client.key"));
    assertEquals("EC", ec.getAlgorithm());
    ECPrivateKey sec1 = (ECPrivateKey) PemPrivateKeys.read(read("client-sec1.key"));
    assertEquals(((ECPrivateKey) ec).getS(), sec1.getS());
    assertEquals(((ECPrivateKey) ec).getParams().getCurve(), sec1.getParams().getCurve());
    PrivateKey rsa = PemPrivateKeys.read(read("rsa.key"));
    assertEquals("RSA", rsa.getAlgorithm());
    assertEquals(rsa, PemPrivateKeys.read(read("rsa-pkcs1.key")));
  }

  @Test
  void badKeyMaterialIsReportedWithoutQuotingIt() throws Exception {
    String key = read("client.key");
    String body = key.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
    IllegalArgumentException broken = assertThrows(IllegalArgumentException.class,
        () -> PemPrivateKeys.read(key.replace(body, body.substring(0, 20))));
    assertFalse(broken.getMessage().contains(body.substring(0, 20)), broken.getMessage());
    assertThrows(IllegalArgumentException.class, () -> PemPrivateKeys.read("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n"));
    assertThrows(IllegalArgumentException.class, () -> PemPrivateKeys.read(read("client.pem")));

    // A key that is not the certificate's, and a certificate without its key, are refused up front.
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "other-rsa.key");
    MqttSettings mismatched = tls("c").withClientCertificate(dir.resolve("client.pem"), dir.resolve("other-rsa.key"));
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> new MqttResourcePublisher(mismatched, TopicContract.defaults()));
    assertTrue(mismatch.getMessage().contains("holds a RSA key but clientCertFile"), mismatch.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new MqttSettings(tls("c").serverUri(), "c",
        java.util.Optional.empty(), java.util.Optional.empty(), 1024, Duration.ofSeconds(1), Duration.ofSeconds(1),
        Duration.ZERO, java.util.Optional.empty(), java.util.Optional.of(dir.resolve("client.pem")),
        java.util.Optional.empty(), java.util.Optional.empty()));
    MqttSettings plain = tls("c").withServerUri("tcp://127.0.0.1:1883");
    assertThrows(IllegalArgumentException.class, () -> new MqttResourcePublisher(
        plain.withClientCertificate(dir.resolve("client.pem"), dir.resolve("client.key")), TopicContract.defaults()));
  }

  private static String read(String file) throws Exception {
    return Files.readString(dir.resolve(file), StandardCharsets.US_ASCII);
  }
}
