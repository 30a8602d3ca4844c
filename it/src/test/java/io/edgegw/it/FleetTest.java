package io.edgegw.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.edgegw.fleet.FleetSync;
import io.edgegw.fleet.Placement;
import io.edgegw.fleet.SourceDirectory;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.FreePorts;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.Mosquitto;
import io.edgegw.it.harness.TestPki;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.server.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import picocli.CommandLine;

/**
 * Issue 15: a cloud broker with a password file and per-gateway ACL, three edge nodes each with its
 * own mosquitto bridged to it (dialing out), its own sidecar and a real Envoy, and {@code fleet sync}
 * fed from a directory. The tests run in order on one fleet: placement, a change, a node away
 * during a change, the ACL.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetTest {
  private static final Duration WAIT = Duration.ofSeconds(40);
  private static final String SYNC_PASSWORD = "sync-secret";

  private static Path dir;
  private static Mosquitto cloud;
  private static final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private static HttpBackend blue;
  private static HttpBackend green;
  private static HttpBackend plc;
  private static HttpBackend api;
  private static TestPki pki;
  private static Path source;
  private static FleetSync sync;
  private static MqttClient watcher;
  private static final Map<String, byte[]> cloudRetained = new ConcurrentHashMap<>();

  /** One edge node: its broker (bridged to the cloud), its sidecar and Envoy. */
  private static final class Node {
    final String id;
    final int brokerPort = FreePorts.next();
    final Path persistence;
    Mosquitto broker;
    EdgeGateway gateway;

    Node(String id) throws Exception {
      this.id = id;
      this.persistence = Files.createDirectories(dir.resolve("node-" + id));
    }

    void startBroker() {
      // Persistent, as docs/fleet.md asks of a node: the sidecar's session and the bridge's state survive a restart.
      broker = Mosquitto.start(brokerPort, Optional.of(persistence), List.of(
          "connection cloud-" + id,
          "address 127.0.0.1:" + cloud.port(),
          "remote_clientid bridge-" + id,
          "remote_username " + id,
          "remote_password " + id + "-secret",
          "cleansession false",
          "restart_timeout 1",
          "notifications true",
          "notification_topic edgegw/" + id + "/status/bridge",
          "topic edgegw/" + id + "/resources/# in 1",
          // Not status/#: that would also send the bridge's local copy of its own notification up, racing the
          // one it publishes on the cloud broker itself.
          "topic edgegw/" + id + "/status/gateway out 1",
          "topic edgegw/" + id + "/status/+/+/+ out 1"));
    }
  }

  @BeforeAll
  static void startFleet() throws Exception {
    dir = Files.createTempDirectory("edgegw-fleet");
    Path passwords = dir.resolve("passwords");
    List<String> users = List.of("a", "b", "c");
    run("mosquitto_passwd", "-c", "-b", passwords.toString(), "sync", SYNC_PASSWORD);
    for (String user : users) {
      run("mosquitto_passwd", "-b", passwords.toString(), user, user + "-secret");
    }
    Path acl = dir.resolve("acl");
    Files.copy(Path.of(System.getProperty("edgegw.repo", "..")).resolve("examples/fleet/acl"), acl);
    cloud = Mosquitto.start(FreePorts.next(), Optional.empty(), List.of(
        "allow_anonymous false", "password_file " + passwords, "acl_file " + acl,
        // As root mosquitto would drop to user "mosquitto", who cannot read our temp directory.
        "user " + System.getProperty("user.name")));
    blue = HttpBackend.start("blue");
    green = HttpBackend.start("green");
    plc = HttpBackend.start("plc");
    api = HttpBackend.start("api");
    pki = TestPki.create(Files.createDirectories(dir.resolve("pki")), "fleet CA");

    nodes.put("a", new Node("a"));
    nodes.put("b", new Node("b"));
    nodes.put("c", new Node("c"));
    Map<String, ImmutableMap<String, String>> labels = Map.of(
        "a", ImmutableMap.of("role", "shop", "site", "a"),
        "b", ImmutableMap.of("role", "shop", "site", "b"),
        "c", ImmutableMap.of("role", "factory"));
    for (Node node : nodes.values()) {
      node.startBroker();
      node.gateway = EdgeGateway.start(node.broker, Files.createDirectories(dir.resolve("state-" + node.id)), node.id,
          labels.get(node.id));
    }

    watcher = new MqttClient(cloud.url(), "it-watcher", new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setUserName("sync");
    options.setPassword(SYNC_PASSWORD.getBytes());
    watcher.setCallback(new Recorder(cloudRetained));
    watcher.connect(options);
    watcher.subscribe(new String[] {"edgegw/+/resources/#", "edgegw/+/status/#"}, new int[] {1, 1});
    // Every node announced itself through its bridge.
    await().atMost(WAIT).until(() -> users.stream().allMatch(u -> announcement(u).contains("\"labels\"")));

    source = Files.createDirectories(dir.resolve("source"));
    Files.writeString(source.resolve("shop.yaml"), shop("blue"));
    Files.writeString(source.resolve("factory.yaml"), factory());
    sync = new FleetSync(new SourceDirectory(source), new Placement("cluster.local"),
        MqttSettings.defaults(cloud.url(), "it-fleet-sync").withCredentials("sync", SYNC_PASSWORD), "edgegw",
        Duration.ofMillis(200));
    sync.start();
  }

  @AfterAll
  static void stopFleet() throws Exception {
    EdgeGateway.closeAll(sync);
    if (watcher != null && watcher.isConnected()) {
      watcher.disconnect();
    }
    for (Node node : nodes.values()) {
      EdgeGateway.closeAll(node.gateway, node.broker);
    }
    EdgeGateway.closeAll(blue, green, plc, api, cloud);
  }

  @Test
  @Order(1)
  void placementFollowsLabelsAndTheSecretReachesOnlyTheNodeThatUsesIt() throws Exception {
    Set<String> shop = Set.of("gateway/default/shop-gw", "virtualservice/default/shop", "service/default/blue",
        "endpoints/default/blue");
    await().atMost(WAIT).until(() -> held("a").equals(shop) && held("b").equals(shop));
    Set<String> factory = Set.of("gateway/default/factory-gw", "virtualservice/default/factory", "service/default/plc",
        "endpoints/default/plc", "secret/default/factory-cert");
    await().atMost(WAIT).until(() -> held("c").equals(factory));

    // On the nodes' own brokers too: the key is on c's and nowhere else.
    assertTrue(nodeRetained("c").contains("edgegw/c/resources/secret/default/factory-cert"));
    assertFalse(nodeRetained("a").stream().anyMatch(t -> t.contains("/secret/")), nodeRetained("a").toString());
    assertFalse(nodeRetained("b").stream().anyMatch(t -> t.contains("/secret/")), nodeRetained("b").toString());

    nodes.get("a").gateway.awaitBackend("shop.example.com", "/", "blue");
    nodes.get("b").gateway.awaitBackend("shop.example.com", "/", "blue");
    nodes.get("c").gateway.awaitBackend("factory.example.com", "/", "plc");

    Cli status = cli("fleet", "status", "--wait-applied", "--timeout", "40s");
    assertEquals(0, status.exit, status.toString());
    for (String id : List.of("a", "b", "c")) {
      assertTrue(status.out.lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("online")), status.out);
    }
    assertTrue(status.out.contains("role=factory"), status.out);
  }

  @Test
  @Order(2)
  void aChangeReachesExactlyTheTargetedNodesAndANodeAwayConvergesOnReconnectDeletesIncluded() throws Exception {
    Node b = nodes.get("b");
    b.broker.stop(); // b's link to the cloud is down (its whole broker is)
    await().atMost(WAIT).until(() -> "0".equals(text("edgegw/b/status/bridge")));

    long published = sync.metrics().published;
    long deleted = sync.metrics().deleted;
    write(source.resolve("shop.yaml"), shop("green"));
    Set<String> shop = Set.of("gateway/default/shop-gw", "virtualservice/default/shop", "service/default/green",
        "endpoints/default/green");
    await().atMost(WAIT).until(() -> held("a").equals(shop) && held("b").equals(shop));
    nodes.get("a").gateway.awaitBackend("shop.example.com", "/", "green");
    // a and b: the VirtualService and green's Service and Endpoints published, blue's deleted; c untouched.
    await().atMost(WAIT).until(() -> sync.metrics().published == published + 6 && sync.metrics().deleted == deleted + 4);
    Thread.sleep(500);
    assertEquals(published + 6, sync.metrics().published);
    assertEquals(deleted + 4, sync.metrics().deleted);

    // b is cut off: status says so and --wait-applied does not wait for it.
    Cli away = cli("fleet", "status", "--wait-applied", "--timeout", "40s");
    assertEquals(0, away.exit, away.toString());
    assertTrue(away.out.lines().anyMatch(l -> l.startsWith("b ") && l.contains("cut-off")), away.out);
    assertEquals("blue", b.gateway.get("shop.example.com", "/").backend(), "b's Envoy serves what it had");

    b.startBroker(); // same port, same persistence: the bridge and the sidecar reconnect
    b.gateway.awaitBackend("shop.example.com", "/", "green");
    Cli back = cli("fleet", "status", "--wait-applied", "--timeout", "40s");
    assertEquals(0, back.exit, back.toString());
    // The deletes reached b: its sidecar cleared blue's statuses, which it does only once blue is gone.
    await().atMost(WAIT).until(() -> !cloudRetained.containsKey("edgegw/b/status/service/default/blue")
        && !cloudRetained.containsKey("edgegw/b/status/endpoints/default/blue"));
    assertTrue(back.out.lines().anyMatch(l -> l.startsWith("b ") && l.contains("online")), back.out);
  }

  @Test
  @Order(3)
  void aNodesCredentialsCannotReadAnotherNodesResourcesNorWriteItsStatus() throws Exception {
    Map<String, byte[]> seen = new ConcurrentHashMap<>();
    MqttClient intruder = new MqttClient(cloud.url(), "intruder-a", new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setUserName("a");
    options.setPassword("a-secret".getBytes());
    intruder.setCallback(new Recorder(seen));
    intruder.connect(options);
    try {
      intruder.subscribe("edgegw/c/resources/#", 1);
      intruder.subscribe("edgegw/a/resources/#", 1);
      await().atMost(WAIT).until(() -> seen.keySet().stream().anyMatch(t -> t.startsWith("edgegw/a/resources/")));
      Thread.sleep(1000);
      assertFalse(seen.keySet().stream().anyMatch(t -> t.startsWith("edgegw/c/")), seen.keySet().toString());

      String before = announcement("c");
      MqttMessage forged = new MqttMessage("{\"state\":\"offline\",\"labels\":{\"role\":\"shop\"}}".getBytes());
      forged.setQos(1);
      forged.setRetained(true);
      try {
        intruder.publish("edgegw/c/status/gateway", forged);
      } catch (MqttException refused) {
        // Either way the broker must not take it.
      }
      Thread.sleep(1000);
      assertEquals(before, announcement("c"), "a wrote c's status");
    } finally {
      if (intruder.isConnected()) {
        intruder.disconnect();
      }
      intruder.close();
    }
  }

  /**
   * Gateway API placement (docs/fleet.md): the GatewayClass's selector annotation places its Gateway on
   * the shops; the HTTPRoute follows its parent, the Service its backendRef, the Secret its certificateRef;
   * the factory gets none of it. A Gateway's own annotation then moves it to site a alone, deleting it
   * (with its route, Service and key) on b.
   */
  @Test
  @Order(4)
  void gatewayApiGatewaysArePlacedBySelectorAnnotationWithTheirRoutesBackendsAndCertificates() throws Exception {
    write(source.resolve("gateway-api.yaml"), gatewayApi(""));
    Set<String> gatewayApi = Set.of("gatewayclasses.gateway.networking.k8s.io/default/shops",
        "gateways.gateway.networking.k8s.io/default/api", "httproutes.gateway.networking.k8s.io/default/api",
        "service/default/api", "endpoints/default/api", "secret/default/api-cert");
    await().atMost(WAIT).until(() -> held("a").containsAll(gatewayApi) && held("b").containsAll(gatewayApi));
    Thread.sleep(1000);
    assertTrue(held("c").stream().noneMatch(gatewayApi::contains), held("c").toString());
    assertTrue(held("a").stream().noneMatch(p -> p.endsWith("/unused-cert")), held("a").toString());
    assertTrue(nodeRetained("b").contains("edgegw/b/resources/secret/default/api-cert"));
    assertFalse(nodeRetained("c").stream().anyMatch(t -> t.contains("api")), nodeRetained("c").toString());
    awaitApi("a");
    awaitApi("b");
    Cli status = cli("fleet", "status", "--wait-applied", "--timeout", "40s");
    assertEquals(0, status.exit, status.toString());

    write(source.resolve("gateway-api.yaml"), gatewayApi("site=a"));
    await().atMost(WAIT).until(() -> held("b").stream().noneMatch(gatewayApi::contains));
    assertTrue(held("a").containsAll(gatewayApi), held("a").toString());
    assertFalse(nodeRetained("b").stream().anyMatch(t -> t.endsWith("/api-cert")), nodeRetained("b").toString());
    await().atMost(WAIT).until(() -> HttpProbe.get(nodes.get("b").gateway.httpPort(), "api.example.com", "/")
        .status() == 404);
    awaitApi("a");
  }

  /**
   * What only a node can refuse (its node policy: no upstream in 169.254.0.0/16) passes the sync's
   * validation and is rejected on the node: {@code fleet status} names the node, the resource and the
   * reason, and {@code --wait-applied} exits 1 until the source no longer has it.
   */
  @Test
  @Order(5)
  void fleetStatusReportsWhatANodeRejectedAndWaitAppliedFailsUntilTheSourceIsFixed() throws Exception {
    Path metadata = source.resolve("metadata.yaml");
    write(metadata, """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: metadata, namespace: default}
        spec:
          hosts: ["metadata.example.com"]
          gateways: [factory-gw]
          http:
          - route:
            - destination: {host: metadata}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: metadata, namespace: default}
        spec:
          ports: [{name: http, port: 9080}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: metadata, namespace: default}
        subsets:
        - addresses: [{ip: 169.254.169.254}]
          ports: [{name: http, port: 9080}]
        """);
    await().atMost(WAIT).until(() -> held("c").contains("endpoints/default/metadata"));
    Cli rejected = cli("fleet", "status", "--wait-applied", "--timeout", "40s");
    assertEquals(1, rejected.exit, rejected.toString());
    assertTrue(rejected.out.lines().anyMatch(l -> l.startsWith("c: ") && l.contains("Endpoints default/metadata")
        && l.contains("169.254.169.254")), rejected.out);
    // The node announces its own counts (what the sync's /gateways and /metrics show).
    await().atMost(WAIT).until(() -> java.util.Optional.ofNullable(sync.state().gateways().get("c"))
        .flatMap(io.edgegw.mqtt.GatewayAnnouncement::resources).map(c -> c.rejected() >= 1 && c.applied() > 0)
        .orElse(false));
    assertFalse(rejected.out.lines().anyMatch(l -> l.startsWith("a: ") || l.startsWith("b: ")), rejected.out);

    Files.delete(metadata);
    await().atMost(WAIT).until(() -> !held("c").contains("endpoints/default/metadata"));
    Cli fixed = cli("fleet", "status", "--wait-applied", "--timeout", "40s");
    assertEquals(0, fixed.exit, fixed.toString());
  }

  private static void awaitApi(String node) {
    EdgeGateway gateway = nodes.get(node).gateway;
    await().atMost(WAIT).until(() -> "api".equals(HttpProbe.get(gateway.httpPort(), "api.example.com", "/").backend()));
  }

  /** A GatewayClass selecting the shops, its Gateway (optionally with its own selector), a route and a key. */
  private static String gatewayApi(String gatewaySelector) throws Exception {
    String annotation = gatewaySelector.isEmpty() ? ""
        : "\n  annotations: {\"edgegw.io/gateway-selector\": \"" + gatewaySelector + "\"}";
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata:
          name: shops
          annotations: {"edgegw.io/gateway-selector": "role=shop"}
        spec: {controllerName: edgegw.io/gateway-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: api
          namespace: default%s
        spec:
          gatewayClassName: shops
          listeners:
          - {name: http, port: 80, protocol: HTTP, hostname: api.example.com}
          - name: https
            port: 443
            protocol: HTTPS
            hostname: api.example.com
            tls: {certificateRefs: [{name: api-cert}]}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: api, namespace: default}
        spec:
          parentRefs: [{name: api}]
          rules: [{backendRefs: [{name: api, port: 9080}]}]
        ---
        """.formatted(annotation)
        + EdgeGateway.service("api", api) + "---\n"
        + TestPki.secretYaml("api-cert", "default", pki.server("api", "api.example.com"), Optional.empty()) + "---\n"
        + TestPki.secretYaml("unused-cert", "default", pki.server("unused", "unused.example.com"), Optional.empty());
  }

  private static String shop(String backend) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: shop-gw, namespace: default}
        spec:
          selector: {role: shop}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["shop.example.com"]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: shop, namespace: default}
        spec:
          hosts: ["shop.example.com"]
          gateways: [shop-gw]
          http:
          - route:
            - destination: {host: %s}
        ---
        """.formatted(backend)
        + EdgeGateway.service("blue", blue) + "---\n" + EdgeGateway.service("green", green);
  }

  private static String factory() {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: factory-gw, namespace: default}
        spec:
          selector: {role: factory}
          servers:
          - port: {number: 80, name: http, protocol: HTTP}
            hosts: ["factory.example.com"]
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["factory.example.com"]
            tls: {mode: SIMPLE, credentialName: factory-cert}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: factory, namespace: default}
        spec:
          hosts: ["factory.example.com"]
          gateways: [factory-gw]
          http:
          - route:
            - destination: {host: plc}
        ---
        """ + EdgeGateway.service("plc", plc) + "---\n"
        + TestPki.secretYaml("factory-cert", "default", pki.server("factory", "factory.example.com"), Optional.empty());
  }

  /** Resources the cloud broker retains for gateway {@code id}, as {@code kind/namespace/name}. */
  private static Set<String> held(String id) {
    String root = "edgegw/" + id + "/resources/";
    Set<String> out = new TreeSet<>();
    cloudRetained.keySet().stream().filter(t -> t.startsWith(root)).forEach(t -> out.add(t.substring(root.length())));
    return out;
  }

  private static String announcement(String id) {
    return text("edgegw/" + id + "/status/gateway");
  }

  private static String text(String topic) {
    byte[] payload = cloudRetained.get(topic);
    return payload == null ? "" : new String(payload);
  }

  /** Topics node {@code id}'s own broker retains. */
  private static Set<String> nodeRetained(String id) throws Exception {
    Map<String, byte[]> seen = new ConcurrentHashMap<>();
    MqttClient client = new MqttClient(nodes.get(id).broker.url(), "it-node-look-" + id, new MemoryPersistence());
    client.setCallback(new Recorder(seen));
    client.connect();
    try {
      client.subscribe("edgegw/#", 1);
      Thread.sleep(1000);
    } finally {
      client.disconnect();
      client.close();
    }
    return new TreeSet<>(seen.keySet());
  }

  private record Cli(int exit, String out, String err) {}

  private static Cli cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--mqtt-url", cloud.url(), "--mqtt-username", "sync", "--mqtt-password-file", passwordFile().toString()));
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(all.toArray(String[]::new));
    return new Cli(exit, out.toString(), err.toString());
  }

  private static Path passwordFile() {
    Path file = dir.resolve("sync-password");
    try {
      if (!Files.exists(file)) {
        Files.writeString(file, SYNC_PASSWORD);
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return file;
  }

  /** As git does per file: the new content appears at once. */
  private static void write(Path file, String content) throws Exception {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, content);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static void run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  /** Keeps the latest payload per topic; an empty one removes the topic (a cleared retained message). */
  private record Recorder(Map<String, byte[]> into) implements MqttCallback {
    @Override
    public void messageArrived(String topic, MqttMessage message) {
      if (message.getPayload().length == 0) {
        into.remove(topic);
      } else {
        into.put(topic, message.getPayload());
      }
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {}

    @Override
    public void mqttErrorOccurred(MqttException exception) {}

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverURI) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}
