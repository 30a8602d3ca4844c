package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.FreePorts;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * DestinationRules through a real Envoy: subsets chosen by Pod labels and WorkloadEntry labels, consistent
 * hashing, round robin, a circuit breaker and outlier detection, each seen in real traffic. Backends of one
 * service share a port on different loopback addresses, like pods of a Service.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DestinationRuleTest {
  private static final String HOST = "dr.local";
  private static final String FLAKY_CLUSTER = "outbound|9080||flaky.default.svc.cluster.local";
  private static final String LIMITED_CLUSTER = "outbound|9080||limited.default.svc.cluster.local";

  private static int port;
  private static HttpBackend reviewsV1;
  private static HttpBackend reviewsV2;
  private static List<HttpBackend> replicas;
  private static HttpBackend slow;
  private static HttpBackend good;
  private static HttpBackend bad;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    port = FreePorts.next();
    reviewsV1 = HttpBackend.start("reviews-v1", "127.0.0.2", port);
    reviewsV2 = HttpBackend.start("reviews-v2", "127.0.0.3", port);
    replicas = List.of(
        HttpBackend.start("replica-a", "127.0.0.4", port),
        HttpBackend.start("replica-b", "127.0.0.5", port),
        HttpBackend.start("replica-c", "127.0.0.6", port));
    slow = HttpBackend.start("slow", "127.0.0.9", port).delay(Duration.ofSeconds(1));
    good = HttpBackend.start("good", "127.0.0.7", port);
    bad = HttpBackend.start("bad", "127.0.0.8", port).respondWith(500);
    gw = EdgeGateway.start();
    gw.publish(String.join("---\n",
        GATEWAY, VIRTUAL_SERVICE,
        service("reviews"), endpoints("reviews", Map.of("127.0.0.2", "reviews-v1-pod", "127.0.0.3", "")),
        pod("reviews-v1-pod", "v1", "127.0.0.2"), pod("reviews-v2-pod", "v2", "127.0.0.3"),
        REVIEWS_RULE, LINES_ENTRY, workloadEntry("line-1", "1", "127.0.0.2"), workloadEntry("line-2", "2", "127.0.0.3"), LINES_RULE,
        service("hashed"), endpoints("hashed", replicaAddresses()), HASHED_RULE,
        service("spread"), endpoints("spread", replicaAddresses()), SPREAD_RULE,
        service("limited"), endpoints("limited", Map.of("127.0.0.9", "")), LIMITED_RULE,
        service("flaky"), endpoints("flaky", Map.of("127.0.0.7", "", "127.0.0.8", "")), FLAKY_RULE));
  }

  @AfterAll
  static void stop() {
    List<AutoCloseable> all = new ArrayList<>(List.of(gw, reviewsV1, reviewsV2, slow, good, bad));
    all.addAll(replicas);
    EdgeGateway.closeAll(all.toArray(AutoCloseable[]::new));
  }

  @Test
  @Order(1)
  void aHeaderMatchPicksTheSubsetWhosePodLabelsMatch() {
    gw.awaitBackend(HOST, "/reviews", "reviews-v1");
    Map<String, String> jason = Map.of("end-user", "jason");
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> "reviews-v2".equals(gw.get(HOST, "/reviews", jason).backend()));
    // Both subsets share the Service's endpoints; only the Pod labels (v1 by targetRef, v2 by Pod IP) split them.
    assertThat(gw.distribution(HOST, "/reviews", 20)).containsOnly(Map.entry("reviews-v1", 20));
    for (int i = 0; i < 20; i++) {
      assertThat(gw.get(HOST, "/reviews", jason).backend()).isEqualTo("reviews-v2");
    }
  }

  @Test
  @Order(2)
  void aServiceEntrySubsetSelectsWorkloadEntriesByLabel() {
    gw.awaitBackend(HOST, "/line2", "reviews-v2");
    assertThat(gw.distribution(HOST, "/line2", 20)).containsOnly(Map.entry("reviews-v2", 20));
  }

  @Test
  @Order(3)
  void consistentHashByHeaderKeepsAKeyOnOneEndpointAndSpreadsKeys() {
    gw.awaitStatus(HOST, "/hashed", 200);
    Set<String> alice = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      alice.add(gw.get(HOST, "/hashed", Map.of("x-user", "alice")).backend());
    }
    assertThat(alice).hasSize(1);
    Set<String> everyone = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      everyone.add(gw.get(HOST, "/hashed", Map.of("x-user", "user-" + i)).backend());
    }
    // 30 keys all on one of three equal hosts has probability 3 * (1/3)^30: never.
    assertThat(everyone).hasSizeGreaterThanOrEqualTo(2).isSubsetOf("replica-a", "replica-b", "replica-c");
  }

  @Test
  @Order(4)
  void roundRobinSpreadsEvenly() {
    gw.awaitDistribution(HOST, "/spread", Map.of("replica-a", 1, "replica-b", 1, "replica-c", 1));
    Map<String, Integer> seen = gw.distribution(HOST, "/spread", 300);
    // The test Envoy runs one worker, whose round robin hands out the three hosts in turn: 100 each, give or
    // take one. A random pick would stray by ~8 (one standard deviation) and often leave 95..105.
    assertThat(seen.keySet()).containsExactlyInAnyOrder("replica-a", "replica-b", "replica-c");
    assertThat(seen.values()).allSatisfy(n -> assertThat(n).isBetween(95, 105));
  }

  @Test
  @Order(5)
  void theCircuitBreakerRejectsBeyondMaxConnectionsAndPendingRequests() throws Exception {
    gw.awaitStatus(HOST, "/limited", 200);
    ExecutorService clients = Executors.newFixedThreadPool(10);
    try {
      List<CompletableFuture<Response>> calls = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        calls.add(CompletableFuture.supplyAsync(() -> gw.get(HOST, "/limited"), clients));
      }
      List<Response> responses = calls.stream().map(CompletableFuture::join).toList();
      Map<Integer, Long> byStatus = responses.stream().collect(Collectors.groupingBy(Response::status, Collectors.counting()));
      // One connection and one pending request: with a backend taking 1 s per request, at most a few of
      // ten simultaneous requests get through and the rest are refused at once.
      assertThat(byStatus.keySet()).containsOnly(200, 503);
      assertThat(byStatus.get(200)).isBetween(1L, 4L);
      assertThat(responses).filteredOn(r -> r.status() == 503)
          .allSatisfy(r -> assertThat(r.header("x-envoy-overloaded")).isEqualTo("true"));
    } finally {
      clients.shutdownNow();
    }
    assertThat(gw.envoy().stat("cluster." + LIMITED_CLUSTER + ".upstream_rq_pending_overflow")).isPositive();
  }

  @Test
  @Order(6)
  void outlierDetectionEjectsTheFailingEndpoint() {
    gw.awaitStatus(HOST, "/flaky", 200);
    // Until the failing endpoint has answered twice in a row it is ejected; then only the good one answers.
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10)).ignoreExceptions().until(() -> {
      gw.get(HOST, "/flaky");
      return gw.envoy().admin("/clusters").contains(FLAKY_CLUSTER + "::127.0.0.8:" + port + "::health_flags::/failed_outlier_check");
    });
    assertThat(bad.requestCount()).isGreaterThanOrEqualTo(2);
    assertThat(gw.distribution(HOST, "/flaky", 30)).containsOnly(Map.entry("good", 30));
    assertThat(gw.envoy().stat("cluster." + FLAKY_CLUSTER + ".outlier_detection.ejections_enforced_consecutive_5xx")).isPositive();
  }

  @Test
  @Order(7)
  void envoyAcceptedEveryUpdate() {
    assertThat(gw.envoy().nacks()).isZero();
  }

  private static Map<String, String> replicaAddresses() {
    Map<String, String> out = new HashMap<>();
    replicas.forEach(r -> out.put(r.address(), ""));
    return out;
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: [dr.local]
      """;

  private static final String VIRTUAL_SERVICE = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: dr, namespace: default}
      spec:
        hosts: [dr.local]
        gateways: [gw]
        http:
        - match: [{uri: {prefix: /reviews}, headers: {end-user: {exact: jason}}}]
          route: [{destination: {host: reviews, subset: v2}}]
        - match: [{uri: {prefix: /reviews}}]
          route: [{destination: {host: reviews, subset: v1}}]
        - match: [{uri: {prefix: /line2}}]
          route: [{destination: {host: lines.factory.local, subset: line-2}}]
        - match: [{uri: {prefix: /hashed}}]
          route: [{destination: {host: hashed}}]
        - match: [{uri: {prefix: /spread}}]
          route: [{destination: {host: spread}}]
        - match: [{uri: {prefix: /limited}}]
          route: [{destination: {host: limited}}]
        - match: [{uri: {prefix: /flaky}}]
          route: [{destination: {host: flaky}}]
      """;

  private static final String REVIEWS_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: default}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      """;

  private static final String LINES_ENTRY = """
      apiVersion: networking.istio.io/v1
      kind: ServiceEntry
      metadata: {name: lines, namespace: default}
      spec:
        hosts: [lines.factory.local]
        resolution: STATIC
        ports: [{number: 9080, name: http, protocol: HTTP}]
        workloadSelector:
          labels: {app: line}
      """;

  private static final String LINES_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: lines, namespace: default}
      spec:
        host: lines.factory.local
        subsets:
        - {name: line-1, labels: {line: "1"}}
        - {name: line-2, labels: {line: "2"}}
      """;

  private static final String HASHED_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: hashed, namespace: default}
      spec:
        host: hashed
        trafficPolicy:
          loadBalancer:
            consistentHash: {httpHeaderName: x-user}
      """;

  private static final String SPREAD_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: spread, namespace: default}
      spec:
        host: spread
        trafficPolicy:
          loadBalancer: {simple: ROUND_ROBIN}
      """;

  private static final String LIMITED_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: limited, namespace: default}
      spec:
        host: limited
        trafficPolicy:
          connectionPool:
            tcp: {maxConnections: 1}
            http: {http1MaxPendingRequests: 1}
      """;

  private static final String FLAKY_RULE = """
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: flaky, namespace: default}
      spec:
        host: flaky
        trafficPolicy:
          outlierDetection:
            consecutive5xxErrors: 2
            interval: 1s
            baseEjectionTime: 5m
            maxEjectionPercent: 50
      """;

  private static String service(String name) {
    return """
        apiVersion: v1
        kind: Service
        metadata: {name: %s, namespace: default}
        spec:
          ports: [{name: http, port: 9080}]
        """.formatted(name);
  }

  /** Endpoints at {@code port}; a non-empty Pod name adds the targetRef Kubernetes writes. */
  private static String endpoints(String service, Map<String, String> podsByIp) {
    String addresses = podsByIp.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getValue().isEmpty()
            ? "  - ip: %s\n".formatted(e.getKey())
            : "  - ip: %s\n    targetRef: {kind: Pod, name: %s, namespace: default}\n".formatted(e.getKey(), e.getValue()))
        .collect(Collectors.joining());
    return """
        apiVersion: v1
        kind: Endpoints
        metadata: {name: %s, namespace: default}
        subsets:
        - addresses:
        %s  ports: [{name: http, port: %d}]
        """.formatted(service, addresses, port);
  }

  private static String pod(String name, String version, String ip) {
    return """
        apiVersion: v1
        kind: Pod
        metadata:
          name: %s
          namespace: default
          labels: {app: reviews, version: %s}
        status: {phase: Running, podIP: %s}
        """.formatted(name, version, ip);
  }

  private static String workloadEntry(String name, String line, String address) {
    return """
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata: {name: %s, namespace: default}
        spec:
          address: %s
          labels: {app: line, line: "%s"}
          ports: {http: %d}
        """.formatted(name, address, line, port);
  }
}
