package io.edgegw.it.gatewayapi;

import static io.edgegw.it.gatewayapi.StatusTopics.GATEWAYS;
import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static io.edgegw.it.harness.GatewayApiConformance.WEB_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TestPki;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.nio.file.Files;
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
 * Upstream conformance tests (sigs.k8s.io/gateway-api v1.6.3) on client certificate validation of
 * HTTPS listeners ({@code spec.tls.frontend} of a Gateway): real TLS clients, with a client
 * certificate of the CA a listener's port trusts, of another CA, or none, through the real Envoy.
 * Upstream's suite creates the client CAs' ConfigMaps and the client certificates in Go; here two
 * throwaway CAs play {@code tls-validity-checks-ca-certificate} and its per-port sibling. The base's
 * HTTPS Gateway also listens on 443 without a hostname; it is removed first (upstream gives each
 * Gateway its own address; on one node's address the two would be Conflicted).
 */
class ClientCertificateConformanceTest {
  private static final String HTTPS_GATEWAY = "same-namespace-with-https-listener";

  @TempDir Path dir;
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private StatusTopics status;
  private SSLContext noCertificate;
  private SSLContext defaultCertificate;
  private SSLContext perPortCertificate;
  private SSLContext defaultAlwaysPresented;
  private SSLContext perPortAlwaysPresented;

  @BeforeEach
  void start() throws Exception {
    suite = GatewayApiConformance.start(b -> b, Set.of());
    gw = suite.gateway();
    TestPki server = suite.publishTlsSecrets(Files.createDirectories(dir.resolve("server")),
        "example.org", "second-example.org");
    TestPki clients = TestPki.create(Files.createDirectories(dir.resolve("default")), "client CA");
    TestPki perPort = TestPki.create(Files.createDirectories(dir.resolve("per-port")), "per-port client CA");
    suite.publishCaConfigMap(INFRA_NS, "tls-validity-checks-ca-certificate", clients.caPem());
    suite.publishCaConfigMap(INFRA_NS, "tls-validity-checks-per-port-ca-certificate", perPort.caPem());
    noCertificate = server.clientContext(Optional.empty());
    defaultCertificate = clients.clientContextTrusting(server.caPem(),
        clients.client("tls-validity-checks-client-certificate"));
    perPortCertificate = perPort.clientContextTrusting(server.caPem(),
        perPort.client("tls-validity-checks-per-port-client-certificate"));
    defaultAlwaysPresented = clients.clientContextAlwaysPresenting(server.caPem(),
        clients.client("default-client-always-presented"));
    perPortAlwaysPresented = perPort.clientContextAlwaysPresenting(server.caPem(),
        perPort.client("per-port-client-always-presented"));
    status = new StatusTopics(gw);
    gw.delete(GATEWAYS, INFRA_NS, HTTPS_GATEWAY);
  }

  @AfterEach
  void stop() throws Exception {
    EdgeGateway.closeAll(status, suite);
  }

  @Test
  void GatewayFrontendClientCertificateValidation() throws Exception {
    suite.apply("tests/gateway-with-clientcertificate-validation.yaml");
    status.awaitGatewayAndRoutesAccepted(StatusTopics.HTTP_ROUTES, INFRA_NS, "client-validation-default",
        "client-certificate-validation-https-test", "client-certificate-validation-https-test-no-hostname");
    int defaultPort = gw.listenerPort(443);
    int perPortPort = gw.listenerPort(8443);
    // Default configuration (port 443): the default CA's client passes, the per-port CA's does not.
    assertThat(awaitHttps(defaultPort, "example.org", defaultCertificate).backend()).isEqualTo("infra-backend-v1");
    assertRefused(defaultPort, "example.org", perPortCertificate);
    assertRefused(defaultPort, "example.org", noCertificate);
    // Per-port configuration (8443): the other way round.
    assertThat(awaitHttps(perPortPort, "second-example.org", perPortCertificate).backend())
        .isEqualTo("infra-backend-v2");
    assertRefused(perPortPort, "second-example.org", defaultCertificate);
    assertRefused(perPortPort, "second-example.org", noCertificate);
    // Ours: a certificate of the other CA, sent even though the request names another CA, is refused too.
    assertRefused(defaultPort, "example.org", perPortAlwaysPresented);
    assertRefused(perPortPort, "second-example.org", defaultAlwaysPresented);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewayFrontendClientCertificateValidationInsecureFallback() throws Exception {
    suite.apply("tests/gateway-with-clientcertificate-validation-insecure-fallback.yaml");
    status.awaitGatewayAndRoutesAccepted(StatusTopics.HTTP_ROUTES, INFRA_NS, "client-validation-insecure-fallback",
        "client-cert-validation-insecure-fallback-test", "client-cert-validation-insecure-fallback-test-no-hostname");
    status.await(GATEWAYS, INFRA_NS, "client-validation-insecure-fallback", s -> StatusTopics.has(
        s.path("conditions"), "InsecureFrontendValidationMode", "True", "ConfigurationChanged"));
    for (SSLContext client : new SSLContext[] {defaultCertificate, perPortCertificate, noCertificate}) {
      assertThat(awaitHttps(gw.listenerPort(443), "example.org", client).backend()).isEqualTo("infra-backend-v1");
      assertThat(awaitHttps(gw.listenerPort(8443), "second-example.org", client).backend())
          .isEqualTo("infra-backend-v2");
    }
    // Ours, beyond upstream: the certificate is still asked for (naming the port's CA), and one that
    // does not chain to that CA, sent all the same, is let through too (Java's clients above send only
    // a certificate of a named CA, so the wrong-CA cases above connected without one).
    assertThat(presentedCertificate(gw.listenerPort(443), "example.org", defaultCertificate)).isTrue();
    assertThat(presentedCertificate(gw.listenerPort(8443), "second-example.org", perPortCertificate)).isTrue();
    assertThat(presentedCertificate(gw.listenerPort(443), "example.org", perPortAlwaysPresented)).isTrue();
    assertThat(presentedCertificate(gw.listenerPort(8443), "second-example.org", defaultAlwaysPresented)).isTrue();
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewayInvalidFrontendClientCertificateValidation() throws Exception {
    // The ConfigMap in another namespace exists, so that only the missing ReferenceGrant is wrong.
    TestPki other = TestPki.create(Files.createDirectories(dir.resolve("other")), "other CA");
    suite.publishCaConfigMap(WEB_NS, "web-backend-cm", other.caPem());
    suite.apply("tests/gateway-with-invalid-clientcertificate-validation.yaml");
    String gateway = "gateway-with-invalid-client-cert-validation";
    awaitListener(gateway, "https", "True", "", "True", "", "True");
    awaitListener(gateway, "https-unresolved", "False", "InvalidCACertificateRef", "False", "NoValidCACertificate",
        "False");
    awaitListener(gateway, "https-invalid-kind", "False", "InvalidCACertificateKind", "False",
        "NoValidCACertificate", "False");
    awaitListener(gateway, "https-grant-missing", "False", "RefNotPermitted", "False", "NoValidCACertificate",
        "False");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void GatewayFrontendInvalidDefaultClientCertificateValidation() throws Exception {
    suite.apply("tests/gateway-invalid-default-frontend-client-certificate-validation.yaml");
    String gateway = "invalid-default-client-validation-config";
    awaitListener(gateway, "http", "True", "", "True", "", "True");
    HttpProbe.Response plain = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions().until(() -> HttpProbe.get(gw.httpPort(), "example.org", "/"), r -> r.status() == 200);
    assertThat(plain.backend()).isEqualTo("infra-backend-v1");
    awaitListener(gateway, "https", "False", "InvalidCACertificateRef", "False", "NoValidCACertificate", "False");
    // The HTTPS listener is not served: no TLS connection, with or without a client certificate.
    assertRefused(gw.httpsPort(), "example.org", noCertificate);
    assertRefused(gw.httpsPort(), "example.org", defaultCertificate);
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** Upstream's GatewayListenerMustHaveConditions for ResolvedRefs, Accepted and Programmed. */
  private void awaitListener(String gateway, String listener, String resolved, String resolvedReason,
      String accepted, String acceptedReason, String programmed) {
    status.await(GATEWAYS, INFRA_NS, gateway, s -> {
      JsonNode conditions = StatusTopics.listener(s, listener).path("conditions");
      return StatusTopics.has(conditions, "ResolvedRefs", resolved, resolvedReason)
          && StatusTopics.has(conditions, "Accepted", accepted, acceptedReason)
          && StatusTopics.has(conditions, "Programmed", programmed, "");
    });
  }

  private HttpProbe.Response awaitHttps(int port, String host, SSLContext client) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .until(() -> https(port, host, client), r -> r.status() == 200);
  }

  /** Upstream's MakeTLSRequestAndExpectFailureResponse: the TLS connection or the request fails. */
  private void assertRefused(int port, String host, SSLContext client) {
    assertThatThrownBy(() -> https(port, host, client)).isInstanceOf(IOException.class);
  }

  /** Whether the client sent its certificate: TLS clients send one only when the server requests it. */
  private static boolean presentedCertificate(int port, String host, SSLContext client) throws IOException {
    try (SSLSocket socket = TlsClient.connect(port, host, client)) {
      socket.startHandshake();
      assertThat(HttpProbe.get(socket, host, "/", true).status()).isEqualTo(200);
      return socket.getSession().getLocalCertificates() != null;
    }
  }

  private static HttpProbe.Response https(int port, String host, SSLContext client) throws IOException {
    try (SSLSocket socket = TlsClient.connect(port, host, client)) {
      return HttpProbe.get(socket, host, "/", true);
    }
  }
}
