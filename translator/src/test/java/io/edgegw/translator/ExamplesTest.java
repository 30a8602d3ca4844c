package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.collect.ImmutableMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import io.edgegw.translator.model.GatewayIdentity;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The TLS and TCP examples and the Gateway API ones, with the Secrets their READMEs tell you to make (generated here with
 * openssl), translate without a single diagnostic and are accepted by a real Envoy.
 */
class ExamplesTest {
  private static final Path EXAMPLES = Path.of("../examples");
  /** Which Secrets each example's README creates: name -> host of its certificate ("" for a CA Secret). */
  private static final Map<String, Map<String, String>> SECRETS = Map.ofEntries(
      Map.entry("https", Map.<String, String>of("shop-cert", "shop.example.com", "api-cert", "api.example.com")),
      Map.entry("mtls", Map.<String, String>of("shop-cert", "shop.example.com", "shop-cert-cacert", "")),
      Map.entry("passthrough", Map.<String, String>of()),
      Map.entry("tcp", Map.<String, String>of()),
      Map.entry("tls-tcp", Map.<String, String>of("pacs-cert", "pacs.example.com")),
      Map.entry("gateway-api/bookinfo", Map.<String, String>of()),
      Map.entry("gateway-api/canary", Map.<String, String>of()),
      Map.entry("gateway-api/https", Map.<String, String>of("shop-cert", "shop.example.com")),
      Map.entry("gateway-api/passthrough", Map.<String, String>of()),
      Map.entry("gateway-api/tcp", Map.<String, String>of()),
      Map.entry("gateway-api/grpc", Map.<String, String>of()),
      Map.entry("gateway-api/backend-tls", Map.<String, String>of()));

  @TempDir static Path dir;

  @BeforeAll
  static void ca() throws Exception {
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
        "-subj", "/CN=examples CA", "-keyout", "ca.key", "-out", "ca.crt");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"https", "mtls", "passthrough", "tcp", "tls-tcp", "gateway-api/bookinfo", "gateway-api/canary",
      "gateway-api/https", "gateway-api/passthrough", "gateway-api/tcp", "gateway-api/grpc", "gateway-api/backend-tls"})
  void exampleTranslatesCleanlyAndEnvoyAcceptsIt(String name) throws Exception {
    StringBuilder yaml = new StringBuilder();
    try (Stream<Path> files = Files.list(EXAMPLES.resolve(name))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        yaml.append(Files.readString(file)).append("\n---\n");
      }
    }
    assertTrue(Files.exists(EXAMPLES.resolve(name).resolve("README.md"))
        || Files.exists(EXAMPLES.resolve(name).getParent().resolve("README.md")), name + " has a README");
    for (Map.Entry<String, String> secret : SECRETS.get(name).entrySet()) {
      yaml.append(secret(secret.getKey(), secret.getValue())).append("---\n");
    }
    Translation translation = new Translator().translate(GoldenTest.inputs(yaml.toString()),
        GatewayIdentity.of(ImmutableMap.of("istio", "edgegateway")));
    assertEquals(List.of(), translation.diagnostics(), name);
    assertFalse(translation.resources().listeners().isEmpty(), name + " opens a listener");
    assertEquals(SECRETS.get(name).size(), translation.resources().secrets().stream()
        .filter(s -> s.getName().startsWith("kubernetes://")).count(), name + ": every Secret is used");

    Path bootstrap = dir.resolve(name.replace('/', '-') + ".json");
    Files.writeString(bootstrap, new ObjectMapper().writeValueAsString(EnvoyValidateTest.staticBootstrap(
        EnvoyJson.toJson(translation.resources()), EnvoyValidateTest.unredactedSecrets(translation.resources()))));
    String envoy = EnvoyValidateTest.envoyBinary().orElseThrow(() -> new AssertionError("no envoy binary: set ENVOY_BIN"));
    Process p = new ProcessBuilder(envoy, "--mode", "validate", "-c", bootstrap.toString(), "-l", "error").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "envoy did not finish");
    assertEquals(0, p.exitValue(), name + ": envoy rejected the config:\n" + out);
  }

  /** A kubernetes.io/tls Secret for {@code host}, or a CA Secret ({@code cacert}) when host is empty. */
  private static String secret(String name, String host) throws Exception {
    String header = "apiVersion: v1\nkind: Secret\nmetadata: {name: " + name + ", namespace: default}\n";
    if (host.isEmpty()) {
      return header + "type: Opaque\ndata:\n  cacert: " + b64(dir.resolve("ca.crt")) + "\n";
    }
    Files.writeString(dir.resolve(name + ".ext"), "subjectAltName=DNS:" + host + "\n");
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + host,
        "-keyout", name + ".key", "-out", name + ".csr");
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1",
        "-extfile", name + ".ext", "-out", name + ".crt");
    return header + "type: kubernetes.io/tls\ndata:\n  tls.crt: " + b64(dir.resolve(name + ".crt"))
        + "\n  tls.key: " + b64(dir.resolve(name + ".key")) + "\n";
  }

  private static String b64(Path file) throws IOException {
    return Base64.getEncoder().encodeToString(Files.readAllBytes(file));
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed: " + Files.readString(dir.resolve("openssl.log")));
    }
  }
}
