package io.edgegw.server.cli;

import com.google.common.collect.ImmutableMap;
import io.edgegw.server.StartWarmup;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
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
    return commandLine(StartWarmup.none(), Optional.empty());
  }

  /**
   * As {@link #commandLine()}, but with only {@code command} when that names a subcommand: picocli
   * reads every registered command's annotations up front (0.2-0.3 s of a sidecar's cold start for the
   * commands it does not run). {@code run} waits for {@code warmup} before it starts the sidecar.
   */
  static CommandLine commandLine(StartWarmup warmup, Optional<String> command) {
    ImmutableMap<String, Supplier<Object>> subcommands = ImmutableMap.<String, Supplier<Object>>builder()
        .put("run", () -> new RunCommand(warmup))
        .put("bootstrap", BootstrapCommand::new)
        .put("translate", TranslateCommand::new)
        .put("validate", ValidateCommand::new)
        .put("status", StatusCommand::new)
        .put("publish", PublishCommand::new)
        .put("demo", DemoCommand::new)
        .put("fleet", io.edgegw.fleet.cli.FleetCommand::new)
        .buildOrThrow();
    Optional<String> only = command.filter(subcommands::containsKey);
    CommandLine cli = new CommandLine(new Main());
    subcommands.forEach((name, make) -> {
      if (only.isEmpty() || only.get().equals(name)) {
        cli.addSubcommand(name, make.get());
      }
    });
    cli.setExecutionStrategy(Main::rejectUnmatchedThenRun);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      commandLine.getErr().println(failure(commandLine.getCommandName(), e));
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
    // A sidecar start sets up protobuf while its options are read, without picocli when they are plain
    // (RunArguments; picocli would take a third of the start).
    Optional<String> command = args.length > 0 ? Optional.of(args[0]) : Optional.empty();
    if (command.equals(Optional.of("run"))) {
      StartWarmup warmup = StartWarmup.start();
      Optional<RunCommand> run = RunArguments.parse(List.of(args).subList(1, args.length), warmup, System.getenv());
      System.exit(run.isPresent() ? call(run.get()) : commandLine(warmup, command).execute(args));
    }
    System.exit(commandLine(StartWarmup.none(), command).execute(args));
  }

  /** What {@code execute} does with a parsed {@code run}, as {@link #commandLine} sets it up. */
  static int call(RunCommand run) {
    try {
      return run.call();
    } catch (Exception e) {
      System.err.println(failure("run", e));
      return 1;
    }
  }

  /** How a command that failed says so, whether picocli ran it or not. */
  private static String failure(String command, Exception e) {
    return "edgegw " + command + ": " + e.getMessage();
  }
}
