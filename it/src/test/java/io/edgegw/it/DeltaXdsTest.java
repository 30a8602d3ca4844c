package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.RestartableGateway;
import io.edgegw.server.ConfigStore;
import io.edgegw.server.SnapshotPublisher;
import io.edgegw.server.XdsTraffic;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The bookinfo scenario through an Envoy bootstrapped with delta xDS ({@code edgegw bootstrap --delta}):
 * live changes send only what changed, a NACK rolls back, and a sidecar restarted with less config
 * than Envoy holds leaves nothing stale behind. The tests run in order against one Envoy process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeltaXdsTest {
  private static HttpBackend productpage;
  private static HttpBackend reviews;
  private static HttpBackend extra;
  private static RestartableGateway gw;
  private static long envoyPid;

  @BeforeAll
  static void start() throws Exception {
    productpage = HttpBackend.start("productpage");
    reviews = HttpBackend.start("reviews");
    extra = HttpBackend.start("extra");
    gw = RestartableGateway.start(true);
    envoyPid = gw.envoy().pid();
    gw.publish(EdgeGateway.exampleYaml("bookinfo", Map.of("productpage", productpage)));
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, productpage, reviews, extra);
  }

  @Test
  @Order(1)
  void routesBookinfoOverDeltaXds() {
    gw.awaitStatus(gw.httpPort(), "bookinfo.local", "/productpage", 200);
    assertThat(get("/api/v1/products/7").backend()).isEqualTo("productpage");
    assertThat(get("/reviews/1").status()).isEqualTo(404);
    XdsTraffic.Totals sent = gw.sidecar().xdsTraffic();
    assertThat(sent.deltaResponses()).isPositive();
    assertThat(sent.sotwResponses()).isZero();
  }

  @Test
  @Order(2)
  void aNewRouteIsLiveAndOnlyChangedResourcesAreSent() {
    XdsTraffic.Totals before = gw.sidecar().xdsTraffic();
    gw.publish(EdgeGateway.service("reviews") + "---\n" + EdgeGateway.endpoints("reviews", reviews));
    gw.publish(BookinfoRoutingTest.bookinfoVs(route("reviews")));
    gw.awaitStatus(gw.httpPort(), "bookinfo.local", "/reviews/1", 200);
    assertThat(get("/reviews/1").backend()).isEqualTo("reviews");
    assertThat(get("/productpage").backend()).isEqualTo("productpage");
    // The route config, the reviews cluster and its assignment: not the listener, not productpage's.
    await().atMost(Duration.ofSeconds(5)).until(() -> gw.sidecar().xdsTraffic().minus(before).deltaResources() >= 3);
    assertThat(gw.sidecar().xdsTraffic().minus(before).deltaResources()).isEqualTo(3);
  }

  @Test
  @Order(3)
  void aChangedRouteIsLive() {
    gw.publish(BookinfoRoutingTest.bookinfoVs(route("productpage")));
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> "productpage".equals(get("/reviews/1").backend()));
  }

  @Test
  @Order(4)
  void aNackUnderDeltaRollsBack() {
    String goodVersion = gw.sidecar().publisher().current().orElseThrow().version();
    EnvoyResources good = gw.sidecar().publisher().current().orElseThrow().resources();
    assertThat(gw.sidecar().publishRaw(BrokenConfig.withInvalidRouteRegex(good)))
        .isEqualTo(SnapshotPublisher.Outcome.PUBLISHED);
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.envoy().nacks() > 0);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> gw.sidecar().publisher().current().orElseThrow().version().equals(goodVersion));
    assertThat(gw.sidecar().envoyStatus().toString()).contains("RouteConfiguration");
    assertThat(get("/productpage").backend()).isEqualTo("productpage");
  }

  @Test
  @Order(5)
  void aDeletedVirtualServiceIsRemovedLive() {
    long nacks = gw.envoy().nacks();
    gw.delete(Kind.VIRTUAL_SERVICE, "default", "bookinfo");
    gw.awaitStatus(gw.httpPort(), "bookinfo.local", "/productpage", 404);
    assertThat(gw.envoy().nacks()).isEqualTo(nacks);
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
  }

  @Test
  @Order(6)
  void aRestartedSidecarRemovesWhatWasDeletedWhileItWasDown() throws Exception {
    gw.publish(BookinfoRoutingTest.bookinfoVs(""));
    gw.publish(EXTRA + "---\n" + EdgeGateway.service("extra") + "---\n" + EdgeGateway.endpoints("extra", extra));
    gw.awaitStatus(gw.httpPort(), "bookinfo.local", "/productpage", 200);
    gw.awaitStatus(gw.extraPort(), "extra.local", "/", 200);
    assertThat(gw.envoy().admin("/clusters")).contains("extra.default");

    gw.stopSidecar();
    // While the sidecar is down the cloud deletes the extra Gateway, its route and its service.
    ConfigStore state = ConfigStore.open(gw.stateDir());
    for (ResourceKey key : new ResourceKey[] {ResourceKey.of(Kind.GATEWAY, "default", "extra"),
        ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "extra"), ResourceKey.of(Kind.SERVICE, "default", "extra"),
        ResourceKey.of(Kind.ENDPOINTS, "default", "extra")}) {
      gw.delete(key.kind(), key.namespace(), key.name());
      state.remove(key);
    }
    long nacks = gw.envoy().nacks();
    gw.startSidecar();

    // Envoy reconnects (its own back-off) and is told to drop the listener and cluster it still has.
    gw.awaitClosed(gw.extraPort(), Duration.ofSeconds(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> !gw.envoy().admin("/clusters").contains("extra.default"));
    assertThat(get("/productpage").backend()).isEqualTo("productpage");
    assertThat(gw.sidecar().xdsTraffic().deltaRemovals()).isPositive();
    assertThat(gw.envoy().nacks()).isEqualTo(nacks);
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
  }

  private static HttpProbe.Response get(String path) {
    return HttpProbe.get(gw.httpPort(), "bookinfo.local", path);
  }

  private static String route(String service) {
    return """
          - match:
            - uri:
                prefix: /reviews
            route:
            - destination:
                host: %s
                port:
                  number: 9080
        """.formatted(service);
  }

  private static final String EXTRA = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata:
        name: extra
        namespace: default
      spec:
        selector:
          istio: edgegateway
        servers:
        - port:
            number: 8081
            name: http-extra
            protocol: HTTP
          hosts: ["extra.local"]
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: extra
        namespace: default
      spec:
        hosts: ["extra.local"]
        gateways: [extra]
        http:
        - route:
          - destination:
              host: extra
              port:
                number: 9080
      """;
}
