package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * exportTo of VirtualServices, ServiceEntries and DestinationRules, as istiod applies it to a gateway
 * proxy in its namespace (here "edge", from --gateway-namespace): what is not exported there does not
 * exist for this gateway.
 */
class ExportToTest {
  private static HttpBackend web;
  private static HttpBackend ext;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    web = HttpBackend.start("web");
    ext = HttpBackend.start("ext");
    gw = EdgeGateway.start(b -> b.gatewayNamespace("edge"));
    gw.publish(EdgeGateway.service("web", web) + "---\n" + RESOURCES.formatted(ext.port()));
    gw.awaitBackend("exported.local", "/", "web");
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(gw.envoy().nacks()).isZero();
    } finally {
      EdgeGateway.closeAll(gw, web, ext);
    }
  }

  @Test
  void aVirtualServiceExportedToTheGatewaysNamespaceApplies() {
    assertThat(gw.get("exported.local", "/").backend()).isEqualTo("web");
    assertThat(gw.get("here.local", "/").backend()).isEqualTo("web"); // "." in the gateway's own namespace
  }

  @Test
  void aVirtualServicePrivateToAnotherNamespaceDoesNotApply() {
    assertThat(gw.get("hidden.local", "/").status()).isEqualTo(404);
  }

  @Test
  void aServiceEntryNotExportedHereIsAnUnknownHost() {
    assertThat(gw.get("here.local", "/external").status()).isEqualTo(503);
  }

  @Test
  void aDestinationRuleNotExportedHereDefinesNoSubset() {
    assertThat(gw.get("here.local", "/v1").status()).isEqualTo(503);
  }

  private static final String RESOURCES = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: edge}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*/*.local"]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: hidden, namespace: default}
      spec:
        hosts: [hidden.local]
        gateways: [edge/gw]
        exportTo: ["."]
        http:
        - route: [{destination: {host: web}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: exported, namespace: default}
      spec:
        hosts: [exported.local]
        gateways: [edge/gw]
        exportTo: [edge]
        http:
        - route: [{destination: {host: web}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: here, namespace: edge}
      spec:
        hosts: [here.local]
        gateways: [gw]
        exportTo: ["."]
        http:
        - match: [{uri: {prefix: /external}}]
          route: [{destination: {host: ext.internal}}]
        - match: [{uri: {prefix: /v1}}]
          route: [{destination: {host: web.default.svc.cluster.local, subset: v1}}]
        - route: [{destination: {host: web.default.svc.cluster.local}}]
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: ext, namespace: default}
      spec:
        hosts: [ext.internal]
        exportTo: ["."]
        resolution: STATIC
        ports: [{number: 80, name: http, protocol: HTTP, targetPort: %d}]
        endpoints: [{address: 127.0.0.1}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: web, namespace: default}
      spec:
        host: web
        exportTo: [other]
        subsets:
        - {name: v1}
      """;
}
