package io.edgegw.server.cli;

import io.edgegw.server.Components;
import io.edgegw.server.MqttOptions;
import java.util.Objects;
import java.util.function.Function;

/** What the commands need from the other modules: the sidecar's components, MQTT publishing, bootstrap. */
public record CliComponents(
    Components server,
    Function<MqttOptions, MqttPublisher> mqttPublishers,
    Function<BootstrapSettings, String> bootstrapYaml) {
  public CliComponents {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(mqttPublishers, "mqttPublishers");
    Objects.requireNonNull(bootstrapYaml, "bootstrapYaml");
  }

  /**
   * The real modules: {@code io.edgegw.translator.Translator}, {@code EnvoyJson}, {@code
   * io.edgegw.mqtt.MqttResourceSource} / {@code MqttResourcePublisher} and {@code
   * io.edgegw.bootstrap.BootstrapGenerator}. They are joined here when the branches are merged; this
   * branch is built before they exist, so until then every command that needs them says so.
   */
  public static CliComponents production() {
    throw new IllegalStateException(
        "this build of edgegw is not linked with the translator, mqtt-bridge and envoy-bootstrap modules");
  }
}
