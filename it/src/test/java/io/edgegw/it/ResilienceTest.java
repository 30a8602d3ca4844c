package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.EnvoyProcess;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.it.harness.TrafficLoop;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The sidecar as its own process, killed and restarted while a real Envoy keeps running and serving:
 * nothing accepted is lost, Envoy is given back exactly what it had, and no request fails.
 */
class ResilienceTest {
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  /** Envoy stats that move when a listener is added, replaced or drained: a restart must move none. */
  private static final String LISTENER_CHURN = "^listener_manager\\.(listener_added|listener_modified|listener_removed"
      + "|listener_in_place_updated|total_listeners_draining)$";

  @Test
  void killNineInALoopDuringAStreamOfUpdatesLosesNothing() throws Exception {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      gw.publish(Manifests.counterVs("counter", "counter.local", 0));
      awaitEcho(gw, "counter.local", "/v-0");

      AtomicInteger lastCounter = new AtomicInteger();
      AtomicBoolean churnPresent = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> publisherFailure = new AtomicReference<>();
      // The cloud side: the counter goes up every ~20 ms; every third update a second VS appears or goes.
      Thread cloud = new Thread(() -> {
        try {
          for (int n = 1; !stop.get(); n++) {
            gw.publish(Manifests.counterVs("counter", "counter.local", n));
            lastCounter.set(n);
            if (n % 3 == 0) {
              if (churnPresent.get()) {
                gw.delete("virtualservice", "default", "churn");
              } else {
                gw.publish(Manifests.counterVs("churn", "churn.local", n));
              }
              churnPresent.set(!churnPresent.get());
            }
            Thread.sleep(20);
          }
        } catch (Throwable t) {
          publisherFailure.set(t);
        }
      }, "cloud-publisher");

      int rounds = 5;
      try (TrafficLoop traffic = TrafficLoop.start(gw.sidecar().httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        cloud.start();
        for (int round = 0; round < rounds; round++) {
          // Let the sidecar take in some updates, then pull the plug at a random moment.
          Thread.sleep(300 + random.nextInt(500));
          gw.sidecar().kill9();
          Thread.sleep(random.nextInt(300)); // updates arrive at the broker while the sidecar is gone
          gw.sidecar().restart();
        }
        Thread.sleep(300);
        stop.set(true);
        cloud.join(10_000);
        assertThat(publisherFailure.get()).as("the publisher thread").isNull();
        int last = lastCounter.get();

        // The sidecar may be behind (it stores every update durably); it catches up, then resyncs.
        awaitEcho(gw, "counter.local", "/v-" + last, Duration.ofSeconds(90));
        String dump = gw.sidecar().admin("/config_dump");
        assertThat(dump).contains("/v-" + last + "\"");
        if (churnPresent.get()) {
          await().atMost(CONVERGE).ignoreExceptions()
              .until(() -> gw.get("churn.local", "/").backend() != null);
        } else {
          await().atMost(CONVERGE).until(() -> !gw.sidecar().admin("/config_dump").contains("churn.local"));
          assertThat(gw.get("churn.local", "/").backend()).as("churn.local is deleted").isNull();
        }
        assertServedEqualsEnvoy(gw);
        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests during %d kill -9 rounds (seed %d): %s", rounds, seed, result).isZero();
        assertThat(result.ok()).isPositive();
      } finally {
        stop.set(true);
        cloud.join(10_000);
      }
      assertThat(gw.envoy().nacks()).isZero();
      assertThat(setAside(gw.stateDir())).as("state files set aside as corrupt after kill -9").isEmpty();
      assertThat(gw.sidecar().countLogLines("--- start ")).isEqualTo(rounds + 1);
    }
  }

  @Test
  void restartUnderTrafficFailsNoRequestAndGivesEnvoyIdenticalConfig() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      awaitEcho(gw, "bookinfo.local", "/productpage");
      await().atMost(CONVERGE).until(() -> gw.sidecar().ready());
      String version = gw.sidecar().servedVersion();
      Map<String, Long> churnBefore = gw.envoy().stats(LISTENER_CHURN);
      long ldsUpdatesBefore = gw.envoy().stat("listener_manager.lds.update_success");

      try (TrafficLoop traffic = TrafficLoop.start(gw.sidecar().httpPort(), "bookinfo.local", "/productpage",
          r -> r.status() == 200 && "productpage".equals(r.backend()))) {
        for (boolean sigkill : new boolean[] {false, true}) {
          long okBefore = traffic.snapshot().ok();
          if (sigkill) {
            gw.sidecar().kill9();
          } else {
            gw.sidecar().stop();
          }
          await().atMost(CONVERGE).until(() -> gw.envoy().stat("control_plane.connected_state") == 0);
          gw.sidecar().restart();
          gw.envoy().awaitXdsConnected(CONVERGE);
          assertThat(gw.sidecar().servedVersion()).isEqualTo(version);
          // Envoy tells the new sidecar which versions it holds; they are the ones served: it is ready.
          await().atMost(CONVERGE).until(() -> gw.sidecar().ready());
          await().atMost(CONVERGE).until(() -> traffic.snapshot().ok() > okBefore + 5);
        }
        TrafficLoop.Result result = traffic.stop();
        assertThat(result.failed()).as("requests during a SIGTERM and a SIGKILL restart: %s", result).isZero();
      }
      assertServedEqualsEnvoy(gw);
      assertThat(gw.envoy().stats(LISTENER_CHURN)).as("listeners were not replaced or drained").isEqualTo(churnBefore);
      assertThat(gw.envoy().stat("listener_manager.lds.update_success")).isEqualTo(ldsUpdatesBefore);
      assertThat(gw.envoy().nacks()).isZero();
    }
  }

  @Test
  void offlineStartServesThePersistedConfigAtTheSameVersion() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        ProcessGateway gw = ProcessGateway.start()) {
      gw.publish(Manifests.bookinfo(productpage));
      gw.publish(Manifests.counterVs("counter", "counter.local", 42));
      awaitEcho(gw, "counter.local", "/v-42");
      String version = gw.sidecar().servedVersion();

      // Power cut: sidecar and Envoy die, and the broker does not come back.
      gw.sidecar().kill9();
      gw.envoy().close();
      gw.stopBroker();

      long start = System.nanoTime();
      gw.sidecar().restart(); // returns once the admin endpoint answers
      long adminMillis = (System.nanoTime() - start) / 1_000_000;
      assertThat(gw.sidecar().servedVersion()).as("version after an offline start").isEqualTo(version);

      try (EnvoyProcess envoy = ProcessGateway.startEnvoy(gw.sidecar().xdsPort())) {
        long envoyStart = System.nanoTime();
        awaitEcho(gw, "counter.local", "/v-42");
        long routedMillis = (System.nanoTime() - envoyStart) / 1_000_000;
        System.out.printf("offline start: sidecar JVM start to admin answering %d ms; fresh Envoy start to first"
            + " routed request %d ms%n", adminMillis, routedMillis);
        // Generous for a shared 2-core machine: the sidecar serves from its state before any broker
        // connect attempt could time out, and a fresh Envoy needs one ADS round trip.
        assertThat(adminMillis).as("sidecar start with the broker down, ms").isLessThan(15_000);
        assertThat(routedMillis).as("fresh Envoy to first routed request, ms").isLessThan(10_000);
        assertThat(gw.get("bookinfo.local", "/productpage").backend()).isEqualTo("productpage");
        assertThat(envoy.nacks()).isZero();
        String mqtt = gw.sidecar().log();
        assertThat(mqtt).contains("mqtt: cannot connect");
      }
    }
  }

  /** What the sidecar serves is what Envoy holds: the same listener and route versions. */
  static void assertServedEqualsEnvoy(ProcessGateway gw) {
    await().atMost(CONVERGE).untilAsserted(() -> {
      JsonNode served = Manifests.json(gw.sidecar().admin("/config_dump")).path("versions");
      Map<String, String> envoy = envoyVersions(gw.envoy());
      assertThat(envoy).containsEntry("listeners", served.path("listeners").asText())
          .containsEntry("routes", served.path("routes").asText())
          .containsEntry("clusters", served.path("clusters").asText());
    });
  }

  /** The version_info Envoy's own /config_dump shows per type (one version per type in SotW ADS). */
  static Map<String, String> envoyVersions(EnvoyProcess envoy) {
    JsonNode dump = Manifests.json(envoy.admin("/config_dump"));
    Map<String, String> versions = new TreeMap<>();
    for (JsonNode config : dump.path("configs")) {
      String type = config.path("@type").asText();
      if (type.endsWith("ListenersConfigDump")) {
        versions.put("listeners", config.path("version_info").asText());
      } else if (type.endsWith("ClustersConfigDump")) {
        versions.put("clusters", config.path("version_info").asText());
      } else if (type.endsWith("RoutesConfigDump")) {
        for (JsonNode route : config.path("dynamic_route_configs")) {
          versions.put("routes", route.path("version_info").asText());
        }
      }
    }
    return versions;
  }

  static void awaitEcho(ProcessGateway gw, String host, String path) {
    awaitEcho(gw, host, path, CONVERGE);
  }

  static void awaitEcho(ProcessGateway gw, String host, String path, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
        .until(() -> Manifests.echoedPath(gw.get(host, path.startsWith("/v-") ? "/" : path)), path::equals);
  }

  static List<Path> setAside(Path stateDir) throws IOException {
    Path corrupt = stateDir.resolve("corrupt");
    if (!Files.isDirectory(corrupt)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(corrupt)) {
      return files.toList();
    }
  }
}
