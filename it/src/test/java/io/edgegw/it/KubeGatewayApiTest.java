package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.KubeApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Gateway API objects (GatewayClass, Gateway, HTTPRoute) read from a real kube-apiserver with the
 * upstream CRDs (v1.6.3, standard channel) route traffic through the real Envoy, and a status written
 * back is what the API server then serves. The source runs as user "edgegw" with exactly the two
 * ClusterRoles of examples/kubernetes/rbac.yaml. Backends: a Service and Endpoints on loopback,
 * published over MQTT (the API server refuses loopback Endpoints), so two sources feed one gateway.
 */
@EnabledIf(value = "io.edgegw.it.harness.KubeApiServer#available",
    disabledReason = "no real kube-apiserver, etcd or CRDs on this machine: run `bash bin/lib/kube.sh` once"
        + " (builds kube-apiserver from the Go module proxy) or `bin/test`")
class KubeGatewayApiTest {
  private static KubeApiServer kube;
  private static HttpBackend v1;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    kube = KubeApiServer.start();
    kube.installGatewayApiCrds();
    kube.apply(Files.readString(Path.of(System.getProperty("edgegw.repo", "..")).resolve("examples/kubernetes/rbac.yaml")));
    for (String role : new String[] {"edgegw-reader", "edgegw-status-writer"}) {
      kube.apply("""
          apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRoleBinding
          metadata: {name: %1$s-it}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: %1$s}
          subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: edgegw}]
          """.formatted(role));
    }
    v1 = HttpBackend.start("infra-backend-v1");
    io.edgegw.kube.KubeSettings settings = kube.settings();
    gw = EdgeGateway.start(b -> b.kube(Optional.of(settings)));
    gw.publish(EdgeGateway.service("infra-backend-v1", v1));
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, v1, kube);
  }

  @Test
  void gatewayApiObjectsAppliedToTheApiServerRouteTrafficAndTheirStatusIsWrittenBack() throws Exception {
    kube.apply("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: edgegw}
        spec: {controllerName: edgegw.io/gateway-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          gatewayClassName: edgegw
          listeners: [{name: http, port: 80, protocol: HTTP}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [web.example.com]
          rules: [{backendRefs: [{name: infra-backend-v1, port: 9080}]}]
        """);
    gw.awaitBackend("web.example.com", "/", "infra-backend-v1");
    assertThat(gw.admin("/resources")).contains("kube:/apis/gateway.networking.k8s.io/v1/gatewayclasses/edgegw")
        .contains("kube:/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/web");

    // The sidecar writes each object's .status (the translator's, carried as objectStatus) back
    // through the status subresource, so the API server holds what `kubectl get` shows.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode parents = kube.get("gateway.networking.k8s.io/v1", "HTTPRoute", "default", "web")
          .path("status").path("parents");
      assertThat(parents).hasSize(1);
      assertThat(parents.path(0).path("controllerName").asText()).isEqualTo("edgegw.io/gateway-controller");
      assertThat(condition(parents.path(0).path("conditions"), "Accepted")).isEqualTo("True");
      assertThat(condition(parents.path(0).path("conditions"), "ResolvedRefs")).isEqualTo("True");
    });
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      JsonNode gateway = kube.get("gateway.networking.k8s.io/v1", "Gateway", "default", "edge").path("status");
      assertThat(condition(gateway.path("conditions"), "Programmed")).isEqualTo("True");
      assertThat(gateway.path("listeners").path(0).path("attachedRoutes").asInt()).isEqualTo(1);
    });
    // The write-back changed the objects (status, resourceVersion): the gateway read them again and
    // serves as before.
    gw.awaitBackend("web.example.com", "/", "infra-backend-v1");
    assertThat(gw.envoy().nacks()).isZero();
  }

  private static String condition(JsonNode conditions, String type) {
    for (JsonNode c : conditions) {
      if (c.path("type").asText().equals(type)) {
        return c.path("status").asText();
      }
    }
    return "absent";
  }
}
