package io.edgegw.it.gatewayapi;

import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TestPki;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3) of BackendTLSPolicy: Envoy speaks TLS
 * to the targeted Services' backends, with the policy's hostname as SNI, verifying the backend's
 * certificate against the CA of the referenced ConfigMap and its names against the hostname (or the
 * subjectAltNames). As upstream's suite does in Go, the test creates a CA, ConfigMap {@code
 * tls-checks-ca-certificate} with it, a second unrelated CA in ConfigMap {@code
 * mismatch-ca-certificate}, and the {@code tls-backend}: a real HTTPS server (loopback) with a
 * certificate of the first CA for {@code abc.example.com}, {@code other.example.com} and {@code
 * spiffe://abc.example.com/test-identity}; every Service of a test's manifest gets Endpoints there.
 * So a wrong SNI/SAN or CA fails the TLS handshake of the real Envoy, and without the policy Envoy
 * would speak plain HTTP to a TLS server (no 200 either). Conditions are read from the policy's
 * {@code status.ancestors} on the sidecar's MQTT status topic.
 */
class BackendTlsPolicyConformanceTest {
  private static final String POLICIES = "backendtlspolicies.gateway.networking.k8s.io";
  private static final String GATEWAY = "same-namespace";
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private HttpBackend tlsBackend;
  private StatusTopics status;
  private TestPki pki;

  @BeforeEach
  void start() throws Exception {
    suite = GatewayApiConformance.start(b -> b, Set.of());
    gw = suite.gateway();
    pki = TestPki.create(Files.createDirectories(dir.resolve("ca")), "tls checks CA");
    TestPki.Issued serving = GatewayApiConformance.tlsChecksCertificate(pki);
    tlsBackend = HttpBackend.startTls("tls-backend", pki.serverContext(serving), false);
    TestPki mismatch = TestPki.create(Files.createDirectories(dir.resolve("mismatch")), "unrelated CA");
    suite.publishCaConfigMap(INFRA_NS, "tls-checks-ca-certificate", pki.caPem());
    suite.publishCaConfigMap(INFRA_NS, "mismatch-ca-certificate", mismatch.caPem());
    status = new StatusTopics(gw);
  }

  @AfterEach
  void stop() throws Exception {
    EdgeGateway.closeAll(status, tlsBackend, suite);
  }

  @Test
  void BackendTLSPolicy() throws Exception {
    String manifest = "tests/backendtlspolicy.yaml";
    SSLContext client = suite.publishTlsSecrets(Files.createDirectories(dir.resolve("listener")), "https-listener.org")
        .clientContext(Optional.empty());
    apply(manifest);

    // HTTP request sent to Service with valid BackendTLSPolicy should succeed.
    awaitCondition("normative-test", "Accepted", "True", "Accepted");
    awaitCondition("normative-test", "ResolvedRefs", "True", "ResolvedRefs");
    awaitTls("abc.example.com", "/backendtlspolicy", "abc.example.com");

    // Re-encrypt: HTTPS to the gateway (listener certificate), TLS again to the backend.
    HttpProbe.Response reencrypted = await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> https(client, "https-listener.org", "/backendtlspolicy"), r -> r.status() == 200);
    assertThat(reencrypted.backend()).isEqualTo("tls-backend");
    assertThat(lastSni("/backendtlspolicy")).isEqualTo("abc.example.com");

    // Mismatched hostname (the certificate is not for mismatch.example.com), mismatched CA: errors.
    awaitCondition("host-mismatch", "Accepted", "True", "Accepted");
    awaitCondition("host-mismatch", "ResolvedRefs", "True", "ResolvedRefs");
    awaitFailure("abc.example.com", "/backendtlspolicy-host-mismatch");
    awaitCondition("cert-mismatch", "Accepted", "True", "Accepted");
    awaitCondition("cert-mismatch", "ResolvedRefs", "True", "ResolvedRefs");
    awaitFailure("abc.example.com", "/backendtlspolicy-cert-mismatch");

    // Changing the ConfigMap a policy uses is reconciled.
    awaitCondition("reconcile-test", "Accepted", "True", "Accepted");
    awaitTls("abc.example.com", "/backendtlspolicy-reconcile-test", "abc.example.com");
    ObjectNode policy = document(manifest, "reconcile-test");
    ((ObjectNode) policy.path("spec").path("validation").path("caCertificateRefs").get(0))
        .put("name", "tls-checks-ca-certificate-reconcile-test");
    gw.publish(policy + "\n");
    awaitCondition("reconcile-test", "Accepted", "False", "NoValidCACertificate");
    awaitCondition("reconcile-test", "ResolvedRefs", "False", "InvalidCACertificateRef");
    awaitFailure("abc.example.com", "/backendtlspolicy-reconcile-test");
    suite.publishCaConfigMap(INFRA_NS, "tls-checks-ca-certificate-reconcile-test", pki.caPem());
    awaitCondition("reconcile-test", "Accepted", "True", "Accepted");
    awaitCondition("reconcile-test", "ResolvedRefs", "True", "ResolvedRefs");
    awaitTls("abc.example.com", "/backendtlspolicy-reconcile-test", "abc.example.com");
    suite.publishCaConfigMap(INFRA_NS, "tls-checks-ca-certificate-reconcile-test", "");
    awaitCondition("reconcile-test", "Accepted", "False", "NoValidCACertificate");
    awaitCondition("reconcile-test", "ResolvedRefs", "False", "InvalidCACertificateRef");
    suite.publishCaConfigMap(INFRA_NS, "tls-checks-ca-certificate-reconcile-test", pki.caPem());
    awaitCondition("reconcile-test", "Accepted", "True", "Accepted");
    awaitCondition("reconcile-test", "ResolvedRefs", "True", "ResolvedRefs");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void BackendTLSPolicySANValidation() {
    apply("tests/backendtlspolicy-san.yaml");
    for (String name : List.of("san-dns", "san-uri", "multiple-sans")) {
      awaitCondition(name, "Accepted", "True", "Accepted");
      awaitTls("abc.example.com", "/backendtlspolicy-" + name, "abc.example.com");
    }
    for (String name : List.of("san-dns-mismatch", "san-uri-mismatch", "multiple-mismatch-sans")) {
      awaitCondition(name, "Accepted", "True", "Accepted");
      awaitFailure("abc.example.com", "/backendtlspolicy-" + name);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void BackendTLSPolicyInvalidCACertificateRef() {
    apply("tests/backendtlspolicy-invalid-ca-certificate-ref.yaml");
    for (String name : List.of("nonexistent-ca-certificate-ref", "malformed-ca-certificate-ref")) {
      awaitCondition(name, "Accepted", "False", "NoValidCACertificate");
      awaitCondition(name, "ResolvedRefs", "False", "InvalidCACertificateRef");
      awaitServerError("abc.example.com", "/backendtlspolicy-" + name);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void BackendTLSPolicyInvalidKind() {
    apply("tests/backendtlspolicy-invalid-kind.yaml");
    awaitCondition("invalid-kind", "Accepted", "False", "NoValidCACertificate");
    awaitCondition("invalid-kind", "ResolvedRefs", "False", "InvalidKind");
    awaitServerError("abc.example.com", "/backendtlspolicy-invalid-kind");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void BackendTLSPolicyConflictResolution() {
    apply("tests/backendtlspolicy-conflict-resolution.yaml");
    // Without a section name: the first (same age here, so by name) wins; its hostname is the SNI.
    awaitCondition("conflicted-without-section-name-1", "Accepted", "True", "Accepted");
    awaitCondition("conflicted-without-section-name-2", "Accepted", "False", "Conflicted");
    awaitTls("abc.example.com", "/backendtlspolicy-conflicted-without-section-name", "other.example.com");
    // The same section name: likewise.
    awaitCondition("conflicted-with-section-name-1", "Accepted", "True", "Accepted");
    awaitCondition("conflicted-with-section-name-2", "Accepted", "False", "Conflicted");
    awaitTls("abc.example.com", "/backendtlspolicy-conflicted-with-section-name", "other.example.com");
    // With and without a section name: no conflict, the port's own policy wins on that port.
    awaitCondition("not-conflicted-with-section-name", "Accepted", "True", "Accepted");
    awaitCondition("not-conflicted-without-section-name", "Accepted", "True", "Accepted");
    awaitTls("abc.example.com", "/backendtlspolicy-not-conflicted-with-section-name", "other.example.com");
    awaitTls("abc.example.com", "/backendtlspolicy-not-conflicted-without-section-name", "abc.example.com");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void BackendTLSPolicyObservedGenerationBump() {
    String manifest = "tests/backendtlspolicy-observed-generation-bump.yaml";
    apply(manifest);
    ObjectNode policy = document(manifest, "observed-generation-bump");
    ((ObjectNode) policy.get("metadata")).put("generation", 1);
    gw.publish(policy + "\n");
    JsonNode before = status.await(POLICIES, INFRA_NS, "observed-generation-bump",
        s -> StatusTopics.allObserved(ancestorConditions(s), 1));
    assertThat(StatusTopics.has(ancestorConditions(before), "Accepted", "True", "")).isTrue();
    ((ObjectNode) policy.get("metadata")).put("generation", 2);
    ((ObjectNode) policy.path("spec").path("validation")).put("hostname", "foo.example.com");
    gw.publish(policy + "\n");
    JsonNode after = status.await(POLICIES, INFRA_NS, "observed-generation-bump",
        s -> StatusTopics.allObserved(ancestorConditions(s), 2));
    assertThat(StatusTopics.has(ancestorConditions(after), "Accepted", "True", "")).isTrue();
  }

  /** Publishes the manifest, and Endpoints at the TLS backend for each of its Services. */
  private void apply(String manifest) {
    suite.apply(manifest);
    for (ObjectNode doc : suite.documentsOf(manifest)) {
      if (doc.path("kind").asText().equals("Service")) {
        suite.endpoints(manifest, INFRA_NS, doc.path("metadata").path("name").asText(), tlsBackend.port());
      }
    }
  }

  private ObjectNode document(String manifest, String name) {
    return suite.documentsOf(manifest).stream()
        .filter(d -> d.path("kind").asText().equals("BackendTLSPolicy")
            && d.path("metadata").path("name").asText().equals(name))
        .findFirst().orElseThrow();
  }

  /** Upstream's BackendTLSPolicyMustHaveCondition: the ancestor entry for Gateway same-namespace. */
  private void awaitCondition(String policy, String type, String conditionStatus, String reason) {
    status.await(POLICIES, INFRA_NS, policy,
        s -> StatusTopics.has(ancestorConditions(s), type, conditionStatus, reason));
  }

  private static JsonNode ancestorConditions(JsonNode policyStatus) {
    for (JsonNode ancestor : policyStatus.path("ancestors")) {
      JsonNode ref = ancestor.path("ancestorRef");
      if (ref.path("name").asText().equals(GATEWAY)
          && (!ref.has("namespace") || ref.path("namespace").asText().equals(INFRA_NS))) {
        return ancestor.path("conditions");
      }
    }
    return MissingNode.getInstance();
  }

  /** A 200 from the TLS backend, which saw {@code sni} in the ClientHello of Envoy's connection. */
  private void awaitTls(String host, String path, String sni) {
    Exchange e = Exchange.until(gw, "GET", host, path, Map.of(), x -> x.status() == 200);
    e.reached("tls-backend", path);
    assertThat(lastSni(path)).as("SNI of " + path).isEqualTo(sni);
  }

  /** Upstream's MakeRequestAndExpectFailure: no 2xx, the request never reaches the backend. */
  private void awaitFailure(String host, String path) {
    Exchange.until(gw, "GET", host, path, Map.of(), x -> x.status() >= 500);
    int before = tlsBackend.requests().size();
    assertThat(Exchange.send(gw, "GET", host, path, Map.of()).status()).isGreaterThanOrEqualTo(500);
    assertThat(tlsBackend.requests().size()).as("requests reaching the backend").isEqualTo(before);
  }

  /** Upstream's invalid-reference check: 500, 502 or 503. */
  private void awaitServerError(String host, String path) {
    Exchange e = Exchange.until(gw, "GET", host, path, Map.of(), x -> List.of(500, 502, 503).contains(x.status()));
    assertThat(e.status()).isIn(500, 502, 503);
    assertThat(tlsBackend.requests()).noneMatch(r -> r.path().equals(path));
  }

  private String lastSni(String path) {
    return tlsBackend.requests().stream().filter(r -> r.path().equals(path))
        .reduce((a, b) -> b).map(HttpBackend.RecordedRequest::sni).orElse("(no request)");
  }

  private HttpProbe.Response https(SSLContext client, String host, String path) throws IOException {
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), host, client)) {
      return HttpProbe.get(socket, host, path, true);
    }
  }
}
