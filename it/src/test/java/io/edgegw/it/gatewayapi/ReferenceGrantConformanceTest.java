package io.edgegw.it.gatewayapi;

import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static io.edgegw.it.harness.GatewayApiConformance.WEB_NS;
import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3) on references across namespaces: backendRefs
 * allowed by a ReferenceGrant, refused without one (RefNotPermitted, the rule answers 500), and parentRefs
 * to a Gateway whose listeners do not allow the route's namespace (NotAllowedByListeners). The conditions
 * upstream checks are asserted as the sidecar's WARNINGs ending with the same reason, until route status
 * lands (issue #13).
 */
class ReferenceGrantConformanceTest {
  private static final String ROUTES = "httproutes.gateway.networking.k8s.io";
  private GatewayApiConformance suite;
  private EdgeGateway gw;

  @BeforeEach
  void start() throws Exception {
    suite = GatewayApiConformance.start(b -> b, Set.of());
    gw = suite.gateway();
  }

  @AfterEach
  void stop() {
    suite.close();
  }

  @Test
  void HTTPRouteCrossNamespace() {
    // A route in gateway-conformance-web-backend attaches to backend-namespaces, whose listener selects
    // Namespaces labelled gateway-conformance: backend.
    suite.apply("tests/httproute-cross-namespace.yaml");
    gw.awaitBackend("any.example", "/", "web-backend");
    assertThat(suite.warnings(ROUTES, WEB_NS, "cross-namespace")).isEmpty();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteReferenceGrant() {
    suite.apply("tests/httproute-reference-grant.yaml");
    gw.awaitBackend("any.example", "/", "web-backend");
    assertThat(suite.warnings(ROUTES, INFRA_NS, "reference-grant")).isEmpty();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteInvalidReferenceGrant() {
    // Seven grants, each wrong in one way (namespace, from group/kind/namespace, to group/kind/name).
    suite.apply("tests/httproute-invalid-reference-grant.yaml");
    suite.awaitWarning(ROUTES, INFRA_NS, "reference-grant", "backendRefs[0]", "(RefNotPermitted)");
    gw.awaitStatus("any.example", "/", 500);
    assertThat(suite.backend(WEB_NS, "web-backend").requests()).isEmpty();
  }

  @Test
  void HTTPRouteInvalidCrossNamespaceBackendRef() {
    suite.apply("tests/httproute-invalid-cross-namespace-backend-ref.yaml");
    suite.awaitWarning(ROUTES, INFRA_NS, "invalid-cross-namespace-backend-ref", "(RefNotPermitted)");
    gw.awaitStatus("any.example", "/", 500);
    assertThat(suite.backend(WEB_NS, "web-backend").requests()).isEmpty();
  }

  @Test
  void HTTPRoutePartiallyInvalidViaInvalidReferenceGrant() {
    // The grant allows app-backend-v1 only: the rule for /v2 (app-backend-v2) answers 500, the other works.
    suite.apply("tests/httproute-partially-invalid-via-invalid-reference-grant.yaml");
    gw.awaitBackend("any.example", "/", "app-backend-v1");
    gw.awaitStatus("any.example", "/v2", 500);
    assertThat(suite.awaitWarning(ROUTES, INFRA_NS, "invalid-reference-grant", "(RefNotPermitted)"))
        .contains("app-backend-v2");
  }

  @Test
  void HTTPRouteInvalidCrossNamespaceParentRef() {
    // same-namespace allows routes of gateway-conformance-infra only.
    suite.apply("tests/httproute-invalid-cross-namespace-parent-ref.yaml");
    suite.awaitWarning(ROUTES, WEB_NS, "invalid-cross-namespace-parent-ref", "(NotAllowedByListeners)");
    gw.awaitStatus("any.example", "/", 404);
    assertThat(suite.backend(WEB_NS, "web-backend").requests()).isEmpty();
  }
}
