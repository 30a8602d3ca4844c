package io.edgegw.mqtt;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The source and publisher against a real mosquitto on loopback. */
@Timeout(60)
class MqttResourceSourceTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final TopicContract topics = TopicContract.defaults();
  private final ResourceReader reader = new ResourceReader();
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private Mosquitto broker;

  @AfterEach
  void closeEverything() throws Exception {
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private MqttSettings settings(String clientId, int port) {
    return MqttSettings.defaults(clientId)
        .withServerUri("tcp://127.0.0.1:" + port)
        .withMaxReconnectDelay(Duration.ofSeconds(1));
  }

  private MqttResourceSource source(String clientId, RecordingSink sink) {
    return source(settings(clientId, broker.port()), sink);
  }

  private MqttResourceSource source(MqttSettings settings, io.edgegw.translator.model.ResourceSink sink) {
    MqttResourceSource source = new MqttResourceSource(settings, topics, reader, sink);
    opened.push(source);
    source.start();
    return source;
  }

  private MqttResourcePublisher publisher() {
    MqttResourcePublisher publisher = new MqttResourcePublisher(settings("edgegw-test-publisher", broker.port()), topics);
    opened.push(publisher);
    publisher.connect();
    return publisher;
  }

  private Resource gateway(String name) {
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: shop}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["%s.example.com"]}]
        """.formatted(name, name);
    return ((ResourceReader.Ok) reader.read(yaml).get(0)).resource();
  }

  private static String readQuietly(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static ResourceKey gatewayKey(String name) {
    return ResourceKey.of(Kind.GATEWAY, "shop", name);
  }

  @Test
  void retainedResourcesPublishedBeforeTheSourceStartsAreDelivered() {
    broker = Mosquitto.start(dir);
    MqttResourcePublisher publisher = publisher();
    publisher.publish(gateway("a"));
    publisher.publish(gateway("b"));

    RecordingSink sink = new RecordingSink();
    MqttResourceSource source = source("edgegw-sidecar", sink);

    await().atMost(WAIT).until(() -> sink.state.size() == 2);
    assertTrue(source.isConnected());
    assertEquals(gateway("a"), sink.state.get(gatewayKey("a")));
    ResourceEvent first = sink.events.get(0);
    assertEquals("mqtt:edgegw/default/resources/gateway/shop/" + first.key().name(), first.origin());
    assertEquals(0, sink.rejections.size());
  }

  @Test
  void emptyRetainedPayloadDeletesTheResourceAndClearsIt() {
    broker = Mosquitto.start(dir);
    MqttResourcePublisher publisher = publisher();
    publisher.publish(gateway("a"));
    RecordingSink sink = new RecordingSink();
    source("edgegw-sidecar", sink);
    await().atMost(WAIT).until(() -> sink.state.containsKey(gatewayKey("a")));

    publisher.delete(gatewayKey("a"));
    await().atMost(WAIT).until(() -> sink.sawDelete(gatewayKey("a")));
    assertFalse(sink.state.containsKey(gatewayKey("a")));

    // The broker no longer retains it: a newcomer sees the marker published after it subscribed, but no "a".
    RecordingSink newcomer = new RecordingSink();
    MqttResourceSource late = source("edgegw-other-sidecar", newcomer);
    await().atMost(WAIT).until(late::isConnected);
    publisher.publish(gateway("marker"));
    await().atMost(WAIT).until(() -> newcomer.state.containsKey(gatewayKey("marker")));
    assertTrue(newcomer.events.stream().noneMatch(e -> e.key().equals(gatewayKey("a"))), newcomer.events::toString);
  }

  @Test
  void badMessagesAreRejectedAndAThrowingSinkDoesNotKillTheConnection() {
    broker = Mosquitto.start(dir);
    MqttResourcePublisher publisher = publisher();
    RecordingSink recorded = new RecordingSink();
    AtomicBoolean thrown = new AtomicBoolean();
    io.edgegw.translator.model.ResourceSink sink = new io.edgegw.translator.model.ResourceSink() {
      @Override
      public void accept(ResourceEvent event) {
        if (thrown.compareAndSet(false, true)) {
          throw new IllegalStateException("sink bug");
        }
        recorded.accept(event);
      }

      @Override
      public void reject(String origin, Optional<ResourceKey> key, String reason) {
        recorded.reject(origin, key, reason);
      }

      @Override
      public void reconcile(String source, java.util.function.Predicate<ResourceKey> scope,
          java.util.Set<ResourceKey> present) {
        recorded.reconcile(source, scope, present);
      }
    };
    MqttResourceSource source = source(settings("edgegw-sidecar", broker.port()), sink);
    await().atMost(WAIT).until(source::isConnected);

    publisher.publish(gateway("dropped-by-the-buggy-sink"));
    publisher.send("edgegw/default/resources/gateway/shop/x", "apiVersion: [".getBytes(UTF_8));
    publisher.send("edgegw/default/resources/gateway/shop/y", "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"Gateway\",\"metadata\":{\"name\":\"z\",\"namespace\":\"shop\"}}".getBytes(UTF_8));
    publisher.send("edgegw/default/resources/ingress/shop/web", "kind: Ingress".getBytes(UTF_8));
    publisher.publish(gateway("after"));

    await().atMost(WAIT).until(() -> recorded.state.containsKey(gatewayKey("after")));
    assertTrue(thrown.get());
    assertTrue(source.isConnected());
    assertEquals(3, recorded.rejections.size(), recorded.rejections::toString);
    RecordingSink.Rejection mismatch = recorded.rejections.stream()
        .filter(r -> r.origin().endsWith("/shop/y")).findFirst().orElseThrow();
    assertEquals(Optional.of(gatewayKey("y")), mismatch.key());
    assertTrue(mismatch.reason().startsWith("topic says gateway/shop/y but payload is gateway/shop/z"), mismatch.reason());
  }

  @Test
  void aPayloadOverTheCapNeverReachesTheSidecarAndOneWithinThePacketHeadroomIsRejectedBySize() {
    broker = Mosquitto.start(dir);
    MqttResourcePublisher publisher = publisher();
    RecordingSink sink = new RecordingSink();
    MqttResourceSource source = source(settings("edgegw-sidecar", broker.port()).withMaxPayloadBytes(1000), sink);
    await().atMost(WAIT).until(source::isConnected);

    // Over cap + headroom: the broker must not send it (our CONNECT's Maximum Packet Size), and drops it.
    byte[] huge = new byte[1000 + (int) PahoOptions.PACKET_HEADROOM_BYTES + 1];
    publisher.send("edgegw/default/resources/gateway/shop/huge", huge);
    // Over the cap but within the headroom: it arrives, and is refused unparsed.
    publisher.send("edgegw/default/resources/gateway/shop/big", new byte[2000]);
    publisher.publish(gateway("after"));

    await().atMost(WAIT).until(() -> sink.state.containsKey(gatewayKey("after")));
    assertTrue(source.isConnected());
    assertEquals(1, sink.rejections.size(), sink.rejections::toString);
    assertTrue(sink.rejections.get(0).origin().endsWith("/shop/big"), sink.rejections::toString);
    assertTrue(sink.rejections.get(0).reason().startsWith("payload of 2000 bytes exceeds the limit of 1000 bytes"),
        sink.rejections::toString);
    // The operator's trace of it: mosquitto's log (at notice level, which is logged by default).
    String brokerLog = readQuietly(dir.resolve("mosquitto.log"));
    assertTrue(brokerLog.contains("Dropping too large outgoing PUBLISH for edgegw-sidecar"), brokerLog);
  }

  @Test
  void survivesABrokerRestartAndResubscribes() {
    broker = Mosquitto.start(dir);
    MqttResourcePublisher firstPublisher = publisher();
    firstPublisher.publish(gateway("before"));
    RecordingSink sink = new RecordingSink();
    MqttResourceSource source = source("edgegw-sidecar", sink);
    await().atMost(WAIT).until(() -> sink.state.containsKey(gatewayKey("before")));

    firstPublisher.close(); // its connection would die with the broker anyway
    broker.stop();
    await().atMost(WAIT).until(() -> !source.isConnected());

    broker.start(); // same port, empty: persistence is off
    await().atMost(WAIT).until(source::isConnected);
    publisher().publish(gateway("after-restart"));
    await().atMost(WAIT).until(() -> sink.state.containsKey(gatewayKey("after-restart")));
    assertTrue(sink.state.containsKey(gatewayKey("before")), "what was received stays; the store decides about it");
  }

  @Test
  void startDoesNotWaitForAMissingBrokerAndConnectsWhenItAppears() {
    int port = Mosquitto.freePort();
    RecordingSink sink = new RecordingSink();
    long began = System.nanoTime();
    MqttResourceSource source = source(settings("edgegw-sidecar", port), sink);
    assertTrue(Duration.ofNanos(System.nanoTime() - began).compareTo(Duration.ofSeconds(1)) < 0, "start() blocked");
    assertFalse(source.isConnected());

    await().pollDelay(Duration.ofMillis(1500)).atMost(WAIT).until(() -> !source.isConnected()); // a few failed attempts
    broker = Mosquitto.startOn(dir, port);
    await().atMost(WAIT).until(source::isConnected);
    publisher().publish(gateway("late"));
    await().atMost(WAIT).until(() -> sink.state.containsKey(gatewayKey("late")));
  }

  @Test
  void aDeleteWhileTheSidecarIsAwayIsDeliveredWhenItComesBack() throws Exception {
    broker = Mosquitto.start(dir);
    MqttResourcePublisher publisher = publisher();
    publisher.publish(gateway("a"));
    RecordingSink before = new RecordingSink();
    MqttResourceSource first = source("edgegw-sidecar", before);
    await().atMost(WAIT).until(() -> before.state.containsKey(gatewayKey("a")));
    first.close();

    publisher.delete(gatewayKey("a")); // no retained message is left to tell a newcomer about this

    RecordingSink after = new RecordingSink();
    source("edgegw-sidecar", after); // same client id: the broker kept the session and queued the delete
    await().atMost(WAIT).until(() -> after.sawDelete(gatewayKey("a")));
  }

  @Test
  void closeWhileTheBrokerIsDownReturnsAndLeavesNoThreads() {
    int port = Mosquitto.freePort();
    MqttResourceSource source = source(settings("edgegw-closing", port), new RecordingSink());
    await().pollDelay(Duration.ofMillis(1200)).atMost(WAIT).until(() -> true);
    long began = System.nanoTime();
    source.close();
    source.close(); // idempotent
    assertTrue(Duration.ofNanos(System.nanoTime() - began).compareTo(Duration.ofSeconds(5)) < 0, "close() hung");
    await().atMost(WAIT).until(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && (t.getName().startsWith("edgegw-mqtt") || t.getName().contains("edgegw-closing"))));
    assertThrows(IllegalStateException.class, source::start);
  }

  @Test
  void publisherFailsFastWithoutABrokerAndRefusesOversizedResources() {
    MqttSettings nowhere = settings("edgegw-test-publisher", Mosquitto.freePort());
    try (MqttResourcePublisher publisher = new MqttResourcePublisher(nowhere, topics)) {
      BrokerException e = assertThrows(BrokerException.class, publisher::connect);
      assertTrue(e.getMessage().startsWith("cannot connect to " + nowhere.serverUri()), e.getMessage());
    }
    broker = Mosquitto.start(dir);
    try (MqttResourcePublisher small = new MqttResourcePublisher(
        settings("edgegw-test-publisher", broker.port()).withMaxPayloadBytes(100), topics)) {
      small.connect();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> small.publish(gateway("big")));
      assertTrue(e.getMessage().contains("exceeds the limit of 100 bytes"), e.getMessage());
    }
  }

  @Test
  void kubeedgeEnvelopesInsertUpdateAndDeleteAResource() throws Exception {
    broker = Mosquitto.start(dir);
    RecordingSink sink = new RecordingSink();
    MqttResourceSource source = source(settings("edgegw-sidecar", broker.port()).withKubeedgeTopic("$hw/events/edgegw/#"), sink);
    await().atMost(WAIT).until(source::isConnected);
    MqttProbe edgecore = new MqttProbe(broker.uri(), "edgegw-test-edgecore");
    opened.push(edgecore);
    String topic = "$hw/events/edgegw/resource";
    String envelope = """
        {"header":{"msg_id":"m%d","timestamp":1700000000000,"sync":false},
         "route":{"source":"edgecontroller","group":"resource","operation":"%s","resource":"shop/gateway/public-gw"},
         "content":%s}""";
    String gw = """
        {"apiVersion":"networking.istio.io/v1","kind":"Gateway","metadata":{"name":"public-gw","namespace":"shop"},
         "spec":{"servers":[{"port":{"number":80,"name":"http","protocol":"HTTP"},"hosts":["%s"]}]}}""";
    ResourceKey key = gatewayKey("public-gw");

    edgecore.publish(topic, envelope.formatted(1, "insert", gw.formatted("a.example.com")), false);
    await().atMost(WAIT).until(() -> sink.state.containsKey(key));
    edgecore.publish(topic, """
        {"header":{},"route":{"operation":"insert","resource":"default/serviceaccount/default"},"content":{}}""", false);
    edgecore.publish(topic, envelope.formatted(2, "update", gw.formatted("b.example.com")), false);
    await().atMost(WAIT).until(() -> sink.state.get(key).spec().toString().contains("b.example.com"));
    edgecore.publish(topic, envelope.formatted(3, "delete", "null"), false);
    await().atMost(WAIT).until(() -> sink.sawDelete(key));

    assertEquals(3, sink.events.size(), sink.events::toString);
    assertEquals("mqtt:" + topic + "#shop/gateway/public-gw", sink.events.get(0).origin());
    assertEquals(0, sink.rejections.size(), "the serviceaccount is ignored, not rejected: " + sink.rejections);
  }
}
