package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --route-scopes} with Envoy on state-of-the-world xDS (the harness's default bootstrap): the
 * scopes still come on their own delta stream, and the hosts' route configurations over SotW ADS.
 */
class RouteScopesSotwTest {
  private static HttpBackend alpha;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    alpha = HttpBackend.start("alpha");
    gw = EdgeGateway.start(settings -> settings.routeScopes(true));
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, alpha);
  }

  @Test
  void hostsRouteByScopeAndANewOneArrivesLive() {
    gw.publish(Manifests.httpGateway("sotw") + "---\n" + EdgeGateway.service("alpha", alpha) + "---\n"
        + vs("one", "one.sotw.test"));
    gw.awaitStatus("one.sotw.test", "/", 200);
    gw.publish(vs("two", "two.sotw.test"));
    gw.awaitStatus("two.sotw.test", "/", 200);
    assertThat(gw.get("one.sotw.test", "/").backend()).isEqualTo("alpha");
    assertThat(gw.envoy().admin("/config_dump")).contains("ScopedRoutesConfigDump",
        "\"string_key\": \"two.sotw.test\"");
    assertThat(gw.sidecar().publisher().current().orElseThrow().resources().scopes()).hasSize(2);
    assertThat(gw.envoy().nacks()).isZero();
  }

  private static String vs(String name, String host) {
    return Manifests.simpleVs(name, host, "sotw", "alpha");
  }
}
