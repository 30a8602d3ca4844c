package io.edgegw.server.cli;

import ch.qos.logback.classic.Level;
import io.edgegw.server.Components;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.edgegw.translator.model.AddressRange;
import io.edgegw.translator.model.GatewayIdentity;
import java.util.ArrayList;
import java.util.List;
import io.edgegw.kube.cli.KubeOptions;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import io.edgegw.server.StartWarmup;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the sidecar (until SIGTERM/SIGINT).",
      "",
      "Serves the last accepted config from --state-dir at once, then applies resources from MQTT"
          + " (<topic-prefix>/<gateway-id>/...) and --config-dir, and serves Envoy over ADS on --xds-address."
          + " The admin API (/healthz/ready, /config_dump, /resources, /clients, /versions, /metrics) is on"
          + " --admin-address; see docs/admin.md. Logs go to stderr, one line per event.",
      "",
      "Exit codes: 1 could not start, 2 usage error (a signal ends it with the JVM's 130 or 143)."
    })
final class RunCommand implements Callable<Integer> {
  private final StartWarmup warmup;

  RunCommand(StartWarmup warmup) {
    this.warmup = warmup;
  }

  RunCommand() {
    this(StartWarmup.none());
  }

  @Mixin MqttClientOptions mqtt;

  @Mixin GatewayIdentityOptions gateway;

  @Mixin KubeOptions kube;

  @Option(
      names = "--kube-write-status",
      defaultValue = "true",
      negatable = true,
      fallbackValue = "true",
      arity = "0..1",
      paramLabel = "BOOL",
      description =
          "Write the gateway's view of each Gateway API object it read from the API into the"
              + " object's .status (patch of the status subresource; RBAC: edgegw-status-writer in"
              + " examples/kubernetes/rbac.yaml). false for read-only sources such as KubeEdge's"
              + " MetaServer (default: ${DEFAULT-VALUE}).")
  boolean kubeWriteStatus = true;

  @Option(names = "--no-mqtt", description = "Do not connect to MQTT: only --config-dir and the state directory.")
  boolean noMqtt;

  @Option(
      names = "--kubeedge-topic",
      paramLabel = "FILTER",
      description =
          "Also read KubeEdge EventBus envelopes (header/route/content) from this MQTT topic filter; off by default.")
  Optional<String> kubeedgeTopic;

  @Option(names = "--max-payload-bytes", defaultValue = "1048576", paramLabel = "N",
      description = "Refuse MQTT payloads larger than this, unparsed (default: ${DEFAULT-VALUE}).")
  int maxPayloadBytes;

  @Option(names = "--max-store-bytes", defaultValue = "3145728", paramLabel = "N",
      description = "Refuse a resource when all stored resources together would take more than this, as compact JSON"
          + " (default: ${DEFAULT-VALUE}, what the shipped heap is measured to hold; raise -Xmx with it).")
  long maxStoreBytes;

  @Option(
      names = "--xds-address",
      defaultValue = "127.0.0.1:18000",
      converter = Converters.HostPortConverter.class,
      paramLabel = "HOST:PORT",
      description = "Where Envoy connects for ADS (default: ${DEFAULT-VALUE}).")
  HostPort xdsAddress;

  @Option(
      names = "--admin-address",
      defaultValue = "127.0.0.1:18001",
      converter = Converters.HostPortConverter.class,
      paramLabel = "HOST:PORT",
      description =
          "Admin HTTP endpoint (default: ${DEFAULT-VALUE}). Answers only Host: localhost, loopback"
              + " addresses and this address (any local address when it is 0.0.0.0); others get 421 (DNS rebinding).")
  HostPort adminAddress;

  @Option(
      names = "--config-dir",
      paramLabel = "DIR",
      description = "Also read *.yaml/*.yml/*.json manifests from DIR, and follow changes.")
  Optional<Path> configDir;

  @Option(names = "--state-dir", defaultValue = "./edgegw-state", paramLabel = "DIR",
      description = "Where accepted resources are persisted (default: ${DEFAULT-VALUE}). Owner-only (0700"
          + " directories, 0600 files: Secrets hold private keys); a start repairs looser permissions.")
  Path stateDir;

  @Option(
      names = "--debounce",
      defaultValue = "5",
      paramLabel = "MS",
      description =
          "Shortest time between two snapshots: a change after a quiet spell is served at once, changes within this"
              + " interval of the last snapshot are coalesced into the next (default: ${DEFAULT-VALUE} ms).")
  long debounceMillis;

  @Option(names = "--versions-kept", defaultValue = "20", paramLabel = "N",
      description = "Published snapshots that /versions remembers (default: ${DEFAULT-VALUE}).")
  int versionsKept;

  @Option(names = "--allowed-listen-addresses", split = ",", paramLabel = "ADDRESS",
      description = "Node policy: the only addresses a Gateway server (its bind, or --listener-address) may listen on"
          + " (default: --listener-address, plus every address of this node when that is a wildcard).")
  List<String> allowedListenAddresses;

  @Option(
      names = "--listen-port-range",
      defaultValue = "1024-65535",
      paramLabel = "MIN-MAX",
      description =
          "Node policy: the ports Envoy may bind for Gateway servers, after --port-map (default: ${DEFAULT-VALUE}).")
  String listenPortRange;

  @Option(
      names = "--allow-upstream",
      split = ",",
      paramLabel = "CIDR",
      description =
          "Node policy: allow upstream endpoints in these blocks although refused by default (loopback 127.0.0.0/8"
              + " and ::1, link-local 169.254.0.0/16 and fe80::/10, 0.0.0.0 and ::), e.g. 127.0.0.0/8. The node's"
              + " control ports"
              + " (xDS, admin, Envoy's admin, a local broker) stay refused on this node's addresses.")
  List<String> allowUpstream = new ArrayList<>();

  @Option(
      names = "--envoy-admin-port",
      defaultValue = "9901",
      paramLabel = "PORT",
      description =
          "Envoy's admin port (as `edgegw bootstrap --envoy-admin-address` set it): no listener and no upstream"
              + " on this node may use it (default: ${DEFAULT-VALUE}).")
  int envoyAdminPort;

  @Option(
      names = "--log-format",
      defaultValue = "${env:EDGEGW_LOG_FORMAT:-text}",
      paramLabel = "FORMAT",
      description =
          "Log lines as ${COMPLETION-CANDIDATES}: json is one JSON object per line (default: ${DEFAULT-VALUE};"
              + " env EDGEGW_LOG_FORMAT).")
  LogSetup.Format logFormat;

  @Option(names = "--log-level", defaultValue = "${env:EDGEGW_LOG_LEVEL:-INFO}", paramLabel = "LEVEL",
      converter = LevelConverter.class,
      description = "ERROR, WARN, INFO, DEBUG or TRACE (default: ${DEFAULT-VALUE}; env EDGEGW_LOG_LEVEL).")
  Level logLevel;

  /** Only the level names logback knows; logback itself would silently turn a typo into DEBUG. */
  static final class LevelConverter implements CommandLine.ITypeConverter<Level> {
    @Override
    public Level convert(String value) {
      Level level = Level.toLevel(value.toUpperCase(java.util.Locale.ROOT), null);
      if (level == null || level == Level.ALL || level == Level.OFF) {
        throw new CommandLine.TypeConversionException("not a log level: " + value);
      }
      return level;
    }
  }

  /** The config these options describe. */
  SidecarConfig config() throws IOException {
    GatewayIdentity identity = gateway.identity();
    return SidecarConfig.builder(stateDir)
        .mqttUrl(noMqtt ? Optional.empty() : Optional.of(mqtt.url()))
        .mqttUsername(mqtt.username())
        .mqttPassword(mqtt.password())
        .mqttTls(mqtt.tls())
        .gatewayId(mqtt.gatewayId)
        .topicPrefix(mqtt.topicPrefix)
        .gatewayLabels(identity.labels())
        .domainSuffix(identity.domainSuffix())
        .listenerBindAddress(identity.bindAddress())
        .portMap(identity.portMap())
        .pathNormalization(identity.pathNormalization())
        .gatewayNamespace(identity.namespace())
        .xdsAddress(xdsAddress)
        .adminAddress(adminAddress)
        .configDir(configDir)
        .debounce(Duration.ofMillis(debounceMillis))
        .kubeedgeTopic(kubeedgeTopic)
        .maxPayloadBytes(maxPayloadBytes)
        .maxStoreBytes(maxStoreBytes)
        .versionsKept(versionsKept)
        .nodePolicy(nodePolicy())
        .kube(kube.settings().map(k -> k.withWriteStatus(kubeWriteStatus)))
        .routeScopes(identity.routeScopesCluster().isPresent())
        .build();
  }

  private SidecarConfig.NodePolicySettings nodePolicy() {
    java.util.regex.Matcher range = java.util.regex.Pattern.compile("(\\d{1,5})-(\\d{1,5})").matcher(listenPortRange);
    if (!range.matches()) {
      throw new IllegalArgumentException(
          "--listen-port-range: expected MIN-MAX, e.g. 1024-65535, got " + listenPortRange);
    }
    ImmutableList.Builder<AddressRange> allowed = ImmutableList.builder();
    for (String cidr : allowUpstream) {
      allowed.add(AddressRange.parse(cidr).orElseThrow(
          () -> new IllegalArgumentException("--allow-upstream: not an address or CIDR block: " + cidr)));
    }
    Optional<ImmutableSet<String>> listen = Optional.empty();
    if (allowedListenAddresses != null) {
      for (String address : allowedListenAddresses) {
        if (!InetAddresses.isInetAddress(address)) {
          throw new IllegalArgumentException("--allowed-listen-addresses: not an IP address: " + address);
        }
      }
      listen = Optional.of(ImmutableSet.copyOf(allowedListenAddresses));
    }
    return new SidecarConfig.NodePolicySettings(
        listen,
        Integer.parseInt(range.group(1)),
        Integer.parseInt(range.group(2)),
        allowed.build(),
        envoyAdminPort);
  }

  @Override
  public Integer call() throws Exception {
    LogSetup.apply(logFormat, logLevel);
    SidecarConfig config = config();
    // The store's files are hashed and gRPC's classes set up while protobuf's are (StartWarmup).
    Sidecar.StateOnDisk state = Sidecar.openState(config);
    StartWarmup.serverClasses();
    warmup.await();
    Sidecar sidecar = Sidecar.start(config, Components.production(gateway.gatewayController), state);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sidecar.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }
}
