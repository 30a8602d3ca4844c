package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.ProcessGateway;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A burst of 1000 updates (50 resources, 20 versions each, interleaved) ends with the last version of
 * every resource served, in far fewer snapshots than updates (the debounce coalesces them).
 */
class BurstTest {
  private static final int RESOURCES = 50;
  private static final int VERSIONS = 20;
  private static final Pattern REWRITE = Pattern.compile("/v-(\\d+)");

  @Test
  void aThousandUpdatesEndInTheLastStateOfEveryResourceInFewSnapshots() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      awaitEcho(gw, "bookinfo.local", "/productpage");
      long snapshotsBefore = gw.sidecar().countLogLines("serving snapshot");

      long start = System.nanoTime();
      StringBuilder burst = new StringBuilder();
      for (int version = 0; version < VERSIONS; version++) {
        for (int r = 0; r < RESOURCES; r++) {
          burst.append(Manifests.counterVs("burst-" + r, "burst-" + r + ".local", value(r, version))).append("---\n");
        }
      }
      gw.publish(burst.toString());
      long publishedMillis = (System.nanoTime() - start) / 1_000_000;

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
          .until(() -> stale(gw).isEmpty());
      long convergedMillis = (System.nanoTime() - start) / 1_000_000;
      long snapshots = gw.sidecar().countLogLines("serving snapshot") - snapshotsBefore;
      System.out.printf("burst: %d updates published in %d ms, all served after %d ms, in %d snapshots%n",
          RESOURCES * VERSIONS, publishedMillis, convergedMillis, snapshots);

      for (int r : new int[] {0, 17, RESOURCES - 1}) {
        awaitEcho(gw, "burst-" + r + ".local", "/v-" + value(r, VERSIONS - 1));
      }
      // Each snapshot costs a translation and an xDS push; 1000 updates must not cost 1000 of them.
      assertThat(snapshots).as("snapshots for %d updates", RESOURCES * VERSIONS)
          .isPositive().isLessThan(RESOURCES * VERSIONS / 10);
      ResilienceTest.assertServedEqualsEnvoy(gw);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  private static int value(int resource, int version) {
    return resource * 100 + version;
  }

  /**
   * The burst resources whose served route (in the sidecar's /config_dump) is not the last version:
   * empty once the last message of every resource is what Envoy is given.
   */
  private static List<String> stale(ProcessGateway gw) {
    JsonNode dump = Manifests.json(gw.sidecar().admin("/config_dump"));
    List<String> stale = new ArrayList<>();
    for (int r = 0; r < RESOURCES; r++) {
      String host = "burst-" + r + ".local";
      JsonNode vhost = null;
      for (JsonNode route : dump.path("resources").path("routes")) {
        for (JsonNode v : route.path("virtual_hosts")) {
          if (v.path("domains").toString().contains("\"" + host)) {
            vhost = v;
          }
        }
      }
      Matcher m = REWRITE.matcher(vhost == null ? "" : vhost.toString());
      String served = m.find() ? m.group() : "none";
      if (!served.equals("/v-" + value(r, VERSIONS - 1))) {
        stale.add(host + "=" + served);
      }
    }
    return stale;
  }
}
