package io.edgegw.mqtt.cli;

import io.edgegw.mqtt.MqttSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** How a command reaches an MQTT broker: the options every edgegw command that talks MQTT shares (picocli mixin). */
public final class MqttBrokerOptions {
  @Option(names = "--mqtt-url", defaultValue = MqttSettings.DEFAULT_SERVER_URI,
      description = "MQTT broker, tcp:// or ssl:// (default: ${DEFAULT-VALUE}).")
  String url;

  @Option(names = "--mqtt-username", description = "MQTT user name.")
  Optional<String> username;

  @Option(names = "--mqtt-password-file", paramLabel = "FILE",
      description = "File holding the MQTT password (not given on the command line, where ps shows it).")
  Optional<Path> passwordFile;

  @Option(names = "--mqtt-ca-file", paramLabel = "FILE",
      description = "PEM CA that signed the broker's certificate (use an ssl:// --mqtt-url).")
  Optional<Path> caFile;

  @Option(names = "--mqtt-client-cert", paramLabel = "FILE",
      description = "PEM client certificate for MQTT over TLS (with --mqtt-client-key).")
  Optional<Path> clientCert;

  @Option(names = "--mqtt-client-key", paramLabel = "FILE",
      description = "PEM private key of --mqtt-client-cert (PKCS#8, RSA or EC).")
  Optional<Path> clientKey;

  public String url() {
    return url;
  }

  public Optional<String> username() {
    return username;
  }

  public Optional<Path> caFile() {
    return caFile;
  }

  public Optional<Path> clientCert() {
    return clientCert;
  }

  public Optional<Path> clientKey() {
    return clientKey;
  }

  /** The password read from --mqtt-password-file, if given. */
  public Optional<String> password() throws IOException {
    return passwordFile.isEmpty()
        ? Optional.empty()
        : Optional.of(Files.readString(passwordFile.get(), StandardCharsets.UTF_8).strip());
  }

  /** Settings for a client named {@code clientId} with these options. */
  public MqttSettings settings(String clientId) throws IOException {
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
