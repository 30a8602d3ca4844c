package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.Mosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --config-dir} across a restart of the sidecar, through a real Envoy and mosquitto: a file
 * removed while the sidecar was stopped takes its resources with it at the next start (the file
 * source reconciles its first complete scan against what the store holds from it), and what MQTT
 * stored in the same state directory stays.
 */
class ConfigDirRestartTest {
  @TempDir Path temp;

  @Test
  void aFileRemovedWhileTheSidecarWasStoppedIsDeletedAtTheNextStartAndMqttsRouteStays() throws Exception {
    Path config = Files.createDirectories(temp.resolve("config"));
    Path state = Files.createDirectories(temp.resolve("state"));
    try (Mosquitto broker = Mosquitto.start();
        HttpBackend productpage = HttpBackend.start("productpage")) {
      Files.writeString(config.resolve("bookinfo.yaml"), Manifests.bookinfo(productpage));
      Files.writeString(config.resolve("kept.yaml"), Manifests.counterVs("kept", "kept.local", 1));
      Files.writeString(config.resolve("removed.yaml"), Manifests.counterVs("removed", "removed.local", 2));
      try (EdgeGateway gw = EdgeGateway.start(broker, state, b -> b.configDir(Optional.of(config)))) {
        gw.publish(Manifests.counterVs("from-mqtt", "mqtt.local", 3));
        awaitPath(gw, "kept.local", "/v-1");
        awaitPath(gw, "removed.local", "/v-2");
        awaitPath(gw, "mqtt.local", "/v-3");
      }

      Files.delete(config.resolve("removed.yaml"));

      try (EdgeGateway gw = EdgeGateway.start(broker, state, b -> b.configDir(Optional.of(config)))) {
        gw.awaitStatus("removed.local", "/", 404);
        assertThat(Manifests.echoedPath(gw.get("kept.local", "/"))).isEqualTo("/v-1");
        assertThat(Manifests.echoedPath(gw.get("mqtt.local", "/"))).isEqualTo("/v-3");
        assertThat(gw.admin("/resources")).doesNotContain("virtualservices/removed").doesNotContain("removed.yaml")
            .contains("from-mqtt");
        Thread.sleep(2500); // a poll of the directory later, MQTT's route is still there
        assertThat(Manifests.echoedPath(gw.get("mqtt.local", "/"))).isEqualTo("/v-3");
        assertThat(gw.envoy().nacks()).isZero();
      }
    }
  }

  private static void awaitPath(EdgeGateway gw, String host, String path) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> path.equals(Manifests.echoedPath(gw.get(host, "/"))));
  }
}
