package io.edgegw.server.cli;

import io.edgegw.mqtt.MqttResourcePublisher;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceReader;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes manifests to a gateway over MQTT, or deletes them.",
      "",
      "Messages are retained, so a restarted sidecar gets them again. One line per resource; unreadable"
          + " documents are reported and make the exit code 1.",
      "",
      "Exit codes: 0 all published, 1 some document unreadable or the broker unreachable, 2 usage error or missing"
          + " file."
    })
final class PublishCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
      description = "Manifest file, or directory of *.yaml/*.yml/*.json (sorted). Repeatable.")
  List<Path> files;

  @Option(names = "--delete", description = "Delete the resources named in the files instead of publishing them.")
  boolean delete;

  @Mixin MqttClientOptions mqtt;

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
    // Report every unreadable document before touching the broker, as kubectl does before applying.
    boolean failed = false;
    List<Resource> resources = new ArrayList<>();
    for (ManifestDocuments.Document doc : documents.documents()) {
      if (doc.read() instanceof ResourceReader.Ok ok) {
        resources.add(ok.resource());
      } else {
        err.println(doc.failure());
        failed = true;
      }
    }
    err.flush();
    try (MqttResourcePublisher publisher = new MqttResourcePublisher(
        // A client id of its own: reusing the sidecar's would take over the sidecar's session.
        mqtt.settings("edgegw-publish-" + UUID.randomUUID().toString().substring(0, 8)), mqtt.topics())) {
      publisher.connect();
      for (Resource resource : resources) {
        if (delete) {
          publisher.delete(resource.key());
          out.println("deleted " + resource.key());
        } else {
          publisher.publish(resource);
          out.println("published " + resource.key());
        }
      }
    }
    out.flush();
    err.flush();
    return failed ? 1 : 0;
  }
}
