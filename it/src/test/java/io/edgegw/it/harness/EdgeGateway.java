package io.edgegw.it.harness;

import static org.awaitility.Awaitility.await;

import com.google.common.collect.ImmutableMap;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.mqtt.MqttResourcePublisher;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.server.Components;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.awaitility.core.ConditionTimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One edge gateway as the tests see it: a real mosquitto, our sidecar (in this JVM), a real Envoy
 * bootstrapped against it, and an MQTT publisher playing the cloud side. Gateway server ports 80, 443
 * and {@link #EXTRA_PORTS} are mapped to free loopback ports, as istiod maps a gateway Service port to
 * its targetPort.
 */
public final class EdgeGateway implements AutoCloseable {
  public static final String GATEWAY_ID = "it";
  private static final ImmutableMap<String, String> LABELS = ImmutableMap.of("istio", "edgegateway");

  /** Gateway {@code default/gw}: plain HTTP on port 80 for any host, selecting this gateway. */
  public static final String HTTP_GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
      """;
  /**
   * Gateway ports for TCP and TLS servers, each mapped to a free loopback port like 80 and 443; 8080,
   * 8090, 6443, 7443, 8443 and from 9300 those the Gateway API conformance manifests' listeners use.
   */
  public static final List<Integer> EXTRA_PORTS =
      List.of(9000, 9001, 9002, 9003, 8080, 8090, 9300, 9301, 9302, 9310, 9311, 9312, 9313, 9320, 9321,
          6443, 7443, 8443);
  private static final Path REPO = Path.of(System.getProperty("edgegw.repo", "..")).toAbsolutePath().normalize();

  private final Mosquitto broker;
  private final boolean ownsBroker;
  private final Path stateDir;
  private final int httpPort;
  private final int httpsPort;
  private final ImmutableMap<Integer, Integer> portMap;
  private final Sidecar sidecar;
  private final EnvoyProcess envoy;
  private final MqttResourcePublisher publisher;
  private final int envoyHealthPort;
  private final int envoyStatsPort;

  private EdgeGateway(Mosquitto broker, boolean ownsBroker, Path stateDir, ImmutableMap<Integer, Integer> portMap,
      Sidecar sidecar, EnvoyProcess envoy, MqttResourcePublisher publisher, int envoyHealthPort, int envoyStatsPort) {
    this.envoyHealthPort = envoyHealthPort;
    this.envoyStatsPort = envoyStatsPort;
    this.broker = broker;
    this.ownsBroker = ownsBroker;
    this.stateDir = stateDir;
    this.httpPort = portMap.get(80);
    this.httpsPort = portMap.get(443);
    this.portMap = portMap;
    this.sidecar = sidecar;
    this.envoy = envoy;
    this.publisher = publisher;
  }

  public static EdgeGateway start() throws Exception {
    return start(UnaryOperator.identity());
  }

  /** Starts with sidecar settings the test changes from the harness's (e.g. a path normalisation). */
  public static EdgeGateway start(UnaryOperator<SidecarConfig.Builder> sidecarSettings) throws Exception {
    return start(Mosquitto.start(), true, Files.createTempDirectory("edgegw-state"), sidecarSettings);
  }

  /** Starts sidecar and Envoy against a broker the caller already runs (and keeps owning). */
  public static EdgeGateway start(Mosquitto broker, Path stateDir) throws Exception {
    return start(broker, false, stateDir, UnaryOperator.identity());
  }

  /** Against a broker the caller runs, in {@code stateDir}, with sidecar settings the test changes. */
  public static EdgeGateway start(Mosquitto broker, Path stateDir, UnaryOperator<SidecarConfig.Builder> sidecarSettings)
      throws Exception {
    return start(broker, false, stateDir, sidecarSettings);
  }

  /**
   * As {@link #start()}, with the node policy changed from the harness's (which allows upstreams on
   * loopback, where the test backends run, and names the Envoy admin port this harness picks).
   */
  public static EdgeGateway startWithNodePolicy(UnaryOperator<SidecarConfig.NodePolicySettings> nodePolicy)
      throws Exception {
    return start(Mosquitto.start(), true, Files.createTempDirectory("edgegw-state"), GATEWAY_ID, LABELS, nodePolicy,
        UnaryOperator.identity());
  }

  /** Starts sidecar and Envoy as gateway {@code gatewayId} with {@code labels}, against a broker the caller runs. */
  public static EdgeGateway start(Mosquitto broker, Path stateDir, String gatewayId, ImmutableMap<String, String> labels)
      throws Exception {
    return start(broker, false, stateDir, gatewayId, labels, UnaryOperator.identity(), UnaryOperator.identity());
  }

  private static EdgeGateway start(Mosquitto broker, boolean ownsBroker, Path stateDir,
      UnaryOperator<SidecarConfig.Builder> sidecarSettings) throws Exception {
    return start(broker, ownsBroker, stateDir, GATEWAY_ID, LABELS, UnaryOperator.identity(), sidecarSettings);
  }

  private static EdgeGateway start(Mosquitto broker, boolean ownsBroker, Path stateDir, String gatewayId,
      ImmutableMap<String, String> labels, UnaryOperator<SidecarConfig.NodePolicySettings> nodePolicy,
      UnaryOperator<SidecarConfig.Builder> sidecarSettings) throws Exception {
    List<Integer> free = FreePorts.next(2 + EXTRA_PORTS.size());
    ImmutableMap.Builder<Integer, Integer> ports = ImmutableMap.<Integer, Integer>builder().put(80, free.get(0)).put(443, free.get(1));
    for (int i = 0; i < EXTRA_PORTS.size(); i++) {
      ports.put(EXTRA_PORTS.get(i), free.get(2 + i));
    }
    ImmutableMap<Integer, Integer> portMap = ports.build();
    List<Integer> envoyPorts = FreePorts.next(3);
    int envoyAdmin = envoyPorts.get(0);
    // Fixed xDS and admin ports (not 0), so that the node policy knows and reserves them.
    List<Integer> control = FreePorts.next(2);
    SidecarConfig config = sidecarSettings.apply(sidecarConfigBuilder(broker, stateDir, portMap, gatewayId, labels)
        .xdsAddress(new HostPort("127.0.0.1", control.get(0)))
        .adminAddress(new HostPort("127.0.0.1", control.get(1)))
        .nodePolicy(nodePolicy.apply(HARNESS_NODE_POLICY.withEnvoyAdminPort(envoyAdmin))))
        .build();
    Sidecar sidecar = Sidecar.start(config, Components.production());
    String bootstrap = new BootstrapGenerator().yaml(new BootstrapOptions(
        "edgegw-it", "edgegateway", "127.0.0.1", sidecar.xdsPort(), "127.0.0.1", envoyAdmin, false)
        .withStatusListeners("127.0.0.1", envoyPorts.get(1), envoyPorts.get(2)));
    EnvoyProcess envoy = EnvoyProcess.start(bootstrap, envoyAdmin);
    MqttResourcePublisher publisher = publisher(broker);
    return new EdgeGateway(broker, ownsBroker, stateDir, portMap, sidecar, envoy, publisher, envoyPorts.get(1), envoyPorts.get(2));
  }

  static SidecarConfig sidecarConfig(Mosquitto broker, Path stateDir, ImmutableMap<Integer, Integer> portMap) {
    return sidecarConfigBuilder(broker, stateDir, portMap, GATEWAY_ID, LABELS).build();
  }

  private static SidecarConfig.Builder sidecarConfigBuilder(Mosquitto broker, Path stateDir,
      ImmutableMap<Integer, Integer> portMap, String gatewayId, ImmutableMap<String, String> labels) {
    return SidecarConfig.builder(stateDir)
        .mqttUrl(Optional.of(broker.url()))
        .gatewayId(gatewayId)
        .gatewayLabels(labels)
        .listenerBindAddress("127.0.0.1")
        .portMap(portMap)
        .xdsAddress(new HostPort("127.0.0.1", 0))
        .adminAddress(new HostPort("127.0.0.1", 0))
        .debounce(Duration.ofMillis(10))
        .nodePolicy(HARNESS_NODE_POLICY);
  }

  /** The test backends run on loopback, which the node policy refuses by default. */
  public static final SidecarConfig.NodePolicySettings HARNESS_NODE_POLICY =
      SidecarConfig.NodePolicySettings.DEFAULT.allowingUpstreams("127.0.0.0/8");

  /** A publisher connected to the broker, playing the cloud side. */
  public static MqttResourcePublisher publisher(Mosquitto broker) throws Exception {
    MqttResourcePublisher publisher = new MqttResourcePublisher(
        MqttSettings.defaults("it-publisher-" + System.nanoTime()).withServerUri(broker.url()),
        new TopicContract("edgegw", GATEWAY_ID));
    publisher.connect();
    return publisher;
  }

  public Mosquitto broker() {
    return broker;
  }

  public Sidecar sidecar() {
    return sidecar;
  }

  public EnvoyProcess envoy() {
    return envoy;
  }

  public Path stateDir() {
    return stateDir;
  }

  /** GET on the sidecar's admin endpoint; the body, whatever the status. */
  public String admin(String path) {
    return HttpProbe.get(sidecar.adminPort(), "127.0.0.1", path).body();
  }

  /** The overall version of the snapshot the sidecar serves now. */
  public String servedVersion() {
    return sidecar.publisher().current().map(p -> p.versions().overall()).orElse("");
  }

  /** Envoy's health listener (Istio's 15021): GET /healthz/ready. */
  public int envoyHealthPort() {
    return envoyHealthPort;
  }

  /** Envoy's stats listener (Istio's 15090): GET /stats/prometheus. */
  public int envoyStatsPort() {
    return envoyStatsPort;
  }

  /** The Envoy listener port that Gateway port 80 maps to. */
  public int httpPort() {
    return httpPort;
  }

  /** The Envoy listener port that Gateway port 443 maps to. */
  public int httpsPort() {
    return httpsPort;
  }

  /** The Envoy listener port that a Gateway server port (80, 443, or one of {@link #EXTRA_PORTS}) maps to. */
  public int listenerPort(int gatewayPort) {
    Integer port = portMap.get(gatewayPort);
    if (port == null) {
      throw new IllegalArgumentException("gateway port " + gatewayPort + " is not mapped; mapped: " + portMap.keySet());
    }
    return port;
  }

  /** Publishes every document of a YAML text over MQTT, as retained messages. */
  public void publish(String yaml) {
    publish(publisher, yaml);
  }

  public static void publish(MqttResourcePublisher publisher, String yaml) {
    for (ResourceReader.Read read : new ResourceReader().read(yaml)) {
      if (read instanceof ResourceReader.Ok ok) {
        publisher.publish(ok.resource());
      } else {
        throw new IllegalArgumentException("test input is not a resource: " + read);
      }
    }
  }

  /**
   * Publishes examples/NAME/*.yaml, replacing the Endpoints of each named service by the given backend,
   * since the example's addresses are placeholders.
   */
  public void publishExample(String name, Map<String, HttpBackend> backends) throws IOException {
    publish(exampleYaml(name, backends));
  }

  public static String exampleYaml(String name, Map<String, HttpBackend> backends) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(REPO.resolve("examples").resolve(name))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    StringBuilder out = new StringBuilder();
    for (Path file : files) {
      for (ResourceReader.Read read : new ResourceReader().read(Files.readString(file))) {
        ResourceReader.Ok ok = (ResourceReader.Ok) read;
        ResourceKey key = ok.resource().key();
        if (key.kind() == Kind.ENDPOINTS && backends.containsKey(key.name())) {
          out.append(endpoints(key.name(), backends.get(key.name())));
        } else {
          out.append(ok.resource().manifest().toString()).append('\n');
        }
        out.append("---\n");
      }
    }
    return out.toString();
  }

  public void delete(String kind, String namespace, String name) {
    publisher.delete(ResourceKey.of(Kind.fromTopicName(kind).orElseThrow(), namespace, name));
  }

  /** Service {@code name} (port 9080, named http) and its Endpoints at {@code backend}, as YAML. */
  public static String service(String name, HttpBackend backend) {
    return service(name) + "---\n" + endpoints(name, backend);
  }

  /** Service {@code name} in namespace default with port 9080 named http, as YAML. */
  public static String service(String name) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: default
        spec:
          ports:
          - name: http
            port: 9080
        """.formatted(name);
  }

  /** Endpoints YAML for a Service named {@code service} (port name http) pointing at the backends. */
  public static String endpoints(String service, HttpBackend... backends) {
    String addresses = Stream.of(backends).map(b -> "  - ip: 127.0.0.1\n").distinct().collect(Collectors.joining());
    if (Stream.of(backends).map(HttpBackend::port).distinct().count() != 1) {
      throw new IllegalArgumentException("one Endpoints subset needs backends sharing a port; use several services");
    }
    return """
        apiVersion: v1
        kind: Endpoints
        metadata:
          name: %s
          namespace: default
        subsets:
        - addresses:
        %s  ports:
          - name: http
            port: %d
        """.formatted(service, addresses, backends[0].port());
  }

  public HttpProbe.Response get(String host, String path) {
    return HttpProbe.get(httpPort, host, path);
  }

  public HttpProbe.Response get(String host, String path, Map<String, String> headers) {
    return HttpProbe.get(httpPort, host, path, headers);
  }

  public Map<String, Integer> distribution(String host, String path, int n) {
    return HttpProbe.distribution(httpPort, host, path, n);
  }

  public void awaitStatus(String host, String path, int status) {
    awaitAnswer(host, path, r -> r.status() == status, "status " + status);
  }

  public void awaitBackend(String host, String path, String backend) {
    awaitAnswer(host, path, r -> backend.equals(r.backend()), "backend " + backend);
  }

  /** Polls until an answer satisfies {@code wanted}; on timeout says what the last answer was. */
  public void awaitAnswer(String host, String path, Predicate<HttpProbe.Response> wanted, String what) {
    AtomicReference<String> last = new AtomicReference<>("no answer yet");
    try {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).ignoreExceptions().until(() -> {
        HttpProbe.Response r = get(host, path);
        last.set(r.status() + " " + r.body().lines().findFirst().orElse(""));
        return wanted.test(r);
      });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("GET " + host + path + " never gave " + what + "; last answer: " + last.get()
          + "\nEnvoy log tail:\n" + envoy.logTail(15), e);
    }
  }

  /** Waits until 50 requests give at least the given count per backend. */
  public void awaitDistribution(String host, String path, Map<String, Integer> atLeast) {
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      Map<String, Integer> seen = new HashMap<>(distribution(host, path, 50));
      return atLeast.entrySet().stream().allMatch(e -> seen.getOrDefault(e.getKey(), 0) >= e.getValue());
    });
  }

  @Override
  public void close() {
    closeAll(publisher, envoy, sidecar);
    if (ownsBroker) {
      closeAll(broker);
    }
  }

  /** Closes each, in order, even when one fails; nulls are skipped. */
  public static void closeAll(AutoCloseable... closeables) {
    RuntimeException first = null;
    for (AutoCloseable c : closeables) {
      if (c == null) {
        continue;
      }
      try {
        c.close();
      } catch (Exception e) {
        if (first == null) {
          first = new IllegalStateException("close failed", e);
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
