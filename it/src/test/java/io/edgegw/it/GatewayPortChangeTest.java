package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A Gateway server moved to another port: Envoy drains the old listener (still asking for its route
 * configuration, which is gone) and warms the new one, whose route configuration must come at once.
 */
class GatewayPortChangeTest {
  @Test
  void theNewPortServesAtOnceWhileTheOldListenerDrains() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      gw.awaitStatus("bookinfo.local", "/productpage", 200);

      gw.publish("""
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata:
            name: bookinfo-gateway
            namespace: default
          spec:
            selector:
              istio: edgegateway
            servers:
            - port:
                number: 9000
                name: http-alt
                protocol: HTTP
              hosts:
              - "*"
          """);
      int moved = gw.listenerPort(9000);
      // Envoy's initial fetch timeout is 15 s: a route configuration held back would show as 404s here.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
          .until(() -> HttpProbe.get(moved, "bookinfo.local", "/productpage").status() == 200);
      assertThat(HttpProbe.get(moved, "bookinfo.local", "/productpage").backend()).isEqualTo("productpage");
      assertThat(gw.envoy().nacks()).isZero();
    }
  }
}
