package io.edgegw.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import io.edgegw.server.StartWarmup;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** {@link RunArguments} fills a {@code run} exactly as picocli does, or leaves the arguments to picocli. */
class RunArgumentsTest {
  /** Every option of {@code run} that RunArguments reads, each given once. */
  private static final List<String> EVERY_OPTION = List.of(
      "--mqtt-url", "ssl://broker:8883", "--mqtt-username", "gw", "--mqtt-password-file", "/run/pw",
      "--mqtt-ca-file", "/ca.pem", "--mqtt-client-cert", "/c.pem", "--mqtt-client-key", "/k.pem",
      "--gateway-id", "edge-1", "--topic-prefix", "t", "--gateway-labels", "app=gw,istio=edgegateway",
      "--domain-suffix", "example.local", "--listener-address", "127.0.0.1", "--port-map", "443=8443,80=8080",
      "--path-normalization", "MERGE_SLASHES", "--gateway-namespace", "edge", "--gateway-controller", "ctl/x",
      "--route-scopes",
      "--kube-api", "http://127.0.0.1:10550", "--kubeconfig", "/kc", "--kube-in-cluster",
      "--kube-token-file", "/token", "--kube-ca-file", "/kca.pem", "--kube-namespaces", "a,b",
      "--kube-label-selector", "edgegw.io/node=edge-1", "--kube-watch-timeout", "60", "--no-mqtt",
      "--kubeedge-topic", "$hw/events/#", "--max-payload-bytes", "5", "--max-store-bytes", "6",
      "--xds-address", "127.0.0.1:1", "--admin-address", "[::1]:2", "--config-dir", "/cd", "--state-dir", "/sd",
      "--debounce", "9", "--versions-kept", "3", "--allowed-listen-addresses", "127.0.0.1,::1",
      "--listen-port-range", "10-20", "--allow-upstream", "10.0.0.0/8,192.168.0.0/16",
      "--envoy-admin-port", "9902", "--log-format", "json", "--log-level", "debug");

  /** Left to picocli: help, version, and the option with an optional value (true/false) and a negated form. */
  private static final Set<String> PICOCLI_ONLY = Set.of("--help", "--version", "--kube-write-status");

  static List<List<String>> plain() {
    List<String> assigned = new ArrayList<>();
    for (int i = 0; i < EVERY_OPTION.size(); i++) {
      String arg = EVERY_OPTION.get(i);
      boolean flag = i + 1 == EVERY_OPTION.size() || EVERY_OPTION.get(i + 1).startsWith("--");
      assigned.add(flag ? arg : arg + "=" + EVERY_OPTION.get(++i));
    }
    return List.of(
        List.of(),
        // bench Footprint's start
        List.of("--no-mqtt", "--state-dir", "/tmp/x/state", "--xds-address", "127.0.0.1:18000", "--admin-address",
            "127.0.0.1:18001", "--gateway-labels", "istio=edgegateway", "--listener-address", "127.0.0.1",
            "--port-map", "80=8080"),
        EVERY_OPTION,
        assigned,
        List.of("--port-map", "80=8080", "--gateway-labels", "a=b=c,d="));
  }

  @ParameterizedTest
  @MethodSource("plain")
  void readsPlainArgumentsAsPicocliDoes(List<String> args) throws Exception {
    RunCommand fast = RunArguments.parse(args, StartWarmup.none(), System.getenv()).orElseThrow();
    assertEquals(state(picocli(args)), state(fast));
  }

  @Test
  void theTestGivesEveryOptionPicocliKnows() {
    CommandLine run = Main.commandLine(StartWarmup.none(), Optional.of("run")).getSubcommands().get("run");
    Set<String> missing = new TreeSet<>();
    for (OptionSpec option : run.getCommandSpec().options()) {
      if (!EVERY_OPTION.contains(option.longestName()) && !PICOCLI_ONLY.contains(option.longestName())) {
        missing.add(option.longestName());
      }
    }
    assertEquals(Set.of(), missing, "add them to EVERY_OPTION (or PICOCLI_ONLY, if RunArguments cannot read them)");
  }

  static List<List<String>> leftToPicocli() {
    return List.of(
        List.of("--help"), List.of("-h"), List.of("--version"), List.of("-V"), List.of("--state-dir", "/s", "-h"),
        List.of("--nope"), List.of("extra"), List.of("--"), List.of("--state-dir"),
        List.of("--state-dir", "/a", "--state-dir", "/b"), List.of("--state-dir", "/a", "--state-dir=/b"),
        List.of("--kube-write-status"), List.of("--kube-write-status=false"), List.of("--no-kube-write-status"),
        List.of("--no-mqtt=true"), List.of("--debounce", "x"), List.of("--log-level", "nope"),
        List.of("--log-format", "xml"), List.of("--xds-address", "nohost"), List.of("--port-map", "80"),
        List.of("--port-map", "x=1"), List.of("--state-dir", "-x"), List.of("--state-dir", "@args"),
        List.of("--gateway-id", "\"quoted\""), List.of("@args"), List.of("--kube-api", "http://a b"));
  }

  @ParameterizedTest
  @MethodSource("leftToPicocli")
  void leavesAnythingElseToPicocli(List<String> args) {
    assertEquals(Optional.empty(), RunArguments.parse(args, StartWarmup.none(), System.getenv()));
  }

  @Test
  void defaultsComeFromTheEnvironmentAsPicocliReadsThem() {
    RunCommand run = RunArguments.parse(List.of(), StartWarmup.none(),
        Map.of("EDGEGW_LOG_FORMAT", "json", "EDGEGW_LOG_LEVEL", "warn")).orElseThrow();
    assertEquals(LogSetup.Format.json, run.logFormat);
    assertEquals(Level.WARN, run.logLevel);
    run = RunArguments.parse(List.of(), StartWarmup.none(), Map.of()).orElseThrow();
    assertEquals(LogSetup.Format.text, run.logFormat);
    assertEquals(Level.INFO, run.logLevel);
    assertEquals(Optional.empty(), RunArguments.parse(List.of(), StartWarmup.none(), Map.of("EDGEGW_LOG_FORMAT", "")),
        "picocli's to say what an empty variable means");
  }

  private static RunCommand picocli(List<String> args) {
    List<String> line = new ArrayList<>(List.of("run"));
    line.addAll(args);
    CommandLine.ParseResult parsed = Main.commandLine(StartWarmup.none(), Optional.of("run"))
        .parseArgs(line.toArray(String[]::new));
    assertTrue(parsed.subcommand().unmatched().isEmpty(), parsed.subcommand().unmatched().toString());
    return (RunCommand) parsed.subcommand().commandSpec().userObject();
  }

  /** Every option field of {@code run} and its mixins, by path, as a value and as text (which shows order). */
  private static Map<String, String> state(Object command) throws IllegalAccessException {
    Map<String, String> state = new LinkedHashMap<>();
    collect("", command, state);
    assertTrue(state.size() > 30, state.toString()); // the test sees the fields
    return state;
  }

  private static void collect(String path, Object owner, Map<String, String> state) throws IllegalAccessException {
    for (Field field : owner.getClass().getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers()) || field.getType() == StartWarmup.class) {
        continue;
      }
      field.setAccessible(true);
      Object value = field.get(owner);
      if (field.isAnnotationPresent(CommandLine.Mixin.class)) {
        collect(path + field.getName() + ".", value, state);
      } else {
        state.put(path + field.getName(),
            (value == null ? "null" : value.getClass().getSimpleName()) + " " + value);
      }
    }
  }
}
