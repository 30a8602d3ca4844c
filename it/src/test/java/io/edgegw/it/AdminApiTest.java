package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.server.PrometheusText;
import io.edgegw.server.SnapshotPublisher;
import io.edgegw.server.SnapshotVersions;
import io.edgegw.server.cli.Main;
import io.edgegw.translator.EnvoyResources;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The sidecar's admin API and {@code edgegw status} while a real Envoy is connected: what it serves,
 * to whom, the metrics, and a NACK from Envoy as /clients, /versions and status show it. In order, on
 * one gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdminApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static HttpBackend productpage;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    productpage = HttpBackend.start("productpage");
    gw = EdgeGateway.start();
    gw.publishExample("bookinfo", Map.of("productpage", productpage));
    gw.awaitStatus("h", "/productpage", 200);
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, productpage);
  }

  @Test
  @Order(1)
  void clientsShowTheConnectedEnvoyAndWhatItAcked() {
    SnapshotVersions served = gw.sidecar().publisher().current().orElseThrow().versions();
    JsonNode envoy = await().atMost(Duration.ofSeconds(10)).until(() -> json("/clients").path("clients").path(0),
        c -> served.of(SnapshotVersions.ROUTES).equals(c.path("types").path("routes").path("acked").path("version").asText()));
    assertThat(envoy.path("node").asText()).isEqualTo("edgegw-it");
    assertThat(envoy.path("cluster").asText()).isEqualTo("edgegateway");
    assertThat(envoy.path("streams")).hasSize(1);
    for (String type : new String[] {"listeners", "routes", "clusters", "endpoints"}) {
      assertThat(envoy.path("types").path(type).path("rejecting").asBoolean()).as(type).isFalse();
      assertThat(envoy.path("types").path(type).path("lastNack").isMissingNode()).as(type).isTrue();
    }
    assertThat(json("/clients").path("clients")).hasSize(1);

    JsonNode ready = json("/healthz/ready");
    assertThat(ready.path("ready").asBoolean()).isTrue();
    assertThat(ready.path("version").asText()).isEqualTo(gw.servedVersion());

    JsonNode latest = json("/versions").path("versions").path(0);
    assertThat(latest.path("version").asText()).isEqualTo(gw.servedVersion());
    assertThat(latest.path("outcome").asText()).isEqualTo("serving");
    assertThat(json("/versions").toString()).contains("\"VirtualService default/bookinfo\"");

    JsonNode vs = json("/resources?kind=VirtualService&name=bookinfo").path("resources");
    assertThat(vs).hasSize(1);
    assertThat(vs.path(0).path("status").asText()).isEqualTo("applied");
    JsonNode listener = json("/config_dump?type=listeners").path("resources");
    assertThat(listener.path("listeners")).hasSize(1);
    assertThat(listener.has("clusters")).isFalse();
  }

  @Test
  @Order(2)
  void metricsAreCountedAcrossALiveChange() {
    Map<String, Double> before = metrics();
    assertThat(before.get("edgegw_envoys_connected")).isEqualTo(1.0);
    assertThat(before.get("edgegw_mqtt_connected")).isEqualTo(1.0);
    assertThat(before.get("edgegw_resources{status=\"applied\"}")).isEqualTo(4.0);

    gw.publish(BookinfoRoutingTest.bookinfoVs("""
          - match:
            - uri:
                prefix: /metrics-test
            route:
            - destination:
                host: productpage
                port:
                  number: 9080
        """));
    gw.awaitStatus("h", "/metrics-test", 200);
    Map<String, Double> after = await().atMost(Duration.ofSeconds(10)).until(AdminApiTest::metrics,
        m -> m.get("edgegw_xds_acks_total{type=\"routes\"}") > before.get("edgegw_xds_acks_total{type=\"routes\"}"));
    assertThat(after.get("edgegw_messages_received_total")).isGreaterThan(before.get("edgegw_messages_received_total"));
    assertThat(after.get("edgegw_snapshots_built_total")).isGreaterThan(before.get("edgegw_snapshots_built_total"));
    assertThat(after.get("edgegw_snapshots_pushed_total{cause=\"update\"}"))
        .isGreaterThan(before.get("edgegw_snapshots_pushed_total{cause=\"update\"}"));
    assertThat(after.get("edgegw_translation_seconds_count")).isGreaterThan(before.get("edgegw_translation_seconds_count"));
    assertThat(after.get("edgegw_messages_rejected_total")).isEqualTo(before.get("edgegw_messages_rejected_total"));
  }

  @Test
  @Order(3)
  void statusSummarisesAHealthySidecar() throws Exception {
    StringWriter out = new StringWriter();
    int code = status(out, "--admin-address", "127.0.0.1:" + gw.sidecar().adminPort());
    assertThat(code).as(out.toString()).isZero();
    assertThat(out.toString())
        .contains("sidecar 127.0.0.1:" + gw.sidecar().adminPort() + ": ready")
        .contains("serving   " + gw.servedVersion().substring(0, 12) + " (1 listeners, 1 routes, 1 clusters, 1 endpoints, 0 secrets)")
        .contains("envoys    1 connected")
        .contains("edgegw-it (cluster edgegateway, since ")
        .contains("routes ACK ")
        .contains("resources 4 applied")
        .doesNotContain("problems:");
  }

  @Test
  @Order(4)
  void aNackShowsInClientsVersionsMetricsAndStatus() throws Exception {
    String goodVersion = gw.servedVersion();
    double nacksBefore = metrics().getOrDefault("edgegw_xds_nacks_total{type=\"routes\"}", 0.0);
    SnapshotPublisher.Published good = gw.sidecar().publisher().current().orElseThrow();
    EnvoyResources broken = BrokenConfig.withInvalidRouteRegex(good.resources());
    SnapshotVersions bad = SnapshotVersions.of(broken);
    assertThat(gw.sidecar().publishRaw(broken)).isEqualTo(SnapshotPublisher.Outcome.PUBLISHED);

    // Envoy NACKs the bad routes and the sidecar puts the good snapshot back, which Envoy still runs:
    // its last answer for routes stays the NACK until the next change.
    JsonNode routes = await().atMost(Duration.ofSeconds(10)).until(
        () -> json("/clients").path("clients").path(0).path("types").path("routes"), r -> r.path("rejecting").asBoolean());
    assertThat(routes.path("lastNack").path("message").asText()).contains("missing ]");
    assertThat(routes.path("lastNack").path("version").asText())
        .isEqualTo(bad.of(SnapshotVersions.ROUTES));
    assertThat(routes.path("acked").path("version").asText()).isEqualTo(good.versions().of(SnapshotVersions.ROUTES));
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.servedVersion().equals(goodVersion));

    JsonNode versions = json("/versions?limit=2").path("versions");
    assertThat(versions.path(0).path("cause").asText()).isEqualTo("rollback");
    assertThat(versions.path(0).path("version").asText()).isEqualTo(goodVersion);
    assertThat(versions.path(1).path("version").asText()).isEqualTo(bad.overall());
    assertThat(versions.path(1).path("outcome").asText()).isEqualTo("rolled back");
    assertThat(versions.path(1).path("rejection").asText()).startsWith("RouteConfiguration rejected by Envoy: ").contains("missing ]");
    assertThat(versions.path(1).path("changes").path("routes").path("changed").path(0).asText()).isNotEmpty();
    // At least one: the cache may re-send the bad version before the rollback lands, and Envoy NACKs it again.
    assertThat(metrics().get("edgegw_xds_nacks_total{type=\"routes\"}")).isGreaterThanOrEqualTo(nacksBefore + 1);

    StringWriter out = new StringWriter();
    assertThat(status(out, "--admin-address", "127.0.0.1:" + gw.sidecar().adminPort())).as(out.toString()).isEqualTo(1);
    assertThat(out.toString())
        .contains("routes NACK " + bad.of(SnapshotVersions.ROUTES).substring(0, 12))
        .contains("last push " + goodVersion.substring(0, 12)).contains("(rollback, serving)")
        .contains("problems:")
        .contains("Envoy edgegw-it rejected routes version " + bad.of(SnapshotVersions.ROUTES).substring(0, 12) + ": ")
        .contains("missing ]");

    // The next change is ACKed: the NACK is history, shown but no longer a problem.
    gw.publish(BookinfoRoutingTest.bookinfoVs(""));
    await().atMost(Duration.ofSeconds(10)).until(
        () -> !json("/clients").path("clients").path(0).path("types").path("routes").path("rejecting").asBoolean());
    out.getBuffer().setLength(0);
    assertThat(status(out, "--admin-address", "127.0.0.1:" + gw.sidecar().adminPort())).as(out.toString()).isZero();
    assertThat(out.toString()).contains("    earlier NACK of routes " + bad.of(SnapshotVersions.ROUTES).substring(0, 12))
        .contains("missing ]").doesNotContain("problems:");
  }

  @Test
  @Order(5)
  void aRejectedResourceIsListedWithItsReasonsByStatusAndResources() throws Exception {
    gw.publish("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: broken, namespace: default}
        spec: {hosts: ["*"], gateways: [bookinfo-gateway], http: [{route: [{destination: {host: productpage}}], bogusField: 1}]}
        """);
    JsonNode rejected = await().atMost(Duration.ofSeconds(10)).until(
        () -> json("/resources?status=rejected").path("resources"), r -> r.size() == 1);
    assertThat(rejected.path(0).path("name").asText()).isEqualTo("broken");
    assertThat(rejected.path(0).path("reasons").toString()).contains("bogusField");

    StringWriter out = new StringWriter();
    assertThat(status(out, "--admin-address", "127.0.0.1:" + gw.sidecar().adminPort(), "-o", "json")).isEqualTo(1);
    JsonNode doc = JSON.readTree(out.toString());
    assertThat(doc.path("ready").asBoolean()).isTrue();
    assertThat(doc.path("version").asText()).isEqualTo(gw.servedVersion());
    assertThat(doc.path("clients")).hasSize(1);
    assertThat(doc.path("problems").toString()).contains("rejected VirtualService default/broken: ").contains("bogusField");
    assertThat(HttpProbe.get(gw.sidecar().adminPort(), "127.0.0.1", "/nope").status()).isEqualTo(404);
  }

  private static int status(StringWriter out, String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "status";
    System.arraycopy(args, 0, command, 1, args.length);
    return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true)).execute(command);
  }

  private static Map<String, Double> metrics() {
    return PrometheusText.parse(gw.admin("/metrics"));
  }

  private static JsonNode json(String path) {
    try {
      return JSON.readTree(gw.admin(path));
    } catch (java.io.IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
