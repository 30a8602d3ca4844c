package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import com.google.rpc.Status;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admin API over HTTP, with a scripted Envoy talking to the callbacks. */
class AdminServerTest {
  static final String KEY_MARKER = "EDGEGW-TEST-PRIVATE-KEY-MARKER";

  private final HttpClient http = HttpClient.newHttpClient();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Metrics metrics = new Metrics(registry);
  private final SnapshotPublisher publisher = new SnapshotPublisher(SnapshotPublisher.newCache(), metrics, Clock.systemUTC(), 3);
  private final List<SnapshotPublisher.Rollback> rollbacks = new ArrayList<>();
  private final XdsCallbacks callbacks = new XdsCallbacks(Runnable::run, publisher, rollbacks::add, metrics, Clock.systemUTC());
  private final AtomicReference<StatusBoard> board = new AtomicReference<>(StatusBoard.EMPTY);
  private final AtomicReference<Liveness.Verdict> liveness =
      new AtomicReference<>(new Liveness.Verdict(true, ImmutableList.of()));
  private AdminServer admin;
  private int nonce;

  @BeforeEach
  void start() throws Exception {
    metrics.bindGauges(callbacks::status, () -> false, board::get);
    admin = AdminServer.start(new HostPort("127.0.0.1", 0), new AdminServer.View(
        callbacks::status, board::get, publisher::current, publisher::versions, registry::scrape, liveness::get));
  }

  @AfterEach
  void stop() {
    admin.close();
  }

  static EnvoyResources withSecret(EnvoyResources r) {
    Secret secret = Secret.newBuilder().setName("default/gw-cert")
        .setTlsCertificate(TlsCertificate.newBuilder()
            .setCertificateChain(DataSource.newBuilder().setInlineString("-----BEGIN CERTIFICATE-----"))
            .setPrivateKey(DataSource.newBuilder().setInlineString("-----BEGIN PRIVATE KEY-----\n" + KEY_MARKER)))
        .build();
    return new EnvoyResources(r.listeners(), r.routes(), r.clusters(), r.endpoints(), ImmutableList.of(secret));
  }

  @Test
  void configDumpFiltersByTypeAndNameAndNeverShowsAPrivateKey() throws Exception {
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, publisher.publish(withSecret(Fixtures.simple("r1", "c1"))));
    String all = get("/config_dump").body();
    assertFalse(all.contains(KEY_MARKER), all);
    assertTrue(all.contains("[redacted]"), all);
    JsonNode dump = json(all);
    assertEquals(publisher.current().orElseThrow().version(), dump.path("version").asText());
    assertEquals(1, dump.path("counts").path("secrets").asInt());

    JsonNode secrets = json(get("/config_dump?type=secrets").body());
    assertEquals(List.of("secrets"), fieldNames(secrets.path("resources")));
    assertEquals("default/gw-cert", secrets.path("resources").path("secrets").path(0).path("name").asText());
    assertFalse(secrets.toString().contains(KEY_MARKER));

    JsonNode cluster = json(get("/config_dump?type=clusters&name=c1").body()).path("resources");
    assertEquals(List.of("clusters"), fieldNames(cluster));
    assertEquals("c1", cluster.path("clusters").path(0).path("name").asText());
    JsonNode named = json(get("/config_dump?name=r1").body()).path("resources");
    assertEquals(1, named.path("routes").size());
    assertEquals(0, named.path("clusters").size());
    assertEquals(0, json(get("/config_dump?type=clusters&name=nope").body()).path("resources").path("clusters").size());

    JsonNode summary = json(get("/config_dump?summary").body());
    assertTrue(summary.path("resources").isMissingNode());
    assertEquals(1, summary.path("counts").path("clusters").asInt());

    HttpResponse<String> bad = get("/config_dump?type=bogus");
    assertEquals(400, bad.statusCode());
    assertTrue(json(bad.body()).path("error").asText().contains("listeners, routes, clusters, endpoints, secrets"));
  }

  @Test
  void routeScopesAreDumpedCountedVersionedAndListedAsChanges() throws Exception {
    EnvoyResources scoped = Fixtures.scoped(Map.of("http.80", List.of("a.example.com", "b.example.com")));
    assertEquals(SnapshotPublisher.Outcome.PUBLISHED, publisher.publish(scoped));
    JsonNode dump = json(get("/config_dump").body());
    assertEquals(2, dump.path("counts").path("scopes").asInt());
    assertEquals(publisher.current().orElseThrow().versions().of(SnapshotVersions.SCOPES),
        dump.path("versions").path("scopes").asText());
    JsonNode scopes = json(get("/config_dump?type=scopes").body()).path("resources");
    assertEquals(List.of("scopes"), fieldNames(scopes));
    assertEquals("http.80/a.example.com", scopes.path("scopes").path(0).path("route_configuration_name").asText());
    assertEquals("a.example.com", scopes.path("scopes").path(0).path("key").path("fragments").path(0)
        .path("string_key").asText());
    assertEquals(1, json(get("/config_dump?name=http.80/b.example.com").body()).path("resources").path("scopes").size());

    JsonNode latest = json(get("/versions?limit=1").body()).path("versions").path(0);
    assertEquals(List.of("http.80/a.example.com", "http.80/b.example.com"),
        texts(latest.path("changes").path("scopes").path("added")));
  }

  @Test
  void resourcesFilterByKindNamespaceNameAndStatus() throws Exception {
    ResourceKey a = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "a");
    ResourceKey b = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "b");
    ResourceKey gw = ResourceKey.of(Kind.GATEWAY, "edge", "gw");
    board.set(new StatusBoard(ImmutableSortedMap.of(
        a, new ResourceStatus(a, ResourceStatus.State.APPLIED, "mqtt", ImmutableList.of(), ImmutableList.of(), Optional.of("v1"), false),
        b, new ResourceStatus(b, ResourceStatus.State.REJECTED, "mqtt", ImmutableList.of("spec.bad: must not be true"),
            ImmutableList.of(), Optional.empty(), false),
        gw, new ResourceStatus(gw, ResourceStatus.State.REJECTED_BY_ENVOY, "file", ImmutableList.of("rejected by Envoy: x"),
            ImmutableList.of(), Optional.empty(), false)),
        ImmutableSortedMap.of("mqtt:edgegw/x/resources/gateway/edge/broken", "not YAML")));

    JsonNode all = json(get("/resources").body());
    assertEquals(3, all.path("resources").size());
    assertEquals(1, all.path("unreadable").size());

    JsonNode rejected = json(get("/resources?status=rejected").body());
    assertEquals(List.of("gw", "b"), names(rejected), "in kind order, then namespace and name");
    assertEquals("spec.bad: must not be true", rejected.path("resources").path(1).path("reasons").path(0).asText());
    assertEquals(1, rejected.path("unreadable").size());
    assertEquals(List.of("gw"), names(json(get("/resources?status=rejected_by_envoy").body())));
    assertEquals(List.of("a"), names(json(get("/resources?status=applied").body())));
    assertEquals(List.of("a", "b"), names(json(get("/resources?kind=virtualservice").body())));
    JsonNode byName = json(get("/resources?kind=VirtualService&namespace=default&name=b").body());
    assertEquals(List.of("b"), names(byName));
    assertEquals(0, byName.path("unreadable").size(), "unreadable input has no key to match");
    assertEquals(List.of(), names(json(get("/resources?namespace=other").body())));
    assertEquals(400, get("/resources?status=bogus").statusCode());
  }

  @Test
  void theTwoGatewayKindsAreToldApart() throws Exception {
    ResourceKey istio = ResourceKey.of(Kind.GATEWAY, "edge", "gw");
    ResourceKey gatewayApi = ResourceKey.of(Kind.K8S_GATEWAY, "edge", "gw");
    board.set(new StatusBoard(ImmutableSortedMap.of(
        istio, new ResourceStatus(istio, ResourceStatus.State.APPLIED, "mqtt", ImmutableList.of(), ImmutableList.of(), Optional.of("v1"), false),
        gatewayApi, new ResourceStatus(gatewayApi, ResourceStatus.State.REJECTED, "mqtt", ImmutableList.of("spec: x"),
            ImmutableList.of(), Optional.empty(), false)),
        ImmutableSortedMap.of()));
    JsonNode plain = json(get("/resources?kind=Gateway").body()).path("resources");
    assertEquals(1, plain.size());
    assertEquals("Gateway", plain.path(0).path("kind").asText());
    assertEquals("applied", plain.path(0).path("status").asText());
    for (String name : List.of("Gateway.gateway.networking.k8s.io", "gateways.gateway.networking.k8s.io")) {
      JsonNode qualified = json(get("/resources?kind=" + name).body()).path("resources");
      assertEquals(1, qualified.size(), name);
      assertEquals("Gateway.gateway.networking.k8s.io", qualified.path(0).path("kind").asText());
      assertEquals("rejected", qualified.path(0).path("status").asText());
    }
    assertEquals(0, json(get("/resources?kind=nosuchkind").body()).path("resources").size());
  }

  @Test
  void clientsShowAcksAndTheNackWithEnvoysMessage() throws Exception {
    callbacks.onStreamOpen(7, "");
    publisher.publish(Fixtures.simple("r1", "c1"), ImmutableList.of("VirtualService default/a"));
    SnapshotPublisher.Published good = publisher.current().orElseThrow();
    for (String type : good.versions().byTypeUrl().keySet()) {
      respondAndReply(type, good, null);
    }
    publisher.publish(Fixtures.simple("r1", "c2"), ImmutableList.of("VirtualService default/b"));
    SnapshotPublisher.Published bad = publisher.current().orElseThrow();
    respondAndReply(SnapshotVersions.CLUSTERS, bad, "cluster c2: invalid\n  at line 3");

    JsonNode clients = json(get("/clients").body()).path("clients");
    assertEquals(1, clients.size());
    JsonNode envoy = clients.path(0);
    assertEquals("envoy-1", envoy.path("node").asText());
    assertEquals("edge-gw", envoy.path("cluster").asText());
    assertEquals(7, envoy.path("streams").path(0).asInt());
    assertFalse(envoy.path("connectedSince").asText().isEmpty());
    JsonNode clusters = envoy.path("types").path("clusters");
    assertEquals(good.versions().of(SnapshotVersions.CLUSTERS), clusters.path("acked").path("version").asText());
    assertEquals(bad.versions().of(SnapshotVersions.CLUSTERS), clusters.path("lastNack").path("version").asText());
    assertEquals("cluster c2: invalid at line 3", clusters.path("lastNack").path("message").asText());
    assertTrue(clusters.path("rejecting").asBoolean());
    assertFalse(envoy.path("types").path("listeners").path("rejecting").asBoolean());
    assertTrue(envoy.path("types").path("listeners").path("lastNack").isMissingNode());

    // /versions, newest first: the rollback, the rejected snapshot, the first one.
    JsonNode versions = json(get("/versions").body()).path("versions");
    assertEquals(3, versions.size());
    assertEquals("rollback", versions.path(0).path("cause").asText());
    assertEquals("serving", versions.path(0).path("outcome").asText());
    assertEquals(good.version(), versions.path(0).path("version").asText());
    assertEquals(bad.version(), versions.path(1).path("version").asText());
    assertEquals("rolled back", versions.path(1).path("outcome").asText());
    assertTrue(versions.path(1).path("rejection").asText().contains("cluster c2: invalid"));
    assertEquals("VirtualService default/b", versions.path(1).path("trigger").path(0).asText());
    assertEquals(List.of("c2"), texts(versions.path(1).path("changes").path("clusters").path("added")));
    assertEquals(List.of("c1"), texts(versions.path(1).path("changes").path("clusters").path("removed")));
    assertTrue(versions.path(1).path("changes").path("listeners").isMissingNode(), "unchanged types are left out");
    assertEquals("served", versions.path(2).path("outcome").asText());
    assertEquals(List.of("listeners", "routes", "clusters", "endpoints"), fieldNames(versions.path(2).path("changes")));
    assertEquals(1, json(get("/versions?limit=1").body()).path("versions").size());
    assertEquals(400, get("/versions?limit=x").statusCode());

    // Kept: the last 3 only.
    publisher.publish(Fixtures.simple("r1", "c3"));
    publisher.publish(Fixtures.simple("r1", "c4"));
    assertEquals(3, json(get("/versions").body()).path("versions").size());

    // Another ACK of clusters ends the rejection.
    respondAndReply(SnapshotVersions.CLUSTERS, publisher.current().orElseThrow(), null);
    assertFalse(json(get("/clients").body()).path("clients").path(0).path("types").path("clusters").path("rejecting").asBoolean());
    callbacks.onStreamClose(7, "");
    assertEquals(0, json(get("/clients").body()).path("clients").size());
  }

  @Test
  void metricsAreValidPrometheusTextAndCount() throws Exception {
    Map<String, Double> before = PrometheusText.parse(get("/metrics").body());
    assertEquals(0.0, before.get("edgegw_envoys_connected"));
    assertEquals(0.0, before.get("edgegw_mqtt_connected"));
    assertEquals(0.0, before.get("edgegw_messages_received_total"));

    callbacks.onStreamOpen(7, "");
    publisher.publish(Fixtures.simple("r1", "c1"));
    respondAndReply(SnapshotVersions.LISTENERS, publisher.current().orElseThrow(), null);
    publisher.publish(Fixtures.simple("r1", "c2"));
    respondAndReply(SnapshotVersions.CLUSTERS, publisher.current().orElseThrow(), "no");
    ResourceKey b = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "b");
    board.set(new StatusBoard(ImmutableSortedMap.of(b, new ResourceStatus(b, ResourceStatus.State.REJECTED, "mqtt",
        ImmutableList.of("x"), ImmutableList.of(), Optional.empty(), false)), ImmutableSortedMap.of()));

    HttpResponse<String> response = get("/metrics");
    assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain"));
    Map<String, Double> after = PrometheusText.parse(response.body());
    assertEquals(2.0, after.get("edgegw_snapshots_pushed_total{cause=\"update\"}"));
    assertEquals(1.0, after.get("edgegw_snapshots_pushed_total{cause=\"rollback\"}"));
    assertEquals(1.0, after.get("edgegw_xds_acks_total{type=\"listeners\"}"));
    assertEquals(1.0, after.get("edgegw_xds_nacks_total{type=\"clusters\"}"));
    assertEquals(1.0, after.get("edgegw_envoys_connected"));
    assertEquals(1.0, after.get("edgegw_resources{status=\"rejected\"}"));
    assertEquals(0.0, after.get("edgegw_resources{status=\"applied\"}"));
    assertTrue(after.containsKey("edgegw_translation_seconds_count"), after.keySet().toString());
  }

  @Test
  void unknownPathsAre404AndOtherMethods405AsJson() throws Exception {
    HttpResponse<String> missing = get("/nope");
    assertEquals(404, missing.statusCode());
    JsonNode body = json(missing.body());
    assertEquals("no such endpoint: /nope", body.path("error").asText());
    assertTrue(texts(body.path("endpoints")).contains("/clients"));
    assertEquals(404, get("/config_dump/x").statusCode());

    HttpResponse<String> post = http.send(HttpRequest.newBuilder(uri("/resources"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
    assertEquals("GET", post.headers().firstValue("Allow").orElseThrow());
    assertTrue(json(post.body()).path("error").asText().contains("POST"));

    HttpResponse<String> notReady = get("/healthz/ready");
    assertEquals(503, notReady.statusCode());
    assertFalse(json(notReady.body()).path("ready").asBoolean());
  }

  @Test
  void liveAnswers200WhileIntakeWorksAnd503WithTheReasonsWhenItIsWedged() throws Exception {
    HttpResponse<String> live = get("/healthz/live");
    assertEquals(200, live.statusCode());
    assertTrue(json(live.body()).path("live").asBoolean());
    assertEquals(0, json(live.body()).path("problems").size());

    liveness.set(new Liveness.Verdict(false, ImmutableList.of("config loop: no probe task ran for 61 s")));
    HttpResponse<String> wedged = get("/healthz/live");
    assertEquals(503, wedged.statusCode());
    assertFalse(json(wedged.body()).path("live").asBoolean());
    assertEquals("config loop: no probe task ran for 61 s", json(wedged.body()).path("problems").get(0).asText());
  }

  @Test
  void aForeignHostHeaderIsRefusedAgainstDnsRebinding() throws Exception {
    String refused = raw("GET /versions HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assertTrue(refused.startsWith("HTTP/1.1 421 "), refused);
    assertTrue(refused.contains("Host 'evil.example' is not served here"), refused);
    assertFalse(refused.contains("\"versions\""), refused);
    String ok = raw("GET /versions HTTP/1.1\r\nHost: 127.0.0.1:" + admin.port() + "\r\nConnection: close\r\n\r\n");
    assertTrue(ok.startsWith("HTTP/1.1 200 "), ok);
    assertTrue(raw("GET /versions HTTP/1.0\r\n\r\n").startsWith("HTTP/1.1 200 "));
    assertTrue(raw("GET /versions HTTP/1.1\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 400 "));
    assertTrue(raw("GET http://evil.example/versions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .startsWith("HTTP/1.1 421 "));
  }

  private String raw(String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", admin.port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private void respondAndReply(String typeUrl, SnapshotPublisher.Published published, String error) {
    String n = Integer.toString(nonce++);
    DiscoveryRequest request = DiscoveryRequest.newBuilder().setTypeUrl(typeUrl)
        .setNode(Node.newBuilder().setId("envoy-1").setCluster("edge-gw")).build();
    callbacks.onV3StreamRequest(7, request);
    callbacks.onV3StreamResponse(7, request, DiscoveryResponse.newBuilder().setTypeUrl(typeUrl)
        .setVersionInfo(published.versions().of(typeUrl)).setNonce(n).build());
    DiscoveryRequest.Builder reply = DiscoveryRequest.newBuilder().setTypeUrl(typeUrl).setResponseNonce(n);
    if (error != null) {
      reply.setErrorDetail(Status.newBuilder().setCode(3).setMessage(error));
    }
    callbacks.onV3StreamRequest(7, reply.build());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + admin.port() + path);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String body) throws Exception {
    return new ObjectMapper().readTree(body);
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> names(JsonNode resources) {
    List<String> names = new ArrayList<>();
    resources.path("resources").forEach(r -> names.add(r.path("name").asText()));
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
