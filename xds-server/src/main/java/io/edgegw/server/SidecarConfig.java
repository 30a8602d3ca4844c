package io.edgegw.server;

import com.google.common.collect.ImmutableMap;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.translator.model.GatewayIdentity;
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
    MqttTls mqttTls,
    Optional<String> kubeedgeTopic,
    int versionsKept,
    PathNormalization pathNormalization,
    String gatewayNamespace) {
  public static final String DEFAULT_MQTT_URL = "tcp://127.0.0.1:1883";
  public static final HostPort DEFAULT_XDS_ADDRESS = new HostPort("127.0.0.1", 18000);
  public static final HostPort DEFAULT_ADMIN_ADDRESS = new HostPort("127.0.0.1", 18001);
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

  public SidecarConfig {
    Objects.requireNonNull(mqttUrl, "mqttUrl");
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
    Objects.requireNonNull(pathNormalization, "pathNormalization");
    Objects.requireNonNull(gatewayNamespace, "gatewayNamespace");
    if (debounce.isNegative()) {
      throw new IllegalArgumentException("debounce must not be negative");
    }
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes must be positive");
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

  /** The defaults of {@code edgegw run}, with the given state directory. */
  public static Builder builder(Path stateDir) {
    return new Builder(stateDir);
  }

  public GatewayIdentity identity() {
    return new GatewayIdentity(gatewayLabels, domainSuffix, listenerBindAddress, portMap, pathNormalization, gatewayNamespace);
  }

  /** MQTT settings, when MQTT is on. The client id is stable per gateway so the broker keeps its session. */
  public Optional<MqttSettings> mqtt() {
    return mqttUrl.map(url -> {
      MqttSettings settings = MqttSettings.defaults("edgegw-" + gatewayId).withServerUri(url).withMaxPayloadBytes(maxPayloadBytes);
      if (mqttUsername.isPresent()) {
        settings = settings.withCredentials(mqttUsername.get(), mqttPassword.orElse(""));
      }
      if (mqttTls.caFile().isPresent()) {
        settings = settings.withCaFile(mqttTls.caFile().get());
      }
      if (mqttTls.clientCertFile().isPresent()) {
        settings = settings.withClientCertificate(mqttTls.clientCertFile().get(), mqttTls.clientKeyFile().get());
      }
      return kubeedgeTopic.isPresent() ? settings.withKubeedgeTopic(kubeedgeTopic.get()) : settings;
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
    private MqttTls mqttTls = MqttTls.NONE;
    private Optional<String> kubeedgeTopic = Optional.empty();
    private int versionsKept = SnapshotPublisher.DEFAULT_VERSIONS_KEPT;
    private PathNormalization pathNormalization = PathNormalization.BASE;
    private String gatewayNamespace = GatewayIdentity.DEFAULT_NAMESPACE;

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
    public Builder mqttTls(MqttTls v) { mqttTls = v; return this; }
    public Builder kubeedgeTopic(Optional<String> v) { kubeedgeTopic = v; return this; }
    public Builder versionsKept(int v) { versionsKept = v; return this; }
    public Builder pathNormalization(PathNormalization v) { pathNormalization = v; return this; }
    public Builder gatewayNamespace(String v) { gatewayNamespace = v; return this; }

    public SidecarConfig build() {
      return new SidecarConfig(mqttUrl, gatewayId, topicPrefix, gatewayLabels, domainSuffix, listenerBindAddress,
          portMap, xdsAddress, adminAddress, configDir, stateDir, debounce, mqttUsername, mqttPassword,
          maxPayloadBytes, mqttTls, kubeedgeTopic, versionsKept, pathNormalization, gatewayNamespace);
    }
  }
}
