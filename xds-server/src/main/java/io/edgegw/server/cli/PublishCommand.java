package io.edgegw.server.cli;

import io.edgegw.server.MqttOptions;
import io.edgegw.server.SidecarConfig;
import io.edgegw.translator.model.ResourceReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes manifests to a gateway over MQTT, or deletes them.",
      "",
      "Messages are retained, so a restarted sidecar gets them again. One line per resource; unreadable"
          + " documents are reported and make the exit code 1."
    })
final class PublishCommand implements Callable<Integer> {
  private final Supplier<CliComponents> components;

  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
      description = "Manifest file, or directory of *.yaml/*.yml/*.json (sorted). Repeatable.")
  List<Path> files;

  @Option(names = "--delete", description = "Delete the resources named in the files instead of publishing them.")
  boolean delete;

  @Option(names = "--mqtt-url", defaultValue = SidecarConfig.DEFAULT_MQTT_URL, description = "MQTT broker (default: ${DEFAULT-VALUE}).")
  String mqttUrl;

  @Option(names = "--gateway-id", defaultValue = "default", description = "Target gateway id (default: ${DEFAULT-VALUE}).")
  String gatewayId;

  @Option(names = "--topic-prefix", defaultValue = "edgegw", description = "MQTT topic prefix (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--mqtt-username", description = "MQTT user name.")
  Optional<String> mqttUsername;

  @Option(names = "--mqtt-password-file", paramLabel = "FILE", description = "File holding the MQTT password.")
  Optional<Path> mqttPasswordFile;

  PublishCommand(Supplier<CliComponents> components) {
    this.components = components;
  }

  MqttOptions options() throws java.io.IOException {
    Optional<String> password = Optional.empty();
    if (mqttPasswordFile.isPresent()) {
      password = Optional.of(Files.readString(mqttPasswordFile.get(), StandardCharsets.UTF_8).strip());
    }
    return new MqttOptions(mqttUrl, "edgegw-publish-" + UUID.randomUUID().toString().substring(0, 8), mqttUsername,
        password, SidecarConfig.DEFAULT_MAX_PAYLOAD_BYTES, topicPrefix, gatewayId);
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ManifestDocuments documents;
    try {
      documents = ManifestDocuments.read(files);
    } catch (NoSuchFileException e) {
      err.println("edgegw publish: not a file or directory: " + e.getFile());
      return 2;
    }
    boolean failed = false;
    try (MqttPublisher publisher = components.get().mqttPublishers().apply(options())) {
      publisher.connect();
      for (ManifestDocuments.Document doc : documents.documents()) {
        if (doc.read() instanceof ResourceReader.Ok ok) {
          if (delete) {
            publisher.delete(ok.resource().key());
            out.println("deleted " + ok.resource().key());
          } else {
            publisher.publish(ok.resource());
            out.println("published " + ok.resource().key());
          }
        } else {
          err.println(doc.failure());
          failed = true;
        }
      }
    }
    out.flush();
    err.flush();
    return failed ? 1 : 0;
  }
}
