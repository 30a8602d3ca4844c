package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.it.harness.TrafficLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;

/**
 * Fuzz-style: hundreds of bad messages on the resource topics while good traffic flows. None may crash
 * the sidecar, reach Envoy (no NACK) or disturb the good config; each is reported.
 */
class BadInputTest {
  private static final String VS = ProcessGateway.RESOURCES + "virtualservice/default/";
  private static final int ROUNDS = 15;

  /**
   * One kind of bad message: its payload for message {@code n}, published on {@code <topic prefix>bad-<n>}.
   * {@code rejected}: the sidecar must refuse it; else it is valid but useless (it names things that do
   * not exist) and must simply change nothing for the good routes.
   */
  private record Bad(String what, String topicPrefix, IntFunction<byte[]> payload, boolean rejected) {
    Bad(String what, String topicPrefix, IntFunction<byte[]> payload) {
      this(what, topicPrefix, payload, true);
    }
  }

  @Test
  void hundredsOfBadMessagesAreRejectedWithoutCrashNackOrFailedRequest() throws Exception {
    Random random = new Random(42);
    List<Bad> kinds = badKinds(random);
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      awaitEcho(gw, "bookinfo.local", "/productpage");
      String goodVersion = gw.sidecar().servedVersion();

      List<String> mustBeRejected = new ArrayList<>();
      int published = 0;
      try (TrafficLoop traffic = TrafficLoop.start(gw.sidecar().httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        for (int round = 0; round < ROUNDS; round++) {
          for (Bad bad : kinds) {
            String name = "bad-" + published;
            gw.publishRaw(bad.topicPrefix() + name, bad.payload().apply(published));
            if (bad.rejected()) {
              mustBeRejected.add(name);
            }
            published++;
          }
          // The good resource's own topic gets bad versions too: the accepted one must keep serving.
          gw.publish(BookinfoRoutingTest.bookinfoVs("""
                - match:
                  - uri:
                      regex: "/broken(["
                  route:
                  - destination:
                      host: productpage
                    weight: -%d
              """.formatted(round + 1)));
          gw.publishRaw(VS + "bookinfo", garbage(random, 200));
          published += 2;
        }
        System.out.printf("published %d bad messages%n", published);

        // Everything is taken in: every bad-<n> is reported as rejected or unreadable.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
            assertThat(unreported(gw, mustBeRejected)).as("bad messages without a rejection").isEmpty());
        assertThat(reasonFor(gw, "bookinfo")).isNotEmpty();

        // Still alive, still serving the good version, and a good update still goes through.
        assertThat(gw.sidecar().isAlive()).isTrue();
        assertThat(gw.sidecar().servedVersion()).isEqualTo(goodVersion);
        gw.publish(Manifests.counterVs("counter", "counter.local", 7));
        awaitEcho(gw, "counter.local", "/v-7");

        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("good requests during %d bad messages: %s", published, result).isZero();
        assertThat(result.ok()).isPositive();
      }
      assertThat(gw.envoy().nacks()).as("Envoy NACKs").isZero();
      assertThat(gw.sidecar().log()).doesNotContain("StackOverflowError").doesNotContain("OutOfMemoryError");
      ResilienceTest.assertServedEqualsEnvoy(gw);
      // What the operator sees of the messages over the Maximum Packet Size (mosquitto writes its log
      // to a pipe buffered until it stops).
      gw.stopBroker();
      assertThat(gw.broker().log()).contains("Dropping too large outgoing PUBLISH for edgegw-");
    }
  }

  private static List<Bad> badKinds(Random random) {
    String root = ProcessGateway.RESOURCES;
    return List.of(
        new Bad("binary garbage", VS, i -> garbage(random, 1 + random.nextInt(4096))),
        new Bad("invalid UTF-8", VS, i -> concat(vs("bad-" + i, "\"x.local\"").getBytes(StandardCharsets.UTF_8),
            new byte[] {'#', ' ', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE, '\n'},
            "  x: \"\u0000".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xE2, (byte) 0x82, '"', '\n'})),
        new Bad("YAML alias bomb", VS, i -> utf8(yamlBomb())),
        new Bad("deeply nested YAML", VS, i -> utf8("a: " + "[".repeat(20_000 + i) + "]".repeat(20_000 + i))),
        new Bad("deeply nested JSON", VS, i -> utf8("{\"a\":".repeat(50_000) + "1" + "}".repeat(50_000))),
        new Bad("kind differs from the topic", root + "gateway/default/", i -> utf8(vs("bad-" + i, "\"x.local\""))),
        new Bad("name differs from the topic", VS, i -> utf8(vs("other-" + i, "\"x.local\""))),
        // 1.06 MB, over the default 1 MiB limit but within the packet headroom (64 KiB): it arrives and
        // is refused unparsed. Three of them (first rounds), NUL-led garbage after.
        new Bad("over the payload limit", VS, i -> i < 3 * 23
            ? utf8(vs("bad-" + i, "\"x.local\"") + "# " + "x".repeat(1_060_000) + "\n")
            : utf8("\u0000" + "x".repeat(100))),
        // 1.2 MB, over the Maximum Packet Size the sidecar announces: the broker drops it (and logs
        // that), so it is never reported; the rounds after send NUL-led garbage.
        new Bad("over the maximum packet size", VS, i -> i < 3 * 23
            ? utf8(vs("bad-" + i, "\"x.local\"") + "# " + "x".repeat(1_200_000) + "\n")
            : utf8("\u0000" + "x".repeat(100)), false),
        new Bad("invalid RE2 regex", VS, i -> utf8(vsWithMatch("bad-" + i, "regex: \"(?<=x)a++" + i + "\""))),
        new Bad("negative weight", VS, i -> utf8(vs("bad-" + i, "\"x.local\"").replace("number: 9080", "number: 9080\n        weight: -" + i))),
        new Bad("unknown field", VS, i -> utf8(vs("bad-" + i, "\"x.local\"").replace("  hosts:", "  bogusField" + i + ": 1\n  hosts:"))),
        new Bad("wrong types", VS, i -> utf8(vs("bad-" + i, "5").replace("http:", "http: \"nope\"\n  tcp_:"))),
        new Bad("JSON array, number, null, string", VS, i -> utf8(List.of("[1,2,3]", "42", "null", "\"text\"", "true").get(i % 5))),
        new Bad("several documents", VS, i -> utf8(vs("bad-" + i, "\"x.local\"") + "---\n" + vs("bad-" + i, "\"y.local\""))),
        new Bad("unknown kind", root + "ingress/default/", i -> utf8("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: bad-" + i + "}\n")),
        new Bad("empty name in the payload", VS, i -> utf8(vs("", "\"x.local\""))),
        new Bad("name unsafe for a file system", VS, i -> utf8(vs("../../../etc/bad-" + i, "\"x.local\""))),
        new Bad("HTTPS server without tls", root + "gateway/default/", i -> utf8("""
            apiVersion: networking.istio.io/v1
            kind: Gateway
            metadata: {name: bad-%d, namespace: default}
            spec:
              selector: {istio: edgegateway}
              servers:
              - port: {number: 80, name: https, protocol: HTTPS}
                hosts: ["secure.local"]
            """.formatted(i))),
        new Bad("route to a missing service through a missing gateway", VS, i -> utf8(vs("bad-" + i, "\"x.local\"")
            .replace("[bookinfo-gateway]", "[no-such-gateway]").replace("host: productpage", "host: no-such-service")), false),
        // Secrets are validated on arrival (certificate and key must parse and match): rejected.
        new Bad("TLS secret that is not PEM", root + "secret/default/", i -> utf8("""
            apiVersion: v1
            kind: Secret
            metadata: {name: bad-%d, namespace: default}
            type: kubernetes.io/tls
            data:
              tls.crt: %s
              tls.key: "!!not base64!!"
            """.formatted(i, Base64.getEncoder().encodeToString("not a certificate".getBytes(StandardCharsets.UTF_8)))), true));
  }

  /** Names of the bad resources for which /resources shows neither a rejection nor an unreadable entry. */
  private static List<String> unreported(ProcessGateway gw, List<String> names) {
    JsonNode resources = Manifests.json(gw.sidecar().admin("/resources"));
    List<String> missing = new ArrayList<>();
    for (String name : names) {
      if (reasonFor(resources, name).isEmpty()) {
        missing.add(name);
      }
    }
    return missing;
  }

  private static String reasonFor(ProcessGateway gw, String name) {
    return reasonFor(Manifests.json(gw.sidecar().admin("/resources")), name);
  }

  /** The rejection reason of resource {@code name}, or of an unreadable message on a topic ending in it. */
  private static String reasonFor(JsonNode resources, String name) {
    for (JsonNode r : resources.path("resources")) {
      if (r.path("name").asText().equals(name) && r.path("status").asText().equals("rejected")) {
        return r.path("reasons").toString();
      }
    }
    for (JsonNode u : resources.path("unreadable")) {
      if (u.path("origin").asText().endsWith("/" + name)) {
        return u.path("reason").asText();
      }
    }
    return "";
  }

  private static String vs(String name, String host) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: "%s"
          namespace: default
        spec:
          hosts: [%s]
          gateways: [bookinfo-gateway]
          http:
          - route:
            - destination:
                host: productpage
                port:
                  number: 9080
        """.formatted(name, host);
  }

  private static String vsWithMatch(String name, String match) {
    return vs(name, "\"x.local\"").replace("  - route:", "  - match:\n    - uri:\n        " + match + "\n    route:");
  }

  /** A "billion laughs": nine levels of nine aliases each. */
  private static String yamlBomb() {
    StringBuilder yaml = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int level = 1; level < 9; level++) {
      yaml.append("a").append(level).append(": &a").append(level).append(" [");
      for (int j = 0; j < 9; j++) {
        yaml.append(j == 0 ? "" : ",").append("*a").append(level - 1);
      }
      yaml.append("]\n");
    }
    return yaml.toString();
  }

  private static byte[] garbage(Random random, int length) {
    byte[] bytes = new byte[length];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    byte[] all = new byte[length];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }
}
