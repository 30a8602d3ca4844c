package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Destination hosts resolve as istiod resolves them (ResolveShortnameToFQDN, GetDestinationCluster): a
 * name without a dot is a Service of the VirtualService's namespace, a name with a dot is taken as it
 * is, and a destination that names nothing routable keeps its route and answers 503 instead of letting
 * the request fall through to a later rule.
 */
class DestinationResolutionTest {
  private static final String HOST = "resolve.local";
  private static HttpBackend svc;
  private static HttpBackend plain;
  private static HttpBackend twoPorts;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    svc = HttpBackend.start("svc");
    plain = HttpBackend.start("plain");
    twoPorts = HttpBackend.start("two-ports");
    gw = EdgeGateway.start();
    gw.publish(GATEWAY + "---\n" + SERVICE.formatted(svc.port()) + "---\n" + SERVICE_ENTRIES.formatted(plain.port(), twoPorts.port())
        + "---\n" + VIRTUAL_SERVICE);
    gw.awaitBackend(HOST, "/anything", "svc");
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(gw.envoy().nacks()).isZero();
    } finally {
      EdgeGateway.closeAll(gw, svc, plain, twoPorts);
    }
  }

  @Test
  void aShortNameIsAServiceOfTheVirtualServicesNamespace() {
    // The catch-all's destination "svc" is svc.ns1.svc.cluster.local.
    assertThat(gw.get(HOST, "/anything").backend()).isEqualTo("svc");
  }

  @Test
  void aHostWithADotIsNotExpanded() {
    // "svc.ns1" is not svc.ns1.svc.cluster.local to istiod: no such host, 503.
    assertServiceUnavailable("/dotted");
  }

  @Test
  void aShortNameDoesNotReachAServiceEntryHostOfThatName() {
    // "plain-host" from ns1 is plain-host.ns1.svc.cluster.local, not the ServiceEntry host plain-host.
    assertServiceUnavailable("/short");
  }

  @Test
  void anUnknownHostWithoutPortKeepsItsRouteAndAnswers503() {
    assertServiceUnavailable("/unknown");
  }

  @Test
  void aTwoPortServiceEntryWithoutDestinationPortUsesTheServerPortAndAnswers503() {
    assertServiceUnavailable("/two-ports");
  }

  private static void assertServiceUnavailable(String path) {
    Response response = gw.get(HOST, path);
    assertThat(response.status()).as("GET " + path + " (backend " + response.backend() + ")").isEqualTo(503);
    assertThat(response.backend()).isNull();
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: resolve, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["*/resolve.local"]
      """;

  private static final String SERVICE = """
      apiVersion: v1
      kind: Service
      metadata: {name: svc, namespace: ns1}
      spec:
        ports: [{name: http, port: 9080}]
      ---
      apiVersion: v1
      kind: Endpoints
      metadata: {name: svc, namespace: ns1}
      subsets:
      - addresses: [{ip: 127.0.0.1}]
        ports: [{name: http, port: %d}]
      """;

  private static final String SERVICE_ENTRIES = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: plain-host, namespace: default}
      spec:
        hosts: [plain-host]
        resolution: STATIC
        ports: [{number: 9080, name: http, protocol: HTTP, targetPort: %d}]
        endpoints: [{address: 127.0.0.1}]
      ---
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: two-ports, namespace: default}
      spec:
        hosts: [two-ports.example]
        resolution: STATIC
        ports:
        - {number: 81, name: http-a, protocol: HTTP, targetPort: %2$d}
        - {number: 82, name: http-b, protocol: HTTP, targetPort: %2$d}
        endpoints: [{address: 127.0.0.1}]
      """;

  private static final String VIRTUAL_SERVICE = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: resolve, namespace: ns1}
      spec:
        hosts: ["resolve.local"]
        gateways: [default/resolve]
        http:
        - match: [{uri: {prefix: /dotted}}]
          route: [{destination: {host: svc.ns1}}]
        - match: [{uri: {prefix: /short}}]
          route: [{destination: {host: plain-host}}]
        - match: [{uri: {prefix: /unknown}}]
          route: [{destination: {host: ghost}}]
        - match: [{uri: {prefix: /two-ports}}]
          route: [{destination: {host: two-ports.example}}]
        - route: [{destination: {host: svc}}]
      """;
}
