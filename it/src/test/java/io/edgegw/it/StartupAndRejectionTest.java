package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.Mosquitto;
import io.edgegw.mqtt.MqttResourcePublisher;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Ordering and bad input: what users of EdgeMesh's gateway run into. */
class StartupAndRejectionTest {

  @Test
  void resourcesPublishedBeforeTheSidecarStartsArePickedUp() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        Mosquitto broker = Mosquitto.start()) {
      try (MqttResourcePublisher cloud = EdgeGateway.publisher(broker)) {
        EdgeGateway.publish(cloud, EdgeGateway.exampleYaml("bookinfo", Map.of("productpage", productpage)));
      }
      try (EdgeGateway gw = EdgeGateway.start(broker, Files.createTempDirectory("edgegw-state"))) {
        gw.awaitStatus("any.host", "/productpage", 200);
        assertThat(gw.get("any.host", "/login").backend()).isEqualTo("productpage");
      }
    }
  }

  @Test
  void anInvalidUpdateIsRejectedAndTheLastGoodVersionKeepsServing() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publishExample("bookinfo", Map.of("productpage", productpage));
      gw.awaitStatus("h", "/productpage", 200);

      // A regex RE2 cannot compile, and a weight that is negative: the whole update is refused.
      gw.publish(BookinfoRoutingTest.bookinfoVs("""
            - match:
              - uri:
                  regex: "/broken(["
              route:
              - destination:
                  host: productpage
                  port:
                    number: 9080
                weight: -1
          """));
      String resources = await().atMost(Duration.ofSeconds(10)).until(
          () -> gw.admin("/resources"), body -> body.contains("rejected"));
      assertThat(resources).contains("spec.http[1].match[0].uri.regex");
      // Garbage that is not even YAML, on a resource topic, is refused too.
      gw.publish("""
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: other, namespace: default}
          spec: {hosts: ["*"], gateways: [bookinfo-gateway], http: [{route: [{destination: {host: productpage}}], bogusField: 1}]}
          """);
      await().atMost(Duration.ofSeconds(10)).until(
          () -> gw.admin("/resources"), body -> body.contains("bogusField"));

      assertThat(gw.get("h", "/productpage").status()).isEqualTo(200);
      assertThat(gw.get("h", "/login").backend()).isEqualTo("productpage");
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  /**
   * A Gateway none of whose servers can be served (here: TCP on the port bookinfo serves HTTP on) used
   * to report "applied"; it reports what is really served: rejected, saying why, and nothing else moves.
   */
  @Test
  void aGatewayWhoseEveryServerIsSkippedIsReportedAsNotServed() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publishExample("bookinfo", Map.of("productpage", productpage));
      gw.awaitStatus("h", "/productpage", 200);
      String version = gw.servedVersion();
      gw.publish("""
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: clash, namespace: default, creationTimestamp: "2030-01-01T00:00:00Z"}
          spec:
            selector: {istio: edgegateway}
            servers: [{port: {number: 80, name: tcp, protocol: TCP}, hosts: ["*"]}]
          """);
      String status = await().atMost(Duration.ofSeconds(10)).until(
          () -> gw.admin("/resources?kind=Gateway&name=clash"), body -> body.contains("\"status\" : \"rejected\""));
      assertThat(status).contains("none of its 1 server(s) is served").contains("this server is skipped");
      assertThat(gw.get("h", "/productpage").backend()).isEqualTo("productpage");
      assertThat(gw.servedVersion()).isEqualTo(version);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  /**
   * The heap is sized for a bounded total of stored resources: a resource that would take the store
   * over its bound is rejected with the reason, and everything already accepted keeps serving.
   */
  @Test
  void aResourceBeyondTheStoreBoundIsRejectedAndTheRestKeepsServing() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start(config -> config.maxPayloadBytes(16 * 1024).maxStoreBytes(20 * 1024))) {
      gw.publishExample("bookinfo", Map.of("productpage", productpage));
      gw.awaitStatus("h", "/productpage", 200);
      // Each about 7 KB (many hosts): two more fit, the third would take the store over 20 KiB.
      for (int i = 1; i <= 3; i++) {
        gw.publish(bigVs("big-" + i));
      }
      String refused = await().atMost(Duration.ofSeconds(10)).until(
          () -> gw.admin("/resources?name=big-3"), body -> body.contains("\"rejected\""));
      assertThat(refused).contains("over the bound of 20480 bytes");
      gw.awaitBackend("big-1-0.local", "/", "productpage");
      gw.awaitBackend("big-2-0.local", "/", "productpage");
      assertThat(gw.get("big-3-0.local", "/").status()).isEqualTo(404);
      assertThat(gw.get("h", "/productpage").backend()).isEqualTo("productpage");
      // Room again after a delete.
      gw.delete("virtualservice", "default", "big-1");
      gw.publish(bigVs("big-3"));
      gw.awaitBackend("big-3-0.local", "/", "productpage");
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  private static String bigVs(String name) {
    StringBuilder hosts = new StringBuilder();
    for (int i = 0; i < 380; i++) {
      hosts.append(i == 0 ? "" : ", ").append('"').append(name).append('-').append(i).append(".local\"");
    }
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: default}
        spec:
          hosts: [%s]
          gateways: [bookinfo-gateway]
          http: [{route: [{destination: {host: productpage, port: {number: 9080}}}]}]
        """.formatted(name, hosts);
  }
}
