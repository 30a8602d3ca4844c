package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets are checked as Envoy will load them (a mismatched or unreadable key is an ERROR here, not
 * a NACK later), and no diagnostic or dump ever carries key material. Keys made with openssl.
 */
class SecretValidationTest {
  @TempDir static Path dir;
  private final Translator translator = new Translator();

  @BeforeAll
  static void keys() throws Exception {
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=rsa.example.com", "-keyout", "rsa8.key", "-out", "rsa.crt");
    openssl("rsa", "-in", "rsa8.key", "-traditional", "-out", "rsa1.key");
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "ec1.key"); // EC PARAMETERS then EC PRIVATE KEY (SEC1)
    openssl("req", "-x509", "-new", "-key", "ec1.key", "-nodes", "-days", "1", "-subj", "/CN=ec.example.com", "-out", "ec.crt");
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec1.key", "-out", "ec8.key");
    openssl("pkcs8", "-topk8", "-in", "ec1.key", "-passout", "pass:secret", "-out", "ec-encrypted.key");
    openssl("req", "-x509", "-newkey", "ed25519", "-nodes", "-days", "1", "-subj", "/CN=ed.example.com", "-keyout", "ed.key", "-out", "ed.crt");
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rsa.crt rsa8.key", "rsa.crt rsa1.key", "ec.crt ec1.key", "ec.crt ec8.key", "ed.crt ed.key"})
  void everyKeyFormatEnvoyReadsIsAccepted(String pair) throws IOException {
    String[] files = pair.split(" ");
    assertEquals(List.of(), translator.validate(tlsSecret(read(files[0]), read(files[1]), "")), pair);
  }

  @Test
  void aKeyOfAnotherCertificateIsAnErrorOnTheKey() throws IOException {
    assertOneError(tlsSecret(read("rsa.crt"), read("ec8.key"), ""), "data.tls.key", "does not belong");
  }

  @Test
  void anEncryptedKeyIsAnError() throws IOException {
    assertOneError(tlsSecret(read("ec.crt"), read("ec-encrypted.key"), ""), "data.tls.key", "encrypted");
  }

  @Test
  void aCertificateWithoutKeyIsAnError() throws IOException {
    assertOneError(secret("stringData:\n  cert: |\n" + indent(read("ec.crt"))), "stringData.cert", "set both cert and key");
  }

  @Test
  void aCaThatDoesNotParseIsAnError() throws IOException {
    String notACertificate = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";
    assertOneError(tlsSecret(read("ec.crt"), read("ec1.key"), notACertificate), "data.ca.crt", "cannot be parsed");
  }

  @Test
  void aCaOnlySecretIsValid() throws IOException {
    assertEquals(List.of(), translator.validate(secret("stringData:\n  cacert: |\n" + indent(read("ec.crt")))));
  }

  @Test
  void anUnrelatedSecretIsValidAndUnchecked() {
    assertEquals(List.of(), translator.validate(secret("type: kubernetes.io/basic-auth\nstringData: {username: a, password: b}\n")));
  }

  /** Whatever is wrong with a value, the value itself never reaches a diagnostic. */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"garbage", "keyAsData", "keyNotBase64", "keyInCert"})
  void diagnosticsNeverQuoteTheValue(String shape) throws IOException {
    String key = read("ec1.key");
    String yaml = switch (shape) {
      case "garbage" -> "stringData:\n  tls.crt: not a certificate\n  tls.key: |\n" + indent(key);
      case "keyAsData" -> "data: |\n" + indent(key);
      case "keyNotBase64" -> "data:\n  tls.crt: " + b64(read("ec.crt")) + "\n  tls.key: |\n" + indent(key);
      default -> "stringData:\n  tls.crt: |\n" + indent(key) + "  tls.key: |\n" + indent(key);
    };
    ImmutableList<Diagnostic> diagnostics = translator.validate(secret(yaml));
    assertTrue(diagnostics.stream().anyMatch(Diagnostic::isError), shape + ": " + diagnostics);
    String text = diagnostics.stream().map(Diagnostic::toString).collect(Collectors.joining("\n"));
    for (String line : key.lines().filter(l -> !l.startsWith("-----")).toList()) {
      assertFalse(text.contains(line), shape + " leaks key material: " + text);
    }
  }

  /** The real SDS shape (inline_bytes under private_key) is redacted in every dump. */
  @Test
  void theServedPrivateKeyIsRedactedInDumps() throws IOException {
    String key = read("ec1.key");
    String yaml = """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: default}
        spec:
          selector: {istio: edgegateway}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: [ec.example.com]
            tls: {mode: SIMPLE, credentialName: cert}
        ---
        """ + new String(secretYaml("data:\n  tls.crt: " + b64(read("ec.crt")) + "\n  tls.key: " + b64(key) + "\n"));
    Translation translation = translator.translate(GoldenTest.inputs(yaml), GatewayIdentity.of(ImmutableMap.of("istio", "edgegateway")));
    assertEquals(1, translation.resources().secrets().size(), translation.diagnostics().toString());
    assertTrue(translation.resources().secrets().get(0).getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8().contains("PRIVATE KEY"),
        "the served secret carries the key itself");
    String dump = EnvoyJson.toYaml(translation.resources()) + EnvoyJson.toJson(translation.resources());
    assertTrue(dump.contains("private_key: \"[redacted]\""), dump);
    assertFalse(dump.contains(b64(key)) || dump.contains(b64(key).substring(0, 40)) || dump.contains("PRIVATE KEY"), dump);
    for (String line : key.lines().filter(l -> !l.startsWith("-----")).toList()) {
      assertFalse(dump.contains(line), "key material in the dump");
    }
  }

  private void assertOneError(Resource secret, String field, String message) {
    ImmutableList<Diagnostic> errors = translator.validate(secret).stream().filter(Diagnostic::isError).collect(ImmutableList.toImmutableList());
    assertEquals(1, errors.size(), errors.toString());
    assertEquals(field, errors.get(0).field(), errors.toString());
    assertTrue(errors.get(0).message().contains(message), errors.get(0).message());
  }

  private static Resource tlsSecret(String cert, String key, String ca) {
    return secret("type: kubernetes.io/tls\ndata:\n  tls.crt: " + b64(cert) + "\n  tls.key: " + b64(key) + "\n"
        + (ca.isEmpty() ? "" : "  ca.crt: " + b64(ca) + "\n"));
  }

  private static Resource secret(String body) {
    ResourceReader.Read read = new ResourceReader().read(secretYaml(body)).get(0);
    return ((ResourceReader.Ok) read).resource();
  }

  private static String secretYaml(String body) {
    return "apiVersion: v1\nkind: Secret\nmetadata: {name: cert, namespace: default}\n" + body;
  }

  private static String indent(String text) {
    return text.lines().map(l -> "    " + l + "\n").collect(Collectors.joining());
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String read(String name) throws IOException {
    return Files.readString(dir.resolve(name));
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
