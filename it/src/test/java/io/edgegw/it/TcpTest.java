package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.TcpEchoBackend;
import io.edgegw.it.harness.TestPki;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
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
 * Plain TCP on an arbitrary port (split by weight), and TLS terminated by Envoy for a plain TCP
 * backend, as for DICOM over TLS; then the certificate rotates by a Secret update with no restart:
 * new handshakes see the new certificate while an open connection keeps working.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TcpTest {
  @TempDir static Path pkiDir;
  private static TestPki pki;
  private static TestPki.Issued dicomCert;
  private static TcpEchoBackend echoA;
  private static TcpEchoBackend echoB;
  private static TcpEchoBackend pacs;
  private static EdgeGateway gw;
  private static long envoyPid;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(pkiDir, "edgegw it CA");
    dicomCert = pki.server("dicom", "pacs.example.com");
    echoA = TcpEchoBackend.plain("echo-a");
    echoB = TcpEchoBackend.plain("echo-b");
    pacs = TcpEchoBackend.plain("pacs");
    gw = EdgeGateway.start();
    envoyPid = gw.envoy().pid();
    gw.publish(TestPki.secretYaml("dicom-cert", "default", dicomCert, Optional.empty()));
    gw.publish(service("echo-a", 7) + "---\n" + endpoints("echo-a", echoA) + "---\n"
        + service("echo-b", 7) + "---\n" + endpoints("echo-b", echoB) + "---\n"
        + service("pacs", 104) + "---\n" + endpoints("pacs", pacs));
    gw.publish("""
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: l4
          namespace: default
        spec:
          selector: {istio: edgegateway}
          servers:
          - port: {number: 9000, name: echo, protocol: TCP}
            hosts: ["*"]
          - port: {number: 9001, name: dicom-tls, protocol: TLS}
            hosts: [pacs.example.com]
            tls: {mode: SIMPLE, credentialName: dicom-cert}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: l4
          namespace: default
        spec:
          hosts: ["*"]
          gateways: [l4]
          tcp:
          - match:
            - port: 9000
            route:
            - destination: {host: echo-a, port: {number: 7}}
              weight: 50
            - destination: {host: echo-b, port: {number: 7}}
              weight: 50
          - match:
            - port: 9001
            route:
            - destination: {host: pacs, port: {number: 104}}
        """);
  }

  @AfterAll
  static void stop() {
    EdgeGateway.closeAll(gw, echoA, echoB, pacs);
  }

  @Test
  @Order(1)
  void tcpOnAnArbitraryPortReachesTheEchoServicesByWeight() throws Exception {
    int port = gw.listenerPort(9000);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      try (Socket socket = TlsClient.plain(port)) {
        return TlsClient.echo(socket, "hi").endsWith(": hi");
      }
    });
    Set<String> seen = new HashSet<>();
    // 50/50 over 40 connections: missing one backend has probability 2^-39.
    for (int i = 0; i < 40; i++) {
      try (Socket socket = TlsClient.plain(port)) {
        String answer = TlsClient.echo(socket, "n" + i);
        assertThat(answer).matches("echo-[ab]: n" + i);
        seen.add(answer.substring(0, answer.indexOf(':')));
      }
    }
    assertThat(seen).containsExactlyInAnyOrder("echo-a", "echo-b");
  }

  @Test
  @Order(2)
  void aTlsClientReachesThePlainBackendThroughTheTerminatingPort() throws Exception {
    SSLContext context = pki.clientContext(Optional.empty());
    int port = gw.listenerPort(9001);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      try (SSLSocket socket = TlsClient.connect(port, "pacs.example.com", context)) {
        return TlsClient.echo(socket, "C-ECHO").equals("pacs: C-ECHO");
      }
    });
    try (SSLSocket socket = TlsClient.connect(port, "pacs.example.com", context)) {
      assertThat(TlsClient.peer(socket).getSerialNumber()).isEqualTo(dicomCert.certificate().getSerialNumber());
    }
    int before = pacs.connections();
    // Plain text to the TLS port never reaches the backend.
    assertThatThrownBy(() -> {
      try (Socket socket = TlsClient.plain(port)) {
        TlsClient.echo(socket, "plain");
      }
    }).isInstanceOf(IOException.class);
    assertThat(pacs.connections()).isEqualTo(before);
  }

  @Test
  @Order(3)
  void aRotatedCertificateServesNewHandshakesWhileAnOpenConnectionKeepsWorking() throws Exception {
    SSLContext context = pki.clientContext(Optional.empty());
    int port = gw.listenerPort(9001);
    try (SSLSocket open = TlsClient.connect(port, "pacs.example.com", context)) {
      assertThat(TlsClient.echo(open, "before")).isEqualTo("pacs: before");
      BigInteger oldSerial = TlsClient.peer(open).getSerialNumber();

      TestPki.Issued rotated = pki.server("dicom", "pacs.example.com");
      gw.publish(TestPki.secretYaml("dicom-cert", "default", rotated, Optional.empty()));
      BigInteger newSerial = rotated.certificate().getSerialNumber();
      assertThat(newSerial).isNotEqualTo(oldSerial);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
        try (SSLSocket fresh = TlsClient.connect(port, "pacs.example.com", context)) {
          return TlsClient.peer(fresh).getSerialNumber().equals(newSerial) && TlsClient.echo(fresh, "new").equals("pacs: new");
        }
      });

      assertThat(TlsClient.echo(open, "after")).isEqualTo("pacs: after");
      assertThat(TlsClient.peer(open).getSerialNumber()).isEqualTo(oldSerial);
    }
    assertThat(gw.envoy().pid()).isEqualTo(envoyPid);
    assertThat(gw.envoy().nacks()).isZero();
  }

  static String service(String name, int port) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: default
        spec:
          ports:
          - name: tcp
            port: %d
        """.formatted(name, port);
  }

  /** Endpoints of {@code service} (port name tcp) at the echo backend. */
  static String endpoints(String service, TcpEchoBackend backend) {
    return """
        apiVersion: v1
        kind: Endpoints
        metadata:
          name: %s
          namespace: default
        subsets:
        - addresses:
          - ip: 127.0.0.1
          ports:
          - name: tcp
            port: %d
        """.formatted(service, backend.port());
  }
}
