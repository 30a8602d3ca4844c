package io.edgegw.it.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream conformance tests of HTTPRoute matching (sigs.k8s.io/gateway-api v1.6.3 {@code
 * conformance/tests}) with their own manifests, through the real sidecar and Envoy: every request and
 * expected backend or status of upstream's test cases.
 */
class HttpRouteMatchingConformanceTest {
  private static final String V1 = "infra-backend-v1";
  private static final String V2 = "infra-backend-v2";
  private static final String V3 = "infra-backend-v3";

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
  void HTTPRouteMatching() {
    suite.apply("tests/httproute-matching.yaml");
    Exchange.awaitBackend(gw, "/v2", V2);
    expect("/", Map.of(), V1);
    expect("/example", Map.of(), V1);
    expect("/", Map.of("Version", "one"), V1);
    expect("/v2", Map.of(), V2);
    expect("/v2/example", Map.of(), V2);
    expect("/", Map.of("Version", "two"), V2);
    expect("/v2/", Map.of(), V2);
    expect("/v2example", Map.of(), V1);
    expect("/foo/v2/example", Map.of(), V1);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteMatchingAcrossRoutes() {
    suite.apply("tests/httproute-matching-across-routes.yaml");
    Exchange.until(gw, "GET", "example.com", "/v2", Map.of(), e -> V2.equals(e.backend()));
    expect("GET", "example.com", "/", Map.of(), V1);
    expect("GET", "example.com", "/example", Map.of(), V1);
    expect("GET", "example.net", "/example", Map.of(), V1);
    expect("GET", "example.com", "/example", Map.of("Version", "one"), V1);
    expect("GET", "example.com", "/v2", Map.of(), V2);
    expect("GET", "example.net", "/v2", Map.of(), V1);
    expect("GET", "example.com", "/v2/example", Map.of(), V2);
    expect("GET", "example.com", "/", Map.of("Version", "two"), V2);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRoutePathMatchOrder() {
    suite.apply("tests/httproute-path-match-order.yaml");
    Exchange.awaitBackend(gw, "/match/exact/one", V3);
    expect("/match/exact/one", Map.of(), V3);
    expect("/match/exact", Map.of(), V2);
    expect("/match", Map.of(), V1);
    expect("/match/prefix/one/any", Map.of(), V2);
    expect("/match/prefix/any", Map.of(), V1);
    expect("/match/any", Map.of(), V3);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteHeaderMatching() {
    suite.apply("tests/httproute-header-matching.yaml");
    Exchange.until(gw, "GET", "example.com", "/", Map.of("Version", "one"), e -> V1.equals(e.backend()));
    expect("/", Map.of("Version", "one"), V1);
    expect("/", Map.of("Version", "two"), V2);
    expect("/", Map.of("Version", "two", "Color", "orange"), V1);
    expect("/", Map.of("Version", "two", "Color", "blue"), V2);
    expectStatus("GET", "/", Map.of("Color", "orange"), 404);
    expectStatus("GET", "/", Map.of("Some-Other-Header", "one"), 404);
    expect("/", Map.of("Color", "blue"), V1);
    expect("/", Map.of("Color", "green"), V1);
    expect("/", Map.of("Color", "red"), V2);
    expect("/", Map.of("Color", "yellow"), V2);
    expectStatus("GET", "/", Map.of("Color", "purple"), 404);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteQueryParamMatching() {
    suite.apply("tests/httproute-query-param-matching.yaml");
    Exchange.awaitBackend(gw, "/?animal=whale", V1);
    expect("/?animal=whale", Map.of(), V1);
    expect("/?animal=dolphin", Map.of(), V2);
    expect("/?animal=dolphin&color=blue", Map.of(), V3);
    expect("/?ANIMAL=Whale", Map.of(), V3);
    expect("/?animal=whale&otherparam=irrelevant", Map.of(), V1);
    expect("/?animal=dolphin&color=yellow", Map.of(), V2);
    expectStatus("GET", "/?color=blue", Map.of(), 404);
    expectStatus("GET", "/?animal=dog", Map.of(), 404);
    expectStatus("GET", "/?animal=whaledolphin", Map.of(), 404);
    expectStatus("GET", "/", Map.of(), 404);
    // Precedence: a path beats query parameters, headers beat query parameters.
    expect("/path1?animal=whale", Map.of(), V1);
    expect("/?animal=whale", Map.of("version", "one"), V2);
    expect("/path2?animal=whale", Map.of("version", "two"), V3);
    // Matches of one rule are ORed, conditions of one match ANDed.
    expect("/path3?animal=shark", Map.of(), V1);
    expect("/path4?animal=kraken", Map.of("version", "three"), V1);
    expectStatus("GET", "/?animal=shark", Map.of(), 404);
    expectStatus("GET", "/path4?animal=kraken", Map.of(), 404);
    expect("/path5?animal=hydra", Map.of(), V1);
    expect("/?animal=hydra", Map.of("version", "four"), V3);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteMethodMatching() {
    suite.apply("tests/httproute-method-matching.yaml");
    Exchange.awaitBackend(gw, "/", V2);
    expect("POST", "example.com", "/", Map.of(), V1);
    expect("GET", "example.com", "/", Map.of(), V2);
    expectStatus("HEAD", "/", Map.of(), 404);
    expect("GET", "example.com", "/path1", Map.of(), V1);
    expect("PUT", "example.com", "/", Map.of("version", "one"), V2);
    expect("POST", "example.com", "/path2", Map.of("version", "two"), V3);
    expect("PATCH", "example.com", "/path3", Map.of(), V1);
    expect("DELETE", "example.com", "/path4", Map.of("version", "three"), V1);
    expectStatus("PUT", "/", Map.of(), 404);
    expectStatus("DELETE", "/path4", Map.of(), 404);
    // A method match ranks before header matches.
    expect("PATCH", "example.com", "/path5", Map.of(), V1);
    expect("PATCH", "example.com", "/", Map.of("version", "four"), V2);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteHostnameIntersection() {
    suite.apply("tests/httproute-hostname-intersection.yaml");
    Exchange.until(gw, "GET", "very.specific.com", "/s1", Map.of(), e -> V1.equals(e.backend()));
    host("very.specific.com", "/s1", V1);
    host("very.specific.com:1234", "/s1", V1);
    for (String[] miss : new String[][] {{"non.matching.com", "/s1"}, {"foo.nonmatchingwildcard.io", "/s1"},
        {"foo.wildcard.io", "/s1"}, {"very.specific.com", "/non-matching-prefix"}}) {
      hostStatus(miss[0], miss[1], 404);
    }
    host("foo.wildcard.io", "/s2", V2);
    host("bar.wildcard.io", "/s2", V2);
    host("foo.bar.wildcard.io", "/s2", V2);
    for (String[] miss : new String[][] {{"non.matching.com", "/s2"}, {"wildcard.io", "/s2"},
        {"very.specific.com", "/s2"}, {"foo.wildcard.io", "/non-matching-prefix"}}) {
      hostStatus(miss[0], miss[1], 404);
    }
    host("very.specific.com", "/s3", V3);
    for (String[] miss : new String[][] {{"non.matching.com", "/s3"}, {"foo.specific.com", "/s3"},
        {"foo.wildcard.io", "/s3"}, {"very.specific.com", "/non-matching-prefix"}}) {
      hostStatus(miss[0], miss[1], 404);
    }
    host("foo.anotherwildcard.io", "/s4", V1);
    host("bar.anotherwildcard.io", "/s4", V1);
    host("foo.bar.anotherwildcard.io", "/s4", V1);
    for (String[] miss : new String[][] {{"anotherwildcard.io", "/s4"}, {"foo.wildcard.io", "/s4"},
        {"very.specific.com", "/s4"}, {"foo.anotherwildcard.io", "/non-matching-prefix"}}) {
      hostStatus(miss[0], miss[1], 404);
    }
    // The route whose hostnames intersect no listener hostname is not attached (NoMatchingListenerHostname).
    hostStatus("specific.but.wrong.com", "/s5", 404);
    hostStatus("wildcard.io", "/s5", 404);
    // A listener without a hostname: the route's own hostnames.
    host("first.com", "/", V2);
    host("sub.first.com", "/", V2);
    host("second.com", "/", V2);
    host("sub.second.com", "/", V2);
    hostStatus("third.com", "/", 404);
    hostStatus("sub.third.com", "/", 404);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteListenerHostnameMatching() {
    suite.apply("tests/httproute-listener-hostname-matching.yaml");
    Exchange.until(gw, "GET", "bar.com", "/", Map.of(), e -> V1.equals(e.backend()));
    host("bar.com", "/", V1);
    host("foo.bar.com", "/", V2);
    host("baz.bar.com", "/", V3);
    host("boo.bar.com", "/", V3);
    host("multiple.prefixes.bar.com", "/", V3);
    host("multiple.prefixes.foo.com", "/", V3);
    hostStatus("foo.com", "/", 404);
    hostStatus("no.matching.host", "/", 404);
    assertThat(gw.envoy().nacks()).isZero();
  }

  private void host(String host, String path, String backend) {
    expect("GET", host, path, Map.of(), backend);
  }

  private void hostStatus(String host, String path, int status) {
    Exchange e = Exchange.send(gw, "GET", host, path, Map.of());
    assertThat(e.status()).as(e.toString()).isEqualTo(status);
  }

  private void expect(String path, Map<String, String> headers, String backend) {
    expect("GET", "example.com", path, headers, backend);
  }

  private void expect(String method, String host, String path, Map<String, String> headers, String backend) {
    Exchange e = Exchange.send(gw, method, host, path, headers);
    assertThat(e.backend()).as(e.toString()).isEqualTo(backend);
    assertThat(e.echoedMethod()).as(e.toString()).isEqualTo(method);
    assertThat(e.echoedPath()).as(e.toString()).isEqualTo(path);
  }

  private void expectStatus(String method, String path, Map<String, String> headers, int status) {
    Exchange e = Exchange.send(gw, method, "example.com", path, headers);
    assertThat(e.status()).as(e.toString()).isEqualTo(status);
  }
}
