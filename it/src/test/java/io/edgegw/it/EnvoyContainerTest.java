package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.collect.ImmutableMap;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.EnvoyContainer;
import io.edgegw.it.harness.FreePorts;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.server.Components;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The bookinfo route through Envoy from the official image instead of the local binary. Runs only where
 * a Docker engine is available (skipped, not failed, elsewhere: the project's own machines have none,
 * and every other test runs Envoy as a local process). The sidecar reads the example from a config
 * directory, so no broker is needed.
 */
@Testcontainers(disabledWithoutDocker = true)
class EnvoyContainerTest {

  @Test
  void bookinfoIsRoutedByEnvoyFromTheOfficialImage() throws Exception {
    int httpPort = FreePorts.next();
    int envoyAdmin = FreePorts.next();
    Path configDir = Files.createTempDirectory("edgegw-config");
    try (HttpBackend productpage = HttpBackend.start("productpage")) {
      Files.writeString(configDir.resolve("bookinfo.yaml"),
          EdgeGateway.exampleYaml("bookinfo", Map.of("productpage", productpage)));
      SidecarConfig config = SidecarConfig.builder(Files.createTempDirectory("edgegw-state"))
          .mqttUrl(Optional.empty())
          .configDir(Optional.of(configDir))
          .listenerBindAddress("127.0.0.1")
          .portMap(ImmutableMap.of(80, httpPort))
          .xdsAddress(new HostPort("127.0.0.1", 0))
          .adminAddress(new HostPort("127.0.0.1", 0))
          // Test backends run on loopback, which the node policy refuses by default.
          .nodePolicy(SidecarConfig.NodePolicySettings.DEFAULT.allowingUpstreams("127.0.0.0/8"))
          .build();
      try (Sidecar sidecar = Sidecar.start(config, Components.production());
          EnvoyContainer envoy = EnvoyContainer.start(new BootstrapGenerator().yaml(new BootstrapOptions(
              "edgegw-container", "edgegateway", "127.0.0.1", sidecar.xdsPort(), "127.0.0.1", envoyAdmin, false)),
              envoyAdmin)) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
            .until(() -> HttpProbe.get(httpPort, "bookinfo.local", "/productpage").status() == 200);
        assertThat(HttpProbe.get(httpPort, "bookinfo.local", "/productpage").backend()).isEqualTo("productpage");
        assertThat(HttpProbe.get(httpPort, "bookinfo.local", "/nope").status()).isEqualTo(404);
        assertThat(envoy.admin("/server_info")).contains("edgegw-container");
        assertThat(HttpProbe.get(sidecar.adminPort(), "127.0.0.1", "/clients").body()).contains("\"edgegw-container\"");
      }
    }
  }
}
