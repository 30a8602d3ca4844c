package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Gateway API's HTTP core through the real parts: GatewayClass, Gateway and HTTPRoute published
 * over MQTT on their own topics ({@code gateways.gateway.networking.k8s.io}, ...), requests sent through
 * Envoy. Test names are the upstream conformance tests' (sigs.k8s.io/gateway-api conformance/tests),
 * with their manifests' names and shape (gateway-conformance-infra, same-namespace, infra-backend-v1/v2);
 * the backends here are Endpoints of loopback HTTP servers instead of Pods.
 */
class GatewayApiHttpTest {
  private static final String NS = "gateway-conformance-infra";
  private static final String INFRA = """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: edgegw}
      spec: {controllerName: edgegw.io/gateway-controller}
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: same-namespace, namespace: gateway-conformance-infra}
      spec:
        gatewayClassName: edgegw
        listeners:
        - name: http
          port: 80
          protocol: HTTP
          allowedRoutes:
            namespaces:
              from: Same
      """;

  private HttpBackend v1;
  private HttpBackend v2;
  private EdgeGateway gw;

  @BeforeEach
  void start() throws Exception {
    v1 = HttpBackend.start("infra-backend-v1");
    v2 = HttpBackend.start("infra-backend-v2");
    gw = EdgeGateway.start();
    gw.publish(INFRA + "---\n" + backend("infra-backend-v1", v1) + "---\n" + backend("infra-backend-v2", v2));
  }

  @AfterEach
  void stop() {
    EdgeGateway.closeAll(gw, v1, v2);
  }

  /**
   * Shaped after HTTPRouteMatching and HTTPRoutePathMatchOrder: precedence by the specification
   * (longer prefix, then more header matches) whatever the rules' order; prefixes match whole segments.
   */
  @Test
  void HTTPRouteMatching() {
    gw.publish("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: matching, namespace: gateway-conformance-infra}
        spec:
          parentRefs:
          - name: same-namespace
          rules:
          - matches:
            - path: {type: PathPrefix, value: /}
            backendRefs:
            - {name: infra-backend-v1, port: 8080}
          - matches:
            - path: {type: PathPrefix, value: /v2/}
            - headers:
              - {name: version, value: two}
            backendRefs:
            - {name: infra-backend-v2, port: 8080}
        """);
    gw.awaitBackend("example.com", "/v2", "infra-backend-v2");
    assertThat(gw.get("example.com", "/v2/example").backend()).isEqualTo("infra-backend-v2");
    assertThat(gw.get("example.com", "/v2example").backend()).isEqualTo("infra-backend-v1");
    assertThat(gw.get("example.com", "/").backend()).isEqualTo("infra-backend-v1");
    assertThat(gw.get("example.com", "/", Map.of("version", "two")).backend()).isEqualTo("infra-backend-v2");
    assertThat(gw.get("example.com", "/", Map.of("version", "one")).backend()).isEqualTo("infra-backend-v1");
    assertThat(gw.envoy().nacks()).isZero();
  }

  /**
   * An Istio Gateway with the same namespace and name as the Gateway API one is another resource:
   * both are applied, each is listed under its own kind, and both serve on port 80 (Istio's host by
   * its VirtualService, the rest by the HTTPRoute).
   */
  @Test
  void theTwoGatewayKindsLiveSideBySideOnOnePort() throws Exception {
    gw.publish("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: gateway-conformance-infra-test, namespace: gateway-conformance-infra}
        spec:
          parentRefs: [{name: same-namespace}]
          rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: same-namespace, namespace: gateway-conformance-infra}
        spec:
          selector: {istio: edgegateway}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [istio.example.com]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: istio-route, namespace: gateway-conformance-infra}
        spec:
          hosts: [istio.example.com]
          gateways: [same-namespace]
          http: [{route: [{destination: {host: infra-backend-v2, port: {number: 8080}}}]}]
        """);
    gw.awaitBackend("istio.example.com", "/", "infra-backend-v2");
    gw.awaitBackend("example.com", "/", "infra-backend-v1");
    JsonNode istio = Manifests.json(gw.admin("/resources?kind=Gateway")).path("resources");
    JsonNode gatewayApi = Manifests.json(gw.admin("/resources?kind=gateways.gateway.networking.k8s.io")).path("resources");
    assertThat(istio).hasSize(1);
    assertThat(istio.path(0).path("kind").asText()).isEqualTo("Gateway");
    assertThat(istio.path(0).path("status").asText()).isEqualTo("applied");
    assertThat(gatewayApi).hasSize(1);
    assertThat(gatewayApi.path(0).path("kind").asText()).isEqualTo("Gateway.gateway.networking.k8s.io");
    assertThat(gatewayApi.path(0).path("status").asText()).isEqualTo("applied");
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** Service port 8080 (as the conformance backends') with Endpoints at the loopback backend. */
  private static String backend(String name, HttpBackend server) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %1$s, namespace: %2$s}
        spec:
          ports: [{name: http, port: 8080, targetPort: 3000}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: %1$s, namespace: %2$s}
        subsets:
        - addresses: [{ip: 127.0.0.1}]
          ports: [{name: http, port: %3$d}]
        """.formatted(name, NS, server.port());
  }
}
