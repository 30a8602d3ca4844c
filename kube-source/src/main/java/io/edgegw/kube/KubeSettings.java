package io.edgegw.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to read the Kubernetes API: a URL (KubeEdge's MetaServer on {@code
 * http://127.0.0.1:10550}, or an API server over HTTPS), a bearer token read from a file at each
 * connect (projected service account tokens rotate) or given inline (never printed), the CA that
 * signs the server's certificate (PEM), and what to narrow the reading to. {@code namespaces}
 * empty: every namespace. {@code writeStatus}: write Gateway API status back (off for read-only
 * sources such as KubeEdge's MetaServer).
 */
public record KubeSettings(
    URI server,
    Optional<Path> tokenFile,
    Optional<String> token,
    Optional<String> caPem,
    ImmutableList<String> namespaces,
    Optional<String> labelSelector,
    Duration watchTimeout,
    boolean writeStatus) {
  public static final Duration DEFAULT_WATCH_TIMEOUT = Duration.ofMinutes(5);
  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  public KubeSettings {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(tokenFile, "tokenFile");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(caPem, "caPem");
    Objects.requireNonNull(namespaces, "namespaces");
    Objects.requireNonNull(labelSelector, "labelSelector");
    Objects.requireNonNull(watchTimeout, "watchTimeout");
    String scheme = server.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "--kube-api: must be an http:// or https:// URL, got " + server);
    }
  }

  public static KubeSettings of(URI server) {
    return new KubeSettings(
        server,
        Optional.empty(),
        Optional.empty(),
        Optional.empty(),
        ImmutableList.of(),
        Optional.empty(),
        DEFAULT_WATCH_TIMEOUT, true);
  }

  public KubeSettings withTokenFile(Path file) {
    return new KubeSettings(
        server,
        Optional.of(file),
        Optional.empty(),
        caPem,
        namespaces,
        labelSelector,
        watchTimeout, writeStatus);
  }

  /** A token given inline (a kubeconfig's {@code token}); never printed. */
  public KubeSettings withToken(String value) {
    return new KubeSettings(
        server,
        Optional.empty(),
        Optional.of(value),
        caPem,
        namespaces,
        labelSelector,
        watchTimeout, writeStatus);
  }

  public KubeSettings withCaPem(String pem) {
    return new KubeSettings(
        server, tokenFile, token, Optional.of(pem), namespaces, labelSelector, watchTimeout, writeStatus);
  }

  public KubeSettings withNamespaces(ImmutableList<String> v) {
    return new KubeSettings(server, tokenFile, token, caPem, v, labelSelector, watchTimeout, writeStatus);
  }

  public KubeSettings withLabelSelector(Optional<String> v) {
    return new KubeSettings(server, tokenFile, token, caPem, namespaces, v, watchTimeout, writeStatus);
  }

  public KubeSettings withWatchTimeout(Duration v) {
    return new KubeSettings(server, tokenFile, token, caPem, namespaces, labelSelector, v, writeStatus);
  }

  /**
   * Whether the gateway's view of a Gateway API object is written into its {@code .status}; off for
   * read-only sources (KubeEdge's MetaServer).
   */
  public KubeSettings withWriteStatus(boolean v) {
    return new KubeSettings(server, tokenFile, token, caPem, namespaces, labelSelector, watchTimeout, v);
  }

  /** Inside a pod: {@code KUBERNETES_SERVICE_HOST/PORT} and the mounted service account. */
  public static KubeSettings inCluster(Map<String, String> env) throws IOException {
    String host = env.get("KUBERNETES_SERVICE_HOST");
    String port = env.getOrDefault("KUBERNETES_SERVICE_PORT", "443");
    if (host == null || host.isEmpty()) {
      throw new IOException(
          "in-cluster configuration: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)");
    }
    String authority = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    return of(URI.create("https://" + authority))
        .withTokenFile(SERVICE_ACCOUNT.resolve("token"))
        .withCaPem(Files.readString(SERVICE_ACCOUNT.resolve("ca.crt")));
  }

  /**
   * The current context of a kubeconfig: server, CA ({@code certificate-authority-data} or {@code
   * certificate-authority}) and a bearer token ({@code token} or {@code tokenFile}). Client
   * certificates and exec plugins are not supported (a clear error says so).
   */
  public static KubeSettings fromKubeconfig(Path file) throws IOException {
    JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    if (config == null || !config.isObject()) {
      throw new IOException(file + ": not a kubeconfig");
    }
    String contextName = config.path("current-context").asText("");
    JsonNode context =
        named(config.path("contexts"), contextName, file, "contexts").path("context");
    JsonNode cluster =
        named(config.path("clusters"), context.path("cluster").asText(""), file, "clusters")
            .path("cluster");
    JsonNode user =
        named(config.path("users"), context.path("user").asText(""), file, "users").path("user");
    String server = cluster.path("server").asText("");
    if (server.isEmpty()) {
      throw new IOException(file + ": clusters[].cluster.server: required");
    }
    KubeSettings settings = of(URI.create(server));
    Path base = file.toAbsolutePath().getParent();
    if (cluster.hasNonNull("certificate-authority-data")) {
      settings =
          settings.withCaPem(
              new String(
                  Base64.getDecoder().decode(cluster.path("certificate-authority-data").asText()),
                  StandardCharsets.US_ASCII));
    } else if (cluster.hasNonNull("certificate-authority")) {
      settings =
          settings.withCaPem(
              Files.readString(base.resolve(cluster.path("certificate-authority").asText())));
    }
    if (user.hasNonNull("client-certificate")
        || user.hasNonNull("client-certificate-data")
        || user.hasNonNull("exec")) {
      throw new IOException(
          file
              + ": users[].user: only token and tokenFile are supported, not client certificates or"
              + " exec plugins");
    }
    if (user.hasNonNull("tokenFile")) {
      settings = settings.withTokenFile(base.resolve(user.path("tokenFile").asText()));
    } else if (user.hasNonNull("token")) {
      settings = settings.withToken(user.path("token").asText());
    }
    return settings;
  }

  private static JsonNode named(JsonNode list, String name, Path file, String field)
      throws IOException {
    for (JsonNode entry : list) {
      if (name.equals(entry.path("name").asText())) {
        return entry;
      }
    }
    throw new IOException(
        file + ": " + field + ": no entry named '" + name + "' (current-context)");
  }

  @Override
  public String toString() {
    return server
        + (namespaces.isEmpty() ? "" : " namespaces=" + namespaces)
        + labelSelector.map(s -> " labels=" + s).orElse("")
        + (writeStatus ? "" : " read-only");
  }
}
