package io.edgegw.server.cli;

import ch.qos.logback.classic.Level;
import com.google.common.collect.ImmutableMap;
import io.edgegw.server.Components;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
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
  @Option(names = "--mqtt-url", defaultValue = SidecarConfig.DEFAULT_MQTT_URL, description = "MQTT broker (default: ${DEFAULT-VALUE}).")
  String mqttUrl;

  @Option(names = "--no-mqtt", description = "Do not connect to MQTT: only --config-dir and the state directory.")
  boolean noMqtt;

  @Option(names = "--mqtt-username", description = "MQTT user name.")
  Optional<String> mqttUsername;

  @Option(names = "--mqtt-password-file", paramLabel = "FILE", description = "File holding the MQTT password (not given on the command line, where ps shows it).")
  Optional<Path> mqttPasswordFile;

  @Option(names = "--gateway-id", defaultValue = "default", description = "This gateway's id in MQTT topics (default: ${DEFAULT-VALUE}).")
  String gatewayId;

  @Option(names = "--topic-prefix", defaultValue = "edgegw", description = "MQTT topic prefix (default: ${DEFAULT-VALUE}).")
  String topicPrefix;

  @Option(names = "--gateway-labels", split = ",", paramLabel = "KEY=VALUE",
      description = "Workload labels that Gateway selectors match (default: istio=edgegateway).")
  Map<String, String> gatewayLabels = new LinkedHashMap<>(Map.of("istio", "edgegateway"));

  @Option(names = "--domain-suffix", defaultValue = "cluster.local", description = "Cluster domain suffix (default: ${DEFAULT-VALUE}).")
  String domainSuffix;

  @Option(names = "--listener-address", defaultValue = "0.0.0.0", description = "Address Envoy listeners bind (default: ${DEFAULT-VALUE}).")
  String listenerAddress;

  @Option(names = "--port-map", split = ",", paramLabel = "PORT=PORT",
      description = "Gateway server port to the port Envoy binds, e.g. 80=8080,443=8443.")
  Map<Integer, Integer> portMap = new LinkedHashMap<>();

  @Option(names = "--xds-address", defaultValue = "127.0.0.1:18000", converter = Converters.HostPortConverter.class, paramLabel = "HOST:PORT",
      description = "Where Envoy connects for ADS (default: ${DEFAULT-VALUE}).")
  HostPort xdsAddress;

  @Option(names = "--admin-address", defaultValue = "127.0.0.1:18001", converter = Converters.HostPortConverter.class, paramLabel = "HOST:PORT",
      description = "Admin HTTP endpoint (default: ${DEFAULT-VALUE}).")
  HostPort adminAddress;

  @Option(names = "--config-dir", paramLabel = "DIR", description = "Also read *.yaml/*.yml/*.json manifests from DIR, and follow changes.")
  Optional<Path> configDir;

  @Option(names = "--state-dir", defaultValue = "./edgegw-state", paramLabel = "DIR",
      description = "Where accepted resources are persisted (default: ${DEFAULT-VALUE}).")
  Path stateDir;

  @Option(names = "--debounce", defaultValue = "20", paramLabel = "MS", description = "Wait this long after a change before translating (default: ${DEFAULT-VALUE} ms).")
  long debounceMillis;

  @Option(names = "--versions-kept", defaultValue = "20", paramLabel = "N",
      description = "Published snapshots that /versions remembers (default: ${DEFAULT-VALUE}).")
  int versionsKept;

  @Option(names = "--log-format", defaultValue = "${env:EDGEGW_LOG_FORMAT:-text}", paramLabel = "FORMAT",
      description = "Log lines as ${COMPLETION-CANDIDATES}: json is one JSON object per line (default: ${DEFAULT-VALUE};"
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
    Optional<String> password = Optional.empty();
    if (mqttPasswordFile.isPresent()) {
      password = Optional.of(Files.readString(mqttPasswordFile.get(), StandardCharsets.UTF_8).strip());
    }
    return SidecarConfig.builder(stateDir)
        .mqttUrl(noMqtt ? Optional.empty() : Optional.of(mqttUrl))
        .mqttUsername(mqttUsername)
        .mqttPassword(password)
        .gatewayId(gatewayId)
        .topicPrefix(topicPrefix)
        .gatewayLabels(ImmutableMap.copyOf(gatewayLabels))
        .domainSuffix(domainSuffix)
        .listenerBindAddress(listenerAddress)
        .portMap(Converters.ports(portMap))
        .xdsAddress(xdsAddress)
        .adminAddress(adminAddress)
        .configDir(configDir)
        .debounce(Duration.ofMillis(debounceMillis))
        .versionsKept(versionsKept)
        .build();
  }

  @Override
  public Integer call() throws Exception {
    LogSetup.apply(logFormat, logLevel);
    SidecarConfig config = config();
    Sidecar sidecar = Sidecar.start(config, Components.production());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      sidecar.close();
      stopped.countDown();
    }, "shutdown"));
    stopped.await();
    return 0;
  }
}
