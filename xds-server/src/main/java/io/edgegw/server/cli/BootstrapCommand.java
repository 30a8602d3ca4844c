package io.edgegw.server.cli;

import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.server.HostPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bootstrap",
    mixinStandardHelpOptions = true,
    description = {
      "Prints the Envoy bootstrap that points Envoy at this sidecar.",
      "",
      "The YAML names the sidecar's ADS server; run Envoy with: envoy -c <file>.",
      "",
      "Exit codes: 0 written, 1 the file could not be written, 2 usage error."
    })
final class BootstrapCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--xds-address",
      defaultValue = "127.0.0.1:18000",
      converter = Converters.HostPortConverter.class,
      paramLabel = "HOST:PORT",
      description = "The sidecar's ADS address (default: ${DEFAULT-VALUE}).")
  HostPort xdsAddress;

  @Option(names = "--node-id", defaultValue = "edgegw", description = "Envoy node id (default: ${DEFAULT-VALUE}).")
  String nodeId;

  @Option(names = "--cluster", defaultValue = "edgegw", description = "Envoy node cluster (default: ${DEFAULT-VALUE}).")
  String cluster;

  @Option(
      names = "--envoy-admin-address",
      defaultValue = "127.0.0.1:9901",
      converter = Converters.HostPortConverter.class,
      paramLabel = "HOST:PORT",
      description = "Envoy's own admin interface (default: ${DEFAULT-VALUE}).")
  HostPort envoyAdminAddress;

  @Option(names = "--status-address", defaultValue = BootstrapOptions.DEFAULT_STATUS_HOST, paramLabel = "HOST",
      description = "Address of Envoy's health and stats listeners (default: ${DEFAULT-VALUE}, as Istio's gateways).")
  String statusAddress;

  @Option(
      names = "--health-port",
      defaultValue = "" + BootstrapOptions.DEFAULT_HEALTH_PORT,
      paramLabel = "PORT",
      description =
          "Envoy listener answering GET /healthz/ready with Envoy's readiness; 0 for none (default: ${DEFAULT-VALUE}).")
  int healthPort;

  @Option(names = "--stats-port", defaultValue = "" + BootstrapOptions.DEFAULT_STATS_PORT, paramLabel = "PORT",
      description = "Envoy listener serving GET /stats/prometheus; 0 for none (default: ${DEFAULT-VALUE}).")
  int statsPort;

  @Option(names = "--delta", description = "Use incremental (delta) xDS.")
  boolean delta;

  @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of stdout.")
  Optional<Path> output;

  BootstrapOptions options() {
    return new BootstrapOptions(nodeId, cluster, xdsAddress.host(), xdsAddress.port(), envoyAdminAddress.host(),
        envoyAdminAddress.port(), delta, statusAddress, healthPort, statsPort);
  }

  @Override
  public Integer call() throws Exception {
    String yaml = new BootstrapGenerator().yaml(options());
    if (output.isPresent()) {
      Files.writeString(output.get(), yaml, StandardCharsets.UTF_8);
    } else {
      spec.commandLine().getOut().print(yaml);
      spec.commandLine().getOut().flush();
    }
    return 0;
  }
}
