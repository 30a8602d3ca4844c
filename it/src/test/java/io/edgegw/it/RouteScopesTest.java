package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.RestartableGateway;
import io.edgegw.it.harness.TrafficLoop;
import io.edgegw.server.SnapshotPublisher;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.Kind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code edgegw run --route-scopes} against a real Envoy on delta xDS: each host of port 80 is its own
 * route configuration, chosen by scoped RDS on the Host header (docs/architecture.md, "Route scopes").
 * A new host reaches Envoy without the other hosts' route configurations being applied again; a port in
 * the Host header still routes; an upper-case Host finds no scope (the documented difference from
 * istiod); a wildcard host moves the port to one route configuration and back without a failed request; a
 * rejected route configuration is rolled back; a restarted sidecar serves what Envoy had, and the flag
 * can be turned off and on again across restarts. In order, against one Envoy process.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouteScopesTest {
  private static HttpBackend alpha;
  private static HttpBackend beta;
  private static RestartableGateway gw;
  private static long envoyPid;

  @BeforeAll
  static void start() throws Exception {
    alpha = HttpBackend.start("alpha");
    beta = HttpBackend.start("beta");
    gw = RestartableGateway.start(true, settings -> settings.routeScopes(true));
    envoyPid = gw.envoy().pid();
    gw.publish(Manifests.httpGateway("scoped") + "---\n" + service("alpha", alpha) + "---\n"
        + service("beta", beta));
    gw.publish(virtualService("a", "a.scoped.test", "alpha") + "---\n"
        + virtualService("b", "b.scoped.test", "beta"));
  }

  @AfterAll
  static void stop() {
    io.edgegw.it.harness.EdgeGateway.closeAll(gw, alpha, beta);
  }

  @Test
  @Order(1)
  void eachHostIsAScopeWithItsOwnRouteConfiguration() {
    gw.awaitStatus(gw.httpPort(), "a.scoped.test", "/", 200);
    gw.awaitStatus(gw.httpPort(), "b.scoped.test", "/", 200);
    assertThat(get("a.scoped.test").backend()).isEqualTo("alpha");
    assertThat(get("b.scoped.test").backend()).isEqualTo("beta");
    // Clients send the port when it is not the scheme's: the scope key is the host without it.
    assertThat(get("a.scoped.test:" + gw.httpPort()).backend()).isEqualTo("alpha");
    assertThat(get("unknown.scoped.test").status()).isEqualTo(404);

    String dump = gw.envoy().admin("/config_dump");
    // Named after the port Envoy binds (Gateway port 80 is mapped to a free one here).
    String port = "http." + gw.httpPort();
    assertThat(dump).contains("ScopedRoutesConfigDump", "\"" + port + "/a.scoped.test\"",
        "\"" + port + "/b.scoped.test\"", "\"route_configuration_name\": \"" + port + "/a.scoped.test:");
    EnvoyResources served = gw.sidecar().publisher().current().orElseThrow().resources();
    assertThat(served.scopes()).hasSize(2);
    assertThat(served.routes()).hasSize(2);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  @Order(2)
  void aNewHostIsAppliedAloneWhileTheOthersKeepTheirRouteConfiguration() {
    Map<String, Long> before = gw.envoy().stats("rds\\..*a\\.scoped\\.test.*\\.update_success$");
    assertThat(before).hasSize(1);
    try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "a.scoped.test", "/",
        r -> r.status() == 200 && "alpha".equals(r.backend()))) {
      gw.publish(virtualService("c", "c.scoped.test", "beta"));
      gw.awaitStatus(gw.httpPort(), "c.scoped.test", "/", 200);
      assertThat(get("c.scoped.test").backend()).isEqualTo("beta");
      TrafficLoop.Result result = traffic.stop();
      assertThat(result.failed()).as("%s", result).isZero();
      assertThat(result.ok()).isPositive();
    }
    // Envoy applied c's route configuration, not a's again.
    assertThat(gw.envoy().stats("rds\\..*a\\.scoped\\.test.*\\.update_success$")).isEqualTo(before);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  @Order(3)
  void anUpperCaseHostFindsNoScope() {
    // Scope keys are the Host header's bytes; istiod's one route configuration would answer 200.
    assertThat(get("A.SCOPED.TEST").status()).isEqualTo(404);
  }

  @Test
  @Order(4)
  void aWildcardHostMovesThePortToOneRouteConfigurationAndBackWithoutAFailedRequest() {
    try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "b.scoped.test", "/",
        r -> r.status() == 200 && "beta".equals(r.backend()))) {
      gw.publish(virtualService("wild", "*.wild.test", "alpha"));
      gw.awaitStatus(gw.httpPort(), "x.wild.test", "/", 200);
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .until(() -> get("A.SCOPED.TEST").status() == 200);
      TrafficLoop.Result result = traffic.stop();
      assertThat(result.failed()).as("%s", result).isZero();
    }
    assertThat(gw.sidecar().publisher().current().orElseThrow().resources().scopes()).isEmpty();
    assertThat(get("a.scoped.test").backend()).isEqualTo("alpha");
    assertThat(get("c.scoped.test").backend()).isEqualTo("beta");
    // Changed while the port has one route configuration: Envoy still holds a's own, from before.
    gw.publish(virtualService("a", "a.scoped.test", "beta"));
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> "beta".equals(get("a.scoped.test").backend()));

    // And back to scopes once the wildcard host is gone, with a's route configuration as it is now.
    try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "b.scoped.test", "/",
        r -> r.status() == 200 && "beta".equals(r.backend()))) {
      gw.delete(Kind.VIRTUAL_SERVICE, "default", "wild");
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
          .until(() -> get("A.SCOPED.TEST").status() == 404);
      TrafficLoop.Result result = traffic.stop();
      assertThat(result.failed()).as("%s", result).isZero();
    }
    assertThat(get("a.scoped.test").backend()).isEqualTo("beta");
    assertThat(gw.sidecar().publisher().current().orElseThrow().resources().scopes()).hasSize(3);
    gw.publish(virtualService("a", "a.scoped.test", "alpha"));
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
        .until(() -> "alpha".equals(get("a.scoped.test").backend()));
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  @Order(5)
  void aRejectedHostRouteConfigurationIsRolledBack() {
    String goodVersion = gw.sidecar().publisher().current().orElseThrow().version();
    EnvoyResources good = gw.sidecar().publisher().current().orElseThrow().resources();
    assertThat(gw.sidecar().publishRaw(BrokenConfig.withInvalidRouteRegex(good)))
        .isEqualTo(SnapshotPublisher.Outcome.PUBLISHED);
    await().atMost(Duration.ofSeconds(10)).until(() -> gw.envoy().nacks() > 0);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> gw.sidecar().publisher().current().orElseThrow().version().equals(goodVersion));
    assertThat(get("a.scoped.test").backend()).isEqualTo("alpha");
    assertThat(get("b.scoped.test").backend()).isEqualTo("beta");
    assertThat(get("c.scoped.test").backend()).isEqualTo("beta");
  }

  @Test
  @Order(6)
  void aRestartedSidecarServesEnvoyWhatItHad() {
    long nacks = gw.envoy().nacks();
    try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "b.scoped.test", "/",
        r -> r.status() == 200 && "beta".equals(r.backend()))) {
      gw.stopSidecar();
      gw.startSidecar();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
          .until(() -> gw.sidecar().publisher().fullyAcked(gw.sidecar().publisher().current().orElseThrow()));
      TrafficLoop.Result result = traffic.stop();
      assertThat(result.failed()).as("%s", result).isZero();
    }
    assertThat(get("a.scoped.test").backend()).isEqualTo("alpha");
    assertThat(get("c.scoped.test").backend()).isEqualTo("beta");
    assertThat(gw.envoy().nacks()).isEqualTo(nacks);
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
  }

  @Test
  @Order(7)
  void turningRouteScopesOffAndOnAcrossARestartDropsNoRequest() {
    for (boolean scopes : new boolean[] {false, true}) {
      long nacks = gw.envoy().nacks();
      try (TrafficLoop traffic = TrafficLoop.start(gw.httpPort(), "b.scoped.test", "/",
          r -> r.status() == 200 && "beta".equals(r.backend()))) {
        gw.stopSidecar();
        // The saved snapshot (the other form) is served first, then what the store translates to now.
        gw.startSidecar(settings -> settings.routeScopes(scopes));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
            .until(() -> get("A.SCOPED.TEST").status() == (scopes ? 404 : 200));
        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("%s", result).isZero();
      }
      assertThat(gw.sidecar().publisher().current().orElseThrow().resources().scopes())
          .hasSize(scopes ? 3 : 0);
      assertThat(get("a.scoped.test").backend()).isEqualTo("alpha");
      assertThat(get("c.scoped.test").backend()).isEqualTo("beta");
      assertThat(gw.envoy().nacks()).isEqualTo(nacks);
      assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
    }
  }

  private static HttpProbe.Response get(String host) {
    return HttpProbe.get(gw.httpPort(), host, "/");
  }

  private static String service(String name, HttpBackend backend) {
    return io.edgegw.it.harness.EdgeGateway.service(name, backend);
  }

  private static String virtualService(String name, String host, String service) {
    return Manifests.simpleVs(name, host, "scoped", service);
  }
}
