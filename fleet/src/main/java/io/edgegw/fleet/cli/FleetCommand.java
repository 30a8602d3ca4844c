package io.edgegw.fleet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code edgegw fleet}: the cloud side that configures many edge gateways through one broker. */
@Command(
    name = "fleet",
    mixinStandardHelpOptions = true,
    description = {
      "Configures a fleet of edge gateways from one source of truth, over a cloud MQTT broker.",
      "Each gateway's broker is bridged to the cloud broker; see docs/fleet.md.",
      "",
      "Exit codes: 0 success, 1 failure, 2 usage error."
    },
    subcommands = {SyncCommand.class, FleetStatusCommand.class})
public final class FleetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }
}
