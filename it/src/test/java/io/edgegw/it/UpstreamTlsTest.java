package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DestinationRule TLS origination through a real Envoy: SIMPLE verifies the backend with the CA of a
 * Secret, MUTUAL also presents a client certificate. Both fail (503) when the proof is wrong, which is
 * what shows the verification is real.
 */
class UpstreamTlsTest {
  @TempDir Path dir;

  @Test
  void simpleAndMutualTlsToBackendsVerifiedWithSecretsOverSds() throws Exception {
    TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")), "upstream test CA");
    TestPki other = TestPki.create(Files.createDirectories(dir.resolve("other")), "some other CA");
    TestPki.Issued partnerCert = pki.server("partner", "partner.internal");
    TestPki.Issued mutualCert = pki.server("mutual", "mutual.internal");
    TestPki.Issued clientCert = pki.client("edge-gateway");
    try (HttpBackend partner = HttpBackend.startTls("partner", pki.serverContext(partnerCert), false);
        HttpBackend mutual = HttpBackend.startTls("mutual", pki.serverContext(mutualCert), true);
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publish(routes(partner.port(), mutual.port()));
      gw.publish(caSecret("partner-ca", pki.caPem()));
      gw.publish(TestPki.secretYaml("edge-client", "default", clientCert, Optional.of(pki.caPem())));
      gw.publish(destinationRule("partner", "partner.internal", "SIMPLE", "partner-ca"));
      gw.publish(destinationRule("mutual", "mutual.internal", "MUTUAL", "edge-client"));

      gw.awaitStatus("h", "/simple", 200);
      assertThat(gw.get("h", "/simple").backend()).isEqualTo("partner");
      gw.awaitStatus("h", "/mutual", 200);
      assertThat(gw.get("h", "/mutual").backend()).isEqualTo("mutual");

      // A CA that did not sign the partner's certificate: Envoy refuses the upstream handshake. (The
      // rule names another Secret, so the cluster changes and Envoy opens new connections; a rotated
      // CA in the same Secret applies to new handshakes only, and open upstream connections stay.)
      gw.publish(caSecret("other-ca", other.caPem()));
      gw.publish(destinationRule("partner", "partner.internal", "SIMPLE", "other-ca"));
      gw.awaitStatus("h", "/simple", 503);
      // SIMPLE towards the backend that requires a client certificate: it refuses Envoy.
      gw.publish(destinationRule("mutual", "mutual.internal", "SIMPLE", "edge-client"));
      gw.awaitStatus("h", "/mutual", 503);

      assertThat(gw.envoy().nacks()).isZero();
      assertThat(gw.admin("/config_dump")).doesNotContain(clientCert.privateKeyPem().lines().skip(1).findFirst().orElseThrow());
    }
  }

  private static String routes(int partnerPort, int mutualPort) {
    return EdgeGateway.HTTP_GATEWAY + "---\n" + """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: partners, namespace: default}
        spec:
          hosts: ["*"]
          gateways: [gw]
          http:
          - match: [{uri: {prefix: /simple}}]
            route: [{destination: {host: partner.internal, port: {number: %1$d}}}]
          - match: [{uri: {prefix: /mutual}}]
            route: [{destination: {host: mutual.internal, port: {number: %2$d}}}]
        ---
        %3$s
        ---
        %4$s
        """.formatted(partnerPort, mutualPort, serviceEntry("partner", partnerPort), serviceEntry("mutual", mutualPort));
  }

  private static String serviceEntry(String name, int port) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %1$s, namespace: default}
        spec:
          hosts: [%1$s.internal]
          location: MESH_EXTERNAL
          resolution: STATIC
          ports: [{number: %2$d, name: https, protocol: HTTPS}]
          endpoints: [{address: 127.0.0.1}]
        """.formatted(name, port);
  }

  private static String destinationRule(String name, String host, String mode, String credential) {
    return """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: %s, namespace: default}
        spec:
          host: %s
          trafficPolicy:
            tls: {mode: %s, credentialName: %s, sni: %s}
        """.formatted(name, host, mode, credential, host);
  }

  private static String caSecret(String name, String caPem) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: default}
        type: Opaque
        data:
          ca.crt: %s
        """.formatted(name, Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8)));
  }
}
