package io.edgegw.it.gatewayapi;

import static io.edgegw.it.gatewayapi.StatusTopics.GATEWAYS;
import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3) of a Gateway's {@code
 * spec.tls.backend.clientCertificateRef}: the certificate Envoy presents to backends it speaks TLS to
 * (where a BackendTLSPolicy says so). As upstream's suite does in Go, the test creates a CA (ConfigMap
 * {@code tls-checks-ca-certificate}), client certificate Secret {@code tls-checks-client-certificate}
 * of that CA, and the backend {@code tls-backend-with-client-cert-validation}: a real HTTPS server
 * (loopback) with a certificate of that CA for {@code abc.example.com} that refuses every TLS client
 * without a certificate of that CA. It records the certificate each request came with, compared here
 * with the Secret's (upstream's echo server reports it likewise). Conditions are read from the
 * Gateway's and the policy's status on the sidecar's MQTT status topics.
 */
class BackendClientCertificateConformanceTest {
  private static final String POLICIES = "backendtlspolicies.gateway.networking.k8s.io";
  private static final String ROUTES = "httproutes.gateway.networking.k8s.io";

  @TempDir Path dir;
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private HttpBackend tlsBackend;
  private StatusTopics status;
  private TestPki.Issued clientCertificate;

  @BeforeEach
  void start() throws Exception {
    suite = GatewayApiConformance.start(b -> b, Set.of());
    gw = suite.gateway();
    TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("ca")), "tls checks CA");
    TestPki.Issued serving = pki.serverWithSans("tls-checks-certificate", "abc.example.com",
        "DNS:abc.example.com", "URI:spiffe://abc.example.com/test-identity", "DNS:other.example.com");
    tlsBackend = HttpBackend.startTls("tls-backend-with-client-cert-validation", pki.serverContext(serving), true);
    suite.publishCaConfigMap(INFRA_NS, "tls-checks-ca-certificate", pki.caPem());
    clientCertificate = pki.client("tls-checks-client-certificate");
    gw.publish(TestPki.secretYaml("tls-checks-client-certificate", INFRA_NS, clientCertificate, Optional.empty()));
    status = new StatusTopics(gw);
  }

  @AfterEach
  void stop() throws Exception {
    EdgeGateway.closeAll(status, tlsBackend, suite);
  }

  @Test
  void GatewayTLSBackendClientCertificate() throws Exception {
    String manifest = "tests/gateway-tls-backend-client-certificate.yaml";
    String name = "gateway-tls-backend-client-certificate";
    apply(manifest);
    status.awaitGatewayAndRoutesAccepted(ROUTES, INFRA_NS, name, name);
    status.awaitRouteCondition(ROUTES, INFRA_NS, name, name, "ResolvedRefs", "True", "ResolvedRefs");
    status.await(POLICIES, INFRA_NS, "gateway-tls-backend-client-certificate-test",
        s -> StatusTopics.has(ancestorConditions(s, name), "Accepted", "True", "Accepted"));
    awaitGateway(name, "ResolvedRefs", "True", "ResolvedRefs");

    // The backend saw the Secret's certificate (and SNI abc.example.com) on Envoy's TLS connection.
    Exchange e = Exchange.until(gw, "GET", "abc.example.com", "/", Map.of(), x -> x.status() == 200);
    e.reached("tls-backend-with-client-cert-validation", "/");
    HttpBackend.RecordedRequest seen = tlsBackend.requests().get(tlsBackend.requests().size() - 1);
    assertThat(seen.sni()).isEqualTo("abc.example.com");
    assertThat(seen.clientCertificates()).isNotEmpty();
    assertThat(seen.clientCertificates().get(0)).isEqualTo(clientCertificate.certificate());

    // Control: the same Gateway without the field presents no certificate, and the backend refuses.
    ObjectNode gateway = document(manifest, "Gateway", name);
    ((ObjectNode) gateway.get("spec")).remove("tls");
    gw.publish(gateway + "\n");
    Exchange.until(gw, "GET", "abc.example.com", "/", Map.of(), x -> x.status() >= 500);
    int before = tlsBackend.requests().size();
    assertThat(Exchange.send(gw, "GET", "abc.example.com", "/", Map.of()).status()).isGreaterThanOrEqualTo(500);
    assertThat(tlsBackend.requests()).as("requests reaching the backend").hasSize(before);
    // And back: the certificate is presented again.
    apply(manifest);
    Exchange.until(gw, "GET", "abc.example.com", "/", Map.of(), x -> x.status() == 200);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewayInvalidTLSBackendConfiguration() throws Exception {
    // The Secrets the unsupported group/kind and the cross-namespace reference name exist, so that only
    // what each Gateway tests is wrong.
    TestPki listenerPki = suite.publishTlsSecrets(Files.createDirectories(dir.resolve("listener")), "example.org");
    suite.apply("tests/gateway-invalid-tls-backend-configuration.yaml");
    Map<String, String> reasons = Map.of(
        "gateway-client-certificate-nonexistent-secret", "InvalidClientCertificateRef",
        "gateway-client-certificate-unsupported-group", "InvalidClientCertificateRef",
        "gateway-client-certificate-unsupported-kind", "InvalidClientCertificateRef",
        "gateway-client-certificate-malformed-secret", "InvalidClientCertificateRef",
        "gateway-client-certificate-missing-reference-grant", "RefNotPermitted");
    reasons.forEach((name, reason) -> {
      awaitGateway(name, "ResolvedRefs", "False", reason);
      awaitGateway(name, "Accepted", "True", "Accepted");
      // Nothing else changes: the listener is served as without the field.
      JsonNode s = status.objectStatus(GATEWAYS, INFRA_NS, name);
      assertThat(StatusTopics.has(s.path("conditions"), "Programmed", "True", "Programmed")).as(name).isTrue();
      for (String type : List.of("Accepted", "Programmed", "ResolvedRefs")) {
        assertThat(StatusTopics.has(StatusTopics.listener(s, "http").path("conditions"), type, "True", ""))
            .as(name + " listener " + type).isTrue();
      }
      assertThat(suite.warnings(GATEWAYS, INFRA_NS, name))
          .anyMatch(w -> w.contains("spec.tls.backend.clientCertificateRef") && w.contains("(" + reason + ")"));
    });
    // Not upstream's: once the missing Secret exists, the next translation resolves the reference.
    gw.publish(TestPki.secretYaml("nonexistent-certificate", INFRA_NS, listenerPki.client("nonexistent-certificate"),
        Optional.empty()));
    awaitGateway("gateway-client-certificate-nonexistent-secret", "ResolvedRefs", "True", "ResolvedRefs");
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** Upstream's GatewayMustHaveCondition. */
  private void awaitGateway(String name, String type, String conditionStatus, String reason) {
    status.await(GATEWAYS, INFRA_NS, name, s -> StatusTopics.has(s.path("conditions"), type, conditionStatus, reason));
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

  private ObjectNode document(String manifest, String kind, String name) {
    return suite.documentsOf(manifest).stream()
        .filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
        .findFirst().orElseThrow();
  }

  private static JsonNode ancestorConditions(JsonNode policyStatus, String gateway) {
    for (JsonNode ancestor : policyStatus.path("ancestors")) {
      if (ancestor.path("ancestorRef").path("name").asText().equals(gateway)) {
        return ancestor.path("conditions");
      }
    }
    return MissingNode.getInstance();
  }
}
