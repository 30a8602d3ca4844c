package io.edgegw.it.gatewayapi;

import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TestPki;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3) on HTTPS listeners: TLS terminated with
 * the listener's certificateRefs, chosen by SNI per listener hostname; 421 for a request whose Host
 * belongs to another listener than the one its TLS connection was made for; certificates in another
 * namespace only with a ReferenceGrant; invalid certificate references leave the listener unserved.
 * HTTPS requests go over HTTP/1.1 (upstream's misdirected-request test uses HTTP/2; the routing is the
 * same). The conditions upstream checks are asserted as WARNINGs ending with the same reason.
 */
class HttpsListenerConformanceTest {
  private static final String GATEWAYS = "gateways.gateway.networking.k8s.io";
  private static final String HTTPS_GATEWAY = "same-namespace-with-https-listener";
  private static final String[] HOSTS = {
    "example.org", "second-example.org", "unknown-example.org", "third-example.wildcard.org",
    "fourth-example.wildcard.org", "fith-example.wildcard.org", "secret.example.com"
  };

  @TempDir Path pkiDir;
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private SSLContext client;

  @BeforeEach
  void start() throws Exception {
    suite = GatewayApiConformance.start(b -> b, Set.of());
    gw = suite.gateway();
    TestPki pki = suite.publishTlsSecrets(pkiDir, HOSTS);
    client = pki.clientContext(Optional.empty());
  }

  @AfterEach
  void stop() {
    suite.close();
  }

  @Test
  void HTTPRouteHTTPSListener() throws Exception {
    suite.apply("tests/httproute-https-listener.yaml");
    assertThat(awaitHttps("example.org", "example.org", "/", 200).backend()).isEqualTo("infra-backend-v1");
    assertThat(https("second-example.org", "second-example.org", "/").backend()).isEqualTo("infra-backend-v2");
    assertThat(https("unknown-example.org", "unknown-example.org", "/").status()).isEqualTo(404);
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "second-example.org", client)) {
      assertThat(TlsClient.peer(socket).getSubjectX500Principal().getName())
          .isEqualTo("CN=" + GatewayApiConformance.VALIDITY_CN);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteHTTPSListenerDetectMisdirectedRequests() throws Exception {
    suite.apply("tests/httproute-https-listener-detect-misdirected-requests.yaml");
    String path = "/detect-misdirected-requests";
    awaitHttps("fourth-example.wildcard.org", "fourth-example.wildcard.org", path, 200);
    // {SNI, Host, status, backend}: upstream's table.
    String[][] cases = {
      {"example.org", "example.org", "200", "infra-backend-v1"},
      {"example.org", "second-example.org", "421", null},
      {"example.org", "unknown-example.org", "404", null},
      {"second-example.org", "second-example.org", "200", "infra-backend-v2"},
      {"second-example.org", "example.org", "421", null},
      {"second-example.org", "unknown-example.org", "421", null},
      {"third-example.wildcard.org", "third-example.wildcard.org", "200", "infra-backend-v3"},
      {"third-example.wildcard.org", "fith-example.wildcard.org", "200", "infra-backend-v3"},
      {"third-example.wildcard.org", "fourth-example.wildcard.org", "421", null},
      {"third-example.wildcard.org", "second-example.org", "421", null},
      {"third-example.wildcard.org", "unknown-example.org", "421", null},
      {"fourth-example.wildcard.org", "fourth-example.wildcard.org", "200", "infra-backend-v1"},
      {"fourth-example.wildcard.org", "fith-example.wildcard.org", "421", null},
      {"unknown-example.org", "example.org", "200", "infra-backend-v1"},
      {"unknown-example.org", "unknown-example.org", "404", null},
    };
    for (String[] c : cases) {
      HttpProbe.Response response = https(c[0], c[1], path);
      assertThat(response.status()).as("SNI " + c[0] + ", Host " + c[1]).isEqualTo(Integer.parseInt(c[2]));
      if (c[3] != null) {
        assertThat(response.backend()).as("SNI " + c[0] + ", Host " + c[1]).isEqualTo(c[3]);
      }
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewaySecretReferenceGrantAllInNamespace() throws Exception {
    secretServedThroughGrant("tests/gateway-secret-reference-grant-all-in-namespace.yaml",
        "gateway-secret-reference-grant-all-in-namespace");
  }

  @Test
  void GatewaySecretReferenceGrantSpecific() throws Exception {
    secretServedThroughGrant("tests/gateway-secret-reference-grant-specific.yaml",
        "gateway-secret-reference-grant-specific");
  }

  @Test
  void GatewaySecretMissingReferenceGrant() {
    secretRefused("tests/gateway-secret-missing-reference-grant.yaml", "gateway-secret-missing-reference-grant");
  }

  @Test
  void GatewaySecretInvalidReferenceGrant() {
    secretRefused("tests/gateway-secret-invalid-reference-grant.yaml", "gateway-secret-invalid-reference-grant");
  }

  @Test
  void GatewayInvalidTLSConfiguration() {
    gw.delete(GATEWAYS, INFRA_NS, HTTPS_GATEWAY);
    suite.apply("tests/gateway-invalid-tls-configuration.yaml");
    suite.awaitWarning(GATEWAYS, INFRA_NS, "gateway-certificate-nonexistent-secret", "nonexistent-certificate",
        "(InvalidCertificateRef)");
    suite.awaitWarning(GATEWAYS, INFRA_NS, "gateway-certificate-unsupported-group", "wrong.group.company.io",
        "(InvalidCertificateRef)");
    suite.awaitWarning(GATEWAYS, INFRA_NS, "gateway-certificate-unsupported-kind", "WrongKind",
        "(InvalidCertificateRef)");
    suite.awaitWarning(GATEWAYS, INFRA_NS, "gateway-certificate-malformed-secret", "malformed-certificate",
        "(InvalidCertificateRef)");
    // None of the four listeners is served: nothing listens on 443.
    assertThatThrownBy(() -> https("example.org", "example.org", "/")).isInstanceOf(IOException.class);
    assertThat(gw.envoy().nacks()).isZero();
  }

  /**
   * The test's Gateway listens on 443 without a hostname, as the base's HTTPS Gateway does, with
   * another certificate: on one node's address the two would be Conflicted (docs/gateway-api.md), so
   * the base's HTTPS Gateway is removed first (upstream gives each Gateway its own address).
   */
  private void secretServedThroughGrant(String manifest, String gateway) throws Exception {
    gw.delete(GATEWAYS, INFRA_NS, HTTPS_GATEWAY);
    suite.apply(manifest);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .untilAsserted(() -> {
          try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "secret.example.com", client)) {
            assertThat(TlsClient.peer(socket).getSubjectX500Principal().getName())
                .isEqualTo("CN=" + GatewayApiConformance.CERTIFICATE_CN);
          }
        });
    // No route is attached: TLS is terminated with the granted certificate, and Envoy answers 404.
    assertThat(https("secret.example.com", "secret.example.com", "/").status()).isEqualTo(404);
    assertThat(suite.warnings(GATEWAYS, INFRA_NS, gateway)).isEmpty();
    assertThat(gw.envoy().nacks()).isZero();
  }

  private void secretRefused(String manifest, String gateway) {
    gw.delete(GATEWAYS, INFRA_NS, HTTPS_GATEWAY);
    suite.apply(manifest);
    assertThat(suite.awaitWarning(GATEWAYS, INFRA_NS, gateway, "spec.listeners[0].tls.certificateRefs[0]",
        "(RefNotPermitted)")).contains("gateway-conformance-web-backend/certificate");
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThatThrownBy(() -> https("secret.example.com", "secret.example.com", "/"))
            .isInstanceOf(IOException.class));
    assertThat(gw.envoy().nacks()).isZero();
  }

  private HttpProbe.Response awaitHttps(String sni, String host, String path, int status) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> https(sni, host, path), r -> r.status() == status);
  }

  private HttpProbe.Response https(String sni, String host, String path) throws IOException {
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), sni, client)) {
      return HttpProbe.get(socket, host, path, true);
    }
  }
}
