package io.edgegw.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgegw.translator.model.Kind;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeSettingsTest {
  @TempDir Path dir;

  @Test
  void everyKindHasItsRestCollection() {
    assertThat(KubeSource.collection(Kind.VIRTUAL_SERVICE, "")).isEqualTo("/apis/networking.istio.io/v1/virtualservices");
    assertThat(KubeSource.collection(Kind.SERVICE_ENTRY, "ns1")).isEqualTo("/apis/networking.istio.io/v1/namespaces/ns1/serviceentries");
    assertThat(KubeSource.collection(Kind.GATEWAY, "")).isEqualTo("/apis/networking.istio.io/v1/gateways");
    assertThat(KubeSource.collection(Kind.ENDPOINTS, "")).isEqualTo("/api/v1/endpoints");
    assertThat(KubeSource.collection(Kind.ENDPOINT_SLICE, "")).isEqualTo("/apis/discovery.k8s.io/v1/endpointslices");
    assertThat(KubeSource.collection(Kind.SECRET, "a")).isEqualTo("/api/v1/namespaces/a/secrets");
  }

  @Test
  void readsTheCurrentContextOfAKubeconfig() throws IOException {
    String ca = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    Files.writeString(dir.resolve("token"), "abc\n");
    Path config = dir.resolve("config");
    Files.writeString(config, """
        apiVersion: v1
        kind: Config
        current-context: edge
        contexts:
        - name: other
          context: {cluster: nope, user: nope}
        - name: edge
          context: {cluster: k3s, user: gw}
        clusters:
        - name: k3s
          cluster:
            server: https://127.0.0.1:6443
            certificate-authority-data: %s
        users:
        - name: gw
          user: {tokenFile: token}
        """.formatted(Base64.getEncoder().encodeToString(ca.getBytes())));
    KubeSettings settings = KubeSettings.fromKubeconfig(config);
    assertThat(settings.server()).isEqualTo(URI.create("https://127.0.0.1:6443"));
    assertThat(settings.caPem()).contains(ca);
    assertThat(settings.tokenFile()).contains(dir.resolve("token"));
  }

  @Test
  void anInlineTokenIsKeptAndNeverPrinted() throws IOException {
    Path config = dir.resolve("config");
    Files.writeString(config, """
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "http://127.0.0.1:10550"}}]
        users: [{name: u, user: {token: s3cret-token}}]
        """);
    KubeSettings settings = KubeSettings.fromKubeconfig(config);
    assertThat(settings.token()).contains("s3cret-token");
    assertThat(settings.toString()).doesNotContain("s3cret");
  }

  @Test
  void aKubeconfigWithClientCertificatesIsRefusedClearly() throws IOException {
    Path config = dir.resolve("config");
    Files.writeString(config, """
        current-context: c
        contexts: [{name: c, context: {cluster: k, user: u}}]
        clusters: [{name: k, cluster: {server: "https://10.0.0.1:6443"}}]
        users: [{name: u, user: {client-certificate-data: AAAA, client-key-data: AAAA}}]
        """);
    assertThatThrownBy(() -> KubeSettings.fromKubeconfig(config))
        .hasMessageContaining("only token and tokenFile are supported");
  }

  @Test
  void inClusterNeedsTheServiceEnvironment() {
    assertThatThrownBy(() -> KubeSettings.inCluster(Map.of()))
        .hasMessageContaining("KUBERNETES_SERVICE_HOST is not set");
  }

  @Test
  void onlyHttpAndHttpsUrls() {
    assertThatThrownBy(() -> KubeSettings.of(URI.create("tcp://127.0.0.1:10550")))
        .hasMessageContaining("--kube-api: must be an http:// or https:// URL");
  }
}
