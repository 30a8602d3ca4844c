package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpBackend.RecordedRequest;
import io.edgegw.it.harness.HttpProbe.Response;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Route details where a real Envoy answers as istiod's gateway does: withoutHeaders with the header
 * absent, directResponse.body.bytes, destination header operations after the rule's, an undefined
 * subset (no cluster: 503 with an empty body) and the server header.
 */
class RouteParityTest {
  private static final String HOST = "parity.local";
  private static HttpBackend web;
  private static HttpBackend other;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    web = HttpBackend.start("web");
    other = HttpBackend.start("other");
    gw = EdgeGateway.start();
    gw.publish(GATEWAY + "---\n" + EdgeGateway.service("web", web) + "---\n" + EdgeGateway.service("other", other)
        + "---\n" + VIRTUAL_SERVICE);
    gw.awaitBackend(HOST, "/fallback", "other");
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(gw.envoy().nacks()).isZero();
    } finally {
      EdgeGateway.closeAll(gw, web, other);
    }
  }

  @Test
  void withoutHeadersMatchesWhenTheHeaderIsAbsent() {
    assertThat(gw.get(HOST, "/without").backend()).isEqualTo("web");
    assertThat(gw.get(HOST, "/without", Map.of("x-block", "no")).backend()).isEqualTo("web");
    assertThat(gw.get(HOST, "/without", Map.of("x-block", "yes")).backend()).isEqualTo("other");
  }

  @Test
  void directResponseServesBodyBytes() {
    Response response = gw.get(HOST, "/bytes");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("hello bytes");
  }

  @Test
  void aLoneDestinationsHeaderOperationsWinOverTheRules() {
    Response response = gw.get(HOST, "/headers/1");
    assertThat(response.backend()).isEqualTo("web");
    assertThat(response.header("x-who")).isEqualTo("destination");
    RecordedRequest seen = web.requests().stream().filter(r -> r.path().equals("/headers/1")).reduce((a, b) -> b).orElseThrow();
    assertThat(seen.header("x-who")).isEqualTo("destination");
    assertThat(seen.header("x-rule-only")).isEqualTo("rule");
  }

  @Test
  void anUndefinedSubsetAnswers503WithAnEmptyBody() {
    Response response = gw.get(HOST, "/subset");
    assertThat(response.status()).isEqualTo(503);
    assertThat(response.body()).isEmpty();
  }

  @Test
  void responsesSayServerIstioEnvoy() {
    assertThat(gw.get(HOST, "/fallback").header("server")).isEqualTo("istio-envoy");
    assertThat(gw.get("unknown.local", "/").header("server")).isEqualTo("istio-envoy");
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: parity, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["parity.local"]
      """;

  private static final String VIRTUAL_SERVICE = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: parity, namespace: default}
      spec:
        hosts: ["parity.local"]
        gateways: [parity]
        http:
        - match: [{uri: {prefix: /without}, withoutHeaders: {x-block: {exact: "yes"}}}]
          route: [{destination: {host: web}}]
        - match: [{uri: {prefix: /bytes}}]
          directResponse: {status: 200, body: {bytes: "aGVsbG8gYnl0ZXM="}}
        - match: [{uri: {prefix: /headers}}]
          headers:
            request: {set: {x-who: rule, x-rule-only: rule}}
            response: {set: {x-who: rule}}
          route:
          - destination: {host: web}
            headers:
              request: {set: {x-who: destination}}
              response: {set: {x-who: destination}}
        - match: [{uri: {prefix: /subset}}]
          route: [{destination: {host: web, subset: nowhere}}]
        - route: [{destination: {host: other}}]
      """;
}
