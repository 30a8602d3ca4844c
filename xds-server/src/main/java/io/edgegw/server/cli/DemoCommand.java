package io.edgegw.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a self-contained demo on this machine.",
      "",
      "Starts mosquitto, Envoy, sample backends and the sidecar, publishes a sample Gateway and"
          + " VirtualService over MQTT, and shows requests being routed.",
      "",
      "Exit codes: 2 here: the demo is the script bin/demo (see README)."
    })
final class DemoCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("demo: see README");
    return 2;
  }
}
