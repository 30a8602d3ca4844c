package io.edgegw.server.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine.Spec;

/** {@code edgegw}: the sidecar and its tools. Exit codes: 0 ok, 1 rejected input or failure, 2 usage. */
@Command(
    name = "edgegw",
    mixinStandardHelpOptions = true,
    version = "edgegw " + io.edgegw.server.Sidecar.SOFTWARE_VERSION,
    description = {
      "Makes an unmodified Envoy an Istio-style ingress gateway on an edge node.",
      "",
      "Reads Istio Gateway, VirtualService, DestinationRule, ServiceEntry (and Services, Endpoints, Secrets)"
          + " from MQTT or a directory, and serves them to Envoy over xDS.",
      "",
      "Exit codes (every command): 0 success, 1 something was rejected or failed, 2 usage error."
    },
    subcommands = {CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** The command line with every subcommand. */
  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.addSubcommand("run", new RunCommand());
    cli.addSubcommand("bootstrap", new BootstrapCommand());
    cli.addSubcommand("translate", new TranslateCommand());
    cli.addSubcommand("validate", new ValidateCommand());
    cli.addSubcommand("status", new StatusCommand());
    cli.addSubcommand("publish", new PublishCommand());
    cli.addSubcommand("demo", new DemoCommand());
    cli.addSubcommand("fleet", new io.edgegw.fleet.cli.FleetCommand());
    cli.setExecutionStrategy(Main::rejectUnmatchedThenRun);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println("edgegw " + commandLine.getCommandName() + ": " + e.getMessage());
      return 1;
    });
    return cli;
  }

  /**
   * picocli answers --help and --version before it reports arguments it could not match (an unknown
   * command, say), so {@code edgegw nope --help} would print the top-level help and exit 0. Unmatched
   * arguments are a usage error whatever else the line asks for.
   */
  private static int rejectUnmatchedThenRun(ParseResult parseResult) {
    for (ParseResult p = parseResult; p != null; p = p.subcommand()) {
      if (!p.unmatched().isEmpty()) {
        throw new UnmatchedArgumentException(p.commandSpec().commandLine(), p.unmatched());
      }
    }
    return new CommandLine.RunLast().execute(parseResult);
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
