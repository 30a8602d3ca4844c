package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TrafficLoop;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue #11: resources that pass Istio's validation but that Envoy used to refuse (and so froze every
 * later change). Published over MQTT while a client loop runs on an unrelated route; each is either
 * served (Envoy is now configured as istiod configures it: RE2 program sizes up to 32768, direct
 * response bodies up to 1 MiB) or rejected with a specific reason in /resources, never NACKed.
 */
class EnvoyLimitsTest {
  private static final String TENANT_GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: tenant-gw, namespace: tenant}
      spec:
        selector: {istio: edgegateway}
        servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
      """;

  /** The reproduction: /a{1000} is valid RE2, program size 1005, over Envoy's default of 100. */
  private static final String POISON = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: poison, namespace: tenant}
      spec:
        hosts: ["*"]
        gateways: [tenant-gw]
        http:
        - match: [{uri: {regex: "/a{1000}"}}]
          directResponse: {status: 200, body: {string: "poison served"}}
      """;

  /** Program size 405 in every regex field that becomes an Envoy RE2 matcher. */
  private static final String LONG_REGEXES = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: long-regexes, namespace: default}
      spec:
        hosts: [long.local]
        gateways: [bookinfo-gateway]
        http:
        - match:
          - uri: {regex: "/[a-z]{1,200}x"}
            headers: {x-long: {regex: "[a-z]{1,200}x"}}
            queryParams: {q: {regex: "[a-z]{1,200}x"}}
          rewrite: {uriRegexRewrite: {match: "/[a-z]{1,200}x", rewrite: /rewritten}}
          corsPolicy: {allowOrigins: [{regex: "https://[a-z]{1,200}x"}], allowMethods: [GET]}
          route: [{destination: {host: productpage, port: {number: 9080}}}]
      """;

  private static final String BIG_BODY = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: big-body, namespace: default}
      spec:
        hosts: [big-body.local]
        gateways: [bookinfo-gateway]
        http:
        - directResponse: {status: 200, body: {string: "%s"}}
      """.formatted("b".repeat(5000));

  @Test
  void whatEnvoyWouldRefuseIsServedOrRejectedWithAReasonAndNeverNacked() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      gw.awaitBackend("bookinfo.local", "/productpage", "productpage");

      try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        // Rejected, each with its reason (resource name -> what the reason must say).
        Map<String, String> rejected = new LinkedHashMap<>();
        publishVs(gw, rejected, "huge-regex", "too complex for Envoy",
            "match: [{uri: {regex: \"" + "[^/]{1,1000}".repeat(12) + "\"}}]\n    directResponse: {status: 200}");
        publishVs(gw, rejected, "huge-header", "header value is 20000 bytes, over Envoy's limit of 16384",
            "headers: {request: {set: {x-big: \"" + "v".repeat(20_000) + "\"}}}\n"
                + "    route: [{destination: {host: productpage, port: {number: 9080}}}]");
        publishGateway(gw, rejected, "on-sidecar-admin", gw.sidecar().adminPort(), "", "the sidecar's admin port");
        publishGateway(gw, rejected, "on-sidecar-xds", gw.sidecar().xdsPort(), "", "the sidecar's xDS port");
        publishGateway(gw, rejected, "on-envoy-admin", gw.envoy().adminPort(), "", "Envoy's admin port");
        publishGateway(gw, rejected, "on-broker", gw.broker().port(), "", "the MQTT broker's port");
        publishGateway(gw, rejected, "bind-test-net", 9000, "192.0.2.1", "192.0.2.1 is not one this node lets listeners bind");
        publishGateway(gw, rejected, "bind-metadata", 9001, "169.254.169.254",
            "169.254.169.254 is not one this node lets listeners bind");
        // Served, now that Envoy takes what istiod's Envoy takes.
        gw.publish(TENANT_GATEWAY);
        gw.publish(POISON);
        gw.publish(LONG_REGEXES);
        gw.publish(BIG_BODY);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
          JsonNode resources = Manifests.json(gw.admin("/resources"));
          for (Map.Entry<String, String> e : rejected.entrySet()) {
            assertThat(reasons(resources, e.getKey())).as("rejection of %s", e.getKey()).contains(e.getValue());
          }
        });
        gw.awaitAnswer("any.local", "/" + "a".repeat(1000), r -> r.status() == 200 && r.body().equals("poison served"),
            "the poison route");
        gw.awaitAnswer("big-body.local", "/", r -> r.status() == 200 && r.body().length() == 5000, "a 5000-byte body");
        HttpProbe.Response longRegex = gw.get("long.local", "/abcx?q=abcx",
            Map.of("x-long", "abcx", "origin", "https://abcx"));
        assertThat(longRegex.status()).as("long regexes served: %s", longRegex.body()).isEqualTo(200);
        assertThat(Manifests.echoedPath(longRegex)).startsWith("/rewritten");
        assertThat(longRegex.header("access-control-allow-origin")).isEqualTo("https://abcx");

        // A later good change still goes through.
        gw.publish(Manifests.counterVs("counter", "counter.local", 7));
        gw.awaitAnswer("counter.local", "/", r -> "/v-7".equals(Manifests.echoedPath(r)), "the counter route");

        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests on the unrelated route: %s", result).isZero();
        assertThat(result.ok()).isPositive();
      }
      assertThat(gw.envoy().nacks()).as("Envoy NACKs").isZero();
    }
  }

  private static void publishVs(EdgeGateway gw, Map<String, String> rejected, String name, String reason, String rule) {
    gw.publish("""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: default}
        spec:
          hosts: [%s.local]
          gateways: [bookinfo-gateway]
          http:
          - %s
        """.formatted(name, name, rule));
    rejected.put(name, reason);
  }

  private static void publishGateway(EdgeGateway gw, Map<String, String> rejected, String name, int port, String bind,
      String reason) {
    gw.publish("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: default}
        spec:
          selector: {istio: edgegateway}
          servers: [{port: {number: %d, name: http, protocol: HTTP}, hosts: ["*"]%s}]
        """.formatted(name, port, bind.isEmpty() ? "" : ", bind: " + bind));
    rejected.put(name, reason);
  }

  /** The reasons /resources gives for resource {@code name} when it is rejected; "" otherwise. */
  static String reasons(JsonNode resources, String name) {
    for (JsonNode r : resources.path("resources")) {
      if (r.path("name").asText().equals(name) && r.path("status").asText().equals("rejected")) {
        return r.path("reasons").toString();
      }
    }
    return "";
  }
}
