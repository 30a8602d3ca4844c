package io.edgegw.server.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.Translation;
import io.edgegw.translator.Translator;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.Severity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@code translate} and {@code validate} share: read the manifests, validate each resource as the
 * sidecar does, translate the accepted ones. Problems keep the order of the input, then the
 * translation's diagnostics.
 */
record ManifestCheck(int documents, ImmutableList<Problem> problems, Translation translation) {

  /** One line of output: {@code ERROR VirtualService default/x: spec.http[0]: message}. */
  record Problem(Severity severity, Optional<Path> file, Optional<ResourceKey> resource, String field, String message) {
    Problem {
      Objects.requireNonNull(severity, "severity");
      Objects.requireNonNull(file, "file");
      Objects.requireNonNull(resource, "resource");
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(message, "message");
    }

    static Problem of(Diagnostic d) {
      return new Problem(d.severity(), Optional.empty(), Optional.of(d.resource()), d.field(), d.message());
    }

    ObjectNode toJson() {
      ObjectNode node = JsonNodeFactory.instance.objectNode().put("severity", severity.name());
      file.ifPresent(f -> node.put("file", f.toString()));
      resource.ifPresent(
          k ->
              node.put("kind", k.kind().displayName())
                  .put("namespace", k.namespace())
                  .put("name", k.name()));
      return node.put("field", field).put("message", message);
    }

    @Override
    public String toString() {
      StringBuilder line = new StringBuilder(severity.name()).append(' ');
      file.ifPresent(f -> line.append(f).append(": ")); // unreadable documents name their file
      resource.ifPresent(k -> line.append(k).append(": "));
      return line.append(field.isEmpty() ? "" : field + ": ").append(message).toString();
    }
  }

  static ManifestCheck run(List<Path> files, GatewayIdentity identity) throws IOException {
    return run(files, identity, io.edgegw.translator.gatewayapi.GatewayApiFrontEnd.DEFAULT_CONTROLLER);
  }

  static ManifestCheck run(List<Path> files, GatewayIdentity identity, String gatewayController) throws IOException {
    ManifestDocuments read = ManifestDocuments.read(files);
    Translator translator = new Translator(gatewayController);
    ImmutableList.Builder<Problem> problems = ImmutableList.builder();
    TreeMap<ResourceKey, Resource> accepted = new TreeMap<>();
    for (ManifestDocuments.Document doc : read.documents()) {
      if (doc.read() instanceof ResourceReader.Failed failed) {
        problems.add(unreadable(doc.file(), failed));
        continue;
      }
      Resource resource = ((ResourceReader.Ok) doc.read()).resource();
      ImmutableList<Diagnostic> diagnostics = translator.validate(resource);
      // Warnings of accepted resources come again with the translation's diagnostics.
      diagnostics.stream().filter(Diagnostic::isError).map(Problem::of).forEach(problems::add);
      // A rejected document leaves an earlier accepted one of the same key in place, as in the sidecar.
      if (diagnostics.stream().noneMatch(Diagnostic::isError) && accepted.put(resource.key(), resource) != null) {
        problems.add(new Problem(Severity.WARNING, Optional.empty(), Optional.of(resource.key()), "",
            "defined again in " + doc.file() + "; the later one is used"));
      }
    }
    Translation translation = translator.translate(new InputSet(ImmutableSortedMap.copyOfSorted(accepted)), identity);
    translation.diagnostics().stream().map(Problem::of).forEach(problems::add);
    return new ManifestCheck(read.documents().size(), problems.build(), translation);
  }

  private static Problem unreadable(Path file, ResourceReader.Failed failed) {
    String message =
        failed.key().isPresent()
            ? failed.error()
            : "document " + failed.document() + ": " + failed.error();
    return new Problem(Severity.ERROR, Optional.of(file), failed.key(), "", message);
  }

  /** Some document was unreadable or some resource rejected. */
  boolean rejected() {
    return problems.stream().anyMatch(p -> p.severity() == Severity.ERROR);
  }

  ArrayNode problemsJson() {
    ArrayNode array = JsonNodeFactory.instance.arrayNode();
    problems.forEach(p -> array.add(p.toJson()));
    return array;
  }
}
