package io.edgegw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.edgegw.server.HostPort;
import io.edgegw.server.SidecarConfig;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private CommandLine cli() {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli;
  }

  private int run(String... args) {
    return cli().execute(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "bootstrap", "translate", "validate", "status", "publish", "demo", "fleet"})
  void everySubcommandHasHelpThatStatesItsExitCodes(String command) {
    assertEquals(0, Main.commandLine().setOut(new PrintWriter(out, true)).execute(command, "--help"));
    assertTrue(out.toString().startsWith("Usage: edgegw " + command), out.toString());
    assertTrue(out.toString().contains("Exit codes: "), out.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"run", "bootstrap", "translate", "validate", "status", "publish", "demo", "fleet", "nope"})
  void theCommandLineOfOneSubcommandAnswersAsTheWholeOne(String command) {
    StringWriter whole = new StringWriter();
    int wholeExit = Main.commandLine().setOut(new PrintWriter(whole, true)).setErr(new PrintWriter(whole, true))
        .execute(command, "--help");
    StringWriter one = new StringWriter();
    int oneExit = Main.commandLine(io.edgegw.server.StartWarmup.none(), Optional.of(command))
        .setOut(new PrintWriter(one, true)).setErr(new PrintWriter(one, true)).execute(command, "--help");
    assertEquals(wholeExit, oneExit);
    assertEquals(whole.toString(), one.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sync", "status"})
  void fleetSubcommandsHaveHelpThatStatesTheirExitCodes(String command) {
    assertEquals(0, Main.commandLine().setOut(new PrintWriter(out, true)).execute("fleet", command, "--help"));
    assertTrue(out.toString().startsWith("Usage: edgegw fleet " + command), out.toString());
    assertTrue(out.toString().contains("Exit codes: "), out.toString());
  }

  @Test
  void fleetCommandsSayWhenTheBrokerCannotBeReached() {
    assertEquals(1, run("fleet", "status", "--mqtt-url", "tcp://127.0.0.1:1"));
    assertTrue(err.toString().contains("cannot connect to tcp://127.0.0.1:1"), err.toString());
    assertEquals(2, run("fleet", "sync", "--mqtt-url", "tcp://127.0.0.1:1"), "a source is required");
    assertTrue(err.toString().contains("give --source-dir, a Kubernetes API"), err.toString());
    assertEquals(1, run("fleet", "sync", "--mqtt-url", "tcp://127.0.0.1:1", "--kube-api", "tcp://127.0.0.1:1"));
    assertTrue(err.toString().contains("--kube-api: must be an http:// or https:// URL"), err.toString());
  }

  @Test
  void topLevelHelpListsTheSubcommands() {
    assertEquals(0, run("--help"));
    for (String command : List.of("run", "bootstrap", "translate", "validate", "status", "publish", "demo", "fleet")) {
      assertTrue(out.toString().contains(command), out.toString());
    }
    assertEquals(2, run());
    assertEquals(2, run("nope"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"--help", "-h", "--version", "-V"})
  void anUnknownCommandIsAUsageErrorWhateverFollowsIt(String flag) {
    assertEquals(2, run("nope", flag));
    assertTrue(err.toString().contains("Unmatched argument at index 0: 'nope'"), err.toString());
    assertEquals("", out.toString());
    err.getBuffer().setLength(0);
    assertEquals(2, run("nope", "--port", "1", flag), "options the unknown command might have had");
    assertTrue(err.toString().contains("'nope'"), err.toString());
  }

  @Test
  void runOptionsBecomeTheSidecarConfig() throws Exception {
    Path password = dir.resolve("pw");
    Files.writeString(password, "s3cret\n");
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("--mqtt-url", "tcp://broker:1883", "--mqtt-username", "gw",
        "--mqtt-password-file", password.toString(), "--gateway-id", "edge-1", "--gateway-labels", "istio=edgegateway,app=gw",
        "--port-map", "80=8080,443=8443", "--xds-address", "127.0.0.1:0", "--admin-address", "[::1]:9000",
        "--config-dir", dir.toString(), "--state-dir", dir.resolve("state").toString(), "--debounce", "7");
    SidecarConfig config = run.config();
    assertEquals(Optional.of("tcp://broker:1883"), config.mqttUrl());
    assertEquals(Optional.of("s3cret"), config.mqttPassword());
    assertEquals("edge-1", config.gatewayId());
    assertEquals(ImmutableMap.of("istio", "edgegateway", "app", "gw"), config.gatewayLabels());
    assertEquals(ImmutableMap.of(80, 8080, 443, 8443), config.portMap());
    assertEquals(new HostPort("127.0.0.1", 0), config.xdsAddress());
    assertEquals(new HostPort("::1", 9000), config.adminAddress());
    assertEquals(Duration.ofMillis(7), config.debounce());
    assertEquals("edgegw-edge-1", config.mqtt().orElseThrow().clientId());
    assertTrue(!config.toString().contains("s3cret") && !config.mqtt().orElseThrow().toString().contains("s3cret"));

    RunCommand defaults = new RunCommand();
    new CommandLine(defaults).parseArgs("--no-mqtt");
    SidecarConfig d = defaults.config();
    assertEquals(Optional.empty(), d.mqttUrl());
    assertEquals(SidecarConfig.DEFAULT_XDS_ADDRESS, d.xdsAddress());
    assertEquals(SidecarConfig.DEFAULT_ADMIN_ADDRESS, d.adminAddress());
    assertEquals(ImmutableMap.of("istio", "edgegateway"), d.gatewayLabels());
    assertEquals(Duration.ofMillis(5), d.debounce());
    assertEquals(Path.of("./edgegw-state"), d.stateDir());

    assertEquals(SidecarConfig.NodePolicySettings.DEFAULT, d.nodePolicy());

    RunCommand policy = new RunCommand();
    new CommandLine(policy).parseArgs("--allowed-listen-addresses", "10.0.0.5,::", "--listen-port-range", "8000-9000",
        "--allow-upstream", "127.0.0.0/8,fe80::/10", "--envoy-admin-port", "9901");
    SidecarConfig.NodePolicySettings p = policy.config().nodePolicy();
    assertEquals(Optional.of(com.google.common.collect.ImmutableSet.of("10.0.0.5", "::")), p.listenAddresses());
    assertEquals(8000, p.minListenPort());
    assertEquals(9000, p.maxListenPort());
    assertEquals("[127.0.0.0/8, fe80::/10]", p.allowedUpstreams().toString());
    assertEquals(9901, p.envoyAdminPort());

    RunCommand labels = new RunCommand();
    new CommandLine(labels).parseArgs("--gateway-labels", "app=gw");
    assertEquals(ImmutableMap.of("app", "gw"), labels.config().gatewayLabels(), "given labels replace the default");
  }

  @Test
  void kubeOptionsBecomeTheKubeSettings() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "t0ken\n");
    Path ca = dir.resolve("ca.pem");
    Files.writeString(ca, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("--no-mqtt", "--kube-api", "https://127.0.0.1:6443", "--kube-token-file", token.toString(),
        "--kube-ca-file", ca.toString(), "--kube-namespaces", "a,b", "--kube-label-selector", "edge=1", "--kube-watch-timeout", "60");
    io.edgegw.kube.KubeSettings kube = run.config().kube().orElseThrow();
    assertEquals(java.net.URI.create("https://127.0.0.1:6443"), kube.server());
    assertEquals(Optional.of(token), kube.tokenFile());
    assertEquals(com.google.common.collect.ImmutableList.of("a", "b"), kube.namespaces());
    assertEquals(Optional.of("edge=1"), kube.labelSelector());
    assertEquals(Duration.ofSeconds(60), kube.watchTimeout());
    assertTrue(kube.caPem().orElseThrow().contains("BEGIN CERTIFICATE"));
    assertTrue(kube.writeStatus(), "status write-back is on by default");

    RunCommand readOnly = new RunCommand();
    new CommandLine(readOnly).parseArgs("--no-mqtt", "--kube-api", "http://127.0.0.1:10550", "--kube-write-status=false");
    assertFalse(readOnly.config().kube().orElseThrow().writeStatus());

    RunCommand none = new RunCommand();
    new CommandLine(none).parseArgs("--no-mqtt");
    assertEquals(Optional.empty(), none.config().kube());

    assertEquals(1, run("run", "--no-mqtt", "--kube-api", "http://127.0.0.1:10550", "--kube-in-cluster"));
    assertEquals(1, run("run", "--no-mqtt", "--kube-namespaces", "a"));
    assertEquals(1, run("run", "--no-mqtt", "--kube-api", "tcp://127.0.0.1:10550"));
  }

  @Test
  void badNodePolicyValuesAreRefused() {
    assertEquals(1, run("run", "--no-mqtt", "--allow-upstream", "127.0.0.0/33"));
    assertEquals(1, run("run", "--no-mqtt", "--listen-port-range", "9000-80"));
    assertEquals(1, run("run", "--no-mqtt", "--allowed-listen-addresses", "eth0"));
  }

  @Test
  void badOptionValuesAreUsageErrors() {
    assertEquals(2, run("run", "--xds-address", "nohost"));
    assertEquals(2, run("run", "--port-map", "80=eighty"));
    assertEquals(2, run("translate"));
  }

  @Test
  void translateExitCodesSayWhetherAnythingWasRejected() throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, GATEWAY + "---\n" + vs("a", "prefix: /a"));
    assertEquals(0, run("translate", "-f", good.toString()));
    assertTrue(out.toString().contains("outbound|9080||a.default.svc.cluster.local"), out.toString());

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, vs("b", "regex: '(['") + "---\nkind: [unclosed\n");
    assertEquals(1, run("translate", "-f", dir.toString(), "-o", "yaml"));
    assertTrue(err.toString().contains("ERROR VirtualService default/b: spec.http[0].match[0].uri.regex: "), err.toString());
    assertTrue(err.toString().contains("ERROR " + bad + ": "), err.toString());
    assertTrue(out.toString().contains("- name: outbound|9080||a.default.svc.cluster.local"), out.toString());

    assertEquals(2, run("translate", "-f", dir.resolve("missing.yaml").toString()));
  }

  @Test
  void translateServesTheGatewayApiGatewaysOfItsControllerOnly() throws Exception {
    Path manifests = dir.resolve("gateway-api.yaml");
    Files.writeString(manifests, """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: edge}
        spec: {controllerName: example.com/edge}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: web, namespace: default}
        spec:
          gatewayClassName: edge
          listeners: [{name: http, port: 8081, protocol: HTTP}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: default}
        spec:
          parentRefs: [{name: web}]
          rules: [{backendRefs: [{name: app, port: 9080}]}]
        """);
    assertEquals(0, run("translate", "-f", manifests.toString(), "-o", "yaml"));
    assertFalse(out.toString().contains("0.0.0.0_8081"), "not our controller: " + out);
    out.getBuffer().setLength(0);
    assertEquals(0, run("translate", "-f", manifests.toString(), "-o", "yaml", "--gateway-controller", "example.com/edge"));
    // No Service app: the backend is left out and the rule answers 500, as the specification asks.
    assertTrue(out.toString().contains("status: 500"), out.toString());
    assertTrue(out.toString().contains("0.0.0.0_8081"), out.toString());
  }

  @Test
  void validatePrintsOnlyDiagnosticsWithTranslatesExitCodes() throws Exception {
    Path good = dir.resolve("good.yaml");
    Files.writeString(good, GATEWAY + "---\n" + vs("a", "prefix: /a"));
    assertEquals(0, run("validate", "-f", good.toString()));
    assertTrue(out.toString().startsWith("WARNING VirtualService default/a: spec.http[0].route[0].destination.host: "),
        "a warning does not fail: " + out);
    assertTrue(out.toString().endsWith("\n2 documents; errors: 0, warnings: 1\n"), out.toString());

    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, vs("b", "regex: '(['") + "---\nkind: [unclosed\n");
    out.getBuffer().setLength(0);
    assertEquals(1, run("validate", "-f", dir.toString()));
    assertTrue(out.toString().contains("ERROR VirtualService default/b: spec.http[0].match[0].uri.regex: "), out.toString());
    assertTrue(out.toString().contains("ERROR " + bad + ": document 1: "), out.toString());
    assertFalse(out.toString().contains("outbound|9080"), "no Envoy resources: " + out);

    out.getBuffer().setLength(0);
    assertEquals(1, run("validate", "-f", dir.toString(), "-o", "json"));
    JsonNode problems = new ObjectMapper().readTree(out.toString());
    assertTrue(problems.isArray(), out.toString());
    JsonNode regex = StreamSupport.stream(problems.spliterator(), false)
        .filter(p -> p.path("name").asText().equals("b")).findFirst().orElseThrow();
    assertEquals("ERROR", regex.path("severity").asText());
    assertEquals("VirtualService", regex.path("kind").asText());
    assertEquals("spec.http[0].match[0].uri.regex", regex.path("field").asText());
    assertTrue(StreamSupport.stream(problems.spliterator(), false)
        .anyMatch(p -> p.path("file").asText().equals(bad.toString())), out.toString());

    assertEquals(2, run("validate", "-f", dir.resolve("missing.yaml").toString()));
    assertEquals(2, run("validate"));
    assertEquals(2, run("validate", "-f", good.toString(), "-o", "yaml"));
  }

  @Test
  void statusSaysWhenTheSidecarCannotBeReached() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    assertEquals(2, run("status", "--admin-address", "127.0.0.1:" + closed));
    assertTrue(err.toString().contains("cannot ask the sidecar at 127.0.0.1:" + closed), err.toString());
    assertEquals(2, run("status", "--admin-address", "nohost"));
  }

  @Test
  void runLogOptions() {
    RunCommand run = new RunCommand();
    new CommandLine(run).parseArgs("--log-format", "json", "--log-level", "debug");
    assertEquals(LogSetup.Format.json, run.logFormat);
    assertEquals(ch.qos.logback.classic.Level.DEBUG, run.logLevel);
    assertEquals(2, run("run", "--log-level", "LOUD"));
    assertEquals(2, run("run", "--log-format", "xml"));
  }

  @Test
  void publishReportsUnreadableDocumentsAndAnUnreachableBroker() throws Exception {
    Path file = dir.resolve("deploy.yaml");
    Files.writeString(file, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n");
    assertEquals(1, run("publish", "-f", file.toString(), "--mqtt-url", "tcp://127.0.0.1:1"));
    assertTrue(err.toString().contains("unsupported kind Deployment"), err.toString());
  }

  @Test
  void bootstrapPrintsOrWritesTheGeneratedYaml() throws Exception {
    assertEquals(0, run("bootstrap", "--node-id", "gw-1", "--xds-address", "127.0.0.1:19000", "--delta"));
    assertTrue(out.toString().contains("id: gw-1"), out.toString());
    assertTrue(out.toString().contains("port_value: 19000"), out.toString());
    assertTrue(out.toString().contains("DELTA_GRPC"), out.toString());
    Path target = dir.resolve("envoy.yaml");
    assertEquals(0, run("bootstrap", "-o", target.toString()));
    assertTrue(Files.readString(target).contains("port_value: 18000"));
  }

  @Test
  void demoSaysWhatIsMissing() {
    assertEquals(2, run("demo", "--envoy", dir.resolve("no-envoy").toString()));
    assertTrue(err.toString().contains("no Envoy binary"), err.toString());
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: gw}
      spec:
        selector: {istio: edgegateway}
        servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
      """;

  private static String vs(String name, String uriMatch) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s}
        spec:
          hosts: ["*"]
          gateways: [gw]
          http:
          - match: [{uri: {%s}}]
            route: [{destination: {host: %s, port: {number: 9080}}}]
        """.formatted(name, uriMatch, name);
  }
}
