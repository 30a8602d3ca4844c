package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.it.harness.TrafficLoop;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Memory is bounded by the documented limits (docs/resilience.md, "Bounded memory"): payloads up to the
 * 1 MiB cap with thousands of routes each are applied by the sidecar as it runs on a node (the
 * Dockerfile's heap), and a payload over the cap never reaches its heap (the broker is told the maximum
 * packet size), so neither a retained burst replayed at every start nor a stream of big resources can
 * leave the sidecar out of memory and its MQTT intake dead.
 */
class BigPayloadTest {
  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final String KUBEEDGE = "$hw/events/edgegw/";
  /** Over the 1 MiB payload cap, ten times. */
  private static final int HUGE = 10 * 1024 * 1024;

  /**
   * Retained on the broker: one valid VirtualService of about 700 KB and one 10 MB payload; the sidecar
   * restarts into them (as after a crash, every start replays them).
   */
  @Test
  void aRetainedBurstOfBigPayloadsLeavesTheSidecarAliveAndApplyingChanges() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start(false, options -> options.withKubeedgeTopic(KUBEEDGE + "#"))) {
      gw.publish(Manifests.bookinfo(productpage));
      awaitEcho(gw, "bookinfo.local", "/productpage");

      try (TrafficLoop traffic = TrafficLoop.start(gw.sidecar().httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        gw.sidecar().stop();
        byte[] big = BigVirtualServices.json("big", "big.local", 8_750);
        assertThat(big.length).isBetween(650_000, 1024 * 1024);
        gw.publishRaw(ProcessGateway.RESOURCES + "virtualservice/default/big", big);
        gw.publishRaw(ProcessGateway.RESOURCES + "virtualservice/default/huge", huge());
        gw.sidecar().restart();

        awaitRoute(gw, "big.local", 8_749);
        // Intake still works: a later change is applied, on a resource topic and on the KubeEdge bus,
        // also after a 10 MB envelope on the bus.
        gw.publishRaw(KUBEEDGE + "default/virtualservice/flood", huge(), 0, false);
        gw.publish(Manifests.counterVs("counter", "counter.local", 1));
        awaitEcho(gw, "counter.local", "/v-1", CONVERGE);
        gw.publishRaw(KUBEEDGE + "default/virtualservice/edge",
            KubeEdgeEnvelopeTest.envelope("edge", "edge.local", "insert", 2), 0, false);
        awaitEcho(gw, "edge.local", "/v-2", CONVERGE);

        // And once more: every start replays the retained burst.
        gw.sidecar().stop();
        gw.sidecar().restart();
        gw.publish(Manifests.counterVs("counter", "counter.local", 3));
        awaitEcho(gw, "counter.local", "/v-3", CONVERGE);
        awaitRoute(gw, "big.local", 8_749);

        assertThat(gw.sidecar().isAlive()).isTrue();
        assertThat(gw.sidecar().log()).doesNotContain("OutOfMemoryError");
        assertThat(gw.sidecar().live()).as("/healthz/live: %s", gw.sidecar().admin("/healthz/live")).isTrue();
        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests on an unrelated route: %s", result).isZero();
      }
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  /** Three near-maximum VirtualServices, one after another: each is applied, none costs the sidecar its heap. */
  @Test
  void threeNearMaximumVirtualServicesInARowAreAllApplied() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      awaitEcho(gw, "bookinfo.local", "/productpage");
      try (TrafficLoop traffic = TrafficLoop.start(gw.sidecar().httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        for (int i = 1; i <= 3; i++) {
          byte[] vs = BigVirtualServices.json("big-" + i, "big-" + i + ".local", BigVirtualServices.MAX_ROUTES);
          assertThat(vs.length).isLessThanOrEqualTo(1024 * 1024);
          gw.publishRaw(ProcessGateway.RESOURCES + "virtualservice/default/big-" + i, vs);
        }
        for (int i = 1; i <= 3; i++) {
          awaitRoute(gw, "big-" + i + ".local", BigVirtualServices.MAX_ROUTES - 1);
        }
        gw.publish(Manifests.counterVs("counter", "counter.local", 1));
        awaitEcho(gw, "counter.local", "/v-1", CONVERGE);
        assertThat(gw.sidecar().isAlive()).isTrue();
        assertThat(gw.sidecar().log()).doesNotContain("OutOfMemoryError");
        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests on an unrelated route: %s", result).isZero();
      }
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  private static byte[] huge() {
    byte[] payload = new byte[HUGE];
    Arrays.fill(payload, (byte) 'x');
    return payload;
  }

  /** Waits until Envoy routes the {@code route}-th prefix of a big VirtualService to productpage. */
  private static void awaitRoute(ProcessGateway gw, String host, int route) {
    String path = BigVirtualServices.prefix(route) + "x";
    await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> {
          HttpProbe.Response response = gw.get(host, path);
          return response.status() == 200 && "productpage".equals(response.backend());
        });
  }

  /** VirtualServices with many prefix routes, as JSON close to the payload cap. */
  static final class BigVirtualServices {
    /** Routes per VirtualService that still fit under the 1 MiB payload cap with these prefixes. */
    static final int MAX_ROUTES = 9_000;

    private BigVirtualServices() {}

    static String prefix(int route) {
      return "/r-" + route + "/";
    }

    static byte[] json(String name, String host, int routes) {
      StringBuilder out = new StringBuilder(routes * 100);
      out.append("{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"VirtualService\",\"metadata\":{\"name\":\"")
          .append(name).append("\",\"namespace\":\"default\"},\"spec\":{\"hosts\":[\"").append(host)
          .append("\"],\"gateways\":[\"bookinfo-gateway\"],\"http\":[");
      for (int i = 0; i < routes; i++) {
        out.append(i == 0 ? "" : ",").append("{\"match\":[{\"uri\":{\"prefix\":\"").append(prefix(i))
            .append("\"}}],\"route\":[{\"destination\":{\"host\":\"productpage\"}}]}");
      }
      return out.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
    }
  }
}
