package io.edgegw.server.cli;

import io.edgegw.server.Components;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the sidecar (until SIGTERM/SIGINT).",
      "",
      "Serves the last accepted config from --state-dir at once, then applies resources from MQTT"
          + " (<topic-prefix>/<gateway-id>/...) and --config-dir, and serves Envoy over ADS on --xds-address."
          + " Admin endpoints /healthz/ready, /config_dump and /resources are on --admin-address."
    })
final class RunCommand implements Callable<Integer> {
  @Mixin MqttClientOptions mqtt;

  @Mixin GatewayIdentityOptions gateway;

  @Option(names = "--no-mqtt", description = "Do not connect to MQTT: only --config-dir and the state directory.")
  boolean noMqtt;

  @Option(names = "--kubeedge-topic", paramLabel = "FILTER",
      description = "Also read KubeEdge EventBus envelopes (header/route/content) from this MQTT topic filter; off by default.")
  Optional<String> kubeedgeTopic;

  @Option(names = "--max-payload-bytes", defaultValue = "1048576", paramLabel = "N",
      description = "Refuse MQTT payloads larger than this, unparsed (default: ${DEFAULT-VALUE}).")
  int maxPayloadBytes;

  @Option(names = "--xds-address", defaultValue = "127.0.0.1:18000", converter = Converters.HostPortConverter.class, paramLabel = "HOST:PORT",
      description = "Where Envoy connects for ADS (default: ${DEFAULT-VALUE}).")
  HostPort xdsAddress;

  @Option(names = "--admin-address", defaultValue = "127.0.0.1:18001", converter = Converters.HostPortConverter.class, paramLabel = "HOST:PORT",
      description = "Admin HTTP endpoint (default: ${DEFAULT-VALUE}).")
  HostPort adminAddress;

  @Option(names = "--config-dir", paramLabel = "DIR", description = "Also read *.yaml/*.yml/*.json manifests from DIR, and follow changes.")
  Optional<Path> configDir;

  @Option(names = "--state-dir", defaultValue = "./edgegw-state", paramLabel = "DIR",
      description = "Where accepted resources are persisted (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--debounce", defaultValue = "20", paramLabel = "MS", description = "Wait this long after a change before translating (default: ${DEFAULT-VALUE} ms).")
  long debounceMillis;

  /** The config these options describe. */
  SidecarConfig config() throws IOException {
    GatewayIdentity identity = gateway.identity();
    return SidecarConfig.builder(stateDir)
        .mqttUrl(noMqtt ? Optional.empty() : Optional.of(mqtt.url))
        .mqttUsername(mqtt.username)
        .mqttPassword(mqtt.password())
        .mqttTls(mqtt.tls())
        .gatewayId(mqtt.gatewayId)
        .topicPrefix(mqtt.topicPrefix)
        .gatewayLabels(identity.labels())
        .domainSuffix(identity.domainSuffix())
        .listenerBindAddress(identity.bindAddress())
        .portMap(identity.portMap())
        .xdsAddress(xdsAddress)
        .adminAddress(adminAddress)
        .configDir(configDir)
        .debounce(Duration.ofMillis(debounceMillis))
        .kubeedgeTopic(kubeedgeTopic)
        .maxPayloadBytes(maxPayloadBytes)
        .build();
  }

  @Override
  public Integer call() throws Exception {
    SidecarConfig config = config();
    Sidecar sidecar = Sidecar.start(config, Components.production());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sidecar.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }
}
