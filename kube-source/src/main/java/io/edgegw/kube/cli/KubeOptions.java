package io.edgegw.kube.cli;

import com.google.common.collect.ImmutableList;
import io.edgegw.kube.KubeSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How to reach and what to read of a Kubernetes API, as a picocli mixin shared by {@code edgegw run}
 * (docs/kubeedge.md) and {@code edgegw fleet sync} (docs/fleet.md). Off unless one of the first three
 * is given.
 */
public final class KubeOptions {
  @Option(
      names = "--kube-api",
      paramLabel = "URL",
      description =
          "Also list and watch the Kubernetes API at URL: KubeEdge's MetaServer"
              + " (http://127.0.0.1:10550) or an API server (https://..., with --kube-ca-file and"
              + " --kube-token-file).")
  Optional<URI> api;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description =
          "Also read the Kubernetes API of FILE's current context (server, CA, token or"
              + " tokenFile).")
  Optional<Path> kubeconfig;

  @Option(
      names = "--kube-in-cluster",
      description =
          "Also read the Kubernetes API this pod runs in (KUBERNETES_SERVICE_HOST/PORT, the mounted"
              + " service account).")
  boolean inCluster;

  @Option(
      names = "--kube-token-file",
      paramLabel = "FILE",
      description = "Bearer token for --kube-api, read at every connect.")
  Optional<Path> tokenFile;

  @Option(
      names = "--kube-ca-file",
      paramLabel = "FILE",
      description = "PEM CA that signs the --kube-api server's certificate.")
  Optional<Path> caFile;

  @Option(
      names = "--kube-namespaces",
      split = ",",
      paramLabel = "NS",
      description =
          "Read only these namespaces (default: all; needs cluster-wide list/watch then).")
  List<String> namespaces = List.of();

  @Option(
      names = "--kube-label-selector",
      paramLabel = "SELECTOR",
      description = "Read only resources matching this label selector, e.g. edgegw.io/node=edge-1.")
  Optional<String> labelSelector;

  @Option(
      names = "--kube-watch-timeout",
      defaultValue = "300",
      paramLabel = "SECONDS",
      description =
          "Ask the server to end each watch after this long (plus jitter) and resume it; a watch"
              + " silent for 10 s longer is taken as a dead connection (default:"
              + " ${DEFAULT-VALUE}).")
  long watchTimeoutSeconds;

  /** The settings these options give; empty when no API is named. */
  public Optional<KubeSettings> settings() throws IOException {
    int given = (api.isPresent() ? 1 : 0) + (kubeconfig.isPresent() ? 1 : 0) + (inCluster ? 1 : 0);
    if (given > 1) {
      throw new IllegalArgumentException(
          "--kube-api, --kubeconfig and --kube-in-cluster: give at most one");
    }
    if (given == 0) {
      if (tokenFile.isPresent()
          || caFile.isPresent()
          || !namespaces.isEmpty()
          || labelSelector.isPresent()) {
        throw new IllegalArgumentException(
            "--kube-* options need --kube-api, --kubeconfig or --kube-in-cluster");
      }
      return Optional.empty();
    }
    if (watchTimeoutSeconds < 1) {
      throw new IllegalArgumentException("--kube-watch-timeout: must be at least 1 second");
    }
    KubeSettings settings;
    if (api.isPresent()) {
      settings = KubeSettings.of(api.get());
      if (tokenFile.isPresent()) {
        settings = settings.withTokenFile(tokenFile.get());
      }
      if (caFile.isPresent()) {
        settings = settings.withCaPem(Files.readString(caFile.get()));
      }
    } else {
      if (tokenFile.isPresent() || caFile.isPresent()) {
        throw new IllegalArgumentException(
            "--kube-token-file and --kube-ca-file go with --kube-api only");
      }
      settings =
          kubeconfig.isPresent()
              ? KubeSettings.fromKubeconfig(kubeconfig.get())
              : KubeSettings.inCluster(System.getenv());
    }
    return Optional.of(
        settings
            .withNamespaces(ImmutableList.copyOf(namespaces))
            .withLabelSelector(labelSelector)
            .withWatchTimeout(Duration.ofSeconds(watchTimeoutSeconds)));
  }
}
