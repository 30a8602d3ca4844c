package io.edgegw.it.harness;

import static org.awaitility.Awaitility.await;

import com.google.common.collect.ImmutableMap;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.mqtt.MqttResourcePublisher;
import io.edgegw.server.Components;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * An edge gateway whose sidecar can be stopped and started again on the same xDS port and state
 * directory while Envoy keeps running, with Envoy on delta or state-of-the-world xDS. Gateway ports 80
 * and 8081 map to free loopback ports.
 */
public final class RestartableGateway implements AutoCloseable {
  private final Mosquitto broker;
  private final Path stateDir;
  private final int httpPort;
  private final int extraPort;
  private final int xdsPort;
  private final EnvoyProcess envoy;
  private final MqttResourcePublisher publisher;
  private final UnaryOperator<SidecarConfig.Builder> settings;
  private Sidecar sidecar; // null while stopped

  private RestartableGateway(Mosquitto broker, Path stateDir, int httpPort, int extraPort, int xdsPort,
      Sidecar sidecar, EnvoyProcess envoy, MqttResourcePublisher publisher,
      UnaryOperator<SidecarConfig.Builder> settings) {
    this.broker = broker;
    this.stateDir = stateDir;
    this.httpPort = httpPort;
    this.extraPort = extraPort;
    this.xdsPort = xdsPort;
    this.sidecar = sidecar;
    this.envoy = envoy;
    this.publisher = publisher;
    this.settings = settings;
  }

  public static RestartableGateway start(boolean deltaXds) throws Exception {
    return start(deltaXds, UnaryOperator.identity());
  }

  /** As {@link #start(boolean)}, with sidecar settings the test changes (kept for every restart). */
  public static RestartableGateway start(boolean deltaXds, UnaryOperator<SidecarConfig.Builder> settings)
      throws Exception {
    Mosquitto broker = Mosquitto.start();
    Sidecar sidecar = null;
    EnvoyProcess envoy = null;
    try {
      Path stateDir = Files.createTempDirectory("edgegw-state");
      int httpPort = FreePorts.next();
      int extraPort = FreePorts.next();
      int xdsPort = FreePorts.next();
      sidecar = Sidecar.start(config(broker, stateDir, httpPort, extraPort, xdsPort, settings),
          Components.production());
      int envoyAdmin = FreePorts.next();
      envoy = EnvoyProcess.start(new BootstrapGenerator().yaml(new BootstrapOptions(
          "edgegw-it", "edgegateway", "127.0.0.1", xdsPort, "127.0.0.1", envoyAdmin, deltaXds)), envoyAdmin);
      return new RestartableGateway(broker, stateDir, httpPort, extraPort, xdsPort, sidecar, envoy,
          EdgeGateway.publisher(broker), settings);
    } catch (Exception | Error e) {
      EdgeGateway.closeAll(envoy, sidecar, broker);
      throw e;
    }
  }

  private static SidecarConfig config(Mosquitto broker, Path stateDir, int httpPort, int extraPort, int xdsPort,
      UnaryOperator<SidecarConfig.Builder> settings) {
    return settings.apply(SidecarConfig.builder(stateDir)
        .mqttUrl(Optional.of(broker.url()))
        .gatewayId(EdgeGateway.GATEWAY_ID)
        .gatewayLabels(ImmutableMap.of("istio", "edgegateway"))
        .listenerBindAddress("127.0.0.1")
        .portMap(ImmutableMap.of(80, httpPort, 8081, extraPort))
        .xdsAddress(new HostPort("127.0.0.1", xdsPort))
        .adminAddress(new HostPort("127.0.0.1", 0))
        .debounce(Duration.ofMillis(10))
        // Test backends run on loopback, which the node policy refuses by default.
        .nodePolicy(SidecarConfig.NodePolicySettings.DEFAULT.allowingUpstreams("127.0.0.0/8")))
        .build();
  }

  /** Stops the sidecar; Envoy keeps serving what it has and retries the xDS stream. */
  public void stopSidecar() {
    if (sidecar != null) {
      sidecar.close();
      sidecar = null;
    }
  }

  /** Starts a new sidecar on the same xDS port and state directory (retrying while the port is freed). */
  public void startSidecar() {
    startSidecar(settings);
  }

  /** As {@link #startSidecar()}, with other sidecar settings for this start (a changed flag across a restart). */
  public void startSidecar(UnaryOperator<SidecarConfig.Builder> these) {
    SidecarConfig config = config(broker, stateDir, httpPort, extraPort, xdsPort, these);
    sidecar = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> Sidecar.start(config, Components.production()), s -> s != null);
  }

  public Sidecar sidecar() {
    if (sidecar == null) {
      throw new IllegalStateException("the sidecar is stopped");
    }
    return sidecar;
  }

  public EnvoyProcess envoy() {
    return envoy;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** The Envoy listener port that Gateway port 80 maps to. */
  public int httpPort() {
    return httpPort;
  }

  /** The Envoy listener port that Gateway port 8081 maps to. */
  public int extraPort() {
    return extraPort;
  }

  public void publish(String yaml) {
    EdgeGateway.publish(publisher, yaml);
  }

  public void delete(Kind kind, String namespace, String name) {
    publisher.delete(ResourceKey.of(kind, namespace, name));
  }

  public void awaitStatus(int port, String host, String path, int status) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
        .until(() -> HttpProbe.get(port, host, path).status() == status);
  }

  /** Waits until nothing accepts connections on {@code port} (Envoy dropped that listener). */
  public void awaitClosed(int port, Duration timeout) {
    Poll.until(timeout, () -> !Poll.accepts(port), envoy::isAlive,
        () -> "Envoy still accepts connections on " + port + "\n--- listeners\n" + envoy.admin("/listeners"));
  }

  @Override
  public void close() {
    EdgeGateway.closeAll(publisher, envoy, sidecar, broker);
  }
}
