package io.edgegw.mqtt;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Online/offline status, the Last Will and per-resource statuses against a real mosquitto. */
@Timeout(60)
class MqttStatusTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);
  private static final String OFFLINE = "{\"state\":\"offline\"}";
  private static final String ONLINE = "{\"state\":\"online\",\"since\":\"2025-03-01T10:00:00Z\"}";

  @TempDir Path dir;

  private final TopicContract topics = TopicContract.defaults();
  private final ObjectMapper json = new ObjectMapper();
  private final Deque<AutoCloseable> opened = new ArrayDeque<>();
  private Mosquitto broker;
  private MqttProbe watcher;

  @BeforeEach
  void startBroker() throws Exception {
    broker = Mosquitto.start(dir);
    watcher = opened(new MqttProbe(broker.uri(), "edgegw-test-watcher")).subscribe("edgegw/default/status/#");
  }

  @AfterEach
  void closeEverything() throws Exception {
    while (!opened.isEmpty()) {
      opened.pop().close();
    }
    broker.close();
  }

  private <T extends AutoCloseable> T opened(T closeable) {
    opened.push(closeable);
    return closeable;
  }

  private MqttConnection connection(String serverUri) {
    MqttSettings settings = MqttSettings.defaults(serverUri, "edgegw-sidecar").withMaxReconnectDelay(Duration.ofSeconds(1));
    return opened(new MqttConnection(settings, topics, CLOCK, new SplittableRandom(7)));
  }

  private JsonNode statusOf(ResourceKey key) throws Exception {
    String last = watcher.lastOn(topics.statusTopic(key));
    return last == null || last.isEmpty() ? null : json.readTree(last);
  }

  @Test
  void onlineAfterStartAndOfflineAfterClose() throws Exception {
    MqttResourceSource source = opened(new MqttResourceSource(
        connection(broker.uri()), new ResourceReader(), new RecordingSink()));
    source.start();
    await().atMost(WAIT).until(() -> ONLINE.equals(watcher.lastOn(topics.gatewayStatusTopic())));
    assertTrue(source.isConnected());

    source.close();
    await().atMost(WAIT).until(() -> OFFLINE.equals(watcher.lastOn(topics.gatewayStatusTopic())));
    assertEquals(List.of(ONLINE, OFFLINE), watcher.payloadsOn(topics.gatewayStatusTopic()));

    // Retained: whoever looks later learns the gateway is offline.
    try (MqttProbe late = new MqttProbe(broker.uri(), "edgegw-test-late").subscribe(topics.gatewayStatusTopic())) {
      await().atMost(WAIT).until(() -> late.received.size() == 1);
      assertEquals(new MqttProbe.Received(topics.gatewayStatusTopic(), OFFLINE, true), late.received.get(0));
    }
  }

  @Test
  void theAnnouncementCarriesLabelsAndVersionsTheWillTooAndAnnounceRepeatsIt() {
    TcpProxy network = opened(new TcpProxy(broker.port()));
    MqttConnection connection = connection(network.uri());
    java.util.concurrent.atomic.AtomicReference<String> served = new java.util.concurrent.atomic.AtomicReference<>("1");
    connection.describeWith(() -> new GatewayAnnouncement.Identity(
        java.util.Optional.of(java.util.Map.of("site", "berlin")), java.util.Optional.of("0.1.0"), java.util.Optional.of(served.get())));
    connection.start();
    String identity = ",\"labels\":{\"site\":\"berlin\"},\"softwareVersion\":\"0.1.0\",\"servedVersion\":\"";
    await().atMost(WAIT).until(() -> (ONLINE.replace("}", "") + identity + "1\"}").equals(watcher.lastOn(topics.gatewayStatusTopic())));

    served.set("2");
    connection.announce();
    await().atMost(WAIT).until(() -> (ONLINE.replace("}", "") + identity + "2\"}").equals(watcher.lastOn(topics.gatewayStatusTopic())));

    network.cut(); // the Will, set at start, names the gateway too
    await().atMost(WAIT).until(() -> watcher.payloadsOn(topics.gatewayStatusTopic()).contains(
        "{\"state\":\"offline\"" + identity + "1\"}"));
  }

  @Test
  void theBrokerPublishesTheWillWhenTheConnectionDiesAndOnlineFollowsTheReconnect() {
    TcpProxy network = opened(new TcpProxy(broker.port()));
    MqttConnection connection = connection(network.uri());
    connection.start();
    await().atMost(WAIT).until(connection::isConnected);
    await().atMost(WAIT).until(() -> ONLINE.equals(watcher.lastOn(topics.gatewayStatusTopic())));

    network.cut(); // the TCP connection dies; the sidecar sent no DISCONNECT
    await().atMost(WAIT).until(() -> watcher.payloadsOn(topics.gatewayStatusTopic()).size() >= 3);
    assertEquals(List.of(ONLINE, OFFLINE, ONLINE), watcher.payloadsOn(topics.gatewayStatusTopic()).subList(0, 3));
    await().atMost(WAIT).until(connection::isConnected);
  }

  @Test
  void statusesArePublishedRetainedCoalescedWhileAwayAndCleared() throws Exception {
    TcpProxy network = opened(new TcpProxy(broker.port()));
    MqttConnection connection = connection(network.uri());
    MqttStatusPublisher status = new MqttStatusPublisher(connection);
    connection.start();
    await().atMost(WAIT).until(connection::isConnected);
    ResourceKey a = ResourceKey.of(Kind.VIRTUAL_SERVICE, "shop", "a");
    ResourceKey b = ResourceKey.of(Kind.GATEWAY, "shop", "b");

    status.publish(a, StatusMessage.accepted(List.of(), CLOCK));
    await().atMost(WAIT).until(() -> statusOf(a) != null);
    assertEquals("accepted", statusOf(a).path("state").asText());

    network.refuse(true);
    network.cut();
    await().atMost(WAIT).until(() -> !connection.isConnected());
    status.publish(a, StatusMessage.rejected(List.of("ERROR VirtualService shop/a: spec.http[0].route: required"), CLOCK));
    status.publish(a, StatusMessage.applied("7", List.of(), CLOCK));
    status.publish(b, StatusMessage.rejectedByEnvoy("8", List.of("listener 0.0.0.0_80: bad"), CLOCK));
    await().pollDelay(Duration.ofMillis(300)).atMost(WAIT).until(() -> status.backlog() == 2);

    network.refuse(false);
    await().atMost(WAIT).until(() -> statusOf(b) != null && "applied".equals(statusOf(a).path("state").asText()));
    assertEquals("7", statusOf(a).path("version").asText());
    assertEquals("rejected-by-envoy", statusOf(b).path("state").asText());
    assertEquals("listener 0.0.0.0_80: bad", statusOf(b).path("reasons").get(0).asText());
    List<String> seenForA = watcher.payloadsOn(topics.statusTopic(a));
    assertFalse(seenForA.stream().anyMatch(p -> p.contains("\"rejected\"")), "superseded while away: " + seenForA);

    status.clear(a);
    await().atMost(WAIT).until(() -> "".equals(watcher.lastOn(topics.statusTopic(a))));
    await().atMost(WAIT).until(() -> status.backlog() == 0);
    try (MqttProbe late = new MqttProbe(broker.uri(), "edgegw-test-late").subscribe("edgegw/default/status/+/+/+")) {
      await().atMost(WAIT).until(() -> late.received.size() == 1);
      assertEquals(topics.statusTopic(b), late.received.get(0).topic(), "a's status is gone, b's is retained");
    }
  }

  @Test
  void manyStatusesAreAllDeliveredAndCloseFlushesWhatIsPending() throws Exception {
    MqttConnection connection = connection(broker.uri());
    MqttStatusPublisher status = new MqttStatusPublisher(connection);
    connection.start();
    await().atMost(WAIT).until(connection::isConnected);
    for (int i = 0; i < 100; i++) {
      status.publish(ResourceKey.of(Kind.SERVICE, "shop", "s" + i), StatusMessage.accepted(List.of(), CLOCK));
    }
    connection.close();
    await().atMost(WAIT).until(() -> OFFLINE.equals(watcher.lastOn(topics.gatewayStatusTopic())));
    long statuses = watcher.received.stream().filter(r -> r.topic().contains("/status/service/shop/s")).count();
    assertEquals(100, statuses, "each status once, all before the offline status");
  }
}
