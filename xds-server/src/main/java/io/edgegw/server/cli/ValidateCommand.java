package io.edgegw.server.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.translator.model.Severity;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Checks manifests offline as the sidecar would, and prints only the problems.",
      "",
      "The same checks as translate (reading, validation, translation), without the Envoy resources:"
          + " one line per problem (ERROR VirtualService default/x: field: message) and a summary line,"
          + " or with -o json one JSON array of {severity, file, kind, namespace, name, field, message}.",
      "",
      "Exit codes: 0 nothing rejected (warnings allowed), 1 some input rejected, 2 usage error or missing file."
    })
final class ValidateCommand implements Callable<Integer> {
  enum Format { text, json }

  @Spec CommandSpec spec;

  @Mixin IdentityOptions input;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    ManifestCheck check;
    try {
      check = ManifestCheck.run(input.files, input.identity(), input.gateway.gatewayController);
    } catch (NoSuchFileException e) {
      spec.commandLine().getErr().println("edgegw validate: not a file or directory: " + e.getFile());
      spec.commandLine().getErr().flush();
      return 2;
    }
    if (format == Format.json) {
      out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(check.problemsJson()));
    } else {
      check.problems().forEach(out::println);
      long errors = check.problems().stream().filter(p -> p.severity() == Severity.ERROR).count();
      out.printf(
          "%d documents; errors: %d, warnings: %d%n",
          check.documents(), errors, check.problems().size() - errors);
    }
    out.flush();
    return check.rejected() ? 1 : 0;
  }
}
