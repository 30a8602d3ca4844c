package io.edgegw.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.mqtt.GatewayAnnouncement;
import io.edgegw.mqtt.MqttConnection;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sync against a real mosquitto; gateways announce themselves with the sidecar's own MqttConnection. */
class FleetSyncTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String SHOP = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: shop-gw, namespace: shop}
      spec:
        selector: {role: shop}
        servers:
        - port: {number: 443, name: https, protocol: HTTPS}
          hosts: ["shop.example.com"]
          tls: {mode: SIMPLE, credentialName: shop-cert}
      ---
      apiVersion: v1
      kind: Secret
      metadata: {name: shop-cert, namespace: shop}
      data: {}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: shop, namespace: shop}
      spec:
        hosts: ["shop.example.com"]
        gateways: [shop-gw]
        http:
        - route:
          - destination: {host: cart, port: {number: 8080}}
      """;
  private static final String FACTORY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: factory-gw, namespace: factory}
      spec:
        selector: {role: factory}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*"]
      """;

  @TempDir Path tmp;
  private TestBroker broker;
  private Path source;
  private final List<AutoCloseable> open = new java.util.ArrayList<>();
  private MqttClient watcher;
  private final Map<String, byte[]> retained = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start(tmp.resolve("broker"), List.of());
    source = Files.createDirectories(tmp.resolve("source"));
    Files.writeString(source.resolve("shop.yaml"), SHOP);
    Files.writeString(source.resolve("factory.yaml"), FACTORY);
    watcher = new MqttClient(broker.uri(), "watcher", null);
    watcher.connect(new MqttConnectionOptions());
    watcher.subscribe("edgegw/+/resources/#", 1);
    watcher.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
      @Override public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse r) {}
      @Override public void mqttErrorOccurred(org.eclipse.paho.mqttv5.common.MqttException e) {}
      @Override public void messageArrived(String topic, MqttMessage m) {
        if (m.getPayload().length == 0) {
          retained.remove(topic);
        } else {
          retained.put(topic, m.getPayload());
        }
      }
      @Override public void deliveryComplete(org.eclipse.paho.mqttv5.client.IMqttToken t) {}
      @Override public void connectComplete(boolean reconnect, String uri) {}
      @Override public void authPacketArrived(int code, org.eclipse.paho.mqttv5.common.packet.MqttProperties p) {}
    });
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : com.google.common.collect.Lists.reverse(open)) {
      c.close();
    }
    watcher.disconnect();
    watcher.close();
    broker.close();
  }

  @Test
  void placesByLabelsDiffsOnRestartAndFollowsLabelChangesAndNewGateways() throws Exception {
    announce("berlin", Map.of("role", "shop"));
    announce("plant-1", Map.of("role", "factory"));
    FleetSync sync = sync();
    await().atMost(WAIT).until(() -> held("berlin").size() == 3 && held("plant-1").size() == 1);
    assertEquals(Set.of("gateway/shop/shop-gw", "secret/shop/shop-cert", "virtualservice/shop/shop"), held("berlin"));
    assertEquals(Set.of("gateway/factory/factory-gw"), held("plant-1"));
    assertEquals(4, sync.metrics().published);
    sync.close();
    open.remove(sync);

    // A restart diffs against what the broker retains: nothing to publish.
    FleetSync again = sync();
    assertEquals(0, again.metrics().published + again.metrics().deleted, "a restart republished");

    // A gateway that appears later gets its resources; one that changes role loses the old ones.
    announce("hamburg", Map.of("role", "shop"));
    await().atMost(WAIT).until(() -> held("hamburg").size() == 3);
    assertTrue(held("hamburg").contains("secret/shop/shop-cert"));
    publishRaw("edgegw/lab/status/gateway", "{\"state\":\"offline\",\"labels\":{\"role\":\"factory\"}}");
    await().atMost(WAIT).until(() -> held("lab").equals(Set.of("gateway/factory/factory-gw")));
    publishRaw("edgegw/lab/status/gateway", "{\"state\":\"offline\",\"labels\":{\"role\":\"shop\"}}");
    await().atMost(WAIT).until(() -> held("lab").equals(Set.of("gateway/shop/shop-gw", "secret/shop/shop-cert", "virtualservice/shop/shop")));

    // A source change reaches exactly the gateways it targets.
    // Read on the sync's thread: after the round that published lab's resources has finished counting
    // (the watcher can see a message before the sync has its acknowledgement).
    long before = again.state().published();
    Files.writeString(source.resolve("factory.yaml"), FACTORY.replace("hosts: [\"*\"]", "hosts: [\"plant.example.com\"]"));
    await().atMost(WAIT).until(() -> new String(retained.get("edgegw/plant-1/resources/gateway/factory/factory-gw")).contains("plant.example.com"));
    Thread.sleep(500);
    assertEquals(before + 1, again.metrics().published, "only plant-1's Gateway changed (lab is a shop now)");

    // Removing a resource from the source deletes it where it was (empty retained message).
    Files.writeString(source.resolve("shop.yaml"), SHOP.substring(0, SHOP.indexOf("---")));
    await().atMost(WAIT).until(() -> held("berlin").equals(Set.of("gateway/shop/shop-gw")) && held("hamburg").equals(Set.of("gateway/shop/shop-gw")));
  }

  @Test
  void theAdminEndpointShowsGatewaysAndCountsOnLoopback() throws Exception {
    announce("berlin", Map.of("role", "shop"));
    FleetSync sync = sync();
    FleetAdmin admin = FleetAdmin.start(new java.net.InetSocketAddress("127.0.0.1", 0), sync::state);
    open.add(admin);
    await().atMost(WAIT).until(() -> held("berlin").size() == 3);
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + admin.port();
    java.net.http.HttpResponse<String> ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/healthz/ready")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, ready.statusCode(), ready.body());
    String metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(metrics.contains("edgegw_fleet_published_total 3\n"), metrics);
    assertTrue(metrics.contains("edgegw_fleet_gateways{state=\"online\"} 1\n"), metrics);
    assertTrue(metrics.contains("edgegw_fleet_source_problems 0\n"), metrics);
    String gateways = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/gateways")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(gateways.contains("\"id\" : \"berlin\"") && gateways.contains("\"resources\" : 3"), gateways);
    // What the gateway announced of itself: its inputs by state and its last applied snapshot.
    assertTrue(gateways.contains("\"applied\" : 3") && gateways.contains("\"rejected\" : 1")
        && gateways.contains("\"lastApplied\" : \"2026-12-07T10:00:00Z\""), gateways);
    assertTrue(metrics.contains("edgegw_fleet_gateway_inputs{gateway=\"berlin\",state=\"applied\"} 3\n"), metrics);
    assertTrue(metrics.contains("edgegw_fleet_gateway_inputs{gateway=\"berlin\",state=\"rejected\"} 1\n"), metrics);
    assertTrue(metrics.contains("edgegw_fleet_gateway_online{gateway=\"berlin\"} 1\n"), metrics);
    assertTrue(metrics.contains("edgegw_fleet_gateway_last_applied_timestamp_seconds{gateway=\"berlin\"} 1796637600\n"),
        metrics);
  }

  @Test
  void aSourceWithErrorsPublishesNothingAndKeepsWhatIsThere() throws Exception {
    announce("berlin", Map.of("role", "shop"));
    FleetSync sync = sync();
    await().atMost(WAIT).until(() -> held("berlin").size() == 3);
    long published = sync.metrics().published;
    Files.writeString(source.resolve("shop.yaml"), SHOP.replace("number: 443", "number: 99999"));
    Thread.sleep(1500);
    FleetSync.Round round = sync.reconcileNow();
    assertTrue(round.problems().stream().anyMatch(p -> p.contains("Gateway shop/shop-gw")), round.problems().toString());
    assertEquals(published, sync.metrics().published);
    assertEquals(3, held("berlin").size(), "a broken source must not take resources away");

    // Fixed, then the directory vanishes for a moment (a checkout being replaced) and comes back as it was:
    // nothing changes meanwhile, and afterwards the sync carries on (a gateway appearing gets its resources).
    Files.writeString(source.resolve("shop.yaml"), SHOP);
    await().atMost(WAIT).until(() -> sync.reconcileNow().problems().isEmpty());
    Path moved = tmp.resolve("moved");
    Files.move(source, moved);
    Thread.sleep(600);
    assertEquals(3, held("berlin").size());
    Files.move(moved, source);
    Thread.sleep(600);
    announce("hamburg", Map.of("role", "shop"));
    await().atMost(WAIT).until(() -> held("hamburg").size() == 3);
  }

  @Test
  void aGatewayThatDidNotAnnounceLabelsIsLeftAlone() throws Exception {
    publishRaw("edgegw/old/status/gateway", "{\"state\":\"online\",\"since\":\"2025-03-01T10:00:00Z\"}");
    publishRaw("edgegw/old/resources/gateway/shop/hand-made", "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"Gateway\",\"metadata\":{\"name\":\"hand-made\",\"namespace\":\"shop\"},\"spec\":{}}");
    FleetSync sync = sync();
    assertEquals(0, sync.metrics().published + sync.metrics().deleted);
    assertEquals(Set.of("gateway/shop/hand-made"), held("old"));
  }

  private FleetSync sync() {
    FleetSync sync = new FleetSync(new SourceDirectory(source), new Placement("cluster.local"),
        MqttSettings.defaults(broker.uri(), "sync"), "edgegw", Duration.ofMillis(200));
    open.add(sync);
    sync.start();
    return sync;
  }

  private void announce(String id, Map<String, String> labels) {
    MqttConnection connection = new MqttConnection(MqttSettings.defaults(broker.uri(), "gw-" + id), new TopicContract("edgegw", id));
    connection.describeWith(() -> new GatewayAnnouncement.Identity(Optional.of(labels), Optional.of("0.1.0"),
        Optional.of("7"), Optional.of(java.time.Instant.parse("2026-12-07T10:00:00Z")),
        Optional.of(new GatewayAnnouncement.Counts(0, 3, 1, 0))));
    connection.start();
    open.add(connection);
    await().atMost(WAIT).until(connection::isConnected);
  }

  private void publishRaw(String topic, String payload) throws Exception {
    MqttMessage message = new MqttMessage(payload.getBytes());
    message.setQos(1);
    message.setRetained(true);
    watcher.publish(topic, message);
  }

  private Set<String> held(String id) {
    String root = "edgegw/" + id + "/resources/";
    Set<String> out = new TreeSet<>();
    retained.keySet().stream().filter(t -> t.startsWith(root)).forEach(t -> out.add(t.substring(root.length())));
    return out;
  }
}
