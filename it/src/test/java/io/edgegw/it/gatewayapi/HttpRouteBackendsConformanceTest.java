package io.edgegw.it.gatewayapi;

import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.H2cBackend;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.WebSocketBackend;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream conformance tests of what an HTTPRoute rule does with its backends (mirrors, timeouts,
 * retries, weights, backendRef filters, CORS, no backends; sigs.k8s.io/gateway-api v1.6.3 {@code
 * conformance/tests}) with their own manifests, through the real sidecar and Envoy.
 */
class HttpRouteBackendsConformanceTest {
  private static final String V1 = "infra-backend-v1";
  private static final String V2 = "infra-backend-v2";
  private static final String V3 = "infra-backend-v3";
  private static final Map<String, String> MODIFY_IN =
      Map.of("X-Header-Remove", "remove-val", "X-Header-Add-Append", "append-val-1");
  private static final Map<String, String> MODIFY_OUT = Map.of(
      "X-Header-Add", "header-val-1",
      "X-Header-Add-Append", "append-val-1,header-val-2",
      "X-Header-Set", "set-overwrites-values");

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
  void HTTPRouteRequestMirror() {
    suite.apply("tests/httproute-request-mirror.yaml");
    Exchange.awaitBackend(gw, "/mirror", V1);
    mirrored("/mirror", Map.of(), V2);
    mirrored("/mirror-and-modify-headers", MODIFY_IN, V2)
        .hasEchoedHeaders(MODIFY_OUT).lacksEchoedHeaders("X-Header-Remove");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRequestMultipleMirrors() {
    suite.apply("tests/httproute-request-multiple-mirrors.yaml");
    Exchange.awaitBackend(gw, "/multi-mirror", V1);
    mirrored("/multi-mirror", Map.of(), V2, V3);
    mirrored("/multi-mirror-and-modify-request-headers", MODIFY_IN, V2, V3)
        .hasEchoedHeaders(MODIFY_OUT).lacksEchoedHeaders("X-Header-Remove");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRequestPercentageMirror() {
    suite.apply("tests/httproute-request-percentage-mirror.yaml");
    Exchange.awaitBackend(gw, "/percent-mirror", V1);
    mirrorShare("/percent-mirror", Map.of(), 20);
    mirrorShare("/percent-mirror-fraction", Map.of(), 50);
    Exchange.get(gw, "/percent-mirror-and-modify-headers", MODIFY_IN)
        .reached(V1, "/percent-mirror-and-modify-headers")
        .hasEchoedHeaders(MODIFY_OUT).lacksEchoedHeaders("X-Header-Remove");
    mirrorShare("/percent-mirror-and-modify-headers", MODIFY_IN, 35);
    assertThat(gw.envoy().nacks()).isZero();
  }

  /**
   * A request with a unique query reaches infra-backend-v1 unchanged, and each of {@code mirrors}
   * gets a copy (upstream reads the mirror's log for it; here the backend recorded it).
   */
  private Exchange mirrored(String path, Map<String, String> headers, String... mirrors) {
    String unique = path + "?request-id=" + UUID.randomUUID();
    Exchange e = Exchange.get(gw, unique, headers).reached(V1, path);
    assertThat(e.echoedPath()).isEqualTo(unique);
    for (String mirror : mirrors) {
      HttpBackend backend = suite.backend(INFRA_NS, mirror);
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(backend.requests())
          .as("requests mirrored to " + mirror)
          .anySatisfy(r -> assertThat(r.path()).isEqualTo(unique)));
    }
    return e;
  }

  /** Upstream's check: of 500 requests, the mirror gets {@code percent} % within 3 standard deviations. */
  private void mirrorShare(String path, Map<String, String> headers, int percent) {
    HttpBackend mirror = suite.backend(INFRA_NS, V2);
    String marker = "?batch=" + UUID.randomUUID();
    int total = 500;
    for (int i = 0; i < total; i++) {
      assertThat(Exchange.get(gw, path + marker, headers).backend()).isEqualTo(V1);
    }
    double p = percent / 100.0;
    double margin = 3 * Math.sqrt(total * p * (1 - p));
    await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(300)).untilAsserted(() -> {
      long got = mirror.requests().stream().filter(r -> r.path().equals(path + marker)).count();
      assertThat((double) got).as("requests mirrored of " + total + " to " + path)
          .isBetween(total * p - margin, total * p + margin);
    });
  }

  @Test
  void HTTPRouteTimeoutRequest() {
    suite.apply("tests/httproute-timeout-request.yaml");
    timeouts("/request-timeout", "/disable-request-timeout");
  }

  @Test
  void HTTPRouteTimeoutBackendRequest() {
    suite.apply("tests/httproute-timeout-backend-request.yaml");
    timeouts("/backend-timeout", "/disable-backend-timeout");
  }

  /**
   * Upstream's cases: 200 in time; 504 when the backend takes 1 s over a 500 ms timeout (upstream asks
   * its echo server for the delay with {@code ?delay=1s}; here the backend is told to delay); "0s" none.
   */
  private void timeouts(String limited, String unlimited) {
    Exchange.awaitBackend(gw, limited, V1);
    assertThat(Exchange.get(gw, limited).status()).isEqualTo(200);
    suite.backend(INFRA_NS, V1).delay(Duration.ofSeconds(1));
    assertThat(Exchange.get(gw, limited + "?delay=1s").status()).isEqualTo(504);
    assertThat(Exchange.get(gw, unlimited + "?delay=1s").status()).isEqualTo(200);
    suite.backend(INFRA_NS, V1).reset();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRetry() {
    suite.apply("tests/httproute-retry.yaml");
    Exchange.awaitBackend(gw, "/retry/code-500-attempts-3", V3);
    // Upstream asks its echo server to fail ("responseCode", "succeedAfter"); here the backend is told to.
    retry("/retry/code-500-attempts-3", 500, 2, 200);
    retry("/retry/code-500-attempts-3", 500, 4, 500);
    retry("/retry/code-500-attempts-3", 503, 2, 503);
    for (int code : new int[] {500, 502, 503, 504}) {
      retry("/retry/code-all-attempts-2", code, 1, 200);
      retry("/retry/code-all-attempts-2", code, 3, code);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** The backend fails {@code failures} times with {@code code}, then succeeds; the client sees {@code want}. */
  private void retry(String path, int code, int failures, int want) {
    HttpBackend backend = suite.backend(INFRA_NS, V3).reset().failNext(failures, code);
    Exchange e = Exchange.get(gw, path + "?uuid=" + UUID.randomUUID());
    assertThat(e.status()).as(e + " after " + failures + " x " + code).isEqualTo(want);
    assertThat(e.backend()).isEqualTo(V3);
    backend.reset();
  }

  @Test
  void HTTPRouteWeight() {
    suite.apply("tests/httproute-weight.yaml");
    Exchange.awaitBackend(gw, "/", V2);
    Map<String, Integer> counts = new HashMap<>();
    int total = 500;
    for (int i = 0; i < total; i++) {
      counts.merge(String.valueOf(Exchange.get(gw, "/").backend()), 1, Integer::sum);
    }
    // Upstream: each backend's share within 5 percentage points of its weight; weight 0 gets none.
    assertThat(counts.getOrDefault(V1, 0) / (double) total).as(counts.toString()).isBetween(0.65, 0.75);
    assertThat(counts.getOrDefault(V2, 0) / (double) total).as(counts.toString()).isBetween(0.25, 0.35);
    assertThat(counts).doesNotContainKey(V3);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRequestHeaderModifierBackendWeights() {
    suite.apply("tests/httproute-request-header-modifier-backend-weights.yaml");
    Exchange.awaitBackend(gw, "/", V2);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      Exchange e = Exchange.get(gw, "/");
      assertThat(e.status()).isEqualTo(200);
      // The header a backendRef's filter sets reaches that backend only.
      assertThat(e.echoedHeader("Backend")).as(e.toString()).isEqualTo(e.backend());
      seen.merge(e.backend(), 1, Integer::sum);
    }
    assertThat(seen).containsKeys(V1, V2);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteNoBackendRefs() {
    suite.apply("tests/httproute-omitted-backendrefs.yaml");
    Exchange.awaitBackend(gw, "/forward", V1);
    assertThat(Exchange.get(gw, "/omitted-no-forward").status()).isEqualTo(500);
    assertThat(Exchange.get(gw, "/empty-no-forward").status()).isEqualTo(500);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteCORS() {
    suite.apply("tests/httproute-cors.yaml");
    Exchange.until(gw, "OPTIONS", "example.com", "/cors-1", preflight("https://www.foo.com", "GET"),
        e -> "https://www.foo.com".equals(e.responseHeader("access-control-allow-origin")));
    for (String origin : List.of("https://www.foo.com", "https://www.bar.com", "https://xpto.www.bar.com")) {
      Map<String, String> headers = new HashMap<>(preflight(origin, "GET"));
      headers.put("access-control-request-headers", "x-header-1, x-header-2");
      Exchange e = Exchange.send(gw, "OPTIONS", "example.com", "/cors-1", headers);
      assertThat(e.status()).as(e.toString()).isIn(200, 204);
      assertThat(e.responseHeader("access-control-allow-origin")).isEqualTo(origin);
      assertThat(list(e, "access-control-allow-methods")).containsExactlyInAnyOrder("GET", "OPTIONS");
      assertThat(list(e, "access-control-allow-headers")).containsExactlyInAnyOrder("x-header-1", "x-header-2");
      assertThat(list(e, "access-control-expose-headers")).containsExactlyInAnyOrder("x-header-3", "x-header-4");
      assertThat(e.responseHeader("access-control-max-age")).isEqualTo("3600");
      assertThat(e.responseHeader("access-control-allow-credentials")).isEqualTo("true");
    }
    Exchange refused = Exchange.send(gw, "OPTIONS", "example.com", "/cors-1", preflight("https://foobar.com", "GET"));
    assertThat(refused.status()).isIn(200, 204, 403);
    assertThat(refused.responseHeader("access-control-allow-origin")).isNull();
    for (String origin : List.of("https://www.foo.com", "https://www.bar.com")) {
      Exchange simple = Exchange.send(gw, "GET", "example.com", "/cors-1", Map.of("Origin", origin));
      assertThat(simple.status()).isEqualTo(200);
      assertThat(simple.responseHeader("access-control-allow-origin")).isEqualTo(origin);
    }
    Exchange other = Exchange.send(gw, "GET", "example.com", "/cors-1", Map.of("Origin", "https://foobar.com"));
    assertThat(other.responseHeader("access-control-allow-origin")).isNull();

    Exchange anyMethod = Exchange.send(gw, "OPTIONS", "example.com", "/cors-2", preflight("https://www.foo.com", "POST"));
    assertThat(anyMethod.status()).isIn(200, 204);
    assertThat(anyMethod.responseHeader("access-control-allow-methods")).isIn("POST", "*");
    assertThat(anyMethod.responseHeader("access-control-allow-origin")).isEqualTo("https://www.foo.com");
    assertThat(anyMethod.responseHeader("access-control-allow-credentials")).isNull();

    for (String origin : List.of("https://foobar.com", "https://foobar.com:12345")) {
      Exchange pre = Exchange.send(gw, "OPTIONS", "example.com", "/cors-wildcard-origin", preflight(origin, "PUT"));
      assertThat(pre.status()).isIn(200, 204);
      assertThat(pre.responseHeader("access-control-allow-origin")).isIn(origin, "*");
      assertThat(pre.responseHeader("access-control-allow-methods")).isEqualTo("PUT");
      assertThat(pre.responseHeader("access-control-allow-credentials")).isNull();
      Exchange put = Exchange.send(gw, "PUT", "example.com", "/cors-wildcard-origin", Map.of("Origin", origin));
      assertThat(put.status()).isEqualTo(200);
      assertThat(put.responseHeader("access-control-allow-origin")).isIn(origin, "*");
      assertThat(put.responseHeader("access-control-allow-credentials")).isNull();
    }

    Map<String, String> wildcard = new HashMap<>(preflight("https://other.foo.com", "PUT"));
    wildcard.put("access-control-request-headers", "x-header-1, x-header-2");
    Exchange credentials = Exchange.send(gw, "OPTIONS", "example.com", "/cors-wildcard-methods-headers", wildcard);
    assertThat(credentials.status()).isIn(200, 204);
    assertThat(credentials.responseHeader("access-control-allow-origin")).isEqualTo("https://other.foo.com");
    assertThat(credentials.responseHeader("access-control-allow-methods")).isEqualTo("PUT");
    assertThat(list(credentials, "access-control-allow-headers"))
        .containsExactlyInAnyOrder("x-header-1", "x-header-2");
    assertThat(credentials.responseHeader("access-control-allow-credentials")).isEqualTo("true");
    Exchange unauth = Exchange.send(gw, "OPTIONS", "example.com", "/cors-wildcard-methods-headers-unauth", wildcard);
    assertThat(unauth.status()).isIn(200, 204);
    assertThat(unauth.responseHeader("access-control-allow-origin")).isIn("https://other.foo.com", "*");
    assertThat(unauth.responseHeader("access-control-allow-methods")).isIn("PUT", "*");
    assertThat(unauth.responseHeader("access-control-allow-headers").replace(" ", ""))
        .isIn("x-header-1,x-header-2", "x-header-2,x-header-1", "*");
    assertThat(unauth.responseHeader("access-control-allow-credentials")).isNull();
    Exchange get = Exchange.send(gw, "GET", "example.com", "/cors-wildcard-methods-headers",
        Map.of("Origin", "https://other.foo.com"));
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.responseHeader("access-control-allow-origin")).isEqualTo("https://other.foo.com");
    assertThat(get.responseHeader("access-control-allow-credentials")).isEqualTo("true");
    Exchange getUnauth = Exchange.send(gw, "GET", "example.com", "/cors-wildcard-methods-headers-unauth",
        Map.of("Origin", "https://other.foo.com"));
    assertThat(getUnauth.status()).isEqualTo(200);
    assertThat(getUnauth.responseHeader("access-control-allow-origin")).isIn("https://other.foo.com", "*");
    assertThat(getUnauth.responseHeader("access-control-allow-credentials")).isNull();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteBackendProtocolH2C() {
    // infra-backend-v1's second-port (appProtocol kubernetes.io/h2c, targetPort 3001) is served by a
    // server that speaks only HTTP/2 with prior knowledge, as upstream's echo server on 3001.
    try (H2cBackend h2c = H2cBackend.start(V1)) {
      suite.endpoints("base/manifests.yaml", INFRA_NS, V1, Map.of("second-port", h2c.port()),
          suite.backend(INFRA_NS, V1).port());
      suite.apply("tests/httproute-backend-protocol-h2c.yaml");
      // Upstream: an HTTP/2 prior-knowledge request (no h2c Upgrade) reaches the backend.
      HttpProbe.Response response = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .ignoreExceptions().until(() -> H2cBackend.get(gw.httpPort(), "example.com", "/"), r -> r.status() == 200);
      assertThat(response.backend()).isEqualTo(V1);
      assertThat(response.body()).contains("\"protocol\":\"HTTP/2.0\"");
      // An HTTP/1.1 client's request goes to that backend in HTTP/2 too.
      assertThat(gw.get("example.com", "/").backend()).isEqualTo(V1);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteBackendProtocolWebSocket() {
    // infra-backend-v1's third-port (appProtocol kubernetes.io/ws) is served by a WebSocket echo server.
    try (WebSocketBackend ws = WebSocketBackend.start(V1)) {
      suite.endpoints("base/manifests.yaml", INFRA_NS, V1, Map.of("third-port", ws.port()),
          suite.backend(INFRA_NS, V1).port());
      suite.apply("tests/httproute-backend-protocol-websocket.yaml");
      // Upstream: a text and a binary message come back unchanged over ws://<gateway>/ws.
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
          .until(() -> webSocketEchoes(gw.httpPort()));
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** Sends upstream's text and binary messages over one WebSocket and checks both come back. */
  private static boolean webSocketEchoes(int port) throws Exception {
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();
      private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          received.add(text.toString());
          text.setLength(0);
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        binary.write(bytes, 0, bytes.length);
        if (last) {
          received.add(binary.toByteArray());
          binary.reset();
        }
        webSocket.request(1);
        return null;
      }
    };
    WebSocket socket = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
        .newWebSocketBuilder()
        .buildAsync(URI.create("ws://127.0.0.1:" + port + WebSocketBackend.PATH), listener)
        .get(5, TimeUnit.SECONDS);
    try {
      String textMessage = "Websocket Support!";
      socket.sendText(textMessage, true).get(5, TimeUnit.SECONDS);
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(textMessage);
      byte[] binaryMessage = {1, 2, 3, 4, 5, 6, 7};
      socket.sendBinary(ByteBuffer.wrap(binaryMessage), true).get(5, TimeUnit.SECONDS);
      assertThat(received.poll(5, TimeUnit.SECONDS)).isEqualTo(binaryMessage);
      return true;
    } finally {
      socket.abort();
    }
  }

  private static Map<String, String> preflight(String origin, String method) {
    return Map.of("Origin", origin, "access-control-request-method", method);
  }

  /** A comma-separated response header as its trimmed items. */
  private static List<String> list(Exchange e, String header) {
    String value = e.responseHeader(header);
    assertThat(value).as(e + " " + header).isNotNull();
    return List.of(value.split("\\s*,\\s*"));
  }
}
