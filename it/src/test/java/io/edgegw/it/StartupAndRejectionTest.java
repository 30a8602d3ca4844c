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
}
