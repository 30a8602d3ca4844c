package io.edgegw.server.cli;

import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.mqtt.cli.MqttBrokerOptions;
import io.edgegw.server.SidecarConfig;
import java.io.IOException;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** How a command reaches the broker and which gateway's topics it uses; shared by the commands that talk MQTT. */
final class MqttClientOptions {
  @Mixin MqttBrokerOptions broker;

  @Option(
      names = "--gateway-id",
      defaultValue = "default",
      description = "The gateway's id in MQTT topics (default: ${DEFAULT-VALUE}).")
  String gatewayId;

  @Option(
      names = "--topic-prefix",
      defaultValue = "edgegw",
      description = "MQTT topic prefix (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  String url() {
    return broker.url();
  }

  Optional<String> username() {
    return broker.username();
  }

  Optional<String> password() throws IOException {
    return broker.password();
  }

  SidecarConfig.MqttTls tls() {
    return new SidecarConfig.MqttTls(broker.caFile(), broker.clientCert(), broker.clientKey());
  }

  TopicContract topics() {
    return new TopicContract(topicPrefix, gatewayId);
  }

  MqttSettings settings(String clientId) throws IOException {
    return broker.settings(clientId);
  }
}
