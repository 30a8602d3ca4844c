package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableList;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.KubeApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The Kubernetes API source against a real kube-apiserver on a real etcd (no mock), feeding the real
 * sidecar and a real Envoy. The source reads as user "edgegw" with only the ClusterRole of
 * examples/kubernetes/rbac.yaml. Backends run on 127.0.0.1, which the API server refuses in Endpoints,
 * so productpage comes from an Istio ServiceEntry. Tests run in order against one Envoy.
 * Skipped (with the reason) when bin/lib/kube.sh has not built the API server on this machine.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@EnabledIf(value = "io.edgegw.it.harness.KubeApiServer#available",
    disabledReason = "no real kube-apiserver, etcd or Istio CRDs on this machine: run `bash bin/lib/kube.sh` once"
        + " (builds kube-apiserver from the Go module proxy, 8-11 min of CPU) or `bin/test`")
class KubeSourceTest {
  private static KubeApiServer kube;
  private static HttpBackend productpage;
  private static HttpBackend reviews;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    kube = KubeApiServer.start();
    kube.installIstioCrds();
    kube.apply(Files.readString(example("kubernetes/rbac.yaml")));
    kube.apply("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: edgegw-it}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edgegw-reader}
        subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: edgegw}]
        """);
    productpage = HttpBackend.start("productpage");
    reviews = HttpBackend.start("reviews");
    gw = EdgeGateway.start(b -> b.kube(Optional.of(settings())));
  }

  private static io.edgegw.kube.KubeSettings settings() {
    try {
      return kube.settings().withWatchTimeout(Duration.ofSeconds(20));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, productpage, reviews, kube);
  }

  private static Path example(String name) {
    return Path.of(System.getProperty("edgegw.repo", "..")).resolve("examples").resolve(name);
  }

  private static String serviceEntry(String name, HttpBackend backend) {
    return KubeApiServer.loopbackServiceEntry("default", name, backend.port());
  }

  @Test
  @Order(1)
  void bookinfoAppliedToTheApiServerRoutesTrafficThroughEnvoy() throws Exception {
    kube.apply(Files.readString(example("bookinfo/gateway.yaml")));
    kube.apply(Files.readString(example("bookinfo/virtualservice.yaml")));
    kube.apply(serviceEntry("productpage", productpage));
    gw.awaitStatus("bookinfo.local", "/productpage", 200);
    for (String path : new String[] {"/productpage", "/login", "/api/v1/products/7"}) {
      assertThat(gw.get("bookinfo.local", path).backend()).as(path).isEqualTo("productpage");
    }
    assertThat(gw.get("bookinfo.local", "/reviews/1").status()).isEqualTo(404);
    assertThat(gw.admin("/resources")).contains("kube:/apis/networking.istio.io/v1/namespaces/default/virtualservices/bookinfo");
  }

  @Test
  @Order(2)
  void anEditAndADeleteAreServedLive() throws Exception {
    long envoyPid = gw.envoy().pid();
    kube.apply(serviceEntry("reviews", reviews));
    kube.apply(BookinfoRoutingTest.bookinfoVs(REVIEWS_ROUTE));
    gw.awaitBackend("bookinfo.local", "/reviews/1", "reviews");
    assertThat(gw.get("bookinfo.local", "/productpage").backend()).isEqualTo("productpage");

    kube.delete("networking.istio.io/v1", "VirtualService", "default", "bookinfo");
    gw.awaitStatus("bookinfo.local", "/productpage", 404);
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  @Order(3)
  void withTheApiServerStoppedTheGatewayKeepsServingAndGetsWhatChangedMeanwhile() throws Exception {
    kube.apply(BookinfoRoutingTest.bookinfoVs(REVIEWS_ROUTE));
    gw.awaitBackend("bookinfo.local", "/reviews/1", "reviews");

    try (KubeApiServer other = kube.peer()) {
      kube.stopApiServer();
      // Changes the gateway cannot see: made through another API server on the same etcd.
      other.delete("networking.istio.io/v1", "ServiceEntry", "default", "reviews");
      other.apply(BookinfoRoutingTest.bookinfoVs("""
            - match:
              - uri:
                  prefix: /details
              route:
              - destination:
                  host: productpage
                  port:
                    number: 9080
          """));
      Thread.sleep(2000);
      assertThat(gw.get("bookinfo.local", "/productpage").backend()).isEqualTo("productpage");
      assertThat(gw.get("bookinfo.local", "/reviews/1").backend()).isEqualTo("reviews");
      assertThat(gw.get("bookinfo.local", "/details").status()).isEqualTo(404);

      kube.startApiServer();
      gw.awaitBackend("bookinfo.local", "/details", "productpage");
      gw.awaitStatus("bookinfo.local", "/reviews/1", 404);
      // Each kind is listed again on its own back-off: the ServiceEntry may come a few seconds later.
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
          .until(() -> !gw.admin("/resources").contains("serviceentries/reviews"));
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  @Test
  @Order(4)
  void aNamespaceAndLabelFilterReadsOnlyWhatMatches() throws Exception {
    kube.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: edge}\n");
    // Applied first, so that once the matching VirtualService (same watch) is served, these have arrived
    // too if the filter let them through.
    kube.apply(filterVs("edge", "unlabelled", "/unlabelled", false));
    kube.apply(filterVs("default", "other-namespace", "/other-namespace", true));
    kube.apply(serviceEntry("productpage", productpage).replace("namespace: default}", "namespace: edge, labels: {edgegw.io/node: edge-1}}")
        .replace("productpage.default.svc", "productpage.edge.svc"));
    kube.apply("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: filter-gw, namespace: edge, labels: {edgegw.io/node: edge-1}}
        spec:
          selector: {istio: edgegateway}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["filter.local"]}]
        """);
    kube.apply(filterVs("edge", "matching", "/matching", true));

    try (EdgeGateway filtered = EdgeGateway.start(b -> b.kube(Optional.of(settings()
        .withNamespaces(ImmutableList.of("edge")).withLabelSelector(Optional.of("edgegw.io/node=edge-1")))))) {
      filtered.awaitBackend("filter.local", "/matching", "productpage");
      assertThat(filtered.get("filter.local", "/unlabelled").status()).isEqualTo(404);
      assertThat(filtered.get("filter.local", "/other-namespace").status()).isEqualTo(404);
      // The unfiltered gateway serves them (the Gateway it reads is labelled, its VirtualServices need not be).
      gw.awaitBackend("filter.local", "/unlabelled", "productpage");

      // For the filtered reader, a label that stops matching is a delete.
      kube.apply(filterVs("edge", "matching", "/matching", false));
      filtered.awaitStatus("filter.local", "/matching", 404);
      assertThat(filtered.envoy().nacks()).isZero();
    }
  }

  private static String filterVs(String namespace, String name, String prefix, boolean labelled) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: %s, labels: {edgegw.io/node: %s}}
        spec:
          hosts: [filter.local]
          gateways: [edge/filter-gw]
          http:
          - match: [{uri: {prefix: %s}}]
            route: [{destination: {host: productpage.edge.svc.cluster.local, port: {number: 9080}}}]
        """.formatted(name, namespace, labelled ? "edge-1" : "elsewhere", prefix);
  }

  private static final String REVIEWS_ROUTE = """
        - match:
          - uri:
              prefix: /reviews
          route:
          - destination:
              host: reviews
              port:
                number: 9080
      """;
}
