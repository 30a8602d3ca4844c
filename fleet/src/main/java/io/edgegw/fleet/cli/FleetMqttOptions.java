package io.edgegw.fleet.cli;

import io.edgegw.mqtt.MqttSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a fleet command reaches the cloud broker. */
final class FleetMqttOptions {
  @Option(names = "--mqtt-url", defaultValue = MqttSettings.DEFAULT_SERVER_URI,
      description = "The cloud MQTT broker, tcp:// or ssl:// (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--mqtt-username", description = "MQTT user name (the ACL must let it read <prefix>/+/status/# and write <prefix>/+/resources/#).")
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

  @Option(names = "--topic-prefix", defaultValue = "edgegw", description = "MQTT topic prefix shared by the fleet (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  MqttSettings settings(String clientId) throws IOException {
    MqttSettings settings = MqttSettings.defaults(clientId).withServerUri(url);
    if (username.isPresent()) {
      String password = passwordFile.isEmpty() ? "" : Files.readString(passwordFile.get(), StandardCharsets.UTF_8).strip();
      settings = settings.withCredentials(username.get(), password);
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
