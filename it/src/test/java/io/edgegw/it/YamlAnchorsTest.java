package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableMap;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.EnvoyProcess;
import io.edgegw.it.harness.FreePorts;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.server.Components;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * YAML anchors, aliases and merge keys mean what kubectl makes of them (issues #11, #12): a
 * VirtualService that matches {@code authority: {exact: *h}}, routes to {@code destination: *d} and
 * merges a rewrite with {@code <<: *rw} sends real requests through the real Envoy where the resolved
 * YAML says; published as YAML over MQTT, and read from a --config-dir.
 */
class YamlAnchorsTest {
  static final String ANCHORED_VS = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: anchors, namespace: default}
      spec:
        hosts: [&h anchors.local, other.local]
        gateways: [bookinfo-gateway]
        http:
        - match:
          - authority: {exact: *h}
            uri: {prefix: /a}
          rewrite: &rw {uri: /from-anchor}
          route:
          - destination: &d {host: reviews, port: {number: 9080}}
        - match:
          - uri: {prefix: /b}
          rewrite:
            <<: *rw
            authority: merged.local
          route:
          - destination: *d
        - route:
          - destination: {host: productpage, port: {number: 9080}}
      """;

  @TempDir Path temp;

  @Test
  void anAnchoredVirtualServicePublishedAsYamlOverMqttRoutesAsResolved() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        HttpBackend reviews = HttpBackend.start("reviews");
        ProcessGateway gw = ProcessGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage) + "---\n" + EdgeGateway.service("reviews", reviews));
      awaitEcho(gw, "bookinfo.local", "/productpage");
      // As the operator wrote it, not re-serialised by our publisher: the sidecar reads the YAML.
      gw.publishRaw(ProcessGateway.RESOURCES + "virtualservice/default/anchors", ANCHORED_VS.getBytes(StandardCharsets.UTF_8));
      assertRoutedAsResolved((host, path) -> gw.get(host, path));
      assertThat(gw.sidecar().admin("/resources?kind=VirtualService&name=anchors")).contains("\"applied\"");
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  @Test
  void anAnchoredVirtualServiceInTheConfigDirectoryRoutesAsResolved() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        HttpBackend reviews = HttpBackend.start("reviews")) {
      Path configDir = Files.createDirectories(temp.resolve("config"));
      Files.writeString(configDir.resolve("bookinfo.yaml"), Manifests.bookinfo(productpage));
      Files.writeString(configDir.resolve("reviews.yaml"), EdgeGateway.service("reviews", reviews));
      Files.writeString(configDir.resolve("anchors.yaml"), ANCHORED_VS);
      int httpPort = FreePorts.next();
      SidecarConfig config = SidecarConfig.builder(Files.createDirectories(temp.resolve("state")))
          .mqttUrl(Optional.empty())
          .configDir(Optional.of(configDir))
          .listenerBindAddress(FreePorts.LOOPBACK)
          .portMap(ImmutableMap.of(80, httpPort))
          .xdsAddress(new HostPort(FreePorts.LOOPBACK, 0))
          .adminAddress(new HostPort(FreePorts.LOOPBACK, 0))
          .nodePolicy(EdgeGateway.HARNESS_NODE_POLICY)
          .build();
      try (Sidecar sidecar = Sidecar.start(config, Components.production());
          EnvoyProcess envoy = ProcessGateway.startEnvoy(sidecar.xdsPort())) {
        assertRoutedAsResolved((host, path) -> HttpProbe.get(httpPort, host, path));
        assertThat(envoy.nacks()).isZero();
      }
    }
  }

  private interface Get {
    HttpProbe.Response get(String host, String path);
  }

  private static void assertRoutedAsResolved(Get get) {
    // authority: {exact: *h} is anchors.local, destination: *d is reviews, rewrite: &rw is /from-anchor.
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> "reviews".equals(get.get("anchors.local", "/a").backend()));
    assertThat(echo(get.get("anchors.local", "/a"))).isEqualTo("/from-anchor anchors.local");
    // Another host of the same VirtualService does not match the authority: the catch-all takes it.
    assertThat(get.get("other.local", "/a").backend()).isEqualTo("productpage");
    // <<: *rw merged the rewrite's uri with the rule's own authority; destination: *d again.
    HttpProbe.Response merged = get.get("anchors.local", "/b");
    assertThat(merged.backend()).isEqualTo("reviews");
    assertThat(echo(merged)).isEqualTo("/from-anchor merged.local");
    assertThat(get.get("anchors.local", "/c").backend()).isEqualTo("productpage");
  }

  /** "path host" as the backend received them. */
  private static String echo(HttpProbe.Response response) {
    JsonNode body = Manifests.json(response.body());
    return body.path("path").asText() + " " + body.path("host").asText();
  }
}
