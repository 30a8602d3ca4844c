package io.edgegw.fleet.cli;

import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.cli.MqttBrokerOptions;
import java.io.IOException;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * How a fleet command reaches the cloud broker. Its user needs an ACL that lets it read
 * {@code <prefix>/+/status/#} and write {@code <prefix>/+/resources/#} (docs/fleet.md).
 */
final class FleetMqttOptions {
  @Mixin MqttBrokerOptions broker;

  @Option(
      names = "--topic-prefix",
      defaultValue = "edgegw",
      description = "MQTT topic prefix shared by the fleet (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  MqttSettings settings(String clientId) throws IOException {
    return broker.settings(clientId);
  }
}
