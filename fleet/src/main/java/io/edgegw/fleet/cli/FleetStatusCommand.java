package io.edgegw.fleet.cli;

import com.google.common.collect.ImmutableList;
import io.edgegw.fleet.FleetReport;
import io.edgegw.fleet.FleetWatch;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import java.io.PrintWriter;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows every gateway under the prefix: online or offline since when, labels, served snapshot and software"
          + " version, and how many of the resources the sync published to it are applied, rejected, rejected by Envoy"
          + " or pending (no status for the latest change yet).",
      "With --wait-applied, waits until every online gateway the sync targets reports a final status for its latest"
          + " change.",
      "",
      "Exit codes: 0 shown (with --wait-applied: everything applied), 1 rejected, timed out or the broker cannot be"
          + " reached, 2 usage error."
    })
final class FleetStatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--wait-applied",
      description =
          "Wait until every targeted online gateway has applied (or rejected) the latest change.")
  boolean waitApplied;

  @Option(names = "--timeout", defaultValue = "60s", paramLabel = "DURATION",
      description = "How long --wait-applied waits (default: ${DEFAULT-VALUE}).")
  String timeout;

  @Option(names = "--client-id", defaultValue = "edgegw-fleet-status",
      description = "MQTT client id (default: ${DEFAULT-VALUE}).")
  String clientId;

  @Mixin FleetMqttOptions mqtt;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (FleetWatch watch = new FleetWatch(mqtt.settings(clientId), mqtt.topicPrefix)) {
      watch.start();
      ImmutableList<FleetReport.Gateway> report =
          waitApplied ? watch.awaitSettled(Durations.parse(timeout)) : watch.report();
      out.print(FleetReport.render(report));
      out.flush();
      if (!waitApplied) {
        return 0;
      }
      if (!FleetReport.settled(report)) {
        err.println(
            "edgegw fleet status: timed out after "
                + timeout
                + "; gateways still pending: "
                + report.stream()
                    .filter(FleetReport.Gateway::online)
                    .filter(g -> !g.settled())
                    .map(FleetReport.Gateway::id)
                    .toList());
        return 1;
      }
      boolean rejected =
          report.stream()
              .filter(FleetReport.Gateway::online)
              .anyMatch(g -> g.rejected() + g.rejectedByEnvoy() > 0);
      return rejected ? 1 : 0;
    }
  }
}
