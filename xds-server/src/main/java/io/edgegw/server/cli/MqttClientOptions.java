package io.edgegw.server.cli;

import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.server.SidecarConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a command reaches the broker and which gateway's topics it uses; shared by the commands that talk MQTT. */
final class MqttClientOptions {
  @Option(names = "--mqtt-url", defaultValue = SidecarConfig.DEFAULT_MQTT_URL,
      description = "MQTT broker, tcp:// or ssl:// (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--mqtt-username", description = "MQTT user name.")
  Optional<String> username;

  @Option(names = "--mqtt-password-file", paramLabel = "FILE",
      description = "File holding the MQTT password (not given on the command line, where ps shows it).")
  Optional<Path> passwordFile;

  @Option(names = "--mqtt-ca-file", paramLabel = "FILE", description = "PEM CA that signed the broker's certificate (use an ssl:// --mqtt-url).")
  Optional<Path> caFile;

  @Option(names = "--mqtt-client-cert", paramLabel = "FILE", description = "PEM client certificate for MQTT over TLS (with --mqtt-client-key).")
  Optional<Path> clientCert;

  @Option(names = "--mqtt-client-key", paramLabel = "FILE", description = "PEM private key of --mqtt-client-cert (PKCS#8, RSA or EC).")
  Optional<Path> clientKey;

  @Option(names = "--gateway-id", defaultValue = "default", description = "The gateway's id in MQTT topics (default: ${DEFAULT-VALUE}).")
  String gatewayId;

  @Option(names = "--topic-prefix", defaultValue = "edgegw", description = "MQTT topic prefix (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  Optional<String> password() throws IOException {
    return passwordFile.isEmpty()
        ? Optional.empty()
        : Optional.of(Files.readString(passwordFile.get(), StandardCharsets.UTF_8).strip());
  }

  SidecarConfig.MqttTls tls() {
    return new SidecarConfig.MqttTls(caFile, clientCert, clientKey);
  }

  TopicContract topics() {
    return new TopicContract(topicPrefix, gatewayId);
  }

  MqttSettings settings(String clientId) throws IOException {
    MqttSettings settings = MqttSettings.defaults(clientId).withServerUri(url);
    if (username.isPresent()) {
      settings = settings.withCredentials(username.get(), password().orElse(""));
    }
    if (caFile.isPresent()) {
      settings = settings.withCaFile(caFile.get());
    }
    if (clientCert.isPresent() && clientKey.isPresent()) {
      settings = settings.withClientCertificate(clientCert.get(), clientKey.get());
    }
    return settings;
  }
}
