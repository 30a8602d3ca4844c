package io.edgegw.it.gatewayapi;

import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3 {@code conformance/tests}) with their own
 * manifests, through the real sidecar and Envoy. Each test keeps its upstream name and checks what
 * upstream's checks (the status conditions upstream also checks are asserted where edgegw reports them).
 */
class HttpRouteCoreConformanceTest {
  private GatewayApiConformance suite;
  private EdgeGateway gw;

  @BeforeEach
  void start() throws Exception {
    // Namespace objects are not read yet (issue #13): the base manifests' Namespaces are left out.
    suite = GatewayApiConformance.start(b -> b, Set.of("Namespace"));
    gw = suite.gateway();
  }

  @AfterEach
  void stop() {
    suite.close();
  }

  @Test
  void HTTPRouteSimpleSameNamespace() {
    suite.apply("tests/httproute-simple-same-namespace.yaml");
    gw.awaitBackend("example.com", "/", "infra-backend-v1");
    assertThat(gw.get("any.host", "/some/path").backend()).isEqualTo("infra-backend-v1");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteExactPathMatching() {
    suite.apply("tests/httproute-exact-path-matching.yaml");
    gw.awaitBackend("example.com", "/one", "infra-backend-v1");
    assertThat(gw.get("example.com", "/two").backend()).isEqualTo("infra-backend-v2");
    assertThat(gw.get("example.com", "/").status()).isEqualTo(404);
    assertThat(gw.get("example.com", "/one/example").status()).isEqualTo(404);
    assertThat(gw.get("example.com", "/two/").status()).isEqualTo(404);
    assertThat(suite.backend(INFRA_NS, "infra-backend-v2").port()).isPositive();
    assertThat(gw.envoy().nacks()).isZero();
  }
}
