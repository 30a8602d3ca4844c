package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TrafficLoop;
import io.edgegw.server.SidecarConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #11, the node policy (a deliberate difference from istiod): what published config may expose on
 * this node. Real Envoy, real broker, the sidecar's default policy except where a test says otherwise.
 */
class NodePolicyTest {
  private static final String HEALTHY = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: healthy, namespace: default}
      spec:
        hosts: [healthy.local]
        gateways: [gw]
        http: [{directResponse: {status: 200, body: {string: ok}}}]
      """;

  /** The sidecar's defaults: no upstream on loopback or link-local (the harness allows loopback). */
  private static SidecarConfig.NodePolicySettings defaults(SidecarConfig.NodePolicySettings harness) {
    return new SidecarConfig.NodePolicySettings(harness.listenAddresses(), harness.minListenPort(), harness.maxListenPort(),
        ImmutableList.of(), harness.envoyAdminPort());
  }

  @Test
  void byDefaultLoopbackAndLinkLocalUpstreamsAndListenersBeyondThePolicyAreRefused() throws Exception {
    try (HttpBackend local = HttpBackend.start("local-service");
        EdgeGateway gw = EdgeGateway.startWithNodePolicy(NodePolicyTest::defaults)) {
      gw.publish(EdgeGateway.HTTP_GATEWAY);
      gw.publish(HEALTHY);
      gw.awaitStatus("healthy.local", "/", 200);
      try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "healthy.local", "/",
          r -> r.status() == 200 && r.body().equals("ok"))) {
        gw.publish(serviceEntryAndRoute("loopback", "127.0.0.1", local.port()));
        gw.publish(serviceEntryAndRoute("metadata", "169.254.169.254", 80));
        // --listener-address is 127.0.0.1 here: bind 0.0.0.0 no longer wins over it.
        gw.publish(gateway("everywhere", 9000, ", bind: 0.0.0.0"));
        // Port 81 is not in the harness's --port-map: Envoy would bind 81 itself.
        gw.publish(gateway("privileged", 81, ""));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          JsonNode resources = Manifests.json(gw.admin("/resources"));
          assertThat(EnvoyLimitsTest.reasons(resources, "loopback"))
              .contains("spec.endpoints[0].address: upstream address 127.0.0.1 is refused by this node's policy")
              .contains("--allow-upstream");
          assertThat(EnvoyLimitsTest.reasons(resources, "metadata"))
              .contains("spec.endpoints[0].address: upstream address 169.254.169.254 is refused by this node's policy");
          assertThat(EnvoyLimitsTest.reasons(resources, "everywhere"))
              .contains("spec.servers[0].bind: address 0.0.0.0 is not one this node lets listeners bind [127.0.0.1]");
          assertThat(EnvoyLimitsTest.reasons(resources, "privileged"))
              .contains("spec.servers[0].port.number: port 81 is outside the ports this node lets listeners bind, 1024-65535");
        });
        // The routes exist, without endpoints: Envoy answers 503 and the loopback service is never reached.
        gw.awaitStatus("loopback.local", "/", 503);
        gw.awaitStatus("metadata.local", "/", 503);
        assertThat(gw.get("loopback.local", "/").backend()).isNull();
        assertThat(gw.envoy().admin("/listeners")).doesNotContain("0.0.0.0:").doesNotContainPattern(":81\\b");

        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests on the unrelated route: %s", result).isZero();
        assertThat(result.ok()).isPositive();
      }
      assertThat(gw.envoy().nacks()).as("Envoy NACKs").isZero();
    }
  }

  @Test
  void theNodesControlPortsAreNeverUpstreamsEvenWithLoopbackAllowed() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      gw.publish(EdgeGateway.HTTP_GATEWAY);
      gw.awaitBackend("bookinfo.local", "/productpage", "productpage");
      try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        gw.publish(serviceEntryAndRoute("envoy-admin", "127.0.0.1", gw.envoy().adminPort()));
        gw.publish(serviceEntryAndRoute("sidecar-admin", "127.0.0.1", gw.sidecar().adminPort()));
        // Loopback is allowed here (the harness's --allow-upstream 127.0.0.0/8): a plain backend is served.
        gw.publish(serviceEntryAndRoute("allowed", "127.0.0.1", productpage.port()));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          JsonNode resources = Manifests.json(gw.admin("/resources"));
          assertThat(EnvoyLimitsTest.reasons(resources, "envoy-admin"))
              .contains("upstream 127.0.0.1:" + gw.envoy().adminPort() + " is Envoy's admin port (--envoy-admin-port) on this node");
          assertThat(EnvoyLimitsTest.reasons(resources, "sidecar-admin"))
              .contains("upstream 127.0.0.1:" + gw.sidecar().adminPort() + " is the sidecar's admin port on this node");
        });
        gw.awaitBackend("allowed.local", "/", "productpage");
        for (String host : new String[] {"envoy-admin.local", "sidecar-admin.local"}) {
          HttpProbe.Response server = gw.get(host, "/server_info");
          assertThat(server.status()).as(host).isEqualTo(503);
          assertThat(gw.get(host, "/resources").body()).doesNotContain("\"resources\"");
        }
        HttpProbe.Response quit = HttpProbe.request(gw.httpPort(), "POST", "envoy-admin.local", "/quitquitquit", Map.of(), "");
        assertThat(quit.status()).isEqualTo(503);
        assertThat(gw.envoy().isAlive()).isTrue();

        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests on the unrelated route: %s", result).isZero();
        assertThat(result.ok()).isPositive();
      }
      assertThat(gw.envoy().nacks()).as("Envoy NACKs").isZero();
    }
  }

  private static String serviceEntryAndRoute(String name, String address, int port) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %1$s, namespace: default}
        spec:
          hosts: [%1$s.example.com]
          ports: [{number: 80, name: http, protocol: HTTP, targetPort: %3$d}]
          resolution: STATIC
          endpoints: [{address: "%2$s"}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %1$s, namespace: default}
        spec:
          hosts: [%1$s.local]
          gateways: [%4$s]
          http: [{route: [{destination: {host: %1$s.example.com, port: {number: 80}}}]}]
        """.formatted(name, address, port, "gw");
  }

  private static String gateway(String name, int port, String bind) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: default}
        spec:
          selector: {istio: edgegateway}
          servers: [{port: {number: %d, name: http, protocol: HTTP}, hosts: ["*"]%s}]
        """.formatted(name, port, bind);
  }
}
