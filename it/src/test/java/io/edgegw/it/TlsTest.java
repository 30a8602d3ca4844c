package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TcpEchoBackend;
import io.edgegw.it.harness.TestPki;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS through a real Envoy: several servers on port 443 told apart by SNI, each with its own
 * certificate from a Secret published over MQTT (SDS); mutual and optional-mutual TLS; TLS passthrough
 * to a backend that presents its own certificate; and the plain-HTTP server redirecting to https.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TlsTest {
  @TempDir static Path pkiDir;
  private static TestPki pki;
  private static TestPki.Issued shopCert;
  private static TestPki.Issued apiCert;
  private static TestPki.Issued backendCert;
  private static TestPki.Issued client;
  private static HttpBackend shop;
  private static HttpBackend api;
  private static TcpEchoBackend secureBackend;
  private static EdgeGateway gw;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(pkiDir, "edgegw it CA");
    shopCert = pki.server("shop", "shop.example.com");
    apiCert = pki.server("api", "api.example.com", "mtls.example.com", "optional.example.com");
    backendCert = pki.server("backend", "backend.example.com");
    client = pki.client("edge-client");
    shop = HttpBackend.start("shop");
    api = HttpBackend.start("api");
    secureBackend = TcpEchoBackend.tls("secure-backend", pki.serverContext(backendCert));
    gw = EdgeGateway.start();
    gw.publish(TestPki.secretYaml("shop-cert", "default", shopCert, Optional.empty()) + "---\n"
        + TestPki.secretYaml("api-cert", "default", apiCert, Optional.of(pki.caPem())) + "---\n"
        + TestPki.secretYaml("mtls-cert", "default", apiCert, Optional.empty()) + "---\n"
        + caSecret("mtls-cert-cacert", pki.caPem()));
    gw.publish(EdgeGateway.service("shop") + "---\n" + EdgeGateway.endpoints("shop", shop) + "---\n"
        + EdgeGateway.service("api") + "---\n" + EdgeGateway.endpoints("api", api) + "---\n"
        + TcpTest.service("secure-backend", 8443) + "---\n" + TcpTest.endpoints("secure-backend", secureBackend));
    gw.publish(GATEWAY + "---\n" + VIRTUAL_SERVICES);
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, shop, api, secureBackend);
  }

  @Test
  @Order(1)
  void eachHostGetsItsOwnCertificateAndBackendOnOnePort() throws Exception {
    SSLContext anonymous = pki.clientContext(Optional.empty());
    HttpProbe.Response shopResponse = awaitHttps("shop.example.com", anonymous);
    assertThat(shopResponse.backend()).isEqualTo("shop");
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "api.example.com", anonymous)) {
      assertThat(TlsClient.peer(socket).getSerialNumber()).isEqualTo(apiCert.certificate().getSerialNumber());
      assertThat(socket.getApplicationProtocol()).isIn("", "http/1.1"); // ALPN not asked for by this client
      assertThat(HttpProbe.get(socket, "api.example.com", "/", true).backend()).isEqualTo("api");
    }
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "shop.example.com", anonymous)) {
      assertThat(TlsClient.peer(socket).getSerialNumber()).isEqualTo(shopCert.certificate().getSerialNumber());
    }
  }

  @Test
  @Order(2)
  void httpsRedirectAnswers301ToHttps() {
    HttpProbe.Response response = gw.get("shop.example.com", "/cart?id=1");
    assertThat(response.status()).isEqualTo(301);
    assertThat(response.header("location")).isEqualTo("https://shop.example.com/cart?id=1");
    assertThat(shop.requests()).noneSatisfy(r -> assertThat(r.path()).isEqualTo("/cart?id=1"));
  }

  @Test
  @Order(3)
  void mutualTlsAdmitsOnlyAClientWithACertificate() throws Exception {
    awaitHttps("mtls.example.com", pki.clientContext(Optional.of(client)));
    assertThatThrownBy(() -> {
      try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "mtls.example.com", pki.clientContext(Optional.empty()))) {
        HttpProbe.get(socket, "mtls.example.com", "/", true);
      }
    }).isInstanceOf(IOException.class);
  }

  @Test
  @Order(4)
  void optionalMutualTlsAdmitsBoth() throws Exception {
    assertThat(awaitHttps("optional.example.com", pki.clientContext(Optional.of(client))).backend()).isEqualTo("api");
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "optional.example.com", pki.clientContext(Optional.empty()))) {
      assertThat(HttpProbe.get(socket, "optional.example.com", "/", true).status()).isEqualTo(200);
    }
  }

  @Test
  @Order(5)
  void passthroughReachesABackendPresentingItsOwnCertificate() throws Exception {
    SSLContext anonymous = pki.clientContext(Optional.empty());
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "backend.example.com", anonymous)) {
        return TlsClient.echo(socket, "ping").equals("secure-backend: ping");
      }
    });
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "backend.example.com", anonymous)) {
      assertThat(TlsClient.peer(socket).getSerialNumber()).isEqualTo(backendCert.certificate().getSerialNumber());
      assertThat(TlsClient.echo(socket, "hello")).isEqualTo("secure-backend: hello");
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** Waits until an HTTPS GET / for {@code host} is answered 200, and returns that answer. */
  private static HttpProbe.Response awaitHttps(String host, SSLContext context) {
    return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), host, context)) {
        return HttpProbe.get(socket, host, "/", true);
      }
    }, r -> r.status() == 200);
  }

  static String caSecret(String name, String caPem) {
    return """
        apiVersion: v1
        kind: Secret
        metadata:
          name: %s
          namespace: default
        type: Opaque
        stringData:
          cacert: |
        %s""".formatted(name, caPem.lines().map(l -> "    " + l + "\n").reduce("", String::concat));
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata:
        name: edge
        namespace: default
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: [shop.example.com]
          tls: {httpsRedirect: true}
        - port: {number: 443, name: https-shop, protocol: HTTPS}
          hosts: [shop.example.com]
          tls: {mode: SIMPLE, credentialName: shop-cert}
        - port: {number: 443, name: https-api, protocol: HTTPS}
          hosts: [api.example.com]
          tls: {mode: SIMPLE, credentialName: api-cert, minProtocolVersion: TLSV1_2}
        - port: {number: 443, name: https-mtls, protocol: HTTPS}
          hosts: [mtls.example.com]
          tls: {mode: MUTUAL, credentialName: mtls-cert}
        - port: {number: 443, name: https-optional, protocol: HTTPS}
          hosts: [optional.example.com]
          tls: {mode: OPTIONAL_MUTUAL, credentialName: api-cert}
        - port: {number: 443, name: passthrough, protocol: TLS}
          hosts: [backend.example.com]
          tls: {mode: PASSTHROUGH}
      """;

  private static final String VIRTUAL_SERVICES = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: shop
        namespace: default
      spec:
        hosts: [shop.example.com]
        gateways: [edge]
        http:
        - route:
          - destination: {host: shop, port: {number: 9080}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: api
        namespace: default
      spec:
        hosts: [api.example.com, mtls.example.com, optional.example.com]
        gateways: [edge]
        http:
        - route:
          - destination: {host: api, port: {number: 9080}}
      ---
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata:
        name: backend
        namespace: default
      spec:
        hosts: [backend.example.com]
        gateways: [edge]
        tls:
        - match:
          - sniHosts: [backend.example.com]
          route:
          - destination: {host: secure-backend, port: {number: 8443}}
      """;
}
