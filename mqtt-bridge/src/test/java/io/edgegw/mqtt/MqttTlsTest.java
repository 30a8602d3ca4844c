package io.edgegw.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** caFile against a mosquitto TLS listener whose certificate a throwaway CA (made with openssl) signed. */
@Timeout(60)
class MqttTlsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private Mosquitto broker;

  @BeforeEach
  void startTlsBroker() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=edgegw-test-ca",
        "-keyout", "ca.key", "-out", "ca.pem");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=other-ca",
        "-keyout", "other.key", "-out", "other.pem");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "server.key", "-out", "server.csr");
    Files.writeString(dir.resolve("san.ext"), "subjectAltName=IP:127.0.0.1\n");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-days", "1", "-extfile", "san.ext", "-out", "server.pem");
    broker = Mosquitto.startOn(dir, Mosquitto.freePort(), List.of(
        "cafile " + dir.resolve("ca.pem"), "certfile " + dir.resolve("server.pem"), "keyfile " + dir.resolve("server.key")));
  }

  @AfterEach
  void stopBroker() {
    if (broker != null) {
      broker.close();
    }
  }

  private void openssl(String... args) throws IOException, InterruptedException {
    OpenSsl.run(dir, args);
  }

  private MqttSettings tls(String clientId, String ca) {
    return MqttSettings.defaults(clientId)
        .withServerUri("ssl://127.0.0.1:" + broker.port())
        .withMaxReconnectDelay(Duration.ofSeconds(1))
        .withCaFile(dir.resolve(ca));
  }

  @Test
  void sourceAndPublisherTrustTheBrokerThroughTheCaFile() {
    ResourceReader reader = new ResourceReader();
    Resource service = ((ResourceReader.Ok) reader.read(
        "{apiVersion: v1, kind: Service, metadata: {name: reviews, namespace: shop}, spec: {ports: [{port: 9080}]}}")
        .get(0)).resource();
    RecordingSink sink = new RecordingSink();
    try (MqttResourcePublisher publisher = new MqttResourcePublisher(tls("edgegw-test-publisher", "ca.pem"), TopicContract.defaults());
        MqttResourceSource source = new MqttResourceSource(tls("edgegw-sidecar", "ca.pem"), TopicContract.defaults(), reader, sink)) {
      publisher.connect();
      publisher.publish(service);
      source.start();
      await().atMost(WAIT).until(() -> sink.state.containsKey(ResourceKey.of(Kind.SERVICE, "shop", "reviews")));
      assertEquals(service, sink.state.get(ResourceKey.of(Kind.SERVICE, "shop", "reviews")));
    }
  }

  @Test
  void aBrokerSignedByAnotherCaIsNotTrusted() {
    try (MqttResourcePublisher publisher = new MqttResourcePublisher(tls("edgegw-test-publisher", "other.pem"), TopicContract.defaults());
        MqttResourceSource source = new MqttResourceSource(tls("edgegw-sidecar", "other.pem"), TopicContract.defaults(),
            new ResourceReader(), new RecordingSink())) {
      assertThrows(BrokerException.class, publisher::connect);
      source.start();
      await().pollDelay(Duration.ofSeconds(2)).atMost(WAIT).until(() -> true);
      assertFalse(source.isConnected());
    }
  }

  @Test
  void caFileNeedsAnSslUri() {
    MqttSettings plain = tls("c", "ca.pem").withServerUri("tcp://127.0.0.1:1883");
    assertThrows(IllegalArgumentException.class, () -> new MqttResourcePublisher(plain, TopicContract.defaults()));
    MqttSettings missing = tls("c", "no-such.pem");
    assertThrows(IllegalArgumentException.class, () -> new MqttResourcePublisher(missing, TopicContract.defaults()));
  }
}
