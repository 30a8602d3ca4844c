package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe.Response;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rewrite, redirect, direct response, retries and timeout, proven with real requests through a real Envoy. */
class RouteActionsTest {
  private static final String HOST = "actions.local";
  private static HttpBackend api;
  private static HttpBackend flaky;
  private static HttpBackend slow;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    api = HttpBackend.start("api");
    flaky = HttpBackend.start("flaky");
    slow = HttpBackend.start("slow").delay(Duration.ofSeconds(2));
    gw = EdgeGateway.start();
    gw.publish(GATEWAY + "---\n" + EdgeGateway.service("api", api) + "---\n" + EdgeGateway.service("flaky", flaky) + "---\n" + EdgeGateway.service("slow", slow)
        + "---\n" + VIRTUAL_SERVICE);
    gw.awaitBackend(HOST, "/v1/ready", "api");
    gw.awaitBackend(HOST, "/flaky", "flaky");
    // The slow backend's endpoints have arrived once the route answers from the timeout, not 503.
    gw.awaitStatus(HOST, "/slow", 504);
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(gw.envoy().nacks()).isZero();
    } finally {
      EdgeGateway.closeAll(gw, api, flaky, slow);
    }
  }

  @Test
  void rewriteChangesPathPrefixAndAuthorityBeforeTheBackend() {
    assertThat(gw.get(HOST, "/v1/books?id=3").backend()).isEqualTo("api");
    HttpBackend.RecordedRequest seen = api.requests().stream()
        .filter(r -> r.path().equals("/api/v1/books?id=3")).findFirst().orElseThrow();
    assertThat(seen.host()).isEqualTo("api.internal");
  }

  @Test
  void redirectAnswersWithItsCodeAndLocation() {
    Response response = gw.get(HOST, "/old");
    assertThat(response.status()).isEqualTo(301);
    assertThat(response.header("location")).isEqualTo("http://www.example.com/new");
    assertThat(response.backend()).isNull();
  }

  @Test
  void directResponseAnswersItsStatusAndBody() {
    Response response = gw.get(HOST, "/healthz");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("ok\n");
  }

  @Test
  void retriesTurnABackendsFirst503IntoA200() {
    int before = flaky.requestCount();
    flaky.failNext(1, 503);
    Response response = gw.get(HOST, "/flaky");
    assertThat(response.status()).isEqualTo(200);
    assertThat(response.backend()).isEqualTo("flaky");
    assertThat(flaky.requestCount() - before).isEqualTo(2);
  }

  @Test
  void timeoutAnswers504WhenTheBackendIsLate() {
    long start = System.nanoTime();
    Response response = gw.get(HOST, "/slow");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(response.status()).isEqualTo(504);
    // Timeout 500ms, backend delay 2s. Envoy's timers may fire a few ms early as seen from here, so the lower
    // bound has slack; the upper bound shows the answer came from the timeout, not from the late backend.
    assertThat(took).isBetween(Duration.ofMillis(450), Duration.ofMillis(1500));
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: actions, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["actions.local"]
      """;

  private static final String VIRTUAL_SERVICE = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: actions, namespace: default}
      spec:
        hosts: ["actions.local"]
        gateways: [actions]
        http:
        - match: [{uri: {prefix: /v1/}}]
          rewrite: {uri: /api/v1/, authority: api.internal}
          route:
          - destination: {host: api}
        - match: [{uri: {exact: /old}}]
          redirect: {uri: /new, authority: www.example.com}
        - match: [{uri: {exact: /healthz}}]
          directResponse:
            status: 200
            body: {string: "ok\\n"}
        - match: [{uri: {prefix: /flaky}}]
          retries: {attempts: 2, retryOn: "5xx"}
          route:
          - destination: {host: flaky}
        - match: [{uri: {prefix: /slow}}]
          timeout: 500ms
          retries: {attempts: 0}
          route:
          - destination: {host: slow}
      """;
}
