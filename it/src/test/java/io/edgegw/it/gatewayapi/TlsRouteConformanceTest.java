package io.edgegw.it.gatewayapi;

import static io.edgegw.it.gatewayapi.StatusTopics.GATEWAYS;
import static io.edgegw.it.gatewayapi.StatusTopics.TLS_ROUTES;
import static io.edgegw.it.gatewayapi.StatusTopics.has;
import static io.edgegw.it.gatewayapi.StatusTopics.listener;
import static io.edgegw.it.harness.GatewayApiConformance.INFRA_NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.TcpEchoBackend;
import io.edgegw.it.harness.TestPki;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream TLSRoute conformance tests (sigs.k8s.io/gateway-api v1.6.3 {@code conformance/tests}) with
 * their own manifests, through the real sidecar and Envoy: TLS passthrough by server name (SNI) to
 * backends that terminate TLS themselves. The backends are loopback TLS line echo servers
 * ({@code <service>: <line>}) with certificates of a test CA; a test sees both which backend answered
 * and that the certificate is the backend's own (passthrough, not terminated at the gateway).
 *
 * <p>Upstream gives every Gateway its own address; here all share one Envoy, so port 443 of the base
 * manifests' HTTPS Gateway is freed first, and TLSRouteHostnameIntersection applies its four Gateways
 * one after the other. The status conditions upstream checks are read from the routes' and Gateways'
 * {@code objectStatus} on the MQTT status topics ({@link StatusTopics}).
 *
 * <p>Not ported: the tests of TLSRoutes over terminated TLS (mode Terminate is not served yet).
 */
class TlsRouteConformanceTest {
  @TempDir Path pkiDir;
  private GatewayApiConformance suite;
  private EdgeGateway gw;
  private TestPki pki;
  private TestPki.Issued backendCert;
  private SSLContext client;
  private TcpEchoBackend tlsBackend;
  private TcpEchoBackend tlsBackend2;
  private StatusTopics status;

  @BeforeEach
  void start() throws Exception {
    // Namespace objects are not read yet (issue #13). ReferenceGrant neither: the one test whose
    // manifest has grants (TLSRouteInvalidReferenceGrant) has only grants that must not apply.
    suite = GatewayApiConformance.start(b -> b, Set.of("Namespace", "ReferenceGrant"));
    gw = suite.gateway();
    gw.delete("gateways.gateway.networking.k8s.io", INFRA_NS, "same-namespace-with-https-listener");
    pki = TestPki.create(pkiDir, "conformance CA");
    backendCert = pki.server("tls-backend", "abc.example.com", "other.example.com", "non.matching.com",
        "non.matching.org");
    client = pki.clientContext(Optional.empty());
    tlsBackend = TcpEchoBackend.tls("tls-backend", pki.serverContext(backendCert));
    tlsBackend2 = TcpEchoBackend.tls("tls-backend-2", pki.serverContext(backendCert));
    status = new StatusTopics(gw);
  }

  @AfterEach
  void stop() {
    status.close();
    EdgeGateway.closeAll(tlsBackend, tlsBackend2);
    suite.close();
  }

  @Test
  void TLSRouteSimpleSameNamespace() throws Exception {
    TcpEchoBackend tcpBackend = TcpEchoBackend.tls("tcp-backend", pki.serverContext(backendCert));
    try {
      suite.endpoints(INFRA_NS, "tcp-backend", tcpBackend.port());
      suite.apply("tests/tlsroute-simple-same-namespace.yaml");
      status.awaitGatewayAndRoutesAccepted(TLS_ROUTES, INFRA_NS, "gateway-tlsroute", "gateway-conformance-infra-test");
      awaitEcho("abc.example.com", "tcp-backend");
      try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "abc.example.com", client)) {
        assertThat(TlsClient.peer(socket).getSerialNumber()).isEqualTo(backendCert.certificate().getSerialNumber());
        assertThat(TlsClient.echo(socket, "hello")).isEqualTo("tcp-backend: hello");
      }
      assertThat(gw.envoy().nacks()).isZero();
    } finally {
      tcpBackend.close();
    }
  }

  @Test
  void TLSRouteHostnameIntersection() throws Exception {
    String manifest = "tests/tlsroute-hostname-intersection.yaml";
    suite.endpoints(INFRA_NS, "tls-backend", tlsBackend.port());
    suite.endpoints(INFRA_NS, "tls-backend-2", tlsBackend2.port());

    // TLSRoutes intersect with exact listener hostname.
    List<String> x1 = List.of("gw-tlsroute-exact-hostname-x-1", "tlsroute-more-specific-wc-hostname-x-1");
    suite.apply(manifest, x1::contains);
    awaitAcceptedAndResolved(x1);
    awaitEcho("abc.example.com", "tls-backend");
    awaitRejected("non.matching.com");
    remove(x1);

    // ... with a more specific wildcard listener hostname; then a less specific one; then none.
    for (String n : List.of("2", "3", "4")) {
      List<String> objects = switch (n) {
        case "2" -> List.of("gw-tlsroute-more-specific-wc-hostname-x-2", "tlsroute-exact-hostname-x-2",
            "tlsroute-less-specific-wc-hostname-x-2");
        case "3" -> List.of("gw-tlsroute-less-specific-wc-hostname-x-3", "tlsroute-exact-hostname-x-3",
            "tlsroute-more-specific-wc-hostname-x-3");
        default -> List.of("gw-tlsroute-empty-hostname-x-4", "tlsroute-exact-hostname-x-4",
            "tlsroute-less-specific-wc-hostname-x-4");
      };
      suite.apply(manifest, objects::contains);
      awaitAcceptedAndResolved(objects);
      awaitEcho("abc.example.com", "tls-backend");
      awaitEcho("other.example.com", "tls-backend-2");
      awaitRejected(n.equals("4") ? "non.matching.org" : "non.matching.com");
      remove(objects);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void TLSRouteInvalidReferenceGrant() {
    suite.apply("tests/tlsroute-invalid-reference-grant.yaml");
    status.awaitGatewayAndRoutesAccepted(TLS_ROUTES, INFRA_NS, "gateway-tlsroute-referencegrant",
        "gateway-conformance-infra-test");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "gateway-conformance-infra-test",
        "gateway-tlsroute-referencegrant", "ResolvedRefs", "False", "RefNotPermitted");
    assertThatThrownBy(() -> TlsClient.connect(gw.httpsPort(), "abc.example.com", client).close())
        .isInstanceOf(IOException.class);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void TLSRouteInvalidNoMatchingListenerHostname() {
    suite.apply("tests/tlsroute-invalid-no-matching-listener-hostname.yaml");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "tlsroute-hostname-mismatch-1", "gateway-tls-exact-hostname",
        "Accepted", "False", "NoMatchingListenerHostname");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "tlsroute-hostname-mismatch-2", "gateway-tls-wildcard-hostname",
        "Accepted", "False", "NoMatchingListenerHostname");
    status.awaitNoAcceptedParents(TLS_ROUTES, INFRA_NS, "tlsroute-hostname-mismatch-1");
    status.awaitNoAcceptedParents(TLS_ROUTES, INFRA_NS, "tlsroute-hostname-mismatch-2");
    status.awaitZeroRoutes(INFRA_NS, "gateway-tls-exact-hostname");
    status.awaitZeroRoutes(INFRA_NS, "gateway-tls-wildcard-hostname");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void TLSRouteInvalidNoMatchingListener() {
    suite.apply("tests/tlsroute-invalid-no-matching-listener.yaml");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "tlsroute-not-allowed-protocol-http", "gateway-tlsroute-http-only",
        "Accepted", "False", "NotAllowedByListeners");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "tlsroute-not-allowed-protocol-https",
        "gateway-tlsroute-https-only", "Accepted", "False", "NotAllowedByListeners");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "tlsroute-no-matching-section-name",
        "gateway-tlsroute-tls-passthrough-only", "Accepted", "False", "NoMatchingParent");
    for (String route : List.of("tlsroute-not-allowed-protocol-http", "tlsroute-not-allowed-protocol-https",
        "tlsroute-no-matching-section-name")) {
      status.awaitNoAcceptedParents(TLS_ROUTES, INFRA_NS, route);
    }
    status.awaitZeroRoutes(INFRA_NS, "gateway-tlsroute-http-only");
    status.awaitZeroRoutes(INFRA_NS, "gateway-tlsroute-https-only");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void TLSRouteInvalidBackendRefNonexistent() {
    suite.apply("tests/tlsroute-invalid-backendref-nonexistent.yaml");
    String gateway = "gateway-tlsroute-invalid-backend-ref-nonexistent";
    status.awaitGatewayAndRoutesAccepted(TLS_ROUTES, INFRA_NS, gateway, "invalid-backend-ref-nonexistent");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "invalid-backend-ref-nonexistent", gateway, "ResolvedRefs",
        "False", "BackendNotFound");
    awaitRejected("example.com");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void TLSRouteInvalidBackendRefUnknownKind() {
    suite.apply("tests/tlsroute-invalid-backendref-unknown-kind.yaml");
    String gateway = "gateway-tlsroute-invalid-backend-ref-unknown-kind";
    status.awaitGatewayAndRoutesAccepted(TLS_ROUTES, INFRA_NS, gateway, "invalid-backend-ref-unknown-kind");
    status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, "invalid-backend-ref-unknown-kind", gateway, "ResolvedRefs",
        "False", "InvalidKind");
    awaitRejected("example.com");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void TLSRouteListenerPassthroughSupportedKinds() {
    suite.apply("tests/tlsroute-listener-passthrough-supported-kinds.yaml");
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, "gateway-tlsroute-passthrough-supported-kind",
        s -> has(listener(s, "tls-passthrough").path("conditions"), "ResolvedRefs", "False", "InvalidRouteKinds"));
    JsonNode l = listener(gateway, "tls-passthrough");
    assertThat(gateway.path("listeners")).hasSize(1);
    assertThat(l.path("supportedKinds").toString())
        .isEqualTo("[{\"group\":\"gateway.networking.k8s.io\",\"kind\":\"TLSRoute\"}]");
    assertThat(l.path("attachedRoutes").asInt(-1)).isZero();
  }

  /** Upstream's check when the implementation does not serve mode Terminate (edgegw does not yet). */
  @Test
  void TLSRouteListenerTerminateNotSupported() {
    suite.apply("tests/tlsroute-listener-terminate-not-supported.yaml");
    JsonNode gateway = status.await(GATEWAYS, INFRA_NS, "gateway-tlsroute-terminate-unsupported",
        s -> has(listener(s, "tls-terminate").path("conditions"), "Accepted", "False", "UnsupportedValue"));
    assertThat(gateway.path("listeners")).hasSize(1);
    assertThat(listener(gateway, "tls-terminate").path("attachedRoutes").asInt(-1)).isZero();
  }

  /**
   * Upstream's GatewayAndTLSRoutesMustBeAccepted and TLSRouteMustHaveResolvedRefsConditionsTrue for the
   * Gateway and routes of one part of TLSRouteHostnameIntersection ({@code objects}: Gateway first).
   */
  private void awaitAcceptedAndResolved(List<String> objects) {
    String gateway = objects.get(0);
    List<String> routes = objects.subList(1, objects.size());
    status.awaitGatewayAndRoutesAccepted(TLS_ROUTES, INFRA_NS, gateway, routes.toArray(String[]::new));
    for (String route : routes) {
      status.awaitRouteCondition(TLS_ROUTES, INFRA_NS, route, gateway, "ResolvedRefs", "True", "ResolvedRefs");
    }
  }

  private void remove(List<String> objects) {
    gw.delete("gateways.gateway.networking.k8s.io", INFRA_NS, objects.get(0));
    for (String route : objects.subList(1, objects.size())) {
      gw.delete("tlsroutes.gateway.networking.k8s.io", INFRA_NS, route);
    }
  }

  /** Waits until a TLS connection with server name {@code sni} reaches {@code backend} (its own certificate). */
  private void awaitEcho(String sni, String backend) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), sni, client)) {
        return TlsClient.echo(socket, "ping").equals(backend + ": ping")
            && TlsClient.peer(socket).getSerialNumber().equals(backendCert.certificate().getSerialNumber());
      }
    });
  }

  /** Waits until a TLS connection with server name {@code sni} is refused or closed by the gateway. */
  private void awaitRejected(String sni) {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), sni, client)) {
        TlsClient.echo(socket, "ping");
        return false;
      } catch (IOException e) {
        return true;
      }
    });
  }
}
