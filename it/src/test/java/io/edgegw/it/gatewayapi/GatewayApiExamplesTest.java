package io.edgegw.it.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** examples/gateway-api, published as they are (Endpoints replaced by loopback backends), through Envoy. */
class GatewayApiExamplesTest {
  @Test
  void bookinfoRoutesItsPagesToProductpage() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publishExample("gateway-api/bookinfo", Map.of("productpage", productpage));
      gw.awaitBackend("bookinfo.example.com", "/productpage", "productpage");
      assertThat(gw.get("any.host", "/static/style.css").backend()).isEqualTo("productpage");
      assertThat(gw.get("any.host", "/api/v1/products/1").backend()).isEqualTo("productpage");
      assertThat(gw.get("any.host", "/productpage/x").status()).isEqualTo(404);
      assertThat(gw.get("any.host", "/staticx").status()).isEqualTo(404);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  @Test
  void canarySplitsByWeightAndPinsOneUser() throws Exception {
    try (HttpBackend v1 = HttpBackend.start("reviews-v1");
        HttpBackend v2 = HttpBackend.start("reviews-v2");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publishExample("gateway-api/canary", Map.of("reviews-v1", v1, "reviews-v2", v2));
      gw.awaitBackend("reviews.example.com", "/", "reviews-v1");
      for (int i = 0; i < 20; i++) {
        assertThat(gw.get("reviews.example.com", "/", Map.of("end-user", "jason")).backend()).isEqualTo("reviews-v2");
      }
      Map<String, Integer> split = gw.distribution("reviews.example.com", "/", 400);
      assertThat(split.getOrDefault("reviews-v1", 0)).isBetween(320, 395);
      assertThat(split.getOrDefault("reviews-v2", 0)).isBetween(5, 80);
      assertThat(gw.get("other.example.com", "/").status()).isEqualTo(404);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }
}
