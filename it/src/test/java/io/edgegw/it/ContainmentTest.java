package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.FreePorts;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.it.harness.TrafficLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A resource that passes every check we can make but that Envoy still refuses must cost only itself.
 * The poison here is one no validation can foresee: a Gateway server on a port that another process on
 * the node already holds, so Envoy cannot bind it and NACKs the listeners. Everything else keeps being
 * served and every later change flows; the culprit is quarantined with Envoy's own message, stays so
 * across restarts without flapping, and a fixed version lifts it. A real sidecar process, a real Envoy
 * and a real broker throughout, with traffic running on an unrelated route.
 */
class ContainmentTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @Test
  void aResourceEnvoyRefusesIsQuarantinedWhileEveryOtherChangeKeepsFlowing() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start();
        ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName(FreePorts.LOOPBACK))) {
      gw.publish(Manifests.bookinfo(productpage));
      awaitEcho(gw, "bookinfo.local", "/productpage");
      try (TrafficLoop traffic = goodTraffic(gw)) {
        // The poison arrives together with good changes: one snapshot, several suspects.
        StringBuilder burst = new StringBuilder(tenantGateway(squatter.getLocalPort()));
        for (int i = 1; i <= 6; i++) {
          burst.append("---\n").append(Manifests.counterVs("burst-" + i, "burst-" + i + ".local", i));
        }
        gw.publish(burst.toString());
        awaitQuarantined(gw);
        for (int i = 1; i <= 6; i++) {
          awaitEcho(gw, "burst-" + i + ".local", "/v-" + i);
        }
        assertThat(reasons(gw)).contains("rejected by Envoy").contains(String.valueOf(squatter.getLocalPort()));

        // Later changes keep flowing, and the quarantined Gateway is not offered to Envoy again.
        long nacks = gw.envoy().nacks();
        assertThat(nacks).isPositive();
        for (int n = 1; n <= 10; n++) {
          gw.publish(Manifests.counterVs("counter", "counter.local", n));
          awaitEcho(gw, "counter.local", "/v-" + n, Duration.ofSeconds(5));
        }
        assertThat(gw.envoy().nacks()).as("NACKs after the quarantine").isEqualTo(nacks);
        assertThat(status(gw)).isEqualTo("rejected by envoy");
        assertThat(Files.readString(gw.stateDir().resolve("quarantine.json"))).contains("gateway/tenant/tenant-gw");

        // A restart (kill -9) keeps it out from the first translation: no new NACK, nothing lost.
        gw.sidecar().kill9();
        gw.sidecar().restart();
        gw.envoy().awaitXdsConnected(CONVERGE);
        gw.publish(Manifests.counterVs("counter", "counter.local", 11));
        awaitEcho(gw, "counter.local", "/v-11");
        assertThat(status(gw)).isEqualTo("rejected by envoy");
        assertThat(gw.envoy().nacks()).as("NACKs after the restart").isEqualTo(nacks);

        // A fixed version lifts the quarantine and is served.
        int free = FreePorts.next();
        gw.publish(tenantGateway(free) + "---\n" + tenantVs());
        await().atMost(CONVERGE).until(() -> status(gw).equals("applied"));
        await().atMost(CONVERGE).ignoreExceptions()
            .until(() -> "productpage".equals(HttpProbe.get(free, "tenant.local", "/t").backend()));
        assertThat(Files.exists(gw.stateDir().resolve("quarantine.json"))).isFalse();

        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests on the unrelated route: %s", result).isZero();
        assertThat(result.ok()).isPositive();
      }
    }
  }

  /**
   * The poison reaches the store but the sidecar dies before Envoy ever sees it: the start finds its
   * saved snapshot older than the store, translates, and Envoy refuses. It must roll back to what Envoy
   * had (not to nothing), suspect only what changed since, and serve all the rest.
   */
  @Test
  void aStartWithAStoredPoisonNeverEmptiesEnvoy() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start();
        ServerSocket squatter = new ServerSocket(0, 50, InetAddress.getByName(FreePorts.LOOPBACK))) {
      gw.publish(Manifests.bookinfo(productpage));
      gw.publish(Manifests.counterVs("counter", "counter.local", 1));
      awaitEcho(gw, "bookinfo.local", "/productpage");
      awaitEcho(gw, "counter.local", "/v-1");
      await().atMost(CONVERGE).until(() -> gw.sidecar().ready());
      Thread.sleep(1500); // the acknowledged snapshot is saved at most once a second
      try (TrafficLoop traffic = goodTraffic(gw)) {
        gw.sidecar().stop();
        // What a crash right after storing would leave: the poison (and a good new VS) on disk, never served.
        Path resources = gw.stateDir().resolve("resources");
        write(resources.resolve("gateway/tenant/tenant-gw.json"), json(tenantGateway(squatter.getLocalPort())));
        write(resources.resolve("virtualservice/default/fresh.json"), json(Manifests.counterVs("fresh", "fresh.local", 2)));
        gw.sidecar().restart();
        gw.envoy().awaitXdsConnected(CONVERGE);

        awaitQuarantined(gw);
        awaitEcho(gw, "fresh.local", "/v-2");
        awaitEcho(gw, "counter.local", "/v-1");
        assertThat(gw.sidecar().log()).contains("the saved snapshot predates the stored resources");
        assertThat(gw.envoy().stat("listener_manager.total_listeners_active")).isPositive();
        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests during the start: %s", result).isZero();
        assertThat(result.ok()).isPositive();
      }
    }
  }

  private static TrafficLoop goodTraffic(ProcessGateway gw) {
    return TrafficLoop.start(gw.sidecar().httpPort(), "bookinfo.local", "/productpage",
        r -> r.status() == 200 && "productpage".equals(r.backend()));
  }

  private static void awaitQuarantined(ProcessGateway gw) {
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).until(() -> status(gw).equals("rejected by envoy"));
  }

  /** A Gateway in its own namespace with one HTTP server on {@code port}, bound as it is (no port map). */
  private static String tenantGateway(int port) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: tenant-gw, namespace: tenant}
        spec:
          selector: {istio: edgegateway}
          servers:
          - port: {number: %d, name: http, protocol: HTTP}
            hosts: ["tenant.local"]
        """.formatted(port);
  }

  private static String tenantVs() {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: tenant-vs, namespace: tenant}
        spec:
          hosts: ["tenant.local"]
          gateways: [tenant-gw]
          http:
          - route:
            - destination:
                host: productpage.default.svc.cluster.local
                port: {number: 9080}
        """;
  }

  private static JsonNode gatewayStatus(ProcessGateway gw) {
    JsonNode list = Manifests.json(gw.sidecar().admin("/resources?kind=Gateway&namespace=tenant&name=tenant-gw"))
        .path("resources");
    return list.size() == 1 ? list.get(0) : Manifests.json("{}");
  }

  private static String status(ProcessGateway gw) {
    return gatewayStatus(gw).path("status").asText();
  }

  private static String reasons(ProcessGateway gw) {
    List<String> reasons = new ArrayList<>();
    gatewayStatus(gw).path("reasons").forEach(r -> reasons.add(r.asText()));
    return String.join("; ", reasons);
  }

  /** The YAML manifest as the JSON the store keeps. */
  private static String json(String yaml) throws IOException {
    return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(
        new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(yaml));
  }

  private static void write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }
}
