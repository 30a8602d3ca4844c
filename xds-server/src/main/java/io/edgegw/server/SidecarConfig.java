package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.kube.KubeSettings;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.translator.model.AddressRange;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.NodePolicy;
import io.edgegw.translator.model.PathNormalization;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything {@code edgegw run} is told. {@code mqttUrl} empty: no MQTT (config dir and state only).
 * Ports may be 0 (tests): {@link Sidecar#xdsPort()} and {@link Sidecar#adminPort()} say what was bound.
 */
public record SidecarConfig(
    Optional<String> mqttUrl,
    String gatewayId,
    String topicPrefix,
    ImmutableMap<String, String> gatewayLabels,
    String domainSuffix,
    String listenerBindAddress,
    ImmutableMap<Integer, Integer> portMap,
    HostPort xdsAddress,
    HostPort adminAddress,
    Optional<Path> configDir,
    Path stateDir,
    Duration debounce,
    Optional<String> mqttUsername,
    Optional<String> mqttPassword,
    int maxPayloadBytes,
    long maxStoreBytes,
    MqttTls mqttTls,
    Optional<String> kubeedgeTopic,
    int versionsKept,
    NodePolicySettings nodePolicy,
    PathNormalization pathNormalization,
    String gatewayNamespace,
    Optional<KubeSettings> kube,
    boolean routeScopes) {
  public static final String DEFAULT_MQTT_URL = "tcp://127.0.0.1:1883";
  public static final HostPort DEFAULT_XDS_ADDRESS = new HostPort("127.0.0.1", 18000);
  public static final HostPort DEFAULT_ADMIN_ADDRESS = new HostPort("127.0.0.1", 18001);
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;
  /** What the shipped heap (-Xmx160m) is measured to hold: docs/resilience.md, "Bounded memory". */
  public static final long DEFAULT_MAX_STORE_BYTES = 3L * 1024 * 1024;

  public SidecarConfig {
    Objects.requireNonNull(mqttUrl, "mqttUrl");
    Objects.requireNonNull(kube, "kube");
    Objects.requireNonNull(gatewayId, "gatewayId");
    Objects.requireNonNull(topicPrefix, "topicPrefix");
    Objects.requireNonNull(gatewayLabels, "gatewayLabels");
    Objects.requireNonNull(domainSuffix, "domainSuffix");
    Objects.requireNonNull(listenerBindAddress, "listenerBindAddress");
    Objects.requireNonNull(portMap, "portMap");
    Objects.requireNonNull(xdsAddress, "xdsAddress");
    Objects.requireNonNull(adminAddress, "adminAddress");
    Objects.requireNonNull(configDir, "configDir");
    Objects.requireNonNull(stateDir, "stateDir");
    Objects.requireNonNull(debounce, "debounce");
    Objects.requireNonNull(mqttUsername, "mqttUsername");
    Objects.requireNonNull(mqttPassword, "mqttPassword");
    Objects.requireNonNull(mqttTls, "mqttTls");
    Objects.requireNonNull(kubeedgeTopic, "kubeedgeTopic");
    Objects.requireNonNull(nodePolicy, "nodePolicy");
    Objects.requireNonNull(pathNormalization, "pathNormalization");
    Objects.requireNonNull(gatewayNamespace, "gatewayNamespace");
    if (debounce.isNegative()) {
      throw new IllegalArgumentException("debounce must not be negative");
    }
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes must be positive");
    }
    if (maxStoreBytes < maxPayloadBytes) {
      throw new IllegalArgumentException("maxStoreBytes must hold at least one payload of maxPayloadBytes");
    }
    if (versionsKept < 1) {
      throw new IllegalArgumentException("versionsKept must be at least 1");
    }
  }

  /** MQTT over TLS: the CA that signed the broker's certificate, and an optional client certificate. */
  public record MqttTls(Optional<Path> caFile, Optional<Path> clientCertFile, Optional<Path> clientKeyFile) {
    public static final MqttTls NONE = new MqttTls(Optional.empty(), Optional.empty(), Optional.empty());

    public MqttTls {
      Objects.requireNonNull(caFile, "caFile");
      Objects.requireNonNull(clientCertFile, "clientCertFile");
      Objects.requireNonNull(clientKeyFile, "clientKeyFile");
      if (clientCertFile.isPresent() != clientKeyFile.isPresent()) {
        throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
      }
    }
  }

  /**
   * What the operator says of the node policy ({@link NodePolicy}); the rest (this node's addresses,
   * the control ports) the sidecar knows. {@code listenAddresses} empty: the {@code --listener-address},
   * and when that is a wildcard also every address of the node.
   */
  public record NodePolicySettings(
      Optional<ImmutableSet<String>> listenAddresses,
      int minListenPort,
      int maxListenPort,
      ImmutableList<AddressRange> allowedUpstreams,
      int envoyAdminPort) {
    /** What {@code edgegw bootstrap --envoy-admin-address} gives Envoy unless told otherwise. */
    public static final int DEFAULT_ENVOY_ADMIN_PORT = 9901;
    public static final NodePolicySettings DEFAULT = new NodePolicySettings(Optional.empty(),
        NodePolicy.DEFAULT_MIN_LISTEN_PORT, NodePolicy.DEFAULT_MAX_LISTEN_PORT, ImmutableList.of(),
        DEFAULT_ENVOY_ADMIN_PORT);

    public NodePolicySettings {
      Objects.requireNonNull(listenAddresses, "listenAddresses");
      Objects.requireNonNull(allowedUpstreams, "allowedUpstreams");
      if (minListenPort < 1 || maxListenPort > 65535 || minListenPort > maxListenPort) {
        throw new IllegalArgumentException(
            "listen port range " + minListenPort + "-" + maxListenPort + " is not within 1-65535");
      }
      if (envoyAdminPort < 0 || envoyAdminPort > 65535) {
        throw new IllegalArgumentException("Envoy's admin port must be 0..65535, got " + envoyAdminPort);
      }
    }

    /** As this, with upstreams in {@code ranges} allowed (tests and the demo use backends on loopback). */
    public NodePolicySettings allowingUpstreams(String... ranges) {
      ImmutableList<AddressRange> more =
          java.util.Arrays.stream(ranges)
              .map(AddressRange::of)
              .collect(ImmutableList.toImmutableList());
      return new NodePolicySettings(listenAddresses, minListenPort, maxListenPort,
          ImmutableList.<AddressRange>builder().addAll(allowedUpstreams).addAll(more).build(), envoyAdminPort);
    }

    public NodePolicySettings withEnvoyAdminPort(int port) {
      return new NodePolicySettings(listenAddresses, minListenPort, maxListenPort, allowedUpstreams, port);
    }
  }

  /** The defaults of {@code edgegw run}, with the given state directory. */
  public static Builder builder(Path stateDir) {
    return new Builder(stateDir);
  }

  /**
   * The identity with the node policy, given this node's own interface addresses; with route scopes, served
   * on their own stream through the bootstrap's xDS cluster (docs/architecture.md, "Route scopes").
   */
  public GatewayIdentity identity(ImmutableSet<String> nodeAddresses) {
    GatewayIdentity identity = new GatewayIdentity(gatewayLabels, domainSuffix, listenerBindAddress, portMap,
        nodePolicy(nodeAddresses), pathNormalization, gatewayNamespace);
    return routeScopes ? identity.withRouteScopes(BootstrapGenerator.XDS_CLUSTER) : identity;
  }

  NodePolicy nodePolicy(ImmutableSet<String> nodeAddresses) {
    ImmutableSet<String> listen = nodePolicy.listenAddresses().orElseGet(() -> {
      boolean wildcard = InetAddresses.isInetAddress(listenerBindAddress)
          && InetAddresses.forString(listenerBindAddress).isAnyLocalAddress();
      return wildcard
          ? ImmutableSet.<String>builder().add(listenerBindAddress).addAll(nodeAddresses).build()
          : ImmutableSet.of(listenerBindAddress);
    });
    // Ports 0 (tests) are chosen at bind time and so cannot be reserved here.
    java.util.TreeMap<Integer, String> reserved = new java.util.TreeMap<>();
    brokerPort(nodeAddresses).ifPresent(port -> reserved.put(port, "the MQTT broker's port"));
    if (nodePolicy.envoyAdminPort() > 0) {
      reserved.put(nodePolicy.envoyAdminPort(), "Envoy's admin port (--envoy-admin-port)");
    }
    if (adminAddress.port() > 0) {
      reserved.put(adminAddress.port(), "the sidecar's admin port");
    }
    if (xdsAddress.port() > 0) {
      reserved.put(xdsAddress.port(), "the sidecar's xDS port");
    }
    return new NodePolicy(
        listen,
        nodePolicy.minListenPort(),
        nodePolicy.maxListenPort(),
        ImmutableSortedMap.copyOf(reserved),
        NodePolicy.DEFAULT_DENIED_UPSTREAMS,
        nodePolicy.allowedUpstreams(),
        nodeAddresses);
  }

  /** The broker's port when the broker runs on this node (loopback, localhost or one of its addresses). */
  private java.util.OptionalInt brokerPort(ImmutableSet<String> nodeAddresses) {
    if (mqttUrl.isEmpty()) {
      return java.util.OptionalInt.empty();
    }
    try {
      java.net.URI uri = java.net.URI.create(mqttUrl.get());
      String host = uri.getHost() == null ? "" : uri.getHost().replace("[", "").replace("]", "");
      boolean local = host.equalsIgnoreCase("localhost")
          || (InetAddresses.isInetAddress(host) && (InetAddresses.forString(host).isLoopbackAddress()
              || nodeAddresses.contains(InetAddresses.toAddrString(InetAddresses.forString(host)))));
      if (!local) {
        return java.util.OptionalInt.empty();
      }
      int port = uri.getPort() > 0 ? uri.getPort() : ("ssl".equals(uri.getScheme()) ? 8883 : 1883);
      return java.util.OptionalInt.of(port);
    } catch (IllegalArgumentException e) {
      return java.util.OptionalInt.empty();
    }
  }

  /** MQTT settings, when MQTT is on. The client id is stable per gateway so the broker keeps its session. */
  public Optional<MqttSettings> mqtt() {
    return mqttUrl.map(
        url -> {
          MqttSettings settings =
              MqttSettings.defaults("edgegw-" + gatewayId)
                  .withServerUri(url)
                  .withMaxPayloadBytes(maxPayloadBytes);
          if (mqttUsername.isPresent()) {
            settings = settings.withCredentials(mqttUsername.get(), mqttPassword.orElse(""));
          }
          if (mqttTls.caFile().isPresent()) {
            settings = settings.withCaFile(mqttTls.caFile().get());
          }
          if (mqttTls.clientCertFile().isPresent()) {
            settings =
                settings.withClientCertificate(
                    mqttTls.clientCertFile().get(), mqttTls.clientKeyFile().get());
          }
          return kubeedgeTopic.isPresent()
              ? settings.withKubeedgeTopic(kubeedgeTopic.get())
              : settings;
        });
  }

  public TopicContract topics() {
    return new TopicContract(topicPrefix, gatewayId);
  }

  @Override
  public String toString() {
    // Never print the password.
    return "SidecarConfig[mqtt=" + mqttUrl.orElse("off") + ", gateway=" + gatewayId + ", labels=" + gatewayLabels
        + ", xds=" + xdsAddress + ", admin=" + adminAddress + ", configDir=" + configDir.map(Path::toString).orElse("-")
        + ", kube=" + kube.map(Object::toString).orElse("off")
        + ", state=" + stateDir + "]";
  }

  /** Builds a config from the defaults; tests and the CLI change what they need. */
  public static final class Builder {
    private Optional<String> mqttUrl = Optional.of(DEFAULT_MQTT_URL);
    private String gatewayId = "default";
    private String topicPrefix = "edgegw";
    private ImmutableMap<String, String> gatewayLabels = ImmutableMap.of("istio", "edgegateway");
    private String domainSuffix = "cluster.local";
    private String listenerBindAddress = "0.0.0.0";
    private ImmutableMap<Integer, Integer> portMap = ImmutableMap.of();
    private HostPort xdsAddress = DEFAULT_XDS_ADDRESS;
    private HostPort adminAddress = DEFAULT_ADMIN_ADDRESS;
    private Optional<Path> configDir = Optional.empty();
    private final Path stateDir;
    private Duration debounce = Duration.ofMillis(5);
    private Optional<String> mqttUsername = Optional.empty();
    private Optional<String> mqttPassword = Optional.empty();
    private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;
    private long maxStoreBytes = DEFAULT_MAX_STORE_BYTES;
    private MqttTls mqttTls = MqttTls.NONE;
    private Optional<String> kubeedgeTopic = Optional.empty();
    private int versionsKept = SnapshotPublisher.DEFAULT_VERSIONS_KEPT;
    private NodePolicySettings nodePolicy = NodePolicySettings.DEFAULT;
    private PathNormalization pathNormalization = PathNormalization.BASE;
    private String gatewayNamespace = GatewayIdentity.DEFAULT_NAMESPACE;
    private Optional<KubeSettings> kube = Optional.empty();
    private boolean routeScopes;

    private Builder(Path stateDir) {
      this.stateDir = stateDir;
    }

    public Builder mqttUrl(Optional<String> v) { mqttUrl = v; return this; }
    public Builder gatewayId(String v) { gatewayId = v; return this; }
    public Builder topicPrefix(String v) { topicPrefix = v; return this; }
    public Builder gatewayLabels(ImmutableMap<String, String> v) { gatewayLabels = v; return this; }
    public Builder domainSuffix(String v) { domainSuffix = v; return this; }
    public Builder listenerBindAddress(String v) { listenerBindAddress = v; return this; }
    public Builder portMap(ImmutableMap<Integer, Integer> v) { portMap = v; return this; }
    public Builder xdsAddress(HostPort v) { xdsAddress = v; return this; }
    public Builder adminAddress(HostPort v) { adminAddress = v; return this; }
    public Builder configDir(Optional<Path> v) { configDir = v; return this; }
    public Builder debounce(Duration v) { debounce = v; return this; }
    public Builder mqttUsername(Optional<String> v) { mqttUsername = v; return this; }
    public Builder mqttPassword(Optional<String> v) { mqttPassword = v; return this; }
    public Builder maxPayloadBytes(int v) { maxPayloadBytes = v; return this; }
    public Builder maxStoreBytes(long v) { maxStoreBytes = v; return this; }
    public Builder mqttTls(MqttTls v) { mqttTls = v; return this; }
    public Builder kubeedgeTopic(Optional<String> v) { kubeedgeTopic = v; return this; }
    public Builder versionsKept(int v) { versionsKept = v; return this; }
    public Builder nodePolicy(NodePolicySettings v) { nodePolicy = v; return this; }
    public Builder pathNormalization(PathNormalization v) { pathNormalization = v; return this; }
    public Builder gatewayNamespace(String v) { gatewayNamespace = v; return this; }
    public Builder kube(Optional<KubeSettings> v) { kube = v; return this; }
    public Builder routeScopes(boolean v) { routeScopes = v; return this; }

    public SidecarConfig build() {
      return new SidecarConfig(
          mqttUrl,
          gatewayId,
          topicPrefix,
          gatewayLabels,
          domainSuffix,
          listenerBindAddress,
          portMap,
          xdsAddress,
          adminAddress,
          configDir,
          stateDir,
          debounce,
          mqttUsername,
          mqttPassword,
          maxPayloadBytes,
          maxStoreBytes,
          mqttTls,
          kubeedgeTopic,
          versionsKept,
          nodePolicy,
          pathNormalization,
          gatewayNamespace,
          kube,
          routeScopes);
    }
  }
}
