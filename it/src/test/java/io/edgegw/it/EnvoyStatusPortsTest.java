package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.HttpProbe.Response;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Envoy's own ports as on Istio's gateways: readiness on the health listener (15021, /healthz/ready)
 * and Prometheus stats on the stats listener (15090, /stats/prometheus), each forwarding only that path
 * to Envoy's admin interface, which stays on loopback.
 */
class EnvoyStatusPortsTest {
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    gw = EdgeGateway.start();
    // As a kubelet probe: Envoy binds its listeners once its first configuration has arrived.
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
        .until(() -> HttpProbe.get(gw.envoyHealthPort(), "127.0.0.1", "/healthz/ready").status() == 200);
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw);
  }

  @Test
  void healthListenerAnswersReadyFromEnvoysOwnState() {
    Response ready = HttpProbe.get(gw.envoyHealthPort(), "127.0.0.1", "/healthz/ready");
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.body()).contains("LIVE");

    // Failing Envoy's health checks (as before a drain) turns the same probe to 503.
    gw.envoy().adminPost("/healthcheck/fail");
    try {
      Response draining = HttpProbe.get(gw.envoyHealthPort(), "127.0.0.1", "/healthz/ready");
      assertThat(draining.status()).isEqualTo(503);
    } finally {
      gw.envoy().adminPost("/healthcheck/ok");
    }
    assertThat(HttpProbe.get(gw.envoyHealthPort(), "127.0.0.1", "/healthz/ready").status()).isEqualTo(200);
  }

  @Test
  void statsListenerServesPrometheusText() {
    Response stats = HttpProbe.get(gw.envoyStatsPort(), "127.0.0.1", "/stats/prometheus");
    assertThat(stats.status()).isEqualTo(200);
    assertThat(stats.body()).contains("# TYPE envoy_server_live gauge").contains("envoy_cluster_manager_cds_update_success");
  }

  @Test
  void nothingElseOfTheAdminInterfaceIsReachable() {
    for (int port : new int[] {gw.envoyHealthPort(), gw.envoyStatsPort()}) {
      for (String path : new String[] {"/config_dump", "/ready", "/stats", "/healthcheck/fail", "/quitquitquit"}) {
        assertThat(HttpProbe.request(port, "POST", "127.0.0.1", path, Map.of(), "").status())
            .as("POST %s on %d", path, port).isEqualTo(404);
      }
    }
    assertThat(HttpProbe.get(gw.envoyHealthPort(), "127.0.0.1", "/stats/prometheus").status()).isEqualTo(404);
    assertThat(HttpProbe.get(gw.envoyStatsPort(), "127.0.0.1", "/healthz/ready").status()).isEqualTo(404);
    assertThat(HttpProbe.get(gw.envoyHealthPort(), "127.0.0.1", "/healthz/ready").status()).isEqualTo(200);
  }
}
