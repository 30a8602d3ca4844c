package io.edgegw.server.cli;

import io.edgegw.server.demo.Demo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a self-contained demo on this machine, then stops everything it started.",
      "",
      "Starts mosquitto, the sidecar, Envoy and sample backends on 127.0.0.1, publishes an example over"
          + " MQTT as the cloud side would, shows where requests go, then makes live changes (add a route,"
          + " shift weights, delete) and prints how long each took from MQTT publish to Envoy serving it.",
      "bin/demo installs Envoy and mosquitto first and runs this.",
      "",
      "Exit codes: 0 the demo ran, 1 a step failed, 2 usage (no Envoy or mosquitto binary, no example directory)."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--example", defaultValue = "examples/bookinfo", paramLabel = "DIR",
      description = "Example to publish (default: ${DEFAULT-VALUE}); its Endpoints are pointed at a local backend.")
  Path example;

  @Option(names = "--envoy", paramLabel = "FILE", description = "Envoy binary (default: $ENVOY_BIN).")
  Optional<Path> envoy;

  @Option(
      names = "--mosquitto",
      paramLabel = "FILE",
      description = "mosquitto binary (default: $MOSQUITTO_BIN, else /usr/sbin/mosquitto).")
  Optional<Path> mosquitto;

  @Override
  public Integer call() throws Exception {
    Optional<Path> envoyBinary = envoy.or(() -> fromEnv("ENVOY_BIN"));
    Optional<Path> mosquittoBinary =
        mosquitto
            .or(() -> fromEnv("MOSQUITTO_BIN"))
            .or(() -> Optional.of(Path.of("/usr/sbin/mosquitto")));
    if (envoyBinary.isEmpty() || !Files.isExecutable(envoyBinary.get())) {
      spec.commandLine()
          .getErr()
          .println(
              "edgegw demo: no Envoy binary: give --envoy or ENVOY_BIN, or run bin/demo, which installs it");
      return 2;
    }
    if (!Files.isExecutable(mosquittoBinary.get())) {
      spec.commandLine()
          .getErr()
          .println(
              "edgegw demo: no mosquitto at "
                  + mosquittoBinary.get()
                  + ": give --mosquitto, or run bin/demo, which installs it");
      return 2;
    }
    if (!Files.isDirectory(example)) {
      spec.commandLine()
          .getErr()
          .println(
              "edgegw demo: no example directory " + example + " (run from the repository root)");
      return 2;
    }
    new Demo(spec.commandLine().getOut(), envoyBinary.get(), mosquittoBinary.get(), example).run();
    return 0;
  }

  private static Optional<Path> fromEnv(String name) {
    return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank()).map(Path::of);
  }
}
