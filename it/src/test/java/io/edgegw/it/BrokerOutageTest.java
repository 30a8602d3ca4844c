package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.it.harness.TrafficLoop;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The node's broker goes away and comes back (mosquitto with {@code persistence true}, as docs/mqtt.md
 * asks): the gateway keeps serving meanwhile, reconnects by itself, and what was published for it while
 * it was away (a delete included, which no retained message can carry) reaches it after the restart.
 */
class BrokerOutageTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  @Test
  void theGatewayServesThroughABrokerRestartAndGetsWhatWasQueuedForIt() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start(true, UnaryOperator.identity())) {
      gw.publish(Manifests.bookinfo(productpage));
      gw.publish(Manifests.counterVs("counter", "counter.local", 1));
      gw.publish(Manifests.counterVs("doomed", "doomed.local", 1));
      awaitEcho(gw, "counter.local", "/v-1");
      awaitEcho(gw, "doomed.local", "/v-1");
      assertThat(gw.sidecar().live()).as("/healthz/live: %s", gw.sidecar().admin("/healthz/live")).isTrue();

      try (TrafficLoop traffic = TrafficLoop.start(gw.sidecar().httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        // 1. The broker stops while the sidecar runs: nothing changes for Envoy or the clients.
        String version = gw.sidecar().servedVersion();
        long subscribed = gw.sidecar().countLogLines("mqtt: subscribed");
        gw.stopBroker();
        await().atMost(CONVERGE).until(() -> gw.sidecar().countLogLines("mqtt: lost connection") > 0);
        long okWhileDown = traffic.snapshot().ok();
        await().atMost(CONVERGE).until(() -> traffic.snapshot().ok() > okWhileDown + 20);
        assertThat(gw.sidecar().isAlive()).isTrue();
        assertThat(gw.sidecar().servedVersion()).isEqualTo(version);
        // Offline is a normal state: the sidecar stays live (and ready) while it keeps reconnecting.
        await().atMost(CONVERGE).until(() -> gw.sidecar().countLogLines("mqtt: cannot connect") > 0);
        assertThat(gw.sidecar().live()).as("/healthz/live with the broker down: %s", gw.sidecar().admin("/healthz/live")).isTrue();
        assertThat(gw.sidecar().ready()).isTrue();

        gw.startBroker();
        // Back-off is at most 10 s (maxReconnectDelay) plus a connect.
        await().atMost(CONVERGE).until(() -> gw.sidecar().countLogLines("mqtt: subscribed") > subscribed);
        gw.publish(Manifests.counterVs("counter", "counter.local", 2));
        awaitEcho(gw, "counter.local", "/v-2");

        // 2. The sidecar is away (kill -9) while the cloud publishes an update and a delete; then the
        // broker restarts too. Both survive in the sidecar's persistent session on the broker's disk.
        gw.sidecar().kill9();
        gw.publish(Manifests.counterVs("counter", "counter.local", 3));
        gw.delete("virtualservice", "default", "doomed");
        gw.stopBroker();
        gw.startBroker();
        gw.sidecar().restart();
        awaitEcho(gw, "counter.local", "/v-3");
        await().atMost(CONVERGE).until(() -> !gw.sidecar().admin("/config_dump").contains("doomed.local"));
        assertThat(gw.get("doomed.local", "/").backend()).as("doomed.local after its delete").isNull();

        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests through two broker restarts and a sidecar kill: %s", result).isZero();
      }
      ResilienceTest.assertServedEqualsEnvoy(gw);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }
}
