package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import org.junit.jupiter.api.Test;

/**
 * {@code sourceLabels} in an HTTP match are the labels of the proxy applying the route (istiod): a match
 * naming labels this gateway has applies, one naming other labels is dropped, and {@code
 * sourceNamespace} never matches here. Dropped matches must admit nothing.
 */
class SourceMatchTest {
  @Test
  void matchesForThisGatewayApplyAndOthersAdmitNothing() throws Exception {
    try (HttpBackend web = HttpBackend.start("web");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publish(EdgeGateway.service("web") + "---\n" + EdgeGateway.endpoints("web", web) + "---\n" + EdgeGateway.HTTP_GATEWAY + """
          ---
          apiVersion: networking.istio.io/v1
          kind: VirtualService
          metadata: {name: sources, namespace: default}
          spec:
            hosts: ["*"]
            gateways: [gw]
            http:
            - match:
              - uri: {prefix: /mine}
                sourceLabels: {istio: edgegateway}
              - uri: {prefix: /theirs}
                sourceLabels: {istio: other-gateway}
              - uri: {prefix: /ns}
                sourceNamespace: istio-system
              route: [{destination: {host: web, port: {number: 9080}}}]
          """);
      gw.awaitStatus("h", "/mine", 200);
      assertThat(gw.get("h", "/mine").backend()).isEqualTo("web");
      assertThat(gw.get("h", "/theirs").status()).isEqualTo(404);
      assertThat(gw.get("h", "/ns").status()).isEqualTo(404);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }
}
