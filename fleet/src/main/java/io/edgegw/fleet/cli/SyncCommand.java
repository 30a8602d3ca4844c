package io.edgegw.fleet.cli;

import io.edgegw.fleet.FleetAdmin;
import io.edgegw.fleet.FleetSource;
import io.edgegw.fleet.FleetSync;
import io.edgegw.fleet.KubeApiSource;
import io.edgegw.fleet.MergedSource;
import io.edgegw.fleet.Placement;
import io.edgegw.fleet.SourceDirectory;
import io.edgegw.kube.cli.KubeOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "sync",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes to each announced gateway's retained topics exactly the resources that apply to it, and keeps them"
          + " so. Reads a directory of manifests (--source-dir), a Kubernetes API (listed and watched as the"
          + " sidecar's --kube-api does; nothing is published before every kind was listed once), or both.",
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
      "Exit codes: 0 stopped (or --once with a valid source), 1 the broker cannot be reached, --once found errors"
          + " or could not read the source within 60 s, 2 usage error."
    })
final class SyncCommand implements Callable<Integer> {
  private static final Duration ONCE_READY_TIMEOUT = Duration.ofSeconds(60);

  @Option(
      names = "--source-dir",
      paramLabel = "DIR",
      description =
          "Directory of manifests (a Git checkout): every .yaml, .yml and .json below it; hidden directories skipped."
              + " With a Kubernetes API (--kube-api, --kubeconfig, --kube-in-cluster) both are read; a resource both"
              + " define is an error.")
  Optional<Path> sourceDir;

  @Mixin KubeOptions kube;

  @Spec CommandSpec spec;

  @Option(names = "--poll-interval", defaultValue = "2s", paramLabel = "DURATION",
      description = "How often the source is checked for changes, e.g. 2s, 500ms (default: ${DEFAULT-VALUE}).")
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
    FleetSync sync = new FleetSync(source(), new Placement(domainSuffix), mqtt.settings(clientId), mqtt.topicPrefix,
        poll);
    if (once) {
      try (sync) {
        sync.start();
        if (!sync.awaitSourceReady(ONCE_READY_TIMEOUT)) {
          System.err.println(
              "the source was not read within " + ONCE_READY_TIMEOUT.toSeconds() + " s; nothing published");
          return 1;
        }
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

  /** The directory, the Kubernetes API, or both. */
  private FleetSource source() throws IOException {
    List<FleetSource> sources = new ArrayList<>();
    sourceDir.ifPresent(dir -> sources.add(new SourceDirectory(dir)));
    // The sync only reads: it never writes status back to the API.
    kube.settings().ifPresent(settings -> sources.add(new KubeApiSource(settings.withWriteStatus(false))));
    if (sources.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "give --source-dir, a Kubernetes API (--kube-api,"
          + " --kubeconfig, --kube-in-cluster), or both");
    }
    return sources.size() == 1 ? sources.get(0) : new MergedSource(sources);
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
