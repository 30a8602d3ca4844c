package io.edgegw.server.cli;

import io.edgegw.translator.EnvoyJson;
import io.edgegw.translator.Translator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.Translation;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "translate",
    mixinStandardHelpOptions = true,
    description = {
      "Translates manifests offline into the Envoy resources the sidecar would serve.",
      "",
      "Envoy resources go to stdout, every problem to stderr (ERROR VirtualService default/x: field: message)."
          + " Exit code: 0 nothing rejected, 1 some input rejected, 2 usage error."
    })
final class TranslateCommand implements Callable<Integer> {
  enum Format { json, yaml }

  @Spec CommandSpec spec;

  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
      description = "Manifest file, or directory of *.yaml/*.yml/*.json (sorted). Repeatable.")
  List<Path> files;

  @Mixin GatewayIdentityOptions gateway;

  @Option(names = {"-o", "--output"}, defaultValue = "json", description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ManifestDocuments documents;
    try {
      documents = ManifestDocuments.read(files);
    } catch (NoSuchFileException e) {
      err.println("edgegw translate: not a file or directory: " + e.getFile());
      return 2;
    }
    Translator translator = new Translator();
    boolean rejected = false;
    TreeMap<ResourceKey, Resource> accepted = new TreeMap<>();
    for (ManifestDocuments.Document doc : documents.documents()) {
      if (!(doc.read() instanceof ResourceReader.Ok ok)) {
        err.println(doc.failure());
        rejected = true;
        continue;
      }
      ImmutableList<Diagnostic> diagnostics = translator.validate(ok.resource());
      // Warnings of accepted resources come again with the translation's diagnostics.
      diagnostics.stream().filter(Diagnostic::isError).forEach(err::println);
      if (diagnostics.stream().anyMatch(Diagnostic::isError)) {
        rejected = true;
      } else if (accepted.put(ok.resource().key(), ok.resource()) != null) {
        err.println("WARNING " + ok.resource().key() + ": defined again in " + doc.file() + "; the later one is used");
      }
    }
    Translation translation = translator.translate(new InputSet(ImmutableSortedMap.copyOfSorted(accepted)), gateway.identity());
    translation.diagnostics().forEach(err::println);
    rejected |= !translation.rejected().isEmpty();
    if (format == Format.yaml) {
      out.print(EnvoyJson.toYaml(translation.resources()));
    } else {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(EnvoyJson.toJson(translation.resources())));
    }
    out.flush();
    err.flush();
    return rejected ? 1 : 0;
  }
}
