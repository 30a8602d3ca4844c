package io.edgegw.fleet.cli;

import io.edgegw.fleet.FleetAdmin;
import io.edgegw.fleet.FleetSync;
import io.edgegw.fleet.Placement;
import io.edgegw.fleet.SourceDirectory;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Optional;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes to each announced gateway's retained topics exactly the resources that apply to it, and keeps them"
          + " so.",
      "",
      "Placement: Istio Gateways whose selector matches the gateway's announced labels, the VirtualServices bound to"
          + " them,"
          + " the Services, Endpoints, EndpointSlices, Pods, ServiceEntries, WorkloadEntries and DestinationRules their"
          + " routes need, and only the Secrets those Gateways and DestinationRules name (credentialName).",
      "Only differences are published (QoS 1, retained; a delete is an empty retained message); on start the sync diffs"
          + " against what the broker retains, so a restart publishes nothing new. A source with errors publishes"
          + " nothing.",
      "Runs until stopped (SIGTERM), unless --once.",
      "",
      "Exit codes: 0 stopped (or --once with a valid source), 1 the broker cannot be reached or --once found errors,"
          + " 2 usage error."
    })
final class SyncCommand implements Callable<Integer> {
  @Option(
      names = "--source-dir",
      required = true,
      paramLabel = "DIR",
      description =
          "Directory of manifests (a Git checkout): every .yaml, .yml and .json below it; hidden directories skipped.")
  Path sourceDir;

  @Option(names = "--poll-interval", defaultValue = "2s", paramLabel = "DURATION",
      description = "How often the directory is checked for changes, e.g. 2s, 500ms (default: ${DEFAULT-VALUE}).")
  String pollInterval;

  @Option(names = "--domain-suffix", defaultValue = "cluster.local",
      description = "Cluster domain suffix, as the gateways use it (default: ${DEFAULT-VALUE}).")
  String domainSuffix;

  @Option(names = "--client-id", defaultValue = "edgegw-fleet-sync",
      description = "MQTT client id; one sync per broker and prefix (default: ${DEFAULT-VALUE}).")
  String clientId;

  @Option(names = "--once", description = "Reconcile once and exit (exit code 1 when the source has errors).")
  boolean once;

  @Option(
      names = "--admin-address",
      defaultValue = "127.0.0.1:18011",
      paramLabel = "HOST:PORT",
      description =
          "The sync's admin endpoint: /healthz/ready, /gateways, /metrics; loopback by default, 'off' for none"
              + " (default: ${DEFAULT-VALUE}).")
  String adminAddress;

  @Mixin FleetMqttOptions mqtt;

  @Override
  public Integer call() throws Exception {
    Duration poll = Durations.parse(pollInterval);
    FleetSync sync = new FleetSync(new SourceDirectory(sourceDir), new Placement(domainSuffix), mqtt.settings(clientId),
        mqtt.topicPrefix, poll);
    if (once) {
      try (sync) {
        sync.start();
        FleetSync.Round round = sync.reconcileNow();
        round.problems().forEach(System.err::println);
        System.out.println("published " + sync.metrics().published + ", deleted " + sync.metrics().deleted);
        return round.problems().isEmpty() ? 0 : 1;
      }
    }
    CountDownLatch stopped = new CountDownLatch(1);
    java.util.concurrent.atomic.AtomicReference<FleetAdmin> admin = new java.util.concurrent.atomic.AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Optional.ofNullable(admin.get()).ifPresent(FleetAdmin::close);
      sync.close();
      stopped.countDown();
    }, "fleet-shutdown"));
    if (!adminAddress.equals("off")) {
      admin.set(FleetAdmin.start(address(adminAddress), sync::state));
    }
    sync.start();
    stopped.await();
    return 0;
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--admin-address: expected HOST:PORT or off, got '" + hostPort + "'");
    }
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
