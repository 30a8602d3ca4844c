package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpBackend.RecordedRequest;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.HttpProbe.Response;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VirtualService http features that Envoy carries out per route (header operations, fault injection,
 * mirroring, CORS, regex rewrite, delegation), proven with real requests through a real Envoy.
 */
class HttpFeaturesTest {
  private static final String HOST = "features.local";
  private static HttpBackend web;
  private static HttpBackend shadow;
  private static HttpBackend cart;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    web = HttpBackend.start("web");
    shadow = HttpBackend.start("shadow");
    cart = HttpBackend.start("cart");
    gw = EdgeGateway.start();
    gw.publish(GATEWAY + "---\n" + EdgeGateway.service("web", web) + "---\n" + EdgeGateway.service("shadow", shadow) + "---\n" + EdgeGateway.service("cart", cart)
        + "---\n" + VIRTUAL_SERVICE + "---\n" + DELEGATE);
    gw.awaitBackend(HOST, "/headers", "web");
    gw.awaitBackend(HOST, "/shop/cart", "cart");
  }

  @AfterAll
  static void stop() {
    try {
      // Envoy must accept everything the translator produced for these features.
      assertThat(gw.envoy().nacks()).isZero();
    } finally {
      EdgeGateway.closeAll(gw, web, shadow, cart);
    }
  }

  @Test
  void requestHeadersAreSetAddedAndRemovedOnTheWayToTheBackend() {
    Response response = gw.get(HOST, "/headers/1", Map.of("x-env", "client", "x-trace", "from-client", "x-secret", "s3cret"));
    assertThat(response.status()).isEqualTo(200);
    RecordedRequest seen = lastRequest(web, "/headers/1");
    assertThat(seen.header("x-env")).isEqualTo("edge");
    assertThat(seen.header("x-trace")).isEqualTo("from-client,added");
    assertThat(seen.header("x-secret")).isNull();
    assertThat(seen.header("x-upstream")).isEqualTo("web");
  }

  @Test
  void responseHeadersAreSetAddedAndRemovedOnTheWayToTheClient() {
    Response response = gw.get(HOST, "/headers/2");
    assertThat(response.backend()).isEqualTo("web");
    assertThat(response.header("cache-control")).isEqualTo("no-store");
    assertThat(response.header("x-served-by")).isEqualTo("edge 100%");
    assertThat(response.header("x-from")).isEqualTo("web");
    // The backend always sends content-type; the route removes it.
    assertThat(response.header("content-type")).isNull();
  }

  @Test
  void faultAbortAnswersItsStatusForAboutItsShareOfRequests() {
    Map<String, Integer> seen = gw.distribution(HOST, "/abort", 400);
    assertThat(seen.keySet()).containsOnly("web", "418");
    // 400 draws at p=0.5: mean 200, standard deviation 10; 150..250 is 5 sigma either side.
    assertThat(seen.get("418")).isBetween(150, 250);
  }

  @Test
  void faultDelayHoldsTheRequestBeforeForwardingIt() {
    long start = System.nanoTime();
    Response response = gw.get(HOST, "/delay");
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(response.backend()).isEqualTo("web");
    // The delay is 500 ms; Envoy's millisecond timers may fire a hair early (498.8 ms was seen), while an
    // undelayed request takes a few ms here, so 450 ms still tells a delay from none.
    assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(450));
  }

  @Test
  void aMirrorGetsACopyWhileTheClientGetsThePrimarysAnswer() {
    Response response = gw.get(HOST, "/mirror/7");
    assertThat(response.backend()).isEqualTo("web");
    // Mirroring is fire-and-forget: the copy may land just after the client has its answer.
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(shadow.requests())
        .anySatisfy(r -> {
          assertThat(r.path()).isEqualTo("/mirror/7");
          // As istiod (DISABLE_SHADOW_HOST_SUFFIX): the copy keeps the original Host.
          assertThat(r.host()).isEqualTo(HOST);
        }));
    assertThat(lastRequest(web, "/mirror/7").host()).isEqualTo(HOST);
  }

  @Test
  void corsPreflightIsAnsweredForAnAllowedOriginOnly() {
    Response allowed = preflight("https://app.example.com");
    assertThat(allowed.status()).isEqualTo(200);
    assertThat(allowed.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
    assertThat(allowed.header("access-control-allow-methods")).isEqualTo("GET,POST");
    assertThat(allowed.header("access-control-max-age")).isEqualTo("600");

    // Not allowed: Envoy adds no CORS headers and, as istiod configures it, forwards the preflight.
    Response other = preflight("https://evil.example.net");
    assertThat(other.header("access-control-allow-origin")).isNull();
    assertThat(other.backend()).isEqualTo("web");

    Response simple = gw.get(HOST, "/cors", Map.of("origin", "https://app.example.com"));
    assertThat(simple.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
  }

  @Test
  void uriRegexRewriteReachesTheBackendWithTheNewPath() {
    Response response = gw.get(HOST, "/users/42/profile");
    assertThat(response.backend()).isEqualTo("web");
    assertThat(lastRequestTo(web, "/profiles/42")).isNotNull();
  }

  @Test
  void aDelegatedRuleServesWithinTheRootMatchAndInheritsItsHeaders() {
    Response response = gw.get(HOST, "/shop/cart/1");
    assertThat(response.backend()).isEqualTo("cart");
    assertThat(lastRequest(cart, "/shop/cart/1").header("x-root")).isEqualTo("yes");
    // The delegate's own match /cart lies outside the root's /shop: it is left out, nothing else matches.
    assertThat(gw.get(HOST, "/cart").status()).isEqualTo(404);
  }

  private static Response preflight(String origin) {
    return HttpProbe.request(gw.httpPort(), "OPTIONS", HOST, "/cors",
        Map.of("origin", origin, "access-control-request-method", "GET"), null);
  }

  /** The latest request the backend received for {@code path}. */
  private static RecordedRequest lastRequest(HttpBackend backend, String path) {
    RecordedRequest found = lastRequestTo(backend, path);
    assertThat(found).as(backend.name() + " got " + path).isNotNull();
    return found;
  }

  private static RecordedRequest lastRequestTo(HttpBackend backend, String path) {
    return backend.requests().stream().filter(r -> r.path().equals(path)).reduce((a, b) -> b).orElse(null);
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: features, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["features.local"]
      """;

  private static final String VIRTUAL_SERVICE = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: features, namespace: default}
      spec:
        hosts: ["features.local"]
        gateways: [features]
        http:
        - match: [{uri: {prefix: /headers}}]
          headers:
            request:
              set: {x-env: edge}
              add: {x-trace: added}
              remove: [x-secret]
            response:
              set: {cache-control: no-store}
              add: {x-served-by: "edge 100%%"}
              remove: [content-type]
          route:
          - destination: {host: web}
            headers:
              request: {set: {x-upstream: web}}
              response: {set: {x-from: web}}
        - match: [{uri: {prefix: /abort}}]
          fault:
            abort: {httpStatus: 418, percentage: {value: 50}}
          route:
          - destination: {host: web}
        - match: [{uri: {prefix: /delay}}]
          fault:
            delay: {fixedDelay: 500ms, percentage: {value: 100}}
          route:
          - destination: {host: web}
        - match: [{uri: {prefix: /mirror}}]
          mirror: {host: shadow}
          mirrorPercentage: {value: 100}
          route:
          - destination: {host: web}
        - match: [{uri: {prefix: /cors}}]
          corsPolicy:
            allowOrigins: [{exact: https://app.example.com}]
            allowMethods: [GET, POST]
            maxAge: 10m
          route:
          - destination: {host: web}
        - match: [{uri: {regex: "/users/[0-9]+/profile"}}]
          rewrite:
            uriRegexRewrite: {match: "^/users/([0-9]+)/profile$", rewrite: "/profiles/\\\\1"}
          route:
          - destination: {host: web}
        - match: [{uri: {prefix: /shop}}]
          headers:
            request: {set: {x-root: "yes"}}
          delegate: {name: shop}
      """;

  private static final String DELEGATE = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: shop, namespace: default}
      spec:
        http:
        - match: [{uri: {prefix: /shop/cart}}]
          route:
          - destination: {host: cart}
        - match: [{uri: {prefix: /cart}}]
          route:
          - destination: {host: cart}
      """;
}
