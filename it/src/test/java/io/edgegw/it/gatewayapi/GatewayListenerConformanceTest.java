package io.edgegw.it.gatewayapi;

import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpProbe;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3) on Gateways and their listeners: several
 * Gateways on one port of the node's one address, listener isolation, parentRef port and sectionName,
 * allowedRoutes kinds and namespaces. Most status conditions upstream checks are asserted as the sidecar's
 * WARNINGs ending with the same reason; GatewayHTTPListenerIsolation reads them from the status topics.
 */
class GatewayListenerConformanceTest {
  private static final String ROUTES = "httproutes.gateway.networking.k8s.io";
  private static final String GATEWAYS = "gateways.gateway.networking.k8s.io";
  private static final String ISOLATION = "tests/gateway-http-listener-isolation.yaml";
  private static final String INTERSECTION = "tests/gateway-http-listener-isolation-with-hostname-intersection.yaml";

  /** Upstream's listeners by a host each matches best, and the path of the route attached to each. */
  private static final String[][] ISOLATION_MATRIX = {
    {"bar.com", "/empty-hostname"},
    {"bar.example.com", "/wildcard-example-com"},
    {"bar.foo.example.com", "/wildcard-foo-example-com"},
    {"abc.foo.example.com", "/abc-foo-example-com"},
  };
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

  /**
   * Both of upstream's parts: four listeners on port 80 (none, *.example.com, *.foo.example.com,
   * abc.foo.example.com) with a route on each, first with hostnames on the listeners only, then with
   * every route also naming the other listeners' hostnames. Either way a request is answered by the
   * most specific matching listener's routes only. Upstream's two Gateways have an address each; here
   * they would share port 80, so each part runs alone (the previous part deleted and gone from Envoy
   * first), and then both together, as upstream applies them.
   */
  @Test
  void GatewayHTTPListenerIsolation() throws Exception {
    try (StatusTopics status = new StatusTopics(gw)) {
      // hostnames are configured only in listeners
      suite.apply(ISOLATION);
      isolated(status, "http-listener-isolation", "");
      for (ObjectNode doc : suite.documentsOf(ISOLATION)) {
        gw.delete(topic(doc), INFRA_NS, doc.path("metadata").path("name").asText());
      }
      for (String[] listener : ISOLATION_MATRIX) {
        gw.awaitStatus(listener[0], listener[1], 404);
      }

      // intersecting hostnames are configured in listeners and HTTPRoutes
      suite.apply(INTERSECTION);
      isolated(status, "http-listener-isolation-with-hostname-intersection", "-with-hostname-intersection");

      // Both Gateways at once, sharing Envoy's port 80 here: still isolated.
      suite.apply(ISOLATION);
      isolated(status, "http-listener-isolation", "");
      isolated(status, "http-listener-isolation-with-hostname-intersection", "-with-hostname-intersection");
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  /**
   * Upstream's checks of one part: the Gateway and its four routes Accepted (every listener Accepted,
   * Programmed, ResolvedRefs), the routes ResolvedRefs True, then the 16 requests: each host reaches
   * infra-backend-v1 on its own listener's path and gets 404 on the other three. Each answer is awaited
   * (upstream's eventually consistent requests), then all 16 must hold together.
   */
  private void isolated(StatusTopics status, String gateway, String routeSuffix) {
    String[] routes = new String[ISOLATION_MATRIX.length];
    for (int i = 0; i < routes.length; i++) {
      routes[i] = "attaches-to" + ISOLATION_MATRIX[i][1].replace('/', '-') + routeSuffix;
    }
    status.awaitGatewayAndRoutesAccepted(StatusTopics.HTTP_ROUTES, INFRA_NS, gateway, routes);
    for (String route : routes) {
      status.awaitRouteCondition(StatusTopics.HTTP_ROUTES, INFRA_NS, route, gateway, "ResolvedRefs", "True",
          "ResolvedRefs");
    }
    for (boolean settled : new boolean[] {false, true}) {
      for (String[] host : ISOLATION_MATRIX) {
        for (String[] path : ISOLATION_MATRIX) {
          Predicate<HttpProbe.Response> expected = host == path
              ? r -> "infra-backend-v1".equals(r.backend())
              : r -> r.status() == 404;
          String what = (host == path ? "infra-backend-v1" : "404") + " (" + gateway + ")";
          if (settled) {
            HttpProbe.Response r = gw.get(host[0], path[1]);
            assertThat(expected.test(r)).as(host[0] + path[1] + ": " + what + ", got " + r.status() + " " + r.backend())
                .isTrue();
          } else {
            gw.awaitAnswer(host[0], path[1], expected, what);
          }
        }
      }
    }
  }

  /** The status/config topic name of a manifest document's kind, e.g. httproutes.gateway.networking.k8s.io. */
  private static String topic(ObjectNode doc) {
    return doc.path("kind").asText().equals("Gateway") ? GATEWAYS : ROUTES;
  }

  @Test
  void GatewayWithAttachedRoutes() {
    suite.apply("tests/gateway-with-attached-routes.yaml");
    // Selector on kubernetes.io/metadata.name, the label Kubernetes gives every Namespace.
    gw.awaitBackend("any.example", "/", "infra-backend-v1");
    gw.awaitBackend("foo.example.com", "/", "infra-backend-v1");
    suite.awaitWarning(ROUTES, INFRA_NS, "http-route-not-accepted", "(NoMatchingListenerHostname)");
    assertThat(suite.warnings(ROUTES, INFRA_NS, "http-route-1")).isEmpty();
    assertThat(suite.warnings(ROUTES, INFRA_NS, "http-route-2")).isEmpty();
    assertThat(suite.warnings(ROUTES, INFRA_NS, "http-route-3")).isEmpty();
    // The HTTPS listener of the third Gateway names a Secret that does not exist: not served.
    suite.awaitWarning(GATEWAYS, INFRA_NS, "unresolved-gateway-with-one-attached-unresolved-route",
        "does-not-exist", "(InvalidCertificateRef)");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewayInvalidRouteKind() {
    suite.apply("tests/gateway-invalid-route-kind.yaml");
    suite.awaitWarning(GATEWAYS, INFRA_NS, "gateway-only-invalid-route-kind", "InvalidRoute", "(InvalidRouteKinds)");
    suite.awaitWarning(GATEWAYS, INFRA_NS, "gateway-supported-and-invalid-route-kind", "InvalidRoute",
        "(InvalidRouteKinds)");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteDisallowedKind() {
    suite.apply("tests/httproute-disallowed-kind.yaml");
    suite.awaitWarning(ROUTES, INFRA_NS, "disallowed-kind", "(NotAllowedByListeners)");
    gw.awaitStatus("any.example", "/", 404);
  }

  @Test
  void HTTPRouteListenerPortMatching() {
    // Listeners on 80, 8080 (foo.com, bar.com) and 8090 (foo.com, bar.com); routes pick by parentRef port
    // (and sectionName for 8090).
    suite.apply("tests/httproute-listener-port-matching.yaml");
    int port8080 = gw.listenerPort(8080);
    int port8090 = gw.listenerPort(8090);
    gw.awaitBackend("foo.com", "/", "infra-backend-v1");
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> "infra-backend-v3".equals(HttpProbe.get(port8090, "foo.com:8090", "/").backend()));
    assertThat(HttpProbe.get(port8080, "foo.com:8080", "/").backend()).isEqualTo("infra-backend-v2");
    assertThat(HttpProbe.get(port8080, "bar.com:8080", "/").backend()).isEqualTo("infra-backend-v2");
    assertThat(HttpProbe.get(port8090, "bar.com:8090", "/").status()).isEqualTo(404);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteInvalidParentRefNotMatchingListenerPort() {
    suite.apply("tests/httproute-invalid-parentref-not-matching-listener-port.yaml");
    suite.awaitWarning(ROUTES, INFRA_NS, "httproute-listener-not-matching-route-port", "(NoMatchingParent)");
    gw.awaitStatus("any.example", "/", 404);
  }

  @Test
  void HTTPRouteInvalidParentRefNotMatchingSectionName() {
    suite.apply("tests/httproute-invalid-parentref-not-matching-section-name.yaml");
    suite.awaitWarning(ROUTES, INFRA_NS, "httproute-listener-not-matching-section-name", "(NoMatchingParent)");
    gw.awaitStatus("any.example", "/", 404);
  }

  @Test
  void HTTPRouteMultipleGateways() {
    // same-namespace and all-namespaces both listen on port 80 without a hostname: on one node they share
    // Envoy's listener. The shared route answers /shared through either; each Gateway's own route for /
    // competes with the other's under the specification's precedence (equal matches, same age: the
    // lower namespace/name wins, all-namespaces-dedicated-route). Upstream, with an address per
    // Gateway, expects infra-backend-v2 on same-namespace's address: docs/gateway-api.md.
    suite.apply("tests/httproute-multiple-gateways.yaml");
    gw.awaitBackend("any.example", "/shared", "infra-backend-v1");
    gw.awaitBackend("any.example", "/", "infra-backend-v3");
    assertThat(gw.get("any.example", "/shared/x").backend()).isEqualTo("infra-backend-v1");
    assertThat(suite.warnings(ROUTES, INFRA_NS, "multiple-gateways-shared-route")).isEmpty();
    assertThat(suite.warnings(GATEWAYS, INFRA_NS, "same-namespace")).isEmpty();
    assertThat(suite.warnings(GATEWAYS, INFRA_NS, "all-namespaces")).isEmpty();
    assertThat(gw.envoy().nacks()).isZero();
  }
}
