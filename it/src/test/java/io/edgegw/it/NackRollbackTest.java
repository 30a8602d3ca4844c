package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.server.SnapshotPublisher;
import io.edgegw.translator.EnvoyResources;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Envoy must never NACK what we send; if it does, we notice, report it and put the last good snapshot
 * back. The translator never produces a config Envoy refuses, so this test hands the publisher one
 * directly: a route whose regex RE2 rejects.
 */
class NackRollbackTest {

  @Test
  void aConfigEnvoyRejectsIsReportedAndTheLastGoodSnapshotIsRestored() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publishExample("bookinfo", Map.of("productpage", productpage));
      gw.awaitStatus("h", "/productpage", 200);
      String goodVersion = gw.servedVersion();
      EnvoyResources good = gw.sidecar().publisher().current().orElseThrow().resources();

      assertThat(gw.sidecar().publishRaw(BrokenConfig.withInvalidRouteRegex(good)))
          .isEqualTo(SnapshotPublisher.Outcome.PUBLISHED);

      await().atMost(Duration.ofSeconds(10)).until(() -> gw.envoy().nacks() > 0);
      await().atMost(Duration.ofSeconds(10)).until(() -> gw.servedVersion().equals(goodVersion));
      // The admin endpoint names the rejected type and carries Envoy's own error text.
      assertThat(gw.admin("/config_dump")).contains("\"nacks\" : [ {").contains("\"type\" : \"routes\"").contains("missing ]");
      assertThat(gw.get("h", "/productpage").backend()).isEqualTo("productpage");
    }
  }
}
