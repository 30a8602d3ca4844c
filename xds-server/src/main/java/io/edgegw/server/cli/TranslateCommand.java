package io.edgegw.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.translator.EnvoyJson;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
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
      "Envoy resources go to stdout, every problem to stderr (ERROR VirtualService default/x: field: message).",
      "",
      "Exit codes: 0 nothing rejected, 1 some input rejected, 2 usage error or missing file."
    })
final class TranslateCommand implements Callable<Integer> {
  enum Format { json, yaml }

  @Spec CommandSpec spec;

  @Mixin IdentityOptions input;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "json",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ManifestCheck check;
    try {
      check = ManifestCheck.run(input.files, input.identity(), input.gateway.gatewayController);
    } catch (NoSuchFileException e) {
      err.println("edgegw translate: not a file or directory: " + e.getFile());
      return 2;
    }
    check.problems().forEach(err::println);
    if (format == Format.yaml) {
      out.print(EnvoyJson.toYaml(check.translation().resources()));
    } else {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValueAsString(EnvoyJson.toJson(check.translation().resources())));
    }
    out.flush();
    err.flush();
    return check.rejected() ? 1 : 0;
  }
}
