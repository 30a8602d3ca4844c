package io.edgegw.it.harness;

import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.mqtt.MqttResourcePublisher;
import io.edgegw.mqtt.PahoClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

/**
 * An edge gateway made of separate processes only, so that each part can crash or restart on its own:
 * a mosquitto (optionally persistent) on a fixed port, the sidecar as its own JVM, and a real Envoy
 * bootstrapped against the sidecar's fixed xDS port. A publisher plays the cloud side.
 */
public final class ProcessGateway implements AutoCloseable {
  public static final String RESOURCES = "edgegw/" + EdgeGateway.GATEWAY_ID + "/resources/";

  private final Path dir;
  private final int brokerPort;
  private final Optional<Path> brokerPersistence;
  private Mosquitto broker;
  private final SidecarProcess sidecar;
  private final EnvoyProcess envoy;
  private MqttResourcePublisher publisher;
  private MqttAsyncClient raw;

  private ProcessGateway(Path dir, int brokerPort, Optional<Path> brokerPersistence, Mosquitto broker,
      SidecarProcess sidecar, EnvoyProcess envoy) {
    this.dir = dir;
    this.brokerPort = brokerPort;
    this.brokerPersistence = brokerPersistence;
    this.broker = broker;
    this.sidecar = sidecar;
    this.envoy = envoy;
  }

  /** Broker without persistence, sidecar with default options. */
  public static ProcessGateway start() throws IOException {
    return start(false, UnaryOperator.identity());
  }

  /**
   * @param persistentBroker mosquitto keeps retained messages and sessions in this gateway's directory
   * @param customize adjusts the sidecar's options (ports and state directory are already chosen)
   */
  public static ProcessGateway start(boolean persistentBroker, UnaryOperator<SidecarProcess.Options> customize)
      throws IOException {
    Path dir = Files.createTempDirectory("edgegw-process-gw");
    Optional<Path> persistence = persistentBroker
        ? Optional.of(Files.createDirectories(dir.resolve("broker"))) : Optional.empty();
    int brokerPort = FreePorts.next();
    Mosquitto broker = null;
    SidecarProcess sidecar = null;
    EnvoyProcess envoy = null;
    try {
      broker = startBroker(brokerPort, persistence);
      SidecarProcess.Options options = customize.apply(
          SidecarProcess.Options.of(broker.url(), Files.createDirectories(dir.resolve("state"))));
      sidecar = SidecarProcess.start(options);
      envoy = startEnvoy(sidecar.xdsPort());
      envoy.awaitXdsConnected(Duration.ofSeconds(20));
      ProcessGateway gw = new ProcessGateway(dir, brokerPort, persistence, broker, sidecar, envoy);
      gw.connectPublishers();
      return gw;
    } catch (RuntimeException | Error e) {
      EdgeGateway.closeAll(envoy, sidecar, broker);
      throw e;
    }
  }

  /** A real Envoy whose bootstrap points at {@code xdsPort}; it keeps running across sidecar restarts. */
  public static EnvoyProcess startEnvoy(int xdsPort) {
    int envoyAdmin = FreePorts.next();
    String bootstrap = new BootstrapGenerator().yaml(new BootstrapOptions(
        "edgegw-it", "edgegateway", FreePorts.LOOPBACK, xdsPort, FreePorts.LOOPBACK, envoyAdmin, false));
    return EnvoyProcess.start(bootstrap, envoyAdmin);
  }

  public SidecarProcess sidecar() {
    return sidecar;
  }

  public EnvoyProcess envoy() {
    return envoy;
  }

  public Mosquitto broker() {
    return broker;
  }

  public Path dir() {
    return dir;
  }

  public Path stateDir() {
    return sidecar.options().stateDir();
  }

  /** Stops the broker (SIGTERM: a persistent one saves its state). The publishers go with it. */
  public void stopBroker() {
    closePublishers();
    broker.stop();
  }

  /** Starts the broker again on the same port (and persistence directory), and reconnects the publishers. */
  public void startBroker() {
    broker = startBroker(brokerPort, brokerPersistence);
    connectPublishers();
  }

  /** Publishes every document of a YAML text, retained with QoS 1, waiting for each PUBACK. */
  public void publish(String yaml) {
    EdgeGateway.publish(publisher, yaml);
  }

  /** Publishes any bytes, retained with QoS 1, on any topic: what careless operators send. */
  public void publishRaw(String topic, byte[] payload) {
    publishRaw(topic, payload, 1, true);
  }

  /** Publishes any bytes with the given QoS and retain flag (KubeEdge's bus: QoS 0, not retained). */
  public void publishRaw(String topic, byte[] payload, int qos, boolean retained) {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(qos);
    message.setRetained(retained);
    try {
      // Waits for the broker, and rides out Paho's in-flight miscount (PahoClients.publish).
      PahoClients.publish(raw, topic, message, Duration.ofSeconds(10));
    } catch (MqttException e) {
      throw new IllegalStateException("publish to " + topic + " failed: " + e, e);
    }
  }

  /** Clears the retained resource: the sidecar deletes it. */
  public void delete(String kind, String namespace, String name) {
    publishRaw(RESOURCES + kind + "/" + namespace + "/" + name, new byte[0]);
  }

  public HttpProbe.Response get(String host, String path) {
    return HttpProbe.get(sidecar.httpPort(), host, path);
  }

  @Override
  public void close() {
    EdgeGateway.closeAll(this::closePublishers, envoy, sidecar, broker);
  }

  private static Mosquitto startBroker(int port, Optional<Path> persistence) {
    return persistence.map(p -> Mosquitto.startPersistent(port, p)).orElseGet(() -> Mosquitto.start(port));
  }

  private void connectPublishers() {
    try {
      publisher = EdgeGateway.publisher(broker);
      raw = new MqttAsyncClient(broker.url(), "it-raw-" + System.nanoTime(), new MemoryPersistence());
      raw.connect(new MqttConnectionOptions()).waitForCompletion(10_000);
    } catch (Exception e) {
      closePublishers();
      throw new IllegalStateException("cannot connect the test publishers to " + broker, e);
    }
  }

  private void closePublishers() {
    if (publisher != null) {
      publisher.close();
      publisher = null;
    }
    if (raw != null) {
      PahoClients.close(raw);
      raw = null;
    }
  }
}
