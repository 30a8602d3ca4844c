package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe.Response;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The bookinfo scenario of KubeEdge's "Gateway support at edge" proposal, published over MQTT to a
 * real mosquitto, served by our sidecar to a real Envoy, with real backends behind it. The tests run in
 * order against one Envoy process, so every change after the first is a live change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BookinfoRoutingTest {
  private static HttpBackend productpage;
  private static HttpBackend reviewsV1;
  private static HttpBackend reviewsV2;
  private static EdgeGateway gw;
  private static long envoyPid;

  @BeforeAll
  static void start() throws Exception {
    productpage = HttpBackend.start("productpage");
    reviewsV1 = HttpBackend.start("reviews-v1");
    reviewsV2 = HttpBackend.start("reviews-v2");
    gw = EdgeGateway.start();
    envoyPid = gw.envoy().pid();
    gw.publishExample("bookinfo", Map.of("productpage", productpage));
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, productpage, reviewsV1, reviewsV2);
  }

  @Test
  @Order(1)
  void routesEveryBookinfoPathToProductpageAnd404Elsewhere() {
    gw.awaitStatus("bookinfo.local", "/productpage", 200);
    for (String path : new String[] {"/productpage", "/login", "/logout", "/api/v1/products", "/api/v1/products/7"}) {
      Response r = gw.get("bookinfo.local", path);
      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(r.backend()).as(path).isEqualTo("productpage");
    }
    for (String path : new String[] {"/", "/productpage/x", "/loginx", "/api/v1", "/reviews"}) {
      assertThat(gw.get("bookinfo.local", path).status()).as(path).isEqualTo(404);
    }
    assertThat(productpage.requests()).anySatisfy(req -> assertThat(req.path()).isEqualTo("/api/v1/products/7"));
  }

  @Test
  @Order(2)
  void addingARouteIsServedLive() {
    gw.publish(reviewsService() + "---\n" + gw.endpoints("reviews", reviewsV1));
    gw.publish(bookinfoVs("""
          - match:
            - uri:
                prefix: /reviews
            route:
            - destination:
                host: reviews
                port:
                  number: 9080
        """));
    gw.awaitStatus("bookinfo.local", "/reviews/1", 200);
    assertThat(gw.get("bookinfo.local", "/reviews/1").backend()).isEqualTo("reviews-v1");
    assertThat(gw.get("bookinfo.local", "/productpage").backend()).isEqualTo("productpage");
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
  }

  @Test
  @Order(3)
  void aNinetyTenSplitShowsInTheDistributionAndWeightChangesAreLive() {
    gw.publish(reviewsV2Service() + "---\n" + gw.endpoints("reviews-v2", reviewsV2));
    gw.publish(bookinfoVs(weighted(90, 10)));
    gw.awaitBackend("bookinfo.local", "/reviews/1", "reviews-v2");
    Map<String, Integer> seen = gw.distribution("bookinfo.local", "/reviews/1", 1000);
    assertThat(seen.keySet()).containsOnly("reviews-v1", "reviews-v2");
    // 1000 draws at p=0.1: mean 100, standard deviation ~9.5; 60..140 is over 4 sigma either side.
    assertThat(seen.get("reviews-v2")).isBetween(60, 140);

    gw.publish(bookinfoVs(weighted(0, 100)));
    gw.awaitDistribution("bookinfo.local", "/reviews/1", Map.of("reviews-v2", 50));
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
  }

  @Test
  @Order(4)
  void deletingTheVirtualServiceIsServedLive() {
    gw.delete("virtualservice", "default", "bookinfo");
    gw.awaitStatus("bookinfo.local", "/productpage", 404);
    assertThat(gw.get("bookinfo.local", "/reviews/1").status()).isEqualTo(404);
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
    assertThat(gw.envoy().nacks()).isZero();
  }

  private static String weighted(int v1, int v2) {
    return """
          - match:
            - uri:
                prefix: /reviews
            route:
            - destination:
                host: reviews
                port:
                  number: 9080
              weight: %d
            - destination:
                host: reviews-v2
                port:
                  number: 9080
              weight: %d
        """.formatted(v1, v2);
  }

  /** The bookinfo VirtualService with extra http rules appended. */
  static String bookinfoVs(String extraRules) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: bookinfo
          namespace: default
        spec:
          hosts: ["*"]
          gateways: [bookinfo-gateway]
          http:
          - match:
            - uri:
                exact: /productpage
            - uri:
                exact: /login
            - uri:
                exact: /logout
            - uri:
                prefix: /api/v1/products
            route:
            - destination:
                host: productpage
                port:
                  number: 9080
        """ + extraRules;
  }

  private static String reviewsService() {
    return EdgeGateway.service("reviews");
  }

  private static String reviewsV2Service() {
    return EdgeGateway.service("reviews-v2");
  }

}
